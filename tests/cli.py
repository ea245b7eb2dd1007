"""Running the installed `breakroom` command as a real subprocess, isolated from the developer's
environment and working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BREAKROOM = str(Path(sys.executable).with_name("breakroom"))
_OWN_VARIABLES = ("DATABASE_URL", "HOST", "PORT", "SLACK_", "MICROSOFT_", "BREAKROOM_")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_VARIABLES)}
    env.update(extra)
    return env


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
