"""BM25 over one channel's passages, computed in SQL from that channel's statistics alone.

A word's weight (its IDF), the number of passages and their average length are all counted
over the channel's own passages, so adding documents to another channel never changes
this channel's scores, and the engine's confidences (which soften these scores into
P(passage | question)) mean the same in a busy database as in an empty one. The formula is
the engine's own (`qa_engine.retrieval`), so stored and ad-hoc documents score alike.

Each database supplies the three things that depend on its full-text index (see
`bot.storage.fts5_ranker` and `bot.storage.postgres_ranker`): the question's index terms,
the channel's passage count and average length, and the *hits* — one row per (passage of
the channel, question term it contains) with the term's frequency in the passage and the
passage's length. Everything else, including the final ordering and limit, happens here
and in the database; only the top `limit` passages are read back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Float, Subquery, case, cast, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.documents import channel_passages, engine_passage
from bot.storage.internals import find_channel
from bot.storage.models import Document, Passage
from qa_engine.retrieval import BM25_B, BM25_K1, bm25_idf, question_terms
from qa_engine.types import RankedPassage

HIT_COLUMNS = ("term", "passage_id", "tf", "length")
"""The columns of a hits subquery, in this order."""


@dataclass(frozen=True, slots=True)
class ChannelStatistics:
    passages: int
    average_length: float
    """Mean passage length in index terms (each database counts them its own way)."""


class ChannelBM25Ranker(ABC):
    """A `PassageRanker` over one channel's stored passages, scored by per-channel BM25.

    Passages that share no term with the question score 0.0. When the channel has no more
    than `limit` passages, all of them are returned (matches first, then the rest in
    document order): reading them all costs no more, and the model may find an answer that
    shares no word with the question.
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
        words = question_terms(question)
        with self._session_factory.begin() as session:
            channel = find_channel(
                session=session, team_id=self._team_id, channel_id=self._channel_id
            )
            if channel is None:
                return []
            statistics = self.statistics(session, channel.id)
            if statistics.passages == 0:
                return []
            terms = self.index_terms(session, words) if words else []
            matches = (
                rank_hits(session, self.hits(channel.id, terms), statistics, limit)
                if terms
                else []
            )
            if statistics.passages > limit:
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

    @abstractmethod
    def index_terms(self, session: Session, words: Sequence[str]) -> list[str]:
        """The question's content words as the index stores them (stemmed), distinct."""

    @abstractmethod
    def statistics(self, session: Session, channel_row_id: int) -> ChannelStatistics:
        """Passage count and average length over the channel's passages only."""

    @abstractmethod
    def hits(self, channel_row_id: int, terms: Sequence[str]) -> Subquery:
        """A subquery with `HIT_COLUMNS`: one row per channel passage and question term in it."""


def rank_hits(
    session: Session, hits: Subquery, statistics: ChannelStatistics, limit: int
) -> list[RankedPassage]:
    """The `limit` best passages among `hits`, by BM25 with the channel's statistics.

    Two statements: the document frequencies (one row per question term), whose IDFs are
    computed here so every database uses the same formula, then the scores, summed, sorted
    and limited in the database.
    """
    frequencies = session.execute(select(hits.c.term, func.count()).group_by(hits.c.term)).all()
    if not frequencies:
        return []
    idf = {term: bm25_idf(statistics.passages, count) for term, count in frequencies}
    tf = cast(hits.c.tf, Float)
    length_ratio = cast(hits.c.length, Float) / (statistics.average_length or 1.0)
    term_score = (
        case(idf, value=hits.c.term, else_=0.0)
        * tf
        * (BM25_K1 + 1)
        / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length_ratio))
    )
    scores = (
        select(hits.c.passage_id, func.sum(term_score).label("score"))
        .group_by(hits.c.passage_id)
        .subquery("scores")
    )
    rows = session.execute(
        select(Passage, Document.title, scores.c.score)
        .join(scores, scores.c.passage_id == Passage.id)
        .join(Passage.document)
        .order_by(scores.c.score.desc(), Passage.document_id, Passage.index)
        .limit(limit)
    )
    return [
        RankedPassage(engine_passage(passage, title), float(score))
        for passage, title, score in rows
    ]
