"""directory: who a directory listed and who left; roster hints in a store of their own

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:41:17.502931

Roster hints used to live among the conversation references under "member:<user id>", with no
expiry; they move to `roster_hints`, each given the lifetime a directory sync gives a hint.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MEMBER_PREFIX = "member:"
HINT_LIFETIME = timedelta(days=14)

conversation_refs = sa.table(
    "conversation_refs",
    sa.column("platform", sa.String),
    sa.column("address", sa.String),
    sa.column("data", sa.JSON),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
roster_hints = sa.table(
    "roster_hints",
    sa.column("platform", sa.String),
    sa.column("user_id", sa.String),
    sa.column("data", sa.JSON),
    sa.column("expires_at", sa.DateTime(timezone=True)),
    sa.column("refreshed_at", sa.DateTime(timezone=True)),
)
member_rows = conversation_refs.c.address.startswith(MEMBER_PREFIX, autoescape=True)


def upgrade() -> None:
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "roster_hints",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_roster_hints")),
    )
    with op.batch_alter_table("roster_hints", schema=None) as batch_op:
        batch_op.create_index("ix_roster_hints_expires_at", ["expires_at"], unique=False)

    connection = op.get_bind()
    now = datetime.now(UTC)
    hints = [
        {
            "platform": platform,
            "user_id": address.removeprefix(MEMBER_PREFIX),
            "data": data,
            "expires_at": now + HINT_LIFETIME,
            "refreshed_at": now,
        }
        for platform, address, data in connection.execute(
            sa.select(
                conversation_refs.c.platform, conversation_refs.c.address, conversation_refs.c.data
            ).where(member_rows)
        )
    ]
    if hints:
        connection.execute(roster_hints.insert(), hints)
    connection.execute(conversation_refs.delete().where(member_rows))


def downgrade() -> None:
    connection = op.get_bind()
    references = [
        {
            "platform": platform,
            "address": MEMBER_PREFIX + user_id,
            "data": data,
            "updated_at": refreshed_at,
        }
        for platform, user_id, data, refreshed_at in connection.execute(
            sa.select(
                roster_hints.c.platform,
                roster_hints.c.user_id,
                roster_hints.c.data,
                roster_hints.c.refreshed_at,
            )
        )
    ]
    if references:
        connection.execute(conversation_refs.insert(), references)

    with op.batch_alter_table("roster_hints", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_hints_expires_at")
    op.drop_table("roster_hints")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_column("left_at")
        batch_op.drop_column("listed_at")
