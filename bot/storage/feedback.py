"""Users' helpful / not helpful votes on answers: one vote per user per answer message."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.calibration import Vote
from bot.storage.internals import channel_row_id, get_or_create_channel
from bot.storage.models import Feedback


def _find(*, session: Session, channel_row: int, message_ts: str, user_id: str) -> Feedback | None:
    return session.scalar(
        select(Feedback).where(
            Feedback.channel_row_id == channel_row,
            Feedback.message_ts == message_ts,
            Feedback.user_id == user_id,
        )
    )


def record_feedback(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    question: str,
    answer: str,
    document_id: int | None,
    helpful: bool,
    confidence: float | None = None,
) -> None:
    """Record the user's vote on the answer in message `message_ts`, replacing an earlier one.

    `confidence` is the answer's, as shown; None when it isn't known.
    """
    channel = get_or_create_channel(session=session, team_id=team_id, channel_id=channel_id)
    vote = _find(session=session, channel_row=channel.id, message_ts=message_ts, user_id=user_id)
    if vote is None:
        try:
            with session.begin_nested():
                session.add(
                    Feedback(
                        channel_row_id=channel.id,
                        message_ts=message_ts,
                        user_id=user_id,
                        question=question,
                        answer=answer,
                        document_id=document_id,
                        helpful=helpful,
                        confidence=confidence,
                    )
                )
            return
        except IntegrityError:
            # A double click raced us from another process: update its row instead.
            vote = _find(
                session=session, channel_row=channel.id, message_ts=message_ts, user_id=user_id
            )
            if vote is None:
                raise
    vote.question = question
    vote.answer = answer
    vote.document_id = document_id
    vote.helpful = helpful
    vote.confidence = confidence
    session.flush()


def feedback_counts(*, session: Session, team_id: str, channel_id: str) -> tuple[int, int]:
    """(helpful, unhelpful) votes on answers in the channel."""
    rows = session.execute(
        select(Feedback.helpful, func.count())
        .where(Feedback.channel_row_id == channel_row_id(team_id, channel_id).scalar_subquery())
        .group_by(Feedback.helpful)
    )
    counts = {bool(helpful): count for helpful, count in rows}
    return counts.get(True, 0), counts.get(False, 0)


def channel_votes(*, session: Session, team_id: str, channel_id: str) -> list[Vote]:
    """Every vote on answers in the channel (one per user per answer message), for
    calibrating its threshold."""
    rows = session.execute(
        select(Feedback.user_id, Feedback.confidence, Feedback.helpful).where(
            Feedback.channel_row_id == channel_row_id(team_id, channel_id).scalar_subquery()
        )
    )
    return [Vote(user_id, confidence, bool(helpful)) for user_id, confidence, helpful in rows]
