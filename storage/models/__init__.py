"""Table definitions. Repositories map these rows to plain objects; nothing else touches them.

Importing this package defines every table on `Base.metadata`, the schema Alembic's migrations
are compared with."""

from storage.models.announcements import (
    AnnouncementOpenRow,
    AnnouncementRow,
    SpotlightRow,
    SpotlightTurnRow,
)
from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.delivery import OutboxRow, SendBudgetRow
from storage.models.ideas import (
    IdeaCommentRow,
    IdeaDigestRow,
    IdeaDraftRow,
    IdeaOutcomeRow,
    IdeaRow,
    IdeaVoteRow,
)
from storage.models.knowledge import CrisisCountRow, QuestionRow, TicketRow
from storage.models.people import AuditRow, IdentityRow, PersonRow, RoleGrantRow, SecretRow
from storage.models.platforms import (
    ConsoleMessageRow,
    ConversationRefRow,
    HeldFileRow,
    OfferedFormRow,
    ProcessedEventRow,
    RosterHintRow,
)
from storage.models.surveys import (
    AnswerRow,
    ParticipationRow,
    ResponseRow,
    SurveyActionRow,
    SurveyRoundRow,
    SurveyRow,
    SurveyShareRow,
    SurveySharingRow,
)

__all__ = [
    "AnnouncementOpenRow",
    "AnnouncementRow",
    "AnswerRow",
    "AuditRow",
    "Base",
    "ConsoleMessageRow",
    "ConversationRefRow",
    "CrisisCountRow",
    "HeldFileRow",
    "IdeaCommentRow",
    "IdeaDigestRow",
    "IdeaDraftRow",
    "IdeaOutcomeRow",
    "IdeaRow",
    "IdeaVoteRow",
    "IdentityRow",
    "OfferedFormRow",
    "OutboxRow",
    "ParticipationRow",
    "PersonRow",
    "ProcessedEventRow",
    "QuestionRow",
    "ResponseRow",
    "RoleGrantRow",
    "RosterHintRow",
    "SecretRow",
    "SendBudgetRow",
    "SpotlightRow",
    "SpotlightTurnRow",
    "SurveyActionRow",
    "SurveyRoundRow",
    "SurveyRow",
    "SurveyShareRow",
    "SurveySharingRow",
    "TicketRow",
    "UTCDateTime",
    "utcnow",
]
