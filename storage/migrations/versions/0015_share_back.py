"""results shared back: a survey's action plan, sharing on close, and when a round was shared

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 03:40:00.000000

`survey_actions` holds what HR said would be done about a survey's results, with an owner and a
status. `surveys.share_results` shares each round's results with its audience when it closes;
`survey_rounds.shared_at` says a round's results went out (the messages themselves are outbox
rows, one per person, so sharing twice sends nothing twice).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
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
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("share_results", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("survey_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_rounds", schema=None) as batch_op:
        batch_op.drop_column("shared_at")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("share_results")
    with op.batch_alter_table("survey_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_actions_survey_id"))
    op.drop_table("survey_actions")
