"""Running the installed `breakroom` command as a real subprocess, isolated from the developer's
environment and working directory."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

BREAKROOM = str(Path(sys.executable).with_name("breakroom"))
_OWN_VARIABLES = ("DATABASE_URL", "HOST", "PORT", "SLACK_", "MICROSOFT_", "BREAKROOM_")
# slack_sdk reads HTTP(S)_PROXY and ignores NO_PROXY: loopback fakes work only without them.
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_VARIABLES)}
    env.update(extra)
    return env


def loopback_env(**extra: str) -> dict[str, str]:
    """`clean_env` without proxy settings, for a process that talks to loopback fakes."""
    return {k: v for k, v in clean_env(**extra).items() if k not in PROXY_VARIABLES}


def run(
    args: list[str], cwd: Path, stdin: str = "", timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BREAKROOM, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(**env),
        timeout=timeout,
        check=False,
    )


def running_with(argument: str) -> bool:
    """Whether a process of this machine has `argument` on its command line."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if argument in cmdline.read_text(errors="replace"):
                return True
        except OSError:
            continue  # ended meanwhile
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A `breakroom serve` process: its base URL, and what it logged once it has stopped."""

    base: str
    log: str = ""


@asynccontextmanager
async def serving(cwd: Path, **env: str) -> AsyncIterator[Served]:
    """`breakroom serve` on a free loopback port, ready when this yields; stopped with SIGINT as
    an operator would. The process runs beside the test's loop, so fakes in that loop answer."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        BREAKROOM,
        "serve",
        "--port",
        str(port),
        cwd=cwd,
        env=clean_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    served = Served(f"http://127.0.0.1:{port}")
    try:
        await _wait_until_ready(served.base, process)
        yield served
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        served.log = stderr.decode()


async def _wait_until_ready(base: str, process: asyncio.subprocess.Process) -> None:
    """Poll /readyz without blocking the loop; fail at once if the process has died."""
    async with asyncio.timeout(30), aiohttp.ClientSession() as http:
        while process.returncode is None:
            try:
                async with http.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"breakroom serve exited with {process.returncode}")


# Long enough for a message from another process to arrive on a busy machine.
CHAT_WAIT = 20


class Chatting:
    """A running `breakroom chat` for one person, typed into line by line; `seen` is all it
    has printed so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self.seen = ""

    async def type(self, line: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(line.encode() + b"\n")
        await self._process.stdin.drain()

    async def wait_for(self, text: str) -> str:
        """Read until `text` has been printed (within `CHAT_WAIT` seconds); all seen so far."""
        assert self._process.stdout is not None
        async with asyncio.timeout(CHAT_WAIT):
            while text not in self.seen:
                chunk = await self._process.stdout.read(4096)
                if not chunk:
                    raise AssertionError(f"chat ended before {text!r}:\n{self.seen}")
                self.seen += chunk.decode()
        return self.seen


@asynccontextmanager
async def chatting(cwd: Path, user: str, *options: str, **env: str) -> AsyncIterator[Chatting]:
    """`breakroom chat --user USER` running beside the test; `quit` is typed on the way out,
    and whatever it printed until it ended is in `seen`."""
    process = await asyncio.create_subprocess_exec(
        BREAKROOM,
        "chat",
        "--user",
        user,
        *options,
        cwd=cwd,
        env=clean_env(**env),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    chat = Chatting(process)
    try:
        await chat.wait_for("you> ")
        yield chat
    finally:
        if process.returncode is None and process.stdin is not None:
            with contextlib.suppress(ConnectionError):
                process.stdin.write(b"quit\n")
                await process.stdin.drain()
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        chat.seen += stdout.decode()
        assert "Traceback" not in stderr.decode(), stderr.decode()
