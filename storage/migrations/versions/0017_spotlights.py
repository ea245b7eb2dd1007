"""program spotlights: recurring campaigns of knowledge-base articles, and their turns

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 04:00:00.000000

A spotlight sends one article every few weeks to an audience. Each turn is a row whose number
is unique per spotlight, so a turn fires once whichever replica gets there first; the row also
counts "Ask about this" presses, never who pressed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spotlights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_person_id", sa.Integer(), nullable=True),
        sa.Column("article_ids", sa.JSON(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("last_article_id", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_person_id"],
            ["people.id"],
            name=op.f("fk_spotlights_owner_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spotlights")),
    )
    with op.batch_alter_table("spotlights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spotlights_next_run_at"), ["next_run_at"])
        batch_op.create_index(batch_op.f("ix_spotlights_status"), ["status"])

    op.create_table(
        "spotlight_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spotlight_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("asks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["spotlight_id"],
            ["spotlights.id"],
            name=op.f("fk_spotlight_turns_spotlight_id_spotlights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spotlight_turns")),
        sa.UniqueConstraint(
            "spotlight_id", "number", name=op.f("uq_spotlight_turns_spotlight_id_number")
        ),
    )
    with op.batch_alter_table("spotlight_turns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spotlight_turns_fired_at"), ["fired_at"])


def downgrade() -> None:
    op.drop_table("spotlight_turns")
    op.drop_table("spotlights")
