"""Helpers shared by the storage modules; not part of `bot.storage`'s API."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import Channel, Document


def channel_row_id(team_id: str, channel_id: str) -> Select[tuple[int]]:
    """The row id of a channel, as a subquery for WHERE clauses."""
    return select(Channel.id).where(Channel.team_id == team_id, Channel.channel_id == channel_id)


def document_in_channel(team_id: str, channel_id: str) -> ColumnElement[bool]:
    """WHERE clause: the document belongs to this team's channel."""
    return Document.channel_row_id == channel_row_id(team_id, channel_id).scalar_subquery()


def find_channel(*, session: Session, team_id: str, channel_id: str) -> Channel | None:
    return session.scalar(
        select(Channel).where(Channel.team_id == team_id, Channel.channel_id == channel_id)
    )


def get_or_create_channel(*, session: Session, team_id: str, channel_id: str) -> Channel:
    """The channel's row, inserted the first time anything is stored for it."""
    channel = find_channel(session=session, team_id=team_id, channel_id=channel_id)
    if channel is not None:
        return channel
    try:
        # A savepoint, so losing an insert race to another process leaves the caller's
        # transaction usable.
        with session.begin_nested():
            channel = Channel(team_id=team_id, channel_id=channel_id)
            session.add(channel)
    except IntegrityError:
        channel = find_channel(session=session, team_id=team_id, channel_id=channel_id)
        if channel is None:
            raise
    return channel
