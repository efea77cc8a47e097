"""Ranking a channel on its own statistics: a vocabulary view over the SQLite FTS5 index,
and a generated `tsvector` with a GIN index on PostgreSQL.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02

SQLite: `passages_fts_instance` (an `fts5vocab` table of type `instance`) lists every
occurrence of every indexed term with its passage; looked up by term it gives each
passage's term frequency, so the ranker counts document frequencies over one channel's
passages instead of using FTS5's index-wide bm25() statistics. It stores nothing: FTS5
reads it from the index, which the triggers of 0001 already keep in step.

PostgreSQL: `passages.search_vector` is `to_tsvector('english', text)`, computed by the
database on every insert and update (the 'english' configuration stems with Porter's
algorithm, like the FTS5 `porter` tokenizer on SQLite). The GIN index finds a question's
matching passages without reading the others. The column and index are not in the ORM
models (no other database could create them), like the FTS5 tables. Adding a stored
generated column rewrites `passages` once, holding its lock meanwhile: on a large existing
database, run `qabot migrate` (or the `release:` step) before starting the new version.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR_COLUMN = "search_vector"
SEARCH_VECTOR_INDEX = "ix_passages_search_vector"
TEXT_SEARCH_CONFIG = "english"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE passages_fts_instance USING fts5vocab(passages_fts, instance)"
        )
    elif dialect == "postgresql":
        op.execute(
            f"ALTER TABLE passages ADD COLUMN {SEARCH_VECTOR_COLUMN} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{TEXT_SEARCH_CONFIG}', text)) STORED"
        )
        op.execute(
            f"CREATE INDEX {SEARCH_VECTOR_INDEX} ON passages USING gin ({SEARCH_VECTOR_COLUMN})"
        )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS passages_fts_instance")
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_VECTOR_INDEX}")
        op.execute(f"ALTER TABLE passages DROP COLUMN IF EXISTS {SEARCH_VECTOR_COLUMN}")
