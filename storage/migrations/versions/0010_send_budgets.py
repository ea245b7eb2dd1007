"""send budgets: a workspace's learned pace, shared by replicas; each claim's own lease

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 22:58:10.204311

`send_budgets` keeps one row per workspace (a Slack team, a Teams tenant): how fast every
replica together may send there, as learned from the platform's 429s. `outbox.lease_until` is
how long a claimer vouches for its claim, so that a sender that died is noticed after its own
lease instead of a fixed one. Claims made before this revision have none and lapse as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_budgets",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("settled", sa.Float(), nullable=True),
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.Column("grown_at", sa.Float(), nullable=False),
        sa.Column("accepted", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_send_budgets")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
    op.drop_table("send_budgets")
