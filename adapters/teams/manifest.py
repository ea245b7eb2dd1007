"""`breakroom manifest teams`: the Teams app package (manifest.json, two icons and the language
files its `localizationInfo` names, in a zip).

The template, icons and language files beside this module are package data, so an installed
Breakroom can build the package; manifest/teams/ in the repository links to the same files. Teams
reads the package from the zip's root and rejects it unless `id` and `botId` are the Azure Bot's
app id, a GUID. A language file replaces the manifest's name, descriptions and command
descriptions for people whose Teams is in that language; command titles are not translated,
because Teams sends the title the person picked and the router knows the titles listed here.
"""

from __future__ import annotations

import json
import re
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

APP_ID = "{{APP_ID}}"
HOST = "{{HOST}}"
ICONS = ("color.png", "outline.png")
# Without --host there is no public address to name; Teams still wants https URLs for the
# developer links, and validDomains is left empty.
NO_HOST = "localhost"
_GUID = re.compile(r"\A[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
_HOSTNAME = re.compile(r"\A[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*(?::\d+)?\Z")


class PackageError(ValueError):
    """The app id or host cannot go into a Teams package; the message says why."""


def template() -> dict[str, Any]:
    text = files("adapters.teams").joinpath("manifest.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def teams_manifest(app_id: str, host: str | None) -> dict[str, Any]:
    """The template with the app id and host filled in, after checking both."""
    app_id = app_id.strip()
    if not _GUID.match(app_id):
        raise PackageError(
            f"{app_id!r} is not an app id: give the Azure Bot's Microsoft App ID, a GUID such as "
            "00000000-0000-0000-0000-000000000000"
        )
    domain = None if host is None else _domain(host)
    manifest: dict[str, Any] = _fill(template(), {APP_ID: app_id.lower(), HOST: domain or NO_HOST})
    manifest["validDomains"] = [domain] if domain else []
    return manifest


def build_package(app_id: str, host: str | None, out: Path) -> Path:
    """Write the package Teams uploads to `out`; returns `out`."""
    manifest = teams_manifest(app_id, host)
    here = files("adapters.teams")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for name in (*ICONS, *_language_files(manifest)):
            package.writestr(name, here.joinpath(name).read_bytes())
    return out


def _language_files(manifest: dict[str, Any]) -> list[str]:
    """The language files the manifest names, which the package must carry beside it."""
    languages = manifest.get("localizationInfo", {}).get("additionalLanguages", [])
    return [language["file"] for language in languages]


def _domain(host: str) -> str:
    """The bare host name Teams wants in validDomains, from `bot.example.org` or a URL."""
    given = host.strip()
    name = urlsplit(given).netloc if "://" in given else given.rstrip("/")
    if not _HOSTNAME.match(name):
        raise PackageError(f"{host!r} is not a host name such as bot.example.org")
    return name.lower()


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, replacement in values.items():
            value = value.replace(placeholder, replacement)
        return value
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value
