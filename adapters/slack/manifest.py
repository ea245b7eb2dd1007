"""`breakroom manifest slack`: the app manifest with this deployment's request URLs filled in.

The template, `manifest.yaml` beside this module, is package data, so an installed Breakroom can
print it; manifest/slack/manifest.yaml in the repository is a link to the same file. The output is
made by editing the template's text rather than re-serialising parsed YAML, so the comment on
every scope, which a security review reads, survives into what is pasted into Slack.
"""

from __future__ import annotations

import re
from importlib.resources import files
from urllib.parse import urlsplit

PLACEHOLDER = "https://HOST"
_URL_LINE = re.compile(rf"^[ \t]+(?:request_)?url: {re.escape(PLACEHOLDER)}\S*[ \t]*\n", re.M)
_SOCKET_MODE = re.compile(r"^([ \t]+)socket_mode_enabled: false\b.*$", re.M)
_HEADER = re.compile(r"\A(?:#.*\n)+")


class ManifestError(ValueError):
    """The URL given cannot serve as Slack's request URL; the message says why."""


def template() -> str:
    return files("adapters.slack").joinpath("manifest.yaml").read_text(encoding="utf-8")


def slack_manifest(url: str | None) -> str:
    """The manifest for `breakroom serve` at the public base `url` (its /slack/events takes
    events, commands and interactivity), or with None for Socket Mode, which has no URLs."""
    text = _HEADER.sub("", template())
    if url is None:
        text = _URL_LINE.sub("", text)
        text = _SOCKET_MODE.sub(
            r"\1socket_mode_enabled: true  # events arrive over a WebSocket (SLACK_APP_TOKEN)", text
        )
        return _header("for Socket Mode", "--socket-mode") + text
    base = _base_url(url)
    return _header(f"for {base}", f"--url {base}") + text.replace(PLACEHOLDER, base)


def _base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError(
            f"{url!r} is not an https:// address: Slack sends requests only to HTTPS URLs"
        )
    if parts.query or parts.fragment:
        raise ManifestError(f"{url!r}: give the base address, without ?query or #fragment")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}"


def _header(purpose: str, options: str) -> str:
    return (
        f"# Breakroom's Slack app manifest {purpose}, from `breakroom manifest slack {options}`.\n"
        "# Paste it at https://api.slack.com/apps → Create New App → From an app manifest.\n"
    )
