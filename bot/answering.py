"""Answering a question for one channel, from that channel's documents only.

No Slack here: the listeners decide where the answer goes. Sessions are short and never
held while the model reads (SQLite serialises writers across processes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.feedback import FeedbackService
from bot.storage import count_documents, get_document, make_ranker
from qa_engine.engine import QAEngine
from qa_engine.types import AnswerResult

logger = logging.getLogger(__name__)

NO_DOCUMENTS_REASON = "This channel has no context documents yet."


@dataclass(frozen=True)
class ChannelAnswer:
    """The engine's result, plus what the reply needs to know about the channel."""

    result: AnswerResult
    has_documents: bool
    permalinks: Mapping[str, str] = field(default_factory=dict)
    """Source document id → link to the Slack message it came from, where there is one."""


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

        calibration = self._feedback.calibration(team_id=team_id, channel_id=channel_id)
        ranker = make_ranker(self._session_factory, team_id=team_id, channel_id=channel_id)
        result = self._engine.answer(
            question, ranker=ranker, top_k=top_k, threshold=calibration.threshold
        )
        permalinks = self._permalinks(team_id, channel_id, result)
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
        return ChannelAnswer(result=result, has_documents=True, permalinks=permalinks)

    def _permalinks(self, team_id: str, channel_id: str, result: AnswerResult) -> dict[str, str]:
        ids = {a.document_id for a in result.answers if a.document_id.isdigit()}
        if not ids:
            return {}
        links: dict[str, str] = {}
        with self._session_factory() as session:
            for document_id in ids:
                document = get_document(
                    session=session,
                    team_id=team_id,
                    channel_id=channel_id,
                    document_id=int(document_id),
                )
                if document is not None and document.permalink:
                    links[document_id] = document.permalink
        return links
