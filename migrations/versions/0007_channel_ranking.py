"""Ranking a channel on its own statistics: a per-channel term index on SQLite, and a
generated `tsvector` with a GIN index on PostgreSQL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

SQLite: `passages_fts_terms` holds, for every passage, each term FTS5's tokenizer makes of
it (the same `porter unicode61` stems as `passages_fts`), its frequency in the passage and
the passage's length in terms, keyed by (channel, term, passage). Looking a question's
terms up within one channel reads only that channel's rows, so neither the scores nor the
time of a channel's ranking depend on other channels (FTS5's own posting lists, and its
bm25() statistics, span every channel). A trigger fills it on every insert into passages:
SQLite itself tokenizes the text, in `passages_fts_tokenizer`, a contentless FTS5 table that
is emptied again at once; deleting a passage deletes its rows (ON DELETE CASCADE). Existing
passages are indexed here from the FTS5 index, through a temporary `fts5vocab` table.

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

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR_COLUMN = "search_vector"
SEARCH_VECTOR_INDEX = "ix_passages_search_vector"
TEXT_SEARCH_CONFIG = "english"


# Tokenizes one passage (`text`) into `passages_fts_terms`, for the passage `passage_id`.
_INDEX_PASSAGE = """
    INSERT INTO passages_fts_tokenizer(rowid, text) VALUES ({passage_id}, {text});
    INSERT INTO passages_fts_terms(channel_row_id, term, passage_id, tf, length)
        SELECT (SELECT channel_row_id FROM documents WHERE id = {document_id}), term,
               {passage_id}, count(*), (SELECT count(*) FROM passages_fts_tokenizer_instance)
        FROM passages_fts_tokenizer_instance GROUP BY term;
    INSERT INTO passages_fts_tokenizer(passages_fts_tokenizer) VALUES ('delete-all');
"""
_NEW = {"passage_id": "new.id", "text": "new.text", "document_id": "new.document_id"}

SQLITE_CREATE = (
    """
    CREATE TABLE passages_fts_terms (
        channel_row_id INTEGER NOT NULL,
        term TEXT NOT NULL,
        passage_id INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
        tf INTEGER NOT NULL,
        length INTEGER NOT NULL,
        PRIMARY KEY (channel_row_id, term, passage_id)
    ) WITHOUT ROWID
    """,
    # For the cascade: deleting a passage finds its rows without a scan.
    "CREATE INDEX ix_passages_fts_terms_passage_id ON passages_fts_terms (passage_id)",
    """
    CREATE VIRTUAL TABLE passages_fts_tokenizer USING fts5(
        text, content='', tokenize='porter unicode61'
    )
    """,
    """
    CREATE VIRTUAL TABLE passages_fts_tokenizer_instance
    USING fts5vocab(passages_fts_tokenizer, instance)
    """,
    # The passages stored so far, from the FTS5 index (one pass over it).
    "CREATE VIRTUAL TABLE temp.passages_fts_backfill USING fts5vocab(main, passages_fts, instance)",
    """
    INSERT INTO passages_fts_terms (channel_row_id, term, passage_id, tf, length)
    SELECT d.channel_row_id, i.term, i.doc, count(*), sum(count(*)) OVER (PARTITION BY i.doc)
    FROM temp.passages_fts_backfill AS i
    JOIN passages AS p ON p.id = i.doc
    JOIN documents AS d ON d.id = p.document_id
    GROUP BY i.doc, i.term
    """,
    "DROP TABLE temp.passages_fts_backfill",
    "CREATE TRIGGER passages_fts_terms_insert AFTER INSERT ON passages BEGIN"
    + _INDEX_PASSAGE.format(**_NEW)
    + "END",
    "CREATE TRIGGER passages_fts_terms_update AFTER UPDATE OF text, document_id ON passages BEGIN"
    " DELETE FROM passages_fts_terms WHERE passage_id = old.id;"
    + _INDEX_PASSAGE.format(**_NEW)
    + "END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS passages_fts_terms_update",
    "DROP TRIGGER IF EXISTS passages_fts_terms_insert",
    "DROP TABLE IF EXISTS passages_fts_tokenizer_instance",
    "DROP TABLE IF EXISTS passages_fts_tokenizer",
    "DROP INDEX IF EXISTS ix_passages_fts_terms_passage_id",
    "DROP TABLE IF EXISTS passages_fts_terms",
)


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_CREATE:
            op.execute(statement)
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
        for statement in SQLITE_DROP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_VECTOR_INDEX}")
        op.execute(f"ALTER TABLE passages DROP COLUMN IF EXISTS {SEARCH_VECTOR_COLUMN}")
