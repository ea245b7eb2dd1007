"""Logging set-up. Message text may be logged only at DEBUG; these filters enforce it for the
libraries we do not control."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Libraries known to write request bodies (and so message text) at INFO or above:
# slack_bolt logs the whole body when it refuses a signature.
_CHATTY_LOGGERS = ("slack_bolt", "slack_sdk", "botbuilder", "aiohttp.access")


class BodyDroppingFilter(logging.Filter):
    """Lowers third-party records that carry a request body to DEBUG-only visibility."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING and "body" not in record.getMessage().lower():
            return True
        return logging.getLogger().isEnabledFor(logging.DEBUG)


# Libraries that log routine work at INFO (APScheduler: two lines per job run, every 30 s).
_ROUTINE_LOGGERS = ("apscheduler.executors.default", "apscheduler.scheduler")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format=FORMAT, force=True)
    if level != "DEBUG":
        for name in _ROUTINE_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    for name in _CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, BodyDroppingFilter) for f in logger.filters):
            logger.addFilter(BodyDroppingFilter())
