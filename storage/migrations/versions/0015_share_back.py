"""results shared back: a survey's action plan, sharing on close, and which rounds were shared

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:40:00.000000

`survey_actions` holds what HR said would be done about a survey's results, with an owner and a
status. A survey in `survey_sharing` shares each round's results with its audience when it
closes; a round in `survey_shares` has had its results shared (the messages themselves are
outbox rows, one per person, so sharing twice sends nothing twice). New tables rather than new
columns: on SQLite, dropping a column rebuilds the table, and rebuilding `survey_rounds` would
cascade to the answers that reference it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_actions_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_person_id"],
            ["people.id"],
            name=op.f("fk_survey_actions_author_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_actions")),
    )
    with op.batch_alter_table("survey_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_actions_survey_id"), ["survey_id"], unique=False
        )
    op.create_table(
        "survey_sharing",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_sharing_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_survey_sharing")),
    )
    op.create_table(
        "survey_shares",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_rounds.id"],
            name=op.f("fk_survey_shares_round_id_survey_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_survey_shares")),
    )


def downgrade() -> None:
    op.drop_table("survey_shares")
    op.drop_table("survey_sharing")
    with op.batch_alter_table("survey_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_actions_survey_id"))
    op.drop_table("survey_actions")
