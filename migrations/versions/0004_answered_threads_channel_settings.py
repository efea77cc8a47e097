"""Answered threads (follow-ups without a mention) and per-channel switches.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answered_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_row_id", sa.Integer(), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("first_question", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_row_id"],
            ["channels.id"],
            name=op.f("fk_answered_threads_channel_row_id_channels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answered_threads")),
        sa.UniqueConstraint(
            "channel_row_id", "thread_ts", name=op.f("uq_answered_threads_channel_row_id_thread_ts")
        ),
    )
    op.create_table(
        "channel_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_row_id", sa.Integer(), nullable=False),
        sa.Column("followups", sa.Boolean(), nullable=False),
        sa.Column("autoanswer", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_row_id"],
            ["channels.id"],
            name=op.f("fk_channel_settings_channel_row_id_channels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_settings")),
        sa.UniqueConstraint("channel_row_id", name=op.f("uq_channel_settings_channel_row_id")),
    )


def downgrade() -> None:
    op.drop_table("channel_settings")
    op.drop_table("answered_threads")
