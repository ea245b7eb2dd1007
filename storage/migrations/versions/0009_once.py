"""once: one idea per draft, one open ticket per person and question

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:12:40.118204

Several replicas may receive the same double click at once; these keys let the database keep
one of each. Open tickets already duplicated (the same person and question, from before) keep
the oldest as the question's ticket; the others stay open, no longer tied to the question.
On SQLite, draft ids stop being reused (AUTOINCREMENT), as an idea now names its draft.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")

hr_tickets = sa.table(
    "hr_tickets",
    sa.column("id", sa.Integer),
    sa.column("question_id", sa.Integer),
    sa.column("person_id", sa.Integer),
    sa.column("status", sa.String),
)


def upgrade() -> None:
    _draft_ids_used_once(True)
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_ideas_draft_id"), ["draft_id"])

    tied = sa.and_(hr_tickets.c.status == "open", hr_tickets.c.question_id.is_not(None))
    oldest = (
        sa.select(sa.func.min(hr_tickets.c.id))
        .where(tied)
        .group_by(hr_tickets.c.question_id, hr_tickets.c.person_id)
    )
    op.execute(
        hr_tickets.update().where(tied, hr_tickets.c.id.not_in(oldest)).values(question_id=None)
    )
    with op.batch_alter_table("hr_tickets", schema=None) as batch_op:
        batch_op.create_index(
            "uq_hr_tickets_open_question",
            ["question_id", "person_id"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("hr_tickets", schema=None) as batch_op:
        batch_op.drop_index("uq_hr_tickets_open_question")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ideas_draft_id"), type_="unique")
        batch_op.drop_column("draft_id")
    _draft_ids_used_once(False)


def _draft_ids_used_once(once: bool) -> None:
    """SQLite only: rebuilding the table is how its AUTOINCREMENT is switched on or off."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "idea_drafts", recreate="always", table_kwargs={"sqlite_autoincrement": once}
    ):
        pass  # nothing else changes
