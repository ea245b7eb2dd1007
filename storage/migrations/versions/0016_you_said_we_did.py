"""you said, we did: what came of implemented ideas, and monthly digests of them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 03:40:00.000000

`idea_outcomes` keeps, per implemented idea, what changed, who helped and whether the submitter
agreed to be named; `idea_digests` keeps the scheduled monthly digests, one per audience.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idea_outcomes",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("what_changed", sa.String(length=500), nullable=False),
        sa.Column("helped", sa.String(length=300), nullable=False),
        sa.Column("implemented_by_person_id", sa.Integer(), nullable=True),
        sa.Column("implemented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credit_agreed", sa.Boolean(), nullable=True),
        sa.Column("credit_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_outcomes_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["implemented_by_person_id"],
            ["people.id"],
            name=op.f("fk_idea_outcomes_implemented_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("idea_id", name=op.f("pk_idea_outcomes")),
    )
    with op.batch_alter_table("idea_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idea_outcomes_implemented_at"), ["implemented_at"], unique=False
        )
    op.create_table(
        "idea_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("audience_key", sa.String(length=160), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["people.id"],
            name=op.f("fk_idea_digests_created_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_digests")),
        sa.UniqueConstraint("audience_key", name=op.f("uq_idea_digests_audience_key")),
    )
    with op.batch_alter_table("idea_digests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idea_digests_next_run_at"), ["next_run_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("idea_digests")
    op.drop_table("idea_outcomes")
