"""Votes on answers, and the no-answer threshold they set for their channel.

No Slack here: the 👍/👎 buttons record through `FeedbackService.record`, answering asks
it for the channel's threshold, and `/context stats` for the figures behind it. The rule
itself is the pure `bot.calibration.calibrate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.calibration import Calibration, Vote, calibrate
from bot.storage import channel_votes, count_documents, record_feedback


@dataclass(frozen=True)
class ChannelStats:
    """What `/context stats` shows."""

    documents: int
    calibration: Calibration


class FeedbackService:
    """Stores votes and calibrates each channel's threshold from them."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        default_threshold: float,
        target_precision: float,
    ):
        self._session_factory = session_factory
        self.default_threshold = default_threshold
        """`QA_NO_ANSWER_THRESHOLD`: in force until a channel's votes are enough."""
        self.target_precision = target_precision
        """`QA_TARGET_PRECISION`."""

    def record(
        self,
        *,
        team_id: str,
        channel_id: str,
        message_ts: str,
        user_id: str,
        question: str,
        answer: str,
        document_id: int | None,
        confidence: float | None,
        helpful: bool,
    ) -> None:
        """Store the user's vote on the answer in `message_ts` (replacing their earlier one)."""
        with self._session_factory.begin() as session:
            record_feedback(
                session=session,
                team_id=team_id,
                channel_id=channel_id,
                message_ts=message_ts,
                user_id=user_id,
                question=question,
                answer=answer,
                document_id=document_id,
                confidence=confidence,
                helpful=helpful,
            )

    def calibration(self, *, team_id: str, channel_id: str) -> Calibration:
        """The threshold in force in the channel, and why."""
        with self._session_factory() as session:
            votes = channel_votes(session=session, team_id=team_id, channel_id=channel_id)
        return self._calibrate(votes)

    def stats(self, *, team_id: str, channel_id: str) -> ChannelStats:
        with self._session_factory() as session:
            documents = count_documents(session=session, team_id=team_id, channel_id=channel_id)
            votes = channel_votes(session=session, team_id=team_id, channel_id=channel_id)
        return ChannelStats(documents=documents, calibration=self._calibrate(votes))

    def _calibrate(self, votes: Sequence[Vote]) -> Calibration:
        return calibrate(votes, default=self.default_threshold, target=self.target_precision)
