"""one outbox for every kind of message: rows name a kind and a payload key, not a survey round

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:05:12.402117

`survey_outbox` rows become `outbox` rows: kind `invite` → `pulse.invite`, `reminder` →
`pulse.reminder`, round 12 → payload key `round:12`. Ids are kept, since a message already sent
carries its row id as its dedupe key (`outbox:<id>`) and a claim in doubt is reconciled by it.

The new table is built and filled, then the old one dropped, the same way on SQLite and
PostgreSQL (SQLite cannot drop a foreign key or rename a constraint in place). A downgrade keeps
only the survey rows of rounds that still exist: other kinds have no place in the old table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SURVEY_KINDS = ("invite", "reminder")
KIND_PREFIX = "pulse."
ROUND_PREFIX = "round:"
# Columns both tables share, copied unchanged.
COMMON = (
    "id",
    "person_id",
    "status",
    "due_at",
    "attempts",
    "claimed_at",
    "sent_at",
    "platform",
    "message_id",
    "handle",
    "error",
)


def _shared_columns() -> list[sa.Column[Any]]:
    """The columns both tables have, after their own kind and what the message is about."""
    return [
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("message_id", sa.String(length=128), nullable=True),
        sa.Column("handle", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
    ]


def _table(name: str, *extra: str) -> sa.TableClause:
    """A lightweight handle on a table for copying rows (no metadata, no constraints)."""
    shared: list[sa.ColumnClause[Any]] = [sa.column(c) for c in COMMON]
    return sa.table(name, *shared, *(sa.column(c, sa.String()) for c in extra))


def _continue_ids(table: str) -> None:
    """Rows were copied with their ids: PostgreSQL's sequence must continue after them (SQLite
    takes the next rowid after the largest on its own)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload_key", sa.String(length=64), nullable=False),
        *_shared_columns(),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_outbox_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "payload_key", "kind", "person_id", name=op.f("uq_outbox_payload_key_kind_person_id")
        ),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "due_at"], unique=False)

    old = _table("survey_outbox", "kind", "round_id")
    new = _table("outbox", "kind", "payload_key")
    op.execute(
        new.insert().from_select(
            [*COMMON, "kind", "payload_key"],
            sa.select(
                *(old.c[c] for c in COMMON),
                sa.literal(KIND_PREFIX) + old.c.kind,
                sa.literal(ROUND_PREFIX) + sa.cast(old.c.round_id, sa.String),
            ),
        )
    )
    _continue_ids("outbox")

    with op.batch_alter_table("survey_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_outbox_due")
    op.drop_table("survey_outbox")


def downgrade() -> None:
    op.create_table(
        "survey_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        *_shared_columns(),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_survey_outbox_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_rounds.id"],
            name=op.f("fk_survey_outbox_round_id_survey_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_outbox")),
        sa.UniqueConstraint(
            "round_id", "person_id", "kind", name=op.f("uq_survey_outbox_round_id_person_id_kind")
        ),
    )
    with op.batch_alter_table("survey_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_survey_outbox_due", ["status", "due_at"], unique=False)

    new = _table("outbox", "kind", "payload_key")
    old = _table("survey_outbox", "kind", "round_id")
    rounds = sa.table("survey_rounds", sa.column("id", sa.Integer))
    round_id = sa.cast(sa.func.substr(new.c.payload_key, len(ROUND_PREFIX) + 1), sa.Integer)
    op.execute(
        old.insert().from_select(
            [*COMMON, "kind", "round_id"],
            sa.select(
                *(new.c[c] for c in COMMON),
                sa.func.substr(new.c.kind, len(KIND_PREFIX) + 1),
                round_id,
            )
            .where(
                new.c.kind.in_([KIND_PREFIX + kind for kind in SURVEY_KINDS]),
                new.c.payload_key.like(ROUND_PREFIX + "%"),
            )
            .where(sa.exists().where(rounds.c.id == round_id)),
        )
    )
    _continue_ids("survey_outbox")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
    op.drop_table("outbox")
