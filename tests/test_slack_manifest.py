"""The Slack app manifest: it parses, its slash commands and the router's commands match both
ways, every scope says why it is needed, and `breakroom manifest slack` fills in the URLs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.manifest import ManifestError, slack_manifest, template
from bot.runtime import Runtime
from tests.cli import run
from tests.conftest import REPO

# Router commands that are deliberately not Slack slash commands. `help` is typed in the DM:
# slash commands are workspace-wide, and a /help would be ambiguous among a workspace's apps
# (DESIGN.md lists the Slack commands as /ask, /idea, /ideas, /pulse and /announce).
NOT_SLASH_COMMANDS = frozenset({"help", "ayuda"})
EVENTS = "https://bot.example.org/slack/events"


def parsed(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def urls(manifest: dict[str, Any]) -> list[str | None]:
    settings = manifest["settings"]
    return [
        *(c.get("url") for c in manifest["features"]["slash_commands"]),
        settings["event_subscriptions"].get("request_url"),
        settings["interactivity"].get("request_url"),
    ]


def test_the_repository_manifest_is_the_packaged_template() -> None:
    """One copy: manifest/slack/manifest.yaml links to the file the package ships."""
    link = REPO / "manifest" / "slack" / "manifest.yaml"
    assert link.is_symlink()
    assert link.resolve() == (REPO / "adapters" / "slack" / "manifest.yaml").resolve()
    assert link.read_text(encoding="utf-8") == template()


def test_the_template_describes_the_app() -> None:
    manifest = parsed(template())
    features, settings = manifest["features"], manifest["settings"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["bot_user"]["display_name"] == "Breakroom"
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "message.im",
        "app_mention",
        "app_home_opened",
        "member_joined_channel",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert len(manifest["display_information"]["long_description"]) >= 174, "Slack's minimum"
    for command in features["slash_commands"]:
        assert command["should_escape"] is False
        assert command["description"]
        assert command["usage_hint"]
    assert set(urls(manifest)) == {"https://HOST/slack/events"}


async def test_slash_commands_and_router_commands_match(runtime: Runtime) -> None:
    in_manifest = {c["command"] for c in parsed(template())["features"]["slash_commands"]}
    handled = {f"/{name}" for name in runtime.router.command_names}
    assert in_manifest <= handled, f"no handler for {sorted(in_manifest - handled)}"
    expected = {f"/{name}" for name in runtime.router.command_names - NOT_SLASH_COMMANDS}
    assert expected <= in_manifest, f"missing from the manifest: {sorted(expected - in_manifest)}"
    assert {
        "/ask",
        "/idea",
        "/ideas",
        "/pulse",
        "/announce",
        "/spotlight",
        "/language",
        "/idioma",
    } == in_manifest


def test_every_scope_says_why() -> None:
    text = template()
    block = re.search(r"^ {4}bot:\n((?: {6}- .*\n)+)", text, re.MULTILINE)
    assert block is not None, "oauth_config.scopes.bot is a block list"
    commented = {}
    for line in block.group(1).splitlines():
        scope, _, why = line.strip().removeprefix("- ").partition("#")
        commented[scope.strip()] = why.strip()
    scopes = parsed(text)["oauth_config"]["scopes"]["bot"]
    assert set(commented) == set(scopes)
    assert [scope for scope, why in commented.items() if len(why) < 10] == []
    assert "user" not in parsed(text)["oauth_config"]["scopes"], "no user-token scopes"


@pytest.mark.parametrize(
    ("given", "events"),
    [
        ("https://bot.example.org", EVENTS),
        ("https://bot.example.org/", EVENTS),
        ("https://example.org/breakroom/", "https://example.org/breakroom/slack/events"),
    ],
)
def test_the_urls_are_filled_in(given: str, events: str) -> None:
    text = slack_manifest(given)
    assert "HOST" not in text
    manifest = parsed(text)
    assert set(urls(manifest)) == {events}
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert "# receive app_mention" in text, "the scope comments survive"


def test_socket_mode_has_no_request_urls() -> None:
    text = slack_manifest(None)
    manifest = parsed(text)
    assert manifest["settings"]["socket_mode_enabled"] is True
    commands = manifest["features"]["slash_commands"]
    assert urls(manifest) == [None] * (len(commands) + 2), "every command, events, interactivity"
    assert "HOST" not in text
    assert manifest["oauth_config"] == parsed(template())["oauth_config"]


@pytest.mark.parametrize(
    "given", ["http://bot.example.org", "bot.example.org", "https://bot.example.org/?x=1"]
)
def test_an_address_slack_cannot_use_is_refused(given: str) -> None:
    with pytest.raises(ManifestError):
        slack_manifest(given)


def test_breakroom_manifest_slack_prints_it(tmp_path: Path) -> None:
    result = run(["manifest", "slack", "--url", "https://bot.example.org"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == slack_manifest("https://bot.example.org")
    refused = run(["manifest", "slack", "--url", "http://bot.example.org"], cwd=tmp_path)
    assert refused.returncode == 1
    assert "HTTPS" in refused.stderr


def test_the_manifest_comments_speak_to_an_operator_only() -> None:
    comments = [line.partition("#")[2] for line in template().splitlines() if "# " in line]
    assert comments
    assert not [c for c in comments if re.search(r"\btests?\b|\.py\b", c)]
