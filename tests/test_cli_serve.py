"""`breakroom serve` as a real process: it starts, answers health checks, and stops on SIGINT."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.cli import BREAKROOM, clean_env, free_port


def wait_for(url: str, deadline: float = 30.0) -> int:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def test_serve_starts_and_answers_health_checks(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [BREAKROOM, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz") == 200
        assert wait_for(f"http://127.0.0.1:{port}/readyz") == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr


def test_serve_readyz_is_503_on_unreachable_postgresql(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [BREAKROOM, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/breakroom"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz") == 200
        assert wait_for(f"http://127.0.0.1:{port}/readyz") == 503
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
