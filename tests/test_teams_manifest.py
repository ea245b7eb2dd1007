"""The Teams app package: the manifest has what Teams requires, its bot commands and the router's
commands match both ways, the icons are the sizes Teams wants, and `breakroom manifest teams`
builds the zip Teams uploads."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from PIL import Image

from adapters.teams.manifest import PackageError, build_package, teams_manifest, template
from bot.runtime import Runtime
from tests.cli import run
from tests.conftest import REPO

APP_ID = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
TEAMS = REPO / "adapters" / "teams"
SCOPES = {"personal", "team", "groupChat"}
# Microsoft's own schema for the manifest version we target (see tests/data/teams/README.md).
SCHEMA_VERSION = "1.22"
SCHEMA = REPO / "tests" / "data" / "teams" / f"MicrosoftTeams.schema.v{SCHEMA_VERSION}.json"


def commands(manifest: dict[str, Any]) -> list[set[str]]:
    """The command titles of each command list, one set per list."""
    (bot,) = manifest["bots"]
    return [{c["title"] for c in lst["commands"]} for lst in bot["commandLists"]]


@pytest.mark.parametrize("name", ["manifest.json", "color.png", "outline.png"])
def test_the_repository_files_are_the_packaged_ones(name: str) -> None:
    """One copy: manifest/teams/ links to the files the package ships."""
    link = REPO / "manifest" / "teams" / name
    assert link.is_symlink()
    assert link.resolve() == (TEAMS / name).resolve()


def test_the_template_has_what_teams_requires() -> None:
    manifest = template()
    assert manifest["manifestVersion"] == SCHEMA_VERSION
    assert manifest["$schema"].endswith(f"/teams/v{SCHEMA_VERSION}/MicrosoftTeams.schema.json")
    assert manifest["version"]
    assert manifest["id"] == "{{APP_ID}}"
    developer = manifest["developer"]
    assert developer["name"] == "Breakroom"
    for url in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[url].startswith("https://")
    assert manifest["name"]["short"] == "Breakroom"
    assert len(manifest["name"]["full"]) <= 100
    assert 0 < len(manifest["description"]["short"]) <= 80
    assert 0 < len(manifest["description"]["full"]) <= 4000
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["accentColor"].startswith("#")
    assert len(manifest["accentColor"]) == 7
    (bot,) = manifest["bots"]
    assert bot["botId"] == "{{APP_ID}}"
    assert set(bot["scopes"]) == SCOPES
    assert bot["supportsFiles"] is True, "file exports use the file consent flow"
    assert bot["isNotificationOnly"] is False
    assert sorted(s for lst in bot["commandLists"] for s in lst["scopes"]) == sorted(SCOPES)
    for lst in bot["commandLists"]:
        assert len(lst["commands"]) <= 10, "Teams allows ten commands per list"
        for command in lst["commands"]:
            assert 0 < len(command["title"]) <= 32
            assert 0 < len(command["description"]) <= 128
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == ["{{HOST}}"]


async def test_bot_commands_and_router_commands_match(runtime: Runtime) -> None:
    handled = set(runtime.router.command_names)
    for listed in commands(template()):
        assert listed <= handled, f"no handler for {sorted(listed - handled)}"
        assert handled <= listed, f"missing from the manifest: {sorted(handled - listed)}"
        assert listed == {
            *("ask", "idea", "ideas", "pulse", "announce", "spotlight", "help"),
            *("language", "idioma"),
        }


def test_the_icons_are_the_sizes_teams_wants() -> None:
    with Image.open(TEAMS / "color.png") as color:
        assert color.size == (192, 192)
    with Image.open(TEAMS / "outline.png") as outline:
        assert outline.size == (32, 32)
        data = outline.convert("RGBA").tobytes()
    pixels = [data[i : i + 4] for i in range(0, len(data), 4)]
    transparent = [p for p in pixels if p[3] == 0]
    white = [p for p in pixels if p[3] > 0 and min(p[:3]) >= 250]
    assert len(transparent) > len(pixels) / 3, "the outline icon has a transparent background"
    assert len(white) + len(transparent) >= 0.9 * len(pixels), "white on transparent"
    assert len(white) > 0


def test_the_placeholders_are_filled_in() -> None:
    manifest = teams_manifest(APP_ID.upper(), "https://Bot.Example.org/")
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["bot.example.org"]
    assert "{{" not in json.dumps(manifest)
    no_host = teams_manifest(APP_ID, None)
    assert no_host["validDomains"] == []
    assert "{{" not in json.dumps(no_host)


@pytest.mark.parametrize(("app_id", "host"), [("my-bot", None), (APP_ID, "bot example")])
def test_a_bad_app_id_or_host_is_refused(app_id: str, host: str | None, tmp_path: Path) -> None:
    with pytest.raises(PackageError):
        build_package(app_id, host, tmp_path / "out.zip")
    assert not (tmp_path / "out.zip").exists()


def test_breakroom_manifest_teams_builds_the_package(tmp_path: Path) -> None:
    args = ["manifest", "teams", "--app-id", APP_ID, "--host", "bot.example.org"]
    result = run([*args, "--out", "breakroom-teams.zip"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "breakroom-teams.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert package.read("color.png") == (TEAMS / "color.png").read_bytes()
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["bot.example.org"]


@pytest.mark.parametrize("host", ["bot.example.org", None])
def test_the_built_package_passes_microsofts_schema(host: str | None, tmp_path: Path) -> None:
    """The manifest as the package has it, checked by the schema Teams itself applies; a
    property the version does not know (`packageName` after 1.16) fails the upload."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    with zipfile.ZipFile(build_package(APP_ID, host, tmp_path / "package.zip")) as package:
        manifest = json.loads(package.read("manifest.json"))
        icons = {name: package.read(name) for name in manifest["icons"].values()}
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(manifest)
    ]
    assert problems == []
    assert manifest["manifestVersion"] == SCHEMA_VERSION
    # Sizes the schema names in its descriptions: color 192x192, outline 32x32.
    sizes = {"color": (192, 192), "outline": (32, 32)}
    for kind, path in manifest["icons"].items():
        with Image.open(io.BytesIO(icons[path])) as icon:
            assert (icon.format, icon.size) == ("PNG", sizes[kind])


def test_breakroom_manifest_teams_refuses_a_non_guid(tmp_path: Path) -> None:
    result = run(["manifest", "teams", "--app-id", "breakroom", "--out", "x.zip"], cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "GUID" in result.stderr
    assert not (tmp_path / "x.zip").exists()
