"""Answering a question for one channel, from that channel's documents only.

No Slack here: the listeners decide where the answer goes. Sessions are short and never
held while the model reads (SQLite serialises writers across processes).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.rendering import Sources
from bot.storage import count_documents, documents_by_id, make_ranker
from qa_engine.engine import QAEngine
from qa_engine.types import AnswerResult

logger = logging.getLogger(__name__)

NO_DOCUMENTS_REASON = "This channel has no context documents yet."


@dataclass(frozen=True)
class ChannelAnswer:
    """The engine's result, plus what the reply needs to know about the channel."""

    result: AnswerResult
    has_documents: bool
    sources: Sources = field(default_factory=Sources)
    """The answers' documents as people know them: numbers, links to their messages."""


class ChannelAnswerer:
    """Runs the engine over one channel's stored passages (team id + channel id scoped)."""

    def __init__(self, *, engine: QAEngine, session_factory: sessionmaker[Session]):
        self._engine = engine
        self._session_factory = session_factory

    def answer(
        self, *, team_id: str, channel_id: str, question: str, top_k: int | None = None
    ) -> ChannelAnswer:
        """Answer `question` from the channel's documents.

        Blocks until the model is loaded when warm-up is still running; raises whatever
        the model or the database raise (the caller apologises and logs).
        """
        started = time.monotonic()
        with self._session_factory() as session:
            documents = count_documents(session=session, team_id=team_id, channel_id=channel_id)
        if documents == 0:
            result = AnswerResult(question, (), 0, NO_DOCUMENTS_REASON)
            return ChannelAnswer(result=result, has_documents=False)

        ranker = make_ranker(self._session_factory, team_id=team_id, channel_id=channel_id)
        result = self._engine.answer(question, ranker=ranker, top_k=top_k)
        sources = self._sources(team_id, channel_id, result)
        logger.info(
            "answered in channel %s: %d answer(s) from %d passage(s) in %.0f ms",
            channel_id,
            len(result.answers),
            result.passages_read,
            (time.monotonic() - started) * 1000,
        )
        return ChannelAnswer(result=result, has_documents=True, sources=sources)

    def _sources(self, team_id: str, channel_id: str, result: AnswerResult) -> Sources:
        ids = sorted({int(a.document_id) for a in result.answers if a.document_id.isdigit()})
        if not ids:
            return Sources()
        with self._session_factory() as session:
            documents = documents_by_id(
                session=session, team_id=team_id, channel_id=channel_id, ids=ids
            )
        return Sources(
            numbers={str(i): d.number for i, d in documents.items()},
            permalinks={str(i): d.permalink for i, d in documents.items() if d.permalink},
        )
