"""Threads qabot answered in, and each one's first question (for follow-ups)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.internals import channel_row_id, get_or_create_channel
from bot.storage.models import AnsweredThread


def _find(*, session: Session, channel_row: int, thread_ts: str) -> AnsweredThread | None:
    return session.scalar(
        select(AnsweredThread).where(
            AnsweredThread.channel_row_id == channel_row, AnsweredThread.thread_ts == thread_ts
        )
    )


def remember_thread(
    *, session: Session, team_id: str, channel_id: str, thread_ts: str, question: str
) -> None:
    """Record that qabot answered `question` in the thread; the first question stays.

    A thread first recorded without a question (a bare mention) takes the first real one.
    """
    channel = get_or_create_channel(session=session, team_id=team_id, channel_id=channel_id)
    thread = _find(session=session, channel_row=channel.id, thread_ts=thread_ts)
    if thread is None:
        try:
            # A savepoint: two answers in one thread finishing at once may race to insert.
            with session.begin_nested():
                session.add(
                    AnsweredThread(
                        channel_row_id=channel.id, thread_ts=thread_ts, first_question=question
                    )
                )
            return
        except IntegrityError:
            thread = _find(session=session, channel_row=channel.id, thread_ts=thread_ts)
            if thread is None:
                raise
    if not thread.first_question and question:
        thread.first_question = question


def thread_first_question(
    *, session: Session, team_id: str, channel_id: str, thread_ts: str
) -> str | None:
    """The first question qabot answered in the thread ("" if none was asked); None when
    qabot never answered there."""
    return session.scalar(
        select(AnsweredThread.first_question).where(
            AnsweredThread.channel_row_id == channel_row_id(team_id, channel_id).scalar_subquery(),
            AnsweredThread.thread_ts == thread_ts,
        )
    )
