"""Ranking a channel's stored passages against a question.

On SQLite, `Fts5PassageRanker` asks the FTS5 index (`porter unicode61` tokenizer, so
"lives" meets "live"), scoring with FTS5's bm25(). Elsewhere `make_ranker` falls back to the
engine's in-memory BM25 over the channel's passages. Both rank on the same question words
(`qa_engine.retrieval.question_terms`), and both return every passage when the channel has
no more than `limit`: reading them all costs no more, and the model may find an answer
that shares no word with the question.
"""

from __future__ import annotations

from sqlalchemy import Integer, column, func, literal_column, select, table
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.documents import channel_passages, engine_passage
from bot.storage.internals import document_in_channel
from bot.storage.models import PASSAGES_FTS_TABLE, Document, Passage
from qa_engine.retrieval import InMemoryBM25Ranker, question_terms
from qa_engine.types import PassageRanker, RankedPassage

_fts = table(PASSAGES_FTS_TABLE, column("rowid", Integer))
# FTS5 names the table itself as the MATCH target and as bm25()'s argument.
_fts_self = literal_column(PASSAGES_FTS_TABLE)


def fts5_match_query(question: str) -> str:
    """An FTS5 MATCH expression OR-ing the question's content words, or "" if it has none.

    Each word is a double-quoted string (quotes doubled inside), so nothing a user types —
    quotes, `*`, `AND`, `NEAR(`, `-`, `:` — is ever read as FTS5 query syntax.
    """
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in question_terms(question))


class Fts5PassageRanker:
    """A `PassageRanker` over one channel's passages in the SQLite FTS5 index.

    Scores are `-bm25()` (FTS5's bm25 is lower-is-better), so higher is more relevant;
    passages that share no word with the question score 0.0. bm25's term statistics come
    from the whole index, not just this channel: how rare a word is counts over every
    channel, so score sizes — and with them the engine's confidences, which soften these
    scores into P(passage | question) — shift a little with other channels' text.
    """

    def __init__(
        self, session_factory: sessionmaker[Session], *, team_id: str, channel_id: str
    ) -> None:
        self._session_factory = session_factory
        self._team_id = team_id
        self._channel_id = channel_id

    def rank(self, question: str, limit: int) -> list[RankedPassage]:
        if limit <= 0:
            return []
        match_query = fts5_match_query(question)
        with self._session_factory.begin() as session:
            total = self._count(session)
            if total == 0:
                return []
            matches = self._match(session, match_query, limit) if match_query else []
            if total > limit:
                return matches
            matched = {ranked.passage for ranked in matches}
            rest = [
                RankedPassage(passage, 0.0)
                for passage in channel_passages(
                    session=session, team_id=self._team_id, channel_id=self._channel_id
                )
                if passage not in matched
            ]
        return matches + rest

    def _count(self, session: Session) -> int:
        count = session.scalar(
            select(func.count())
            .select_from(Passage)
            .join(Passage.document)
            .where(document_in_channel(self._team_id, self._channel_id))
        )
        return count or 0

    def _match(self, session: Session, match_query: str, limit: int) -> list[RankedPassage]:
        bm25 = func.bm25(_fts_self)
        rows = session.execute(
            select(Passage, Document.title, bm25)
            .select_from(_fts)
            .join(Passage, Passage.id == _fts.c.rowid)
            .join(Passage.document)
            .where(
                _fts_self.match(match_query), document_in_channel(self._team_id, self._channel_id)
            )
            .order_by(bm25, Passage.document_id, Passage.index)
            .limit(limit)
        )
        return [
            RankedPassage(engine_passage(passage, title), -float(score))
            for passage, title, score in rows
        ]


def make_ranker(
    session_factory: sessionmaker[Session], *, team_id: str, channel_id: str
) -> PassageRanker:
    """The best ranker the database offers for one channel's passages.

    The in-memory fallback (databases without FTS5) reads the channel's passages now, so
    make one per question.
    """
    with session_factory() as session:
        dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return Fts5PassageRanker(session_factory, team_id=team_id, channel_id=channel_id)
    with session_factory.begin() as session:
        passages = channel_passages(session=session, team_id=team_id, channel_id=channel_id)
    return InMemoryBM25Ranker(passages)
