"""people's own language: the one they chose, apart from their platform's locale

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 06:30:00.000000

`locale` stays what the platform says and is refreshed with every profile; `language` is set
only by the person (`idioma español`, `language english`, the Home tab), so a platform's
locale never undoes their choice. Empty means: follow the platform's locale.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has dropped columns since 3.35): a batch copy of
# `people` would drop the table, and with it, through foreign keys, everyone's invitations.
def upgrade() -> None:
    op.add_column("people", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("people", "language")
