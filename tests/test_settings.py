"""Settings: defaults, every documented variable, `.env` files, and one-line errors that name the
variable (in `load_settings` and through the `breakroom` command)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.settings import (
    DEFAULT_DATABASE_URL,
    DEFAULT_SLACK_API_URL,
    Settings,
    SettingsError,
    load_settings,
)
from tests.conftest import REPO

# DESIGN.md's environment list; every variable is that list plus the server's HOST/PORT.
DESIGN_VARIABLES = (
    "DATABASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TYPE",
    "MICROSOFT_APP_TENANT_ID",
    "BREAKROOM_KB_DIR",
    "BREAKROOM_TIMEZONE",
    "BREAKROOM_HR_CHANNEL",
    "BREAKROOM_LEADERS_CHANNEL",
    "BREAKROOM_HR_USERS",
    "BREAKROOM_LEADER_USERS",
    "BREAKROOM_SEAL_KEY",
    "BREAKROOM_QUIET_HOURS",
    "BREAKROOM_LOG_LEVEL",
    "BREAKROOM_TEAMS_EMULATOR",
)
ALL_VARIABLES = (*DESIGN_VARIABLES, "HOST", "PORT")
DESIGN_MD = REPO.parent / "shared" / "DESIGN.md"
SEAL_KEY = Fernet.generate_key().decode()


def load(env_file: Path | None = None, /, **env: str) -> Settings:
    return load_settings(env, env_file=env_file)


def test_defaults_with_an_empty_environment() -> None:
    s = load()
    assert s == Settings()
    assert s.database_url == DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///breakroom.db"
    assert (s.host, s.port) == ("127.0.0.1", 3978)
    assert s.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert s.microsoft_app_type == "MultiTenant"
    assert s.timezone == "America/New_York"
    assert s.log_level == "INFO"
    assert s.kb_dir is None
    assert s.hr_users == s.leader_users == ()
    assert not s.slack_enabled
    assert not s.teams_enabled
    assert s.is_sqlite


def test_empty_values_count_as_unset() -> None:
    assert load(PORT="", DATABASE_URL="  ", SLACK_BOT_TOKEN="") == Settings()


def test_every_variable_is_read(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql+asyncpg://bot:pw@db.internal:5433/breakroom",
        "HOST": "0.0.0.0",
        "PORT": "8080",
        "BREAKROOM_LOG_LEVEL": "debug",
        "BREAKROOM_TIMEZONE": "America/Chicago",
        "BREAKROOM_KB_DIR": str(tmp_path),
        "BREAKROOM_HR_CHANNEL": "C-hr",
        "BREAKROOM_LEADERS_CHANNEL": "C-leaders",
        "BREAKROOM_HR_USERS": "U1,U2",
        "BREAKROOM_LEADER_USERS": "U3",
        "SLACK_BOT_TOKEN": "xoxb-123",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_APP_TOKEN": "xapp-456",
        "SLACK_API_URL": "https://slack-gov.com/api/",
        "MICROSOFT_APP_ID": "app-id",
        "MICROSOFT_APP_PASSWORD": "app-pw",
        "MICROSOFT_APP_TYPE": "singletenant",
        "MICROSOFT_APP_TENANT_ID": "tenant-id",
        "BREAKROOM_TEAMS_EMULATOR": "yes",
        "BREAKROOM_SEAL_KEY": SEAL_KEY,
        "BREAKROOM_QUIET_HOURS": "22:30-06:00",
    }
    assert set(env) == set(ALL_VARIABLES)
    s = load(**env)
    read: dict[str, Any] = {
        "DATABASE_URL": s.database_url,
        "HOST": s.host,
        "PORT": s.port,
        "BREAKROOM_LOG_LEVEL": s.log_level,
        "BREAKROOM_TIMEZONE": s.timezone,
        "BREAKROOM_KB_DIR": s.kb_dir,
        "BREAKROOM_HR_CHANNEL": s.hr_channel,
        "BREAKROOM_LEADERS_CHANNEL": s.leaders_channel,
        "BREAKROOM_HR_USERS": s.hr_users,
        "BREAKROOM_LEADER_USERS": s.leader_users,
        "SLACK_BOT_TOKEN": s.slack_bot_token,
        "SLACK_SIGNING_SECRET": s.slack_signing_secret,
        "SLACK_APP_TOKEN": s.slack_app_token,
        "SLACK_API_URL": s.slack_api_url,
        "MICROSOFT_APP_ID": s.microsoft_app_id,
        "MICROSOFT_APP_PASSWORD": s.microsoft_app_password,
        "MICROSOFT_APP_TYPE": s.microsoft_app_type,
        "MICROSOFT_APP_TENANT_ID": s.microsoft_app_tenant_id,
        "BREAKROOM_TEAMS_EMULATOR": s.teams_emulator,
        "BREAKROOM_SEAL_KEY": s.seal_key,
        "BREAKROOM_QUIET_HOURS": str(s.quiet_hours),
    }
    assert read == {
        "DATABASE_URL": "postgresql+asyncpg://bot:pw@db.internal:5433/breakroom",
        "HOST": "0.0.0.0",
        "PORT": 8080,
        "BREAKROOM_LOG_LEVEL": "DEBUG",
        "BREAKROOM_TIMEZONE": "America/Chicago",
        "BREAKROOM_KB_DIR": tmp_path,
        "BREAKROOM_HR_CHANNEL": "C-hr",
        "BREAKROOM_LEADERS_CHANNEL": "C-leaders",
        "BREAKROOM_HR_USERS": ("U1", "U2"),
        "BREAKROOM_LEADER_USERS": ("U3",),
        "SLACK_BOT_TOKEN": "xoxb-123",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_APP_TOKEN": "xapp-456",
        "SLACK_API_URL": "https://slack-gov.com/api/",
        "MICROSOFT_APP_ID": "app-id",
        "MICROSOFT_APP_PASSWORD": "app-pw",
        "MICROSOFT_APP_TYPE": "SingleTenant",
        "MICROSOFT_APP_TENANT_ID": "tenant-id",
        "BREAKROOM_TEAMS_EMULATOR": True,
        "BREAKROOM_SEAL_KEY": SEAL_KEY,
        "BREAKROOM_QUIET_HOURS": "22:30-06:00",
    }
    assert s.slack_enabled
    assert s.teams_enabled
    assert not s.is_sqlite
    assert "app-pw" not in repr(s)


def test_design_environment_list_matches_the_tested_variables() -> None:
    """Keeps DESIGN_VARIABLES honest when the contract gains a variable."""
    if not DESIGN_MD.is_file():
        pytest.skip(f"{DESIGN_MD} is not present in this checkout")
    text = DESIGN_MD.read_text(encoding="utf-8")
    start = text.index("- Environment:")
    end = text.index("A `.env` file", start)
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", text[start:end]))
    assert documented == set(DESIGN_VARIABLES)


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# deployment defaults\n"
        "PORT=4000\n"
        "BREAKROOM_TIMEZONE=America/Denver\n"
        'BREAKROOM_HR_USERS="U-file"\n'
        "export HOST=10.0.0.5\n",
        encoding="utf-8",
    )
    s = load(env_file, PORT="5000", BREAKROOM_HR_USERS="U-env")
    assert s.port == 5000
    assert s.hr_users == ("U-env",)
    assert s.timezone == "America/Denver"
    assert s.host == "10.0.0.5"


def test_malformed_value_in_env_file_is_reported(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=eighty\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^PORT\b"):
        load(env_file)


def test_missing_env_file_and_no_env_file_are_fine(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=4000\n", encoding="utf-8")
    assert load(tmp_path / "absent.env").port == 3978
    assert load(None).port == 3978


def test_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "4123")
    assert load_settings(env_file=None).port == 4123


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "mysql://x/y"),
        ("DATABASE_URL", "postgresql+asyncpg://user@host"),
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("PORT", "-1"),
        ("BREAKROOM_TIMEZONE", "Mars/Olympus"),
        ("BREAKROOM_TIMEZONE", "America"),
        ("BREAKROOM_LOG_LEVEL", "chatty"),
        ("BREAKROOM_TEAMS_EMULATOR", "maybe"),
        ("MICROSOFT_APP_TYPE", "Other"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("SLACK_API_URL", "ftp://x"),
        ("SLACK_API_URL", "slack.com/api"),
        ("BREAKROOM_KB_DIR", "/nonexistent/breakroom-kb"),
    ],
)
def test_malformed_value_names_the_variable(name: str, value: str) -> None:
    env = {name: value}
    if name == "SLACK_BOT_TOKEN":
        env["SLACK_SIGNING_SECRET"] = "s3cret"
    with pytest.raises(SettingsError) as caught:
        load(**env)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message


def test_kb_dir_must_be_a_directory_not_a_file(tmp_path: Path) -> None:
    article = tmp_path / "pto.md"
    article.write_text("# PTO\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^BREAKROOM_KB_DIR: "):
        load(BREAKROOM_KB_DIR=str(article))


def test_kb_cache_dir_may_be_created_later_but_is_not_a_file(tmp_path: Path) -> None:
    assert load().kb_cache_dir is None
    assert load(BREAKROOM_KB_CACHE_DIR=str(tmp_path / "new")).kb_cache_dir == tmp_path / "new"
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^BREAKROOM_KB_CACHE_DIR: "):
        load(BREAKROOM_KB_CACHE_DIR=str(tmp_path / "a-file"))


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"MICROSOFT_APP_ID": "app"}, "MICROSOFT_APP_PASSWORD"),
        (
            {
                "MICROSOFT_APP_ID": "app",
                "MICROSOFT_APP_PASSWORD": "pw",
                "MICROSOFT_APP_TYPE": "SingleTenant",
            },
            "MICROSOFT_APP_TENANT_ID",
        ),
    ],
)
def test_missing_companion_is_named(env: dict[str, str], missing: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{missing} is missing"):
        load(**env)


@pytest.mark.parametrize(
    "env",
    [
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
        {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "pw"},
        {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_TYPE": "UserAssignedMSI"},
        {
            "MICROSOFT_APP_ID": "app",
            "MICROSOFT_APP_PASSWORD": "pw",
            "MICROSOFT_APP_TYPE": "SingleTenant",
            "MICROSOFT_APP_TENANT_ID": "t",
        },
    ],
)
def test_complete_combinations_are_accepted(env: dict[str, str]) -> None:
    load(**env)


def test_teams_emulator_enables_teams_without_credentials() -> None:
    s = load(BREAKROOM_TEAMS_EMULATOR="1")
    assert s.teams_enabled
    assert s.microsoft_app_id is None
    assert not load(BREAKROOM_TEAMS_EMULATOR="0").teams_enabled


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://bot@db/breakroom", "postgresql+asyncpg://bot@db/breakroom"),
        ("postgres://bot@db:5433/breakroom", "postgresql+asyncpg://bot@db:5433/breakroom"),
        ("postgresql+psycopg2://bot@db/breakroom", "postgresql+asyncpg://bot@db/breakroom"),
        ("postgresql://bot:p%40ss@db/breakroom", "postgresql+asyncpg://bot:p%40ss@db/breakroom"),
        ("sqlite:///breakroom.db", "sqlite+aiosqlite:///breakroom.db"),
        ("sqlite:////var/lib/breakroom.db", "sqlite+aiosqlite:////var/lib/breakroom.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql+asyncpg://bot@db/breakroom", "postgresql+asyncpg://bot@db/breakroom"),
    ],
)
def test_plain_database_urls_map_to_async_drivers(raw: str, expected: str) -> None:
    assert load(DATABASE_URL=raw).database_url == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://127.0.0.1:8888/api", "http://127.0.0.1:8888/api/"),
        ("https://slack-gov.com/api/", "https://slack-gov.com/api/"),
    ],
)
def test_slack_api_url_gets_a_trailing_slash(raw: str, expected: str) -> None:
    assert load(SLACK_API_URL=raw).slack_api_url == expected


def test_comma_lists_are_trimmed_and_skip_empty_items() -> None:
    s = load(BREAKROOM_HR_USERS=" U1 , U2,,U3 ,", BREAKROOM_LEADER_USERS="U9")
    assert s.hr_users == ("U1", "U2", "U3")
    assert s.leader_users == ("U9",)


def test_app_type_and_booleans_are_case_insensitive() -> None:
    assert load(MICROSOFT_APP_TYPE="multitenant").microsoft_app_type == "MultiTenant"
    for raw in ("1", "true", "Yes", "ON"):
        assert load(BREAKROOM_TEAMS_EMULATOR=raw).teams_emulator is True
    for raw in ("0", "false", "No", "off"):
        assert load(BREAKROOM_TEAMS_EMULATOR=raw).teams_emulator is False


# --- the `breakroom` command --------------------------------------------------------------------


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `breakroom` in a clean directory with only the given settings in its environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ALL_VARIABLES}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "name", "value"),
    [
        (("db", "upgrade"), "DATABASE_URL", "nonsense"),
        (("db", "upgrade"), "DATABASE_URL", "mysql://x/y"),
        (("db", "upgrade"), "BREAKROOM_TIMEZONE", "America"),
        (("serve",), "PORT", "abc"),
    ],
)
def test_cli_reports_bad_setting_in_one_line(
    tmp_path: Path, args: tuple[str, ...], name: str, value: str
) -> None:
    result = run_cli(tmp_path, *args, **{name: value})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"breakroom: configuration error: {name}: ")
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # stopped before touching a database


def test_cli_reads_dotenv_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=mysql://from/dotenv\n", encoding="utf-8")
    result = run_cli(tmp_path, "db", "upgrade")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("breakroom: configuration error: DATABASE_URL: ")


@pytest.mark.parametrize(
    ("variable", "field", "default"),
    [
        ("BREAKROOM_SLACK_MAX_RATE", "slack_max_rate", 50.0),
        ("BREAKROOM_TEAMS_MAX_RATE", "teams_max_rate", 50.0),
    ],
)
def test_each_workspace_pace_may_be_capped_in_messages_a_second(
    variable: str, field: str, default: float
) -> None:
    assert getattr(load(), field) == default
    assert getattr(load(**{variable: "25"}), field) == 25.0
    assert getattr(load(**{variable: "0.5"}), field) == 0.5
    for wrong in ("0", "fast", "-3", "\u0661\u0660", "1e9", "5000"):
        with pytest.raises(SettingsError, match=rf"^{variable}: "):
            load(**{variable: wrong})
