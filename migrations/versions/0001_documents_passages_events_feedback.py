"""Channels, documents, passages (with their SQLite FTS5 index), handled events, feedback.

Revision ID: 0001
Revises:
Create Date: 2025-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT_SOURCES = ("slash_command", "modal", "pin", "shortcut")

# An external-content FTS5 table: it indexes passages.text without storing a second copy,
# and the triggers keep it in step with every insert, update and delete on passages —
# including the ON DELETE CASCADE when a document is removed.
FTS_CREATE = (
    """
    CREATE VIRTUAL TABLE passages_fts USING fts5(
        text, content='passages', content_rowid='id', tokenize='porter unicode61'
    )
    """,
    """
    CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
    """
    CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
    """,
    """
    CREATE TRIGGER passages_fts_update AFTER UPDATE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
)
FTS_DROP = (
    "DROP TRIGGER IF EXISTS passages_fts_update",
    "DROP TRIGGER IF EXISTS passages_fts_delete",
    "DROP TRIGGER IF EXISTS passages_fts_insert",
    "DROP TABLE IF EXISTS passages_fts",
)


def _is_sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("team_id", "channel_id", name=op.f("uq_channels_team_id_channel_id")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_row_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "source IN (" + ", ".join(f"'{s}'" for s in DOCUMENT_SOURCES) + ")",
            name=op.f("ck_documents_document_source"),
        ),
        sa.ForeignKeyConstraint(
            ["channel_row_id"],
            ["channels.id"],
            name=op.f("fk_documents_channel_row_id_channels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint(
            "channel_row_id", "source_ts", name=op.f("uq_documents_channel_row_id_source_ts")
        ),
    )
    op.create_table(
        "passages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_passages_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passages")),
        sa.UniqueConstraint("document_id", "index", name=op.f("uq_passages_document_id_index")),
    )
    op.create_table(
        "handled_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handled_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_handled_events_event_id")),
    )
    op.create_index(
        op.f("ix_handled_events_handled_at"), "handled_events", ["handled_at"], unique=False
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_row_id", sa.Integer(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_row_id"],
            ["channels.id"],
            name=op.f("fk_feedback_channel_row_id_channels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint(
            "channel_row_id",
            "message_ts",
            "user_id",
            name=op.f("uq_feedback_channel_row_id_message_ts_user_id"),
        ),
    )
    if _is_sqlite():
        for statement in FTS_CREATE:
            op.execute(statement)


def downgrade() -> None:
    if _is_sqlite():
        for statement in FTS_DROP:
            op.execute(statement)
    op.drop_table("feedback")
    op.drop_index(op.f("ix_handled_events_handled_at"), table_name="handled_events")
    op.drop_table("handled_events")
    op.drop_table("passages")
    op.drop_table("documents")
    op.drop_table("channels")
