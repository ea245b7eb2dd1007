"""The Teams app package: the manifest has what Teams requires, its bot commands and the router's
commands match both ways, the icons are the sizes Teams wants, the Spanish language file
translates every string Teams shows and nothing else, and `breakroom manifest teams` builds the
zip Teams uploads."""

from __future__ import annotations

import copy
import io
import json
import re
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
LOCALIZATION_SCHEMA = SCHEMA.with_name(f"MicrosoftTeams.Localization.schema.v{SCHEMA_VERSION}.json")
SPANISH = TEAMS / "es.json"
_KEY_PART = re.compile(r"([A-Za-z]+)((?:\[\d+\])*)")


def commands(manifest: dict[str, Any]) -> list[set[str]]:
    """The command titles of each command list, one set per list."""
    (bot,) = manifest["bots"]
    return [{c["title"] for c in lst["commands"]} for lst in bot["commandLists"]]


def localizable_keys(manifest: dict[str, Any]) -> set[str]:
    """Every string Teams shows from the manifest, by the key a language file gives it: the name,
    the descriptions and each command's description in each list. Command titles are left out on
    purpose: Teams sends the title picked, and the router matches the titles listed."""
    keys = {f"{part}.{length}" for part in ("name", "description") for length in ("short", "full")}
    for b, bot in enumerate(manifest["bots"]):
        for i, command_list in enumerate(bot["commandLists"]):
            keys.update(
                f"bots[{b}].commandLists[{i}].commands[{j}].description"
                for j in range(len(command_list["commands"]))
            )
    return keys


def translated(manifest: dict[str, Any], language: dict[str, str]) -> dict[str, Any]:
    """The manifest as Teams shows it to a reader of `language`: each key is a path into the
    manifest, and a key naming a string the manifest lacks fails here."""
    result = copy.deepcopy(manifest)
    for key, text in language.items():
        if key == "$schema":
            continue
        steps: list[str | int] = []
        for part in key.split("."):
            match = _KEY_PART.fullmatch(part)
            assert match, f"{key}: not a manifest path"
            steps.append(match[1])
            steps.extend(int(index) for index in re.findall(r"\d+", match[2]))
        *parents, last = steps
        node: Any = result
        for step in parents:
            node = node[step]
        assert isinstance(node[last], str), f"{key}: not a string of the manifest"
        node[last] = text
    return result


def schema_problems(schema_path: Path, document: dict[str, Any]) -> list[str]:
    """What Microsoft's schema finds wrong with `document`, one line per problem."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def assert_fits_teams_lengths(manifest: dict[str, Any]) -> None:
    """The lengths Teams shows in full, some tighter than the schema's (a command description
    may be 4000 characters in the schema, but Teams cuts it at 128)."""
    assert 0 < len(manifest["name"]["full"]) <= 100
    assert 0 < len(manifest["description"]["short"]) <= 80
    assert 0 < len(manifest["description"]["full"]) <= 4000
    for command_list in manifest["bots"][0]["commandLists"]:
        for command in command_list["commands"]:
            assert 0 < len(command["description"]) <= 128, command["title"]


def spanish() -> dict[str, str]:
    data: dict[str, str] = json.loads(SPANISH.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", ["manifest.json", "color.png", "outline.png", "es.json"])
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
    assert_fits_teams_lengths(manifest)
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
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == ["{{HOST}}"]


def test_the_template_offers_spanish_to_every_spanish_reader() -> None:
    """Teams layers the default strings, then the reader's language-only file, then a
    language-and-region file: `es` alone reaches es-mx, es-us and es-es readers alike."""
    assert template()["localizationInfo"] == {
        "defaultLanguageTag": "en-us",
        "additionalLanguages": [{"languageTag": "es", "file": "es.json"}],
    }


def test_the_spanish_file_passes_microsofts_localization_schema() -> None:
    language = spanish()
    assert schema_problems(LOCALIZATION_SCHEMA, language) == []
    assert language["$schema"].endswith(
        f"/teams/v{SCHEMA_VERSION}/MicrosoftTeams.Localization.schema.json"
    ), "Teams wants the language files on the manifest's version"


def test_the_spanish_file_translates_every_string_and_nothing_else() -> None:
    manifest = template()
    language = spanish()
    expected = localizable_keys(manifest)
    given = set(language) - {"$schema"}
    assert sorted(expected - given) == [], "strings left in English"
    assert sorted(given - expected) == [], "keys the manifest has no string for"
    assert language["name.short"] == "Breakroom"
    assert_fits_teams_lengths(translated(manifest, language))
    # The lists repeat the same commands; a key on the wrong index gives one command two texts.
    by_title: dict[str, set[str]] = {}
    for i, command_list in enumerate(manifest["bots"][0]["commandLists"]):
        for j, command in enumerate(command_list["commands"]):
            key = f"bots[0].commandLists[{i}].commands[{j}].description"
            by_title.setdefault(command["title"], set()).add(language[key])
    assert {title: len(texts) for title, texts in by_title.items() if len(texts) > 1} == {}


async def test_bot_commands_and_router_commands_match(runtime: Runtime) -> None:
    handled = set(runtime.router.command_names)
    for listed in commands(template()):
        assert listed <= handled, f"no handler for {sorted(listed - handled)}"
        assert handled <= listed, f"missing from the manifest: {sorted(handled - listed)}"
        assert listed == {
            *("ask", "idea", "ideas", "pulse", "announce", "spotlight", "help", "ayuda"),
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
        names = sorted(package.namelist())
        assert names == ["color.png", "es.json", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert package.read("color.png") == (TEAMS / "color.png").read_bytes()
        assert package.read("es.json") == SPANISH.read_bytes()
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["bot.example.org"]


@pytest.mark.parametrize("host", ["bot.example.org", None])
def test_the_built_package_passes_microsofts_schema(host: str | None, tmp_path: Path) -> None:
    """The manifest as the package has it, checked by the schema Teams itself applies; a
    property the version does not know (`packageName` after 1.16) fails the upload. Each language
    file it names is in the zip and passes the localization schema, and the manifest with a
    language's strings in place still fits the manifest schema's lengths."""
    with zipfile.ZipFile(build_package(APP_ID, host, tmp_path / "package.zip")) as package:
        manifest = json.loads(package.read("manifest.json"))
        icons = {name: package.read(name) for name in manifest["icons"].values()}
        languages = {
            language["languageTag"]: json.loads(package.read(language["file"]))
            for language in manifest["localizationInfo"]["additionalLanguages"]
        }
    assert schema_problems(SCHEMA, manifest) == []
    assert set(languages) == {"es"}
    for strings in languages.values():
        assert schema_problems(LOCALIZATION_SCHEMA, strings) == []
        assert schema_problems(SCHEMA, translated(manifest, strings)) == []
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
