"""Document numbers per channel, never reused; document ids never reused on SQLite either.

Existing documents are numbered 1..n per channel in id order (the order `/context list`
showed them), and each channel's counter continues after its highest number. On SQLite the
documents table is rebuilt as AUTOINCREMENT, and its sequence starts above every id that
stored feedback still names, so an old 👍 never points at a new document.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER_UNIQUE = "uq_documents_channel_row_id_number"


def _is_sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _number_existing_documents(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text("SELECT channel_row_id, id FROM documents ORDER BY channel_row_id, id")
    ).all()
    numbers = [
        {"id": document_id, "number": number}
        for _channel, documents in groupby(rows, key=lambda row: row[0])
        for number, (_, document_id) in enumerate(documents, start=1)
    ]
    if numbers:
        connection.execute(
            sa.text("UPDATE documents SET number = :number WHERE id = :id"), numbers
        )
    connection.execute(
        sa.text(
            "UPDATE channels SET next_document_number = 1 + COALESCE("
            "(SELECT MAX(number) FROM documents WHERE documents.channel_row_id = channels.id), 0)"
        )
    )


def _start_sqlite_sequence_above_used_ids(connection: sa.Connection) -> None:
    # The rebuilt table's sequence starts at its highest id; a higher id may be gone already
    # (the newest document was removed) yet still named by feedback.
    highest = connection.execute(
        sa.text(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM documents), 0), "
            "COALESCE((SELECT MAX(document_id) FROM feedback), 0))"
        )
    ).scalar_one()
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'documents'"))
    connection.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('documents', :seq)"),
        {"seq": highest},
    )


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column(
                "next_document_number", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    _number_existing_documents(connection)
    with op.batch_alter_table(
        "documents", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) if _is_sqlite() else op.batch_alter_table("documents") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(NUMBER_UNIQUE, ["channel_row_id", "number"])
    if _is_sqlite():
        _start_sqlite_sequence_above_used_ids(connection)


def downgrade() -> None:
    # Row ids are kept, so feedback and passages still match; the numbers are dropped.
    with op.batch_alter_table(
        "documents", recreate="always"
    ) if _is_sqlite() else op.batch_alter_table("documents") as batch:
        batch.drop_constraint(NUMBER_UNIQUE, type_="unique")
        batch.drop_column("number")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("next_document_number")
