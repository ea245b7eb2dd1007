"""Logging set-up. Message text may be logged only at DEBUG; the filter here enforces it for the
libraries we do not control."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Libraries known to write request bodies (and so message text) at INFO or above: slack_bolt
# logs the whole body when it refuses a signature ("slack_bolt.RequestVerification") and when
# no listener matches. Their records come from child loggers ("slack_bolt.<class>"), which a
# filter on the parent logger never sees, so the filter sits on the root handlers instead.
_CHATTY_LOGGERS = ("slack_bolt", "slack_sdk", "botbuilder", "aiohttp.access")


class BodyDroppingFilter(logging.Filter):
    """Lets third-party records through only at DEBUG, apart from warnings that carry no body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _chatty(record.name):
            return True
        if record.levelno >= logging.WARNING and "body" not in record.getMessage().lower():
            return True
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def _chatty(name: str) -> bool:
    return any(name == chatty or name.startswith(chatty + ".") for chatty in _CHATTY_LOGGERS)


# Libraries that log routine work at INFO (APScheduler: two lines per job run, every 30 s).
_ROUTINE_LOGGERS = ("apscheduler.executors.default", "apscheduler.scheduler")


class TerminalFormatter(logging.Formatter):
    """A record as one line a person at a terminal reads as the program's note, like its own
    errors (`breakroom: ...`), never as a line of the chat: no timestamp or logger name, and
    an exception named instead of traced (a traceback reads as a crash)."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"breakroom: {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            line += f" ({type(record.exc_info[1]).__name__})"
        return " ".join(line.splitlines())


def configure_logging(level: str = "INFO", *, terminal: bool = False) -> None:
    """`terminal`: for a command a person runs by hand (the chat above all), whose standard
    output is what they read: records go to standard error one line each (see
    `TerminalFormatter`)."""
    logging.basicConfig(level=level, format=FORMAT, force=True)
    if terminal:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(TerminalFormatter())
    if level != "DEBUG":
        for name in _ROUTINE_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, BodyDroppingFilter) for f in handler.filters):
            handler.addFilter(BodyDroppingFilter())
