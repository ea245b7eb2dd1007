"""Everything a skill may use, built once by the composition root and handed to the router."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.directory import Directories
from bot.outbound import Outbound
from bot.renderers import Renderers
from bot.sealing import Sealer
from bot.settings import Settings
from storage.admission import Admissions
from storage.announcements import AnnouncementRepository
from storage.audit import AuditLog
from storage.console_messages import ConsoleMessages
from storage.conversations import ConversationStore
from storage.crisis_counts import CrisisCounts
from storage.db import Database
from storage.held_files import HeldFiles
from storage.idea_outcomes import IdeaDigests, IdeaOutcomes
from storage.ideas import IdeaRepository
from storage.offered_forms import OfferedForms
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository
from storage.processed import ProcessedEvents
from storage.questions import QuestionLog
from storage.roster_hints import RosterHints
from storage.secrets import SecretStore
from storage.spotlights import SpotlightRepository
from storage.survey_actions import SurveyActions
from storage.survey_answers import SurveyAnswers
from storage.survey_shares import SurveyShares
from storage.surveys import SurveyRepository
from storage.tickets import TicketRepository


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    database: Database
    people: PeopleRepository
    audit: AuditLog
    processed: ProcessedEvents
    admissions: Admissions
    conversations: ConversationStore
    outbound: Outbound
    questions: QuestionLog
    tickets: TicketRepository
    ideas: IdeaRepository
    idea_outcomes: IdeaOutcomes
    idea_digests: IdeaDigests
    sealer: Sealer
    surveys: SurveyRepository
    survey_answers: SurveyAnswers
    survey_actions: SurveyActions
    survey_shares: SurveyShares
    outbox: OutboxRepository
    held_files: HeldFiles
    forms: OfferedForms
    roster_hints: RosterHints
    directories: Directories
    console_messages: ConsoleMessages
    crisis_counts: CrisisCounts
    spotlights: SpotlightRepository
    announcements: AnnouncementRepository
    # What each kind of outbox message reads like: skills register, the outbox sender renders.
    renderers: Renderers = field(default_factory=Renderers)
    clock: Callable[[], datetime] = field(default=_utcnow)

    @classmethod
    def build(cls, settings: Settings, database: Database | None = None) -> Services:
        db = database or Database(settings.database_url)
        people = PeopleRepository(db)
        roster_hints = RosterHints(db)
        return cls(
            settings=settings,
            database=db,
            people=people,
            audit=AuditLog(db),
            processed=ProcessedEvents(db),
            admissions=Admissions(db),
            conversations=ConversationStore(db),
            outbound=Outbound(people),
            questions=QuestionLog(db),
            tickets=TicketRepository(db),
            ideas=IdeaRepository(db),
            idea_outcomes=IdeaOutcomes(db),
            idea_digests=IdeaDigests(db),
            sealer=Sealer(settings.seal_key, SecretStore(db)),
            surveys=SurveyRepository(db),
            survey_answers=SurveyAnswers(db),
            survey_actions=SurveyActions(db),
            survey_shares=SurveyShares(db),
            outbox=OutboxRepository(db),
            held_files=HeldFiles(db),
            forms=OfferedForms(db),
            roster_hints=roster_hints,
            directories=Directories(people, roster_hints),
            console_messages=ConsoleMessages(db),
            crisis_counts=CrisisCounts(db),
            spotlights=SpotlightRepository(db),
            announcements=AnnouncementRepository(db),
            renderers=Renderers(settings.language),
        )
