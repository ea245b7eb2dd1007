"""ideas: ideas, votes, comments, drafts and secrets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:35:52.383104
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_secrets")),
    )
    op.create_table(
        "idea_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=120), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_idea_drafts_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_drafts")),
    )
    with op.batch_alter_table("idea_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_drafts_person_id"), ["person_id"], unique=False)

    op.create_table(
        "ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("submitter_person_id", sa.Integer(), nullable=True),
        sa.Column("sealed_submitter", sa.String(length=400), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["ideas.id"],
            name=op.f("fk_ideas_merged_into_id_ideas"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitter_person_id"],
            ["people.id"],
            name=op.f("fk_ideas_submitter_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
    )
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ideas_category"), ["category"], unique=False)
        batch_op.create_index("ix_ideas_created_at", ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ideas_status"), ["status"], unique=False)

    op.create_table(
        "idea_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("author_person_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_person_id"],
            ["people.id"],
            name=op.f("fk_idea_comments_author_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_comments_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_comments")),
    )
    with op.batch_alter_table("idea_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_comments_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "idea_votes",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_votes_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_idea_votes_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", "person_id", name=op.f("pk_idea_votes")),
    )


def downgrade() -> None:
    op.drop_table("idea_votes")
    with op.batch_alter_table("idea_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_comments_idea_id"))

    op.drop_table("idea_comments")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ideas_status"))
        batch_op.drop_index("ix_ideas_created_at")
        batch_op.drop_index(batch_op.f("ix_ideas_category"))

    op.drop_table("ideas")
    with op.batch_alter_table("idea_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_drafts_person_id"))

    op.drop_table("idea_drafts")
    op.drop_table("secrets")
