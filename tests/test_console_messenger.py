"""What the terminal prints for a message sent to someone other than the chatting user."""

from __future__ import annotations

from pathlib import Path

from adapters.console.chat import ConsoleMessenger
from bot.replies import Reply
from storage.people import Identity
from tests.helpers import TENANT


async def test_a_message_for_someone_else_is_headed_with_who_it_is_for(tmp_path: Path) -> None:
    printed: list[str] = []
    messenger = ConsoleMessenger("nurse", printed.append, tmp_path)
    other = Identity(1, 2, "console", TENANT, "hana.hr")
    await messenger.send_direct(other, Reply.text("Ticket #3 is yours."))
    await messenger.send_to_channel("hr", Reply.text("New question."))
    assert printed[0].startswith("── message for hana.hr ──\n")
    assert printed[1].startswith("── message for #hr ──\n")
