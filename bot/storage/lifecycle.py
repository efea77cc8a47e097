"""What happens to stored data as a workspace or a channel comes and goes.

Uninstalling qabot (or revoking its bot token) forgets everything of that workspace; a
channel qabot was removed from keeps its documents but stops answering until qabot is
invited back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.storage.internals import find_channel, get_or_create_channel
from bot.storage.models import (
    AnsweredThread,
    AssistantThread,
    Channel,
    ChannelSettings,
    Document,
    Feedback,
    HandledEvent,
    Job,
)


@dataclass(frozen=True, slots=True)
class ForgottenWorkspace:
    """How many rows of each kind a workspace left behind (for the log)."""

    documents: int
    feedback: int
    channels: int
    answered_threads: int
    jobs: int
    events: int
    assistant_threads: int


def forget_workspace(*, session: Session, team_id: str) -> ForgottenWorkspace:
    """Delete everything stored for `team_id`: documents with their passages (the database
    cascades to passages, and the triggers to their full-text index rows), feedback, the
    threads qabot answered in, channel settings, channels, jobs (finished or not), handled
    event ids and assistant threads."""
    channels = select(Channel.id).where(Channel.team_id == team_id).scalar_subquery()
    # Bulk deletes, children first: each is one statement however much a workspace stored.
    documents = session.execute(delete(Document).where(Document.channel_row_id.in_(channels)))
    feedback = session.execute(delete(Feedback).where(Feedback.channel_row_id.in_(channels)))
    answered = session.execute(
        delete(AnsweredThread).where(AnsweredThread.channel_row_id.in_(channels))
    )
    session.execute(delete(ChannelSettings).where(ChannelSettings.channel_row_id.in_(channels)))
    channel_rows = session.execute(delete(Channel).where(Channel.team_id == team_id))
    jobs = session.execute(delete(Job).where(Job.team_id == team_id))
    events = session.execute(delete(HandledEvent).where(HandledEvent.team_id == team_id))
    threads = session.execute(delete(AssistantThread).where(AssistantThread.team_id == team_id))
    return ForgottenWorkspace(
        documents=documents.rowcount,
        feedback=feedback.rowcount,
        channels=channel_rows.rowcount,
        answered_threads=answered.rowcount,
        jobs=jobs.rowcount,
        events=events.rowcount,
        assistant_threads=threads.rowcount,
    )


def set_answering(*, session: Session, team_id: str, channel_id: str, answering: bool) -> bool:
    """Turn answering in the channel on or off; True when that changed something."""
    if answering:
        channel = find_channel(session=session, team_id=team_id, channel_id=channel_id)
        if channel is None:  # never stored anything: it answers already
            return False
    else:
        channel = get_or_create_channel(session=session, team_id=team_id, channel_id=channel_id)
    if channel.answering == answering:
        return False
    channel.answering = answering
    session.flush()
    return True


def is_answering(*, session: Session, team_id: str, channel_id: str) -> bool:
    """False only for a channel qabot was removed from (and not invited back to)."""
    answering = session.scalar(
        select(Channel.answering).where(
            Channel.team_id == team_id, Channel.channel_id == channel_id
        )
    )
    return answering is not False
