"""crisis counts: how many messages got crisis resources, per day and kind

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:30:00.000000

A crisis message is not logged as a question; `crisis_counts` keeps only how many there were,
per day and kind, with no person and no text.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crisis_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "kind", name=op.f("pk_crisis_counts")),
    )


def downgrade() -> None:
    op.drop_table("crisis_counts")
