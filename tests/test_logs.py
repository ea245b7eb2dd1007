"""Message text stays out of logs above DEBUG, also when a library we do not control logs it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_bolts_refused_body_is_not_logged_at_info(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    # As slack_bolt 1.30's RequestVerification does, on a child logger of "slack_bolt" (a name
    # of its own here: bolt sets its loggers' levels when it makes them, which would hide this).
    logging.getLogger("slack_bolt.LogsTestVerification").info(
        "Invalid request signature detected (signature: v0=x, timestamp: 1, body: "
        "How much PTO do I get?)"
    )
    logging.getLogger("slack_bolt.LogsTestApp").warning("Unhandled request ({'type': 'x'}) body")
    logging.getLogger("slack_sdk.logs_test").warning("The session seems to be stale")
    logging.getLogger("bot.logs_test").info("event=Ev1 kind=Message")
    err = capsys.readouterr().err
    assert "PTO" not in err
    assert "Unhandled request" not in err
    assert "The session seems to be stale" in err  # a warning without a body still shows
    assert "event=Ev1" in err


@pytest.mark.usefixtures("restore_logging")
def test_at_debug_everything_is_logged(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG")
    logging.getLogger("slack_bolt.LogsTestDebug").info("body: How much PTO do I get?")
    assert "PTO" in capsys.readouterr().err
