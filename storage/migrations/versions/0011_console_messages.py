"""console messages: what waits for a person's own terminal chat

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:59:00.000000

`console_messages` holds each message to a person who chats in a terminal until their own
`breakroom chat` shows it, so a message never prints in the terminal of whoever caused it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("picks", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_console_messages_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_console_messages_dedupe_key")),
    )
    op.create_index(
        "ix_console_messages_waiting", "console_messages", ["person_id", "shown_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_console_messages_waiting", table_name="console_messages")
    op.drop_table("console_messages")
