"""Ranking a channel's stored passages against a question, with the database's own index.

Both rankers score with BM25 counted over the channel's own passages (`bot.storage.bm25`):
on SQLite from the FTS5 index (`bot.storage.fts5_ranker`), on PostgreSQL from a generated
tsvector column with a GIN index (`bot.storage.postgres_ranker`). Neither reads the
channel's passages into Python to answer a question, and another channel's documents never
change a channel's scores.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.storage.fts5_ranker import Fts5PassageRanker
from bot.storage.postgres_ranker import PostgresPassageRanker
from qa_engine.types import PassageRanker


def make_ranker(
    session_factory: sessionmaker[Session], *, team_id: str, channel_id: str
) -> PassageRanker:
    """The ranker for one channel's passages on the session factory's database.

    Raises `ValueError` for a database qabot has no full-text index for (its migrations
    create one on SQLite and PostgreSQL only).
    """
    with session_factory() as session:
        dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return Fts5PassageRanker(session_factory, team_id=team_id, channel_id=channel_id)
    if dialect == "postgresql":
        return PostgresPassageRanker(session_factory, team_id=team_id, channel_id=channel_id)
    raise ValueError(f"qabot can rank passages on SQLite and PostgreSQL, not on {dialect}")
