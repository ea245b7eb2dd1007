"""Patient-experience ideas: the ideas with their votes and comments, the drafts waiting for
their authors, what came of the ideas put in place, and the monthly digests that tell people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


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
