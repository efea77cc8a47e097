"""Answering a question for one channel, from that channel's documents only.

No Slack here: the listeners decide where the answer goes. Sessions are short and never
held while the model reads (SQLite serialises writers across processes).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.feedback import FeedbackService
from bot.questions import is_short_followup, with_earlier_question
from bot.rendering import Sources
from bot.storage import (
    count_documents,
    documents_by_id,
    make_ranker,
    remember_thread,
    thread_first_question,
)
from qa_engine.engine import QAEngine
from qa_engine.types import AnswerResult, PassageRanker

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
    """Runs the engine over one channel's stored passages (team id + channel id scoped),
    with the channel's no-answer threshold (calibrated from its votes once they suffice)."""

    def __init__(
        self,
        *,
        engine: QAEngine,
        session_factory: sessionmaker[Session],
        feedback: FeedbackService,
    ):
        self._engine = engine
        self._session_factory = session_factory
        self._feedback = feedback

    def answer(
        self,
        *,
        team_id: str,
        channel_id: str,
        question: str,
        top_k: int | None = None,
        thread_ts: str | None = None,
    ) -> ChannelAnswer:
        """Answer `question` from the channel's documents.

        Asked in a thread qabot answered in (`thread_ts`), a short follow-up that shares
        no word with the documents is read together with the thread's first question.
        Blocks until the model is loaded when warm-up is still running; raises whatever
        the model or the database raise (the caller apologises and logs).
        """
        started = time.monotonic()
        with self._session_factory() as session:
            documents = count_documents(session=session, team_id=team_id, channel_id=channel_id)
        if documents == 0:
            result = AnswerResult(question, (), 0, NO_DOCUMENTS_REASON)
            return ChannelAnswer(result=result, has_documents=False)

        calibration = self._feedback.calibration(team_id=team_id, channel_id=channel_id)
        ranker = make_ranker(self._session_factory, team_id=team_id, channel_id=channel_id)
        if thread_ts is not None:
            question = self._in_thread(team_id, channel_id, thread_ts, question, ranker)
        result = self._engine.answer(
            question, ranker=ranker, top_k=top_k, threshold=calibration.threshold
        )
        sources = self._sources(team_id, channel_id, result)
        logger.info(
            "answered in channel %s: %d answer(s) from %d passage(s) at threshold %.3f (%s) "
            "in %.0f ms",
            channel_id,
            len(result.answers),
            result.passages_read,
            calibration.threshold,
            calibration.basis,
            (time.monotonic() - started) * 1000,
        )
        return ChannelAnswer(result=result, has_documents=True, sources=sources)

    def remember_thread(
        self, *, team_id: str, channel_id: str, thread_ts: str, question: str
    ) -> None:
        """Note that qabot answered `question` in the thread: later questions there are
        follow-ups (answered without a mention, and may borrow the first question)."""
        with self._session_factory.begin() as session:
            remember_thread(
                session=session,
                team_id=team_id,
                channel_id=channel_id,
                thread_ts=thread_ts,
                question=question,
            )

    def _in_thread(
        self, team_id: str, channel_id: str, thread_ts: str, question: str, ranker: PassageRanker
    ) -> str:
        """`question`, or the thread's first question with it when it can't stand alone."""
        if not is_short_followup(question) or _matches_any_passage(ranker, question):
            return question
        with self._session_factory() as session:
            earlier = thread_first_question(
                session=session, team_id=team_id, channel_id=channel_id, thread_ts=thread_ts
            )
        if not earlier:
            return question
        logger.info("follow-up in channel %s read with its thread's first question", channel_id)
        return with_earlier_question(question, earlier)

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


def _matches_any_passage(ranker: PassageRanker, question: str) -> bool:
    # Rankers score a passage above 0 only when it shares a content word with the question.
    return any(ranked.score > 0 for ranked in ranker.rank(question, 1))
