"""Table definitions. Repositories map these rows to plain objects; nothing else touches them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that stores UTC and reads back aware UTC on every backend.

    SQLite keeps no offset: without this it stores an aware time's wall clock and returns naive
    datetimes, which then cannot be compared with `Services.clock()`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    department: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(35))
    language: Mapped[str | None] = mapped_column(String(8))  # chosen by the person; None: locale's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    identities: Mapped[list[IdentityRow]] = relationship(back_populates="person")


class IdentityRow(Base):
    """A person as one platform knows them. One person may have a Slack and a Teams identity."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "tenant", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    # Set when the platform says the person blocked or removed the bot; cleared when they write.
    unreachable_at: Mapped[datetime | None] = mapped_column()
    # When a platform's directory last listed this identity; None for someone known only from
    # their own messages, whom no directory can say has left.
    listed_at: Mapped[datetime | None] = mapped_column()
    # Set when a complete directory read no longer lists them: they leave "everyone",
    # department and unit audiences. Cleared when a directory lists them again or they write.
    left_at: Mapped[datetime | None] = mapped_column()

    person: Mapped[PersonRow] = relationship(back_populates="identities")


class RoleGrantRow(Base):
    __tablename__ = "role_grants"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_by: Mapped[str | None] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """Privileged actions. `detail` never holds message text or survey answers."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ProcessedEventRow(Base):
    """Ids of platform events already handled, so a redelivery has its effect once."""

    __tablename__ = "processed_events"
    __table_args__ = (Index("ix_processed_events_seen_at", "seen_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationRefRow(Base):
    """What an adapter needs to message a person or channel later (Teams: the serviceUrl and
    conversation id from the last activity). Opaque JSON owned by the adapter."""

    __tablename__ = "conversation_refs"
    __table_args__ = (UniqueConstraint("platform", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RosterHintRow(Base):
    """Where to open a chat with someone known only from a team roster (Teams: their Teams id,
    the service URL, the tenant and the bot), refreshed by each directory sync. Opaque JSON
    owned by the adapter; expired hints are deleted, as a roster we no longer read is no
    reason to keep someone's details."""

    __tablename__ = "roster_hints"
    __table_args__ = (Index("ix_roster_hints_expires_at", "expires_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class HeldFileRow(Base):
    """A file waiting for its recipient to accept it (Teams' file consent), deleted once it is
    uploaded, declined or expired: exports hold personal data and are kept no longer."""

    __tablename__ = "held_files"
    __table_args__ = (Index("ix_held_files_expires_at", "expires_at"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfferedFormRow(Base):
    """A form offered behind a button, rendered for its platform (a Slack modal view), until
    someone presses the button or it expires: a modal must open within moments of a click, so
    a form that could not open at once waits here."""

    __tablename__ = "offered_forms"
    __table_args__ = (Index("ix_offered_forms_expires_at", "expires_at"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    view: Mapped[dict[str, Any]] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionRow(Base):
    """A question asked of the knowledge base, PHI-screened, with no link to who asked."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_asked_at", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(String(2000))
    article_id: Mapped[str | None] = mapped_column(String(120))
    confidence: Mapped[float] = mapped_column(default=0.0)
    answered: Mapped[bool] = mapped_column(default=False)
    # None until the asker clicks Helpful (True) or Not helpful (False).
    helpful: Mapped[bool | None] = mapped_column()


class TicketRow(Base):
    """A question handed to HR. It keeps the asker so the answer can reach them by DM.

    One open ticket per person and question: pressing "Ask HR" twice, on two replicas at once
    included, opens one."""

    __tablename__ = "hr_tickets"
    __table_args__ = (
        Index(
            "uq_hr_tickets_open_question",
            "question_id",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(4000))
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column()


class IdeaRow(Base):
    """A patient-experience idea. The text is PHI-screened before it gets here, and an anonymous
    idea keeps no submitter: only a sealed reference that the notification path can open.

    `draft_id` names the draft it was made from (deleted by then, so it leads to nobody): one
    idea per draft, however often and wherever "Submit" is pressed."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(4000))
    category: Mapped[str] = mapped_column(String(40), index=True)
    unit: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    submitter_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    sealed_submitter: Mapped[str | None] = mapped_column(String(400))
    draft_id: Mapped[int | None] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IdeaOutcomeRow(Base):
    """What came of an idea that was put in place: what changed and who helped, in the words of
    the leader who marked it implemented, and whether its submitter agreed to be named when it
    is shared. `credit_agreed` stays None until a named submitter answers; an anonymous idea's
    submitter is never asked."""

    __tablename__ = "idea_outcomes"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    what_changed: Mapped[str] = mapped_column(String(500))
    helped: Mapped[str] = mapped_column(String(300), default="")
    implemented_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    implemented_at: Mapped[datetime] = mapped_column(index=True)
    credit_agreed: Mapped[bool | None] = mapped_column()
    credit_answered_at: Mapped[datetime | None] = mapped_column()


class IdeaDigestRow(Base):
    """A monthly "you said, we did" digest to an audience. `audience_key` (the audience folded
    to one string) is unique, so the same digest cannot be scheduled twice; `next_run_at` moves
    on by a conditional write, so each run happens once across replicas."""

    __tablename__ = "idea_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[dict[str, Any]] = mapped_column()
    audience_key: Mapped[str] = mapped_column(String(160), unique=True)
    schedule: Mapped[dict[str, Any]] = mapped_column()
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaVoteRow(Base):
    __tablename__ = "idea_votes"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaCommentRow(Base):
    __tablename__ = "idea_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaDraftRow(Base):
    """A screened idea waiting for its author to confirm. Raw text is never stored, drafts
    included; unconfirmed drafts are dropped after a day. Ids are never used twice (SQLite
    would reuse the highest id once its row is gone), so a draft id names one draft for good."""

    __tablename__ = "idea_drafts"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(4000))
    category: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(120), default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SecretRow(Base):
    """Keys the application generates for itself when none is configured (e.g. the key that
    seals anonymous submitters)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyRow(Base):
    """A pulse survey HR scheduled: its questions, audience and schedule live here, so they
    survive restarts and every replica sees the same ones."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    definition: Mapped[dict[str, Any]] = mapped_column()
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    audience: Mapped[dict[str, Any]] = mapped_column()
    schedule: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    open_days: Mapped[int] = mapped_column(default=5)
    reminder_after_days: Mapped[int] = mapped_column(default=2)
    threshold: Mapped[int] = mapped_column(default=5)
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyRoundRow(Base):
    """One round of a survey. At most one round of a survey is open at a time: the unique key
    over open rounds keeps a second one (a `pulse run` racing the scheduler, or twice) out."""

    __tablename__ = "survey_rounds"
    __table_args__ = (
        Index(
            "uq_survey_rounds_open",
            "survey_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    remind_at: Mapped[datetime | None] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    invited: Mapped[int] = mapped_column(default=0)


class SurveySharingRow(Base):
    """A survey whose rounds' results go to their audience as each closes
    (`pulse create --share`)."""

    __tablename__ = "survey_sharing"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyShareRow(Base):
    """A round whose results were shared with its audience: made once, by its key."""

    __tablename__ = "survey_shares"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyActionRow(Base):
    """What HR said would be done about a survey's results: who owns it and how far it got
    (planned, in progress, done). Listed when results are shared, and in the next invitation."""

    __tablename__ = "survey_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxRow(Base):
    """One message of one kind about one payload to one person: the unit of exactly-once
    delivery. `kind` names the renderer (`pulse.invite`), `payload_key` what the message is
    about (`round:12`).

    pending → sending (claimed) → sent | failed | blocked | skipped. The unique key makes
    re-enqueueing after a crash harmless; a claim left in `sending` by a crash is reconciled, not
    resent blind.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # Led by the payload key, so that a payload's progress is read from this index.
        UniqueConstraint("payload_key", "kind", "person_id"),
        Index("ix_outbox_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload_key: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column()
    # Until when the claimer vouches for its claim; it renews it while it works. Each sender
    # sets its own lease from how long its sends take, so others can tell a dead one quickly.
    lease_until: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    platform: Mapped[str | None] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(128))
    handle: Mapped[dict[str, Any] | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(200))


class ParticipationRow(Base):
    """Who was invited and whether they answered, for reminders and one answer set per person.
    `answer_key` links to the response only while the round is open; closing erases it."""

    __tablename__ = "survey_participation"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    responded: Mapped[bool] = mapped_column(default=False)
    answer_key: Mapped[str | None] = mapped_column(String(64))


class ResponseRow(Base):
    """One person's answer set, stored without the person. Department and unit are kept for
    breakdowns, which the results refuse below the anonymity threshold."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("round_id", "answer_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True
    )
    answer_key: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(120), default="")
    unit: Mapped[str] = mapped_column(String(120), default="")
    comment: Mapped[str | None] = mapped_column(String(2000))


class AnswerRow(Base):
    __tablename__ = "survey_answers"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


class SendBudgetRow(Base):
    """The pace one workspace (a Slack team, a Teams tenant) allows, learned from its 429s and
    shared by every replica: they all spend one platform budget. Times are seconds since the
    epoch (every replica reads the same clock, give or take NTP), and `version` makes each
    change a conditional write."""

    __tablename__ = "send_budgets"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)  # "<platform>:<workspace>"
    rate: Mapped[float] = mapped_column(Float)  # sends a second now
    settled: Mapped[float | None] = mapped_column(Float)  # just below where the last 429 came
    next_slot: Mapped[float] = mapped_column(Float)  # the token bucket, kept as GCRA
    paused_until: Mapped[float] = mapped_column(Float)  # a 429's Retry-After, for everyone
    grown_at: Mapped[float] = mapped_column(Float)  # when sends were last reported
    accepted: Mapped[float] = mapped_column(Float)  # sends a second that went through, smoothed
    version: Mapped[int] = mapped_column()


class ConsoleMessageRow(Base):
    """A message to a person who chats in a terminal, waiting for their own `breakroom chat`
    to show it: a terminal has no server to push to, and whoever's process sent it must not.
    `dedupe_key` (the outbox's `outbox:<id>`) lets a resend after a crash find it."""

    __tablename__ = "console_messages"
    __table_args__ = (Index("ix_console_messages_waiting", "person_id", "shown_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    text: Mapped[str] = mapped_column(Text)
    # The numbers the message offers: [[action_id, value], ...] in the order shown.
    picks: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    shown_at: Mapped[datetime | None] = mapped_column()


class CrisisCountRow(Base):
    """How many messages got crisis resources, per day and kind: a counter and nothing more.
    No person, no text, no time of day: a crisis message leaves no other trace."""

    __tablename__ = "crisis_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # in the hospital's time zone
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column()


class AnnouncementRow(Base):
    """An announcement HR or a leader wrote: a draft until its author presses Send or Schedule,
    then queued (its messages are outbox rows about `announcement:<id>`), or cancelled.
    `send_at` is None for "now"; `zone` is the author's, whose wall clock `send_at` was typed
    in and each recipient gets it at in their own."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    article_id: Mapped[str | None] = mapped_column(String(120))
    audience: Mapped[dict[str, Any]] = mapped_column()
    send_at: Mapped[datetime | None] = mapped_column()
    zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()


class AnnouncementOpenRow(Base):
    """One press of "Got it" or "Learn more" on an announcement: the key keeps one per person
    and button, so a second press (a double click, another replica) counts nothing. Only counts
    are ever read."""

    __tablename__ = "announcement_opens"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    button: Mapped[str] = mapped_column(String(16), primary_key=True)


class SpotlightRow(Base):
    """A recurring spotlight campaign: one knowledge-base article at a time, to an audience, on
    a schedule. `article_ids` is HR's list in its order; None rotates through the articles
    tagged `spotlight`, as the knowledge base has them at each turn."""

    __tablename__ = "spotlights"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    article_ids: Mapped[list[str] | None] = mapped_column(JSON)
    audience: Mapped[dict[str, Any]] = mapped_column()
    schedule: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    turns: Mapped[int] = mapped_column(default=0)  # how many turns have fired
    last_article_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpotlightTurnRow(Base):
    """One turn of a spotlight: the article it sent and when. The unique number per spotlight
    makes a turn fire once, whichever replica's tick gets there first; `queued_at` is set once
    its messages are in the outbox, so a crash in between is finished by the next tick."""

    __tablename__ = "spotlight_turns"
    __table_args__ = (UniqueConstraint("spotlight_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spotlight_id: Mapped[int] = mapped_column(ForeignKey("spotlights.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    article_id: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))  # kept for the stats once it is gone
    run_at: Mapped[datetime] = mapped_column()  # the scheduled time, the hospital's wall clock
    fired_at: Mapped[datetime] = mapped_column(index=True)
    queued_at: Mapped[datetime | None] = mapped_column()
    recipients: Mapped[int] = mapped_column(default=0)
    # "Ask about this" presses: a count, never who pressed.
    asks: Mapped[int] = mapped_column(default=0)
