"""offered forms: forms behind an "Open form" button, with an expiry

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:04:51.302117

Such forms used to be kept among the conversation references under "form:<key>", forever. They
are not carried over: a button whose form is gone says so, and the person starts again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offered_forms",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("view", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "key", name=op.f("pk_offered_forms")),
    )
    with op.batch_alter_table("offered_forms", schema=None) as batch_op:
        batch_op.create_index("ix_offered_forms_expires_at", ["expires_at"], unique=False)
    references = sa.table("conversation_refs", sa.column("address", sa.String))
    op.execute(references.delete().where(references.c.address.startswith("form:")))


def downgrade() -> None:
    with op.batch_alter_table("offered_forms", schema=None) as batch_op:
        batch_op.drop_index("ix_offered_forms_expires_at")
    op.drop_table("offered_forms")
