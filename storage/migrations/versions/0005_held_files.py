"""held files: exports waiting for their recipient's consent

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:12:03.118204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "held_files",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_held_files")),
    )
    with op.batch_alter_table("held_files", schema=None) as batch_op:
        batch_op.create_index("ix_held_files_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("held_files", schema=None) as batch_op:
        batch_op.drop_index("ix_held_files_expires_at")
    op.drop_table("held_files")
