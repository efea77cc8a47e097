"""Documents from saved answers and from Slack files: two more `documents.source` values.

A saved answer is a teammate's reply (or the *Add the answer* form) stored as an FAQ
entry; a file document is the text of a Slack file (plain text, Markdown, PDF), whose
`source_ts` is the file's id. Downgrading keeps those documents and labels them as added
with the shortcut, the nearest older source: nothing a user stored is lost.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SOURCES = ("slash_command", "modal", "pin", "shortcut")
NEW_SOURCES = (*OLD_SOURCES, "saved_answer", "file")


def _one_of(values: Sequence[str]) -> str:
    return "source IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _replace_check(values: Sequence[str]) -> None:
    # SQLite can't alter a constraint: batch mode rebuilds the table (env.py turns foreign
    # keys off meanwhile, so passages survive the rebuild).
    with op.batch_alter_table("documents", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_documents_document_source"), type_="check")
        batch.create_check_constraint(op.f("ck_documents_document_source"), _one_of(values))


def upgrade() -> None:
    _replace_check(NEW_SOURCES)


def downgrade() -> None:
    op.execute(
        "UPDATE documents SET source = 'shortcut' WHERE source IN ('saved_answer', 'file')"
    )
    _replace_check(OLD_SOURCES)
