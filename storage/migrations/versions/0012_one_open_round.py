"""one open round per survey

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:00:00.000000

A survey has at most one open round: a unique key over open rounds makes a second `pulse run`
(or one racing the scheduler) open nothing, on any replica. Surveys that already have several
open rounds keep the newest open; the older ones are closed as a close would, erasing the link
between people and answers. Their results stay readable with `pulse results`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")

rounds = sa.table(
    "survey_rounds",
    sa.column("id", sa.Integer),
    sa.column("survey_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("remind_at", sa.DateTime(timezone=True)),
    sa.column("closed_at", sa.DateTime(timezone=True)),
)
participation = sa.table(
    "survey_participation", sa.column("round_id", sa.Integer), sa.column("answer_key", sa.String)
)
responses = sa.table(
    "survey_responses", sa.column("round_id", sa.Integer), sa.column("answer_key", sa.String)
)


def upgrade() -> None:
    newest = (
        sa.select(sa.func.max(rounds.c.id))
        .where(rounds.c.status == "open")
        .group_by(rounds.c.survey_id)
    )
    older = sa.select(rounds.c.id).where(rounds.c.status == "open", rounds.c.id.not_in(newest))
    for table in (participation, responses):
        op.execute(table.update().where(table.c.round_id.in_(older)).values(answer_key=None))
    op.execute(
        rounds.update()
        .where(rounds.c.status == "open", rounds.c.id.not_in(newest))
        .values(status="closed", closed_at=datetime.now(UTC), remind_at=None)
    )
    with op.batch_alter_table("survey_rounds", schema=None) as batch_op:
        batch_op.create_index(
            "uq_survey_rounds_open",
            ["survey_id"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_rounds", schema=None) as batch_op:
        batch_op.drop_index("uq_survey_rounds_open")
