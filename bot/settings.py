"""Settings read once from the environment and a `.env` file.

Every value is checked here, at start-up, so that a typo stops the bot with one line naming the
variable instead of surfacing later as a traceback in the middle of a conversation.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from dotenv import dotenv_values
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.i18n import languages
from bot.pacing import SLACK_MAX_RATE, TEAMS_MAX_RATE
from bot.quiet import QuietHours

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///breakroom.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
MAX_SENDS_PER_SECOND = 1000.0  # far past any platform's limit: a typo, not a choice
# Where the Bot Connector publishes the keys it signs requests to the bot with.
BOT_FRAMEWORK_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TEAMS_APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_EMERGENCY_NUMBER = "911"
PHONE_REGION = "US"  # how a number written without +country code is read
_SHORT_DIAL = re.compile(r"\d(?:[ -]?\d){2,6}")  # 911, an internal extension such as 5-5555

T = TypeVar("T")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says what is expected."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 3978
    log_level: str = "INFO"
    timezone: str = "America/New_York"
    language: str = "en"  # for people whose platform names no language we speak
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    kb_dir: Path | None = None
    kb_cache_dir: Path | None = None  # None: the user's cache folder (XDG_CACHE_HOME)
    export_dir: Path | None = None  # None: exports/ beside the SQLite file (`bot.exports`)
    hr_channel: str | None = None
    leaders_channel: str | None = None
    hr_users: tuple[str, ...] = ()
    leader_users: tuple[str, ...] = ()
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_max_rate: float = SLACK_MAX_RATE
    teams_max_rate: float = TEAMS_MAX_RATE
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = field(default=None, repr=False)
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str | None = None
    teams_emulator: bool = False
    # Not read from the environment: the Bot Framework's own, except in tests, which serve
    # their keys on loopback.
    teams_openid_url: str = BOT_FRAMEWORK_OPENID_URL
    seal_key: str | None = field(default=None, repr=False)
    # Given to a person in a crisis: the emergency number, and hospital security's line
    # (unset: the reply says "hospital security" without a number).
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER
    security_number: str | None = None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def teams_enabled(self) -> bool:
        return self.microsoft_app_id is not None or self.teams_emulator

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Read settings from `environ` (default: the process environment) over a `.env` file.

    The environment wins over the file so that a deployment can override a checked-in default.
    """
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    reader = _Reader(values)

    settings = Settings(
        database_url=reader.get("DATABASE_URL", parse_database_url, DEFAULT_DATABASE_URL),
        host=reader.get("HOST", _non_empty, "127.0.0.1"),
        port=reader.get("PORT", _port, 3978),
        log_level=reader.get("BREAKROOM_LOG_LEVEL", _log_level, "INFO"),
        timezone=reader.get("BREAKROOM_TIMEZONE", _timezone, "America/New_York"),
        language=reader.get("BREAKROOM_LANGUAGE", _language, "en"),
        quiet_hours=reader.get("BREAKROOM_QUIET_HOURS", QuietHours.parse, QuietHours()),
        kb_dir=reader.optional("BREAKROOM_KB_DIR", _directory),
        kb_cache_dir=reader.optional("BREAKROOM_KB_CACHE_DIR", _folder_to_create),
        export_dir=reader.optional("BREAKROOM_EXPORT_DIR", _folder_to_create),
        hr_channel=reader.optional("BREAKROOM_HR_CHANNEL", _non_empty),
        leaders_channel=reader.optional("BREAKROOM_LEADERS_CHANNEL", _non_empty),
        hr_users=reader.get("BREAKROOM_HR_USERS", _id_list, ()),
        leader_users=reader.get("BREAKROOM_LEADER_USERS", _id_list, ()),
        slack_bot_token=reader.optional("SLACK_BOT_TOKEN", _prefixed("xoxb-")),
        slack_signing_secret=reader.optional("SLACK_SIGNING_SECRET", _non_empty),
        slack_app_token=reader.optional("SLACK_APP_TOKEN", _prefixed("xapp-")),
        slack_api_url=reader.get("SLACK_API_URL", _api_url, DEFAULT_SLACK_API_URL),
        slack_max_rate=reader.get("BREAKROOM_SLACK_MAX_RATE", _sends_per_second, SLACK_MAX_RATE),
        teams_max_rate=reader.get("BREAKROOM_TEAMS_MAX_RATE", _sends_per_second, TEAMS_MAX_RATE),
        microsoft_app_id=reader.optional("MICROSOFT_APP_ID", _non_empty),
        microsoft_app_password=reader.optional("MICROSOFT_APP_PASSWORD", _non_empty),
        microsoft_app_type=reader.get("MICROSOFT_APP_TYPE", _app_type, "MultiTenant"),
        microsoft_app_tenant_id=reader.optional("MICROSOFT_APP_TENANT_ID", _non_empty),
        teams_emulator=reader.get("BREAKROOM_TEAMS_EMULATOR", _boolean, False),
        seal_key=reader.optional("BREAKROOM_SEAL_KEY", _fernet_key),
        emergency_number=reader.get(
            "BREAKROOM_EMERGENCY_NUMBER", _dial_number, DEFAULT_EMERGENCY_NUMBER
        ),
        security_number=reader.optional("BREAKROOM_SECURITY_NUMBER", _dial_number),
    )
    _check_combinations(settings)
    return settings


def _check_combinations(s: Settings) -> None:
    if s.slack_bot_token and not s.slack_signing_secret and not s.slack_app_token:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is missing: it is required with SLACK_BOT_TOKEN "
            "(or set SLACK_APP_TOKEN for Socket Mode)"
        )
    if s.slack_app_token and not s.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is missing: it is required with SLACK_APP_TOKEN")
    if (
        s.microsoft_app_id
        and not s.microsoft_app_password
        and s.microsoft_app_type != "UserAssignedMSI"
    ):
        raise SettingsError(
            "MICROSOFT_APP_PASSWORD is missing: it is required with MICROSOFT_APP_ID"
        )
    if (
        s.microsoft_app_type == "SingleTenant"
        and s.microsoft_app_id
        and not s.microsoft_app_tenant_id
    ):
        raise SettingsError(
            "MICROSOFT_APP_TENANT_ID is missing: "
            "it is required when MICROSOFT_APP_TYPE=SingleTenant"
        )


class _Reader:
    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def optional(self, name: str, parse: Callable[[str], T]) -> T | None:
        raw = self._values.get(name, "").strip()
        if not raw:
            return None
        try:
            return parse(raw)
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from None

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        value = self.optional(name, parse)
        return default if value is None else value


def parse_database_url(raw: str) -> str:
    """Accept the async drivers we ship, and map the plain forms people paste onto them."""
    try:
        url: URL = make_url(raw)
    except ArgumentError:
        raise ValueError(
            f"{raw!r} is not a database URL; use sqlite+aiosqlite:///breakroom.db "
            "or postgresql+asyncpg://user@host/dbname"
        ) from None
    driver = url.drivername
    if driver in ("sqlite", "sqlite+pysqlite"):
        url = url.set(drivername="sqlite+aiosqlite")
    elif driver in ("postgres", "postgresql", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+asyncpg")
    elif driver not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError(
            f"database driver {driver!r} is not supported; "
            "use sqlite+aiosqlite or postgresql+asyncpg"
        )
    if url.drivername == "postgresql+asyncpg":
        if not url.database:
            raise ValueError("the PostgreSQL URL names no database (…/dbname at the end)")
        _require_asyncpg()
    return url.render_as_string(hide_password=False)


def _require_asyncpg() -> None:
    """PostgreSQL's driver comes with the `postgres` extra; without it every command would
    fail at its first query with a traceback instead of saying what to install."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        raise ValueError(
            "PostgreSQL needs the `postgres` extra, which is not installed here: "
            "pip install 'breakroom[postgres]'"
        ) from None


def _non_empty(raw: str) -> str:
    return raw


def _prefixed(prefix: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if not raw.startswith(prefix):
            raise ValueError(f"expected a token starting with {prefix!r}")
        return raw

    return parse


def _port(raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"{port} is outside 0-65535")
    return port


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"{raw!r} is not one of {', '.join(LOG_LEVELS)}")
    return level


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a tzdata directory such as "America" opens as IsADirectoryError.
        raise ValueError(f"{raw!r} is not an IANA time zone such as America/Chicago") from None
    return raw


def _language(raw: str) -> str:
    code = raw.strip().lower()
    if code not in languages():
        raise ValueError(f"{raw!r} is not one of {', '.join(languages())}")
    return code


def _directory(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise ValueError(f"{raw!r} is not a directory")
    return path


def _folder_to_create(raw: str) -> Path:
    """A folder the bot writes to, created when first needed; a file there is a mistake."""
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{raw!r} is a file, not a folder")
    return path


def _id_list(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _api_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{raw!r} is not an http(s) URL")
    return raw if raw.endswith("/") else raw + "/"


def _app_type(raw: str) -> str:
    for known in TEAMS_APP_TYPES:
        if raw.lower() == known.lower():
            return known
    raise ValueError(f"{raw!r} is not one of {', '.join(TEAMS_APP_TYPES)}")


def _sends_per_second(raw: str) -> float:
    if not raw.isascii() or not raw.replace(".", "", 1).isdigit():
        raise ValueError(f"{raw!r} is not a number of messages a second, like 10 or 2.5")
    rate = float(raw)
    if not 0 < rate <= MAX_SENDS_PER_SECOND:
        raise ValueError(f"{raw!r} is not between 0 and {MAX_SENDS_PER_SECOND:g} a second")
    return rate


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{raw!r} is not a yes/no value (use 1 or 0)")


def _fernet_key(raw: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        decoded = b""
    if len(decoded) != 32:
        raise ValueError("expected 32 bytes in URL-safe base64 (44 characters)")
    return raw


def _dial_number(raw: str) -> str:
    """A number a person in danger dials: a short one as written (911, an internal extension
    such as 5-5555), or a phone number in its usual national form. Only the length is checked
    for the country, not whether the number is assigned: a checked-in list of assigned ranges
    goes stale, and a wrong length is the typo worth stopping for."""
    if _SHORT_DIAL.fullmatch(raw):
        return raw
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_possible_number(number)
        or any(c.isalpha() for c in raw)
    ):
        raise ValueError(
            f"{raw!r} is not a phone number; write it as 911, an extension such as 5-5555, "
            "or a full number such as (617) 555-0100 or +1 617 555 0100"
        )
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
