"""knowledge: question log and HR tickets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:03:12.272949
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("article_id", sa.String(length=120), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index("ix_questions_asked_at", ["asked_at"], unique=False)

    op.create_table(
        "hr_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=4000), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["people.id"],
            name=op.f("fk_hr_tickets_answered_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_hr_tickets_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_hr_tickets_question_id_questions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_tickets")),
    )
    with op.batch_alter_table("hr_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hr_tickets_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hr_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hr_tickets_person_id"))

    op.drop_table("hr_tickets")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_asked_at")

    op.drop_table("questions")
