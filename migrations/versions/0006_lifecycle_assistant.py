"""Data lifecycle and the assistant panel: channels that stopped answering, handled events
by workspace (so uninstalling forgets them), and assistant threads' context.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite can only add columns through a table copy in general; Alembic
    # does a plain ALTER where it can.
    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column("answering", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("handled_events") as batch:
        batch.add_column(sa.Column("team_id", sa.String(length=32), nullable=True))
    op.create_table(
        "assistant_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_threads")),
        sa.UniqueConstraint(
            "channel_id", "thread_ts", name=op.f("uq_assistant_threads_channel_id_thread_ts")
        ),
    )


def downgrade() -> None:
    op.drop_table("assistant_threads")
    with op.batch_alter_table("handled_events") as batch:
        batch.drop_column("team_id")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("answering")
