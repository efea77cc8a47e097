"""Per-channel switches for answering without a mention (`/context followups|autoanswer`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.internals import channel_row_id, get_or_create_channel
from bot.storage.models import ChannelSettings


class ChannelSwitch(StrEnum):
    """A per-channel on/off setting; the value is its `/context` subcommand."""

    FOLLOWUPS = "followups"
    AUTOANSWER = "autoanswer"


@dataclass(frozen=True)
class ChannelOptions:
    """A channel's switches; the defaults are what a channel without a row gets."""

    followups: bool = True
    autoanswer: bool = False

    def get(self, switch: ChannelSwitch) -> bool:
        return bool(getattr(self, switch.value))


def channel_options(*, session: Session, team_id: str, channel_id: str) -> ChannelOptions:
    row = session.scalar(
        select(ChannelSettings).where(
            ChannelSettings.channel_row_id == channel_row_id(team_id, channel_id).scalar_subquery()
        )
    )
    if row is None:
        return ChannelOptions()
    return ChannelOptions(followups=row.followups, autoanswer=row.autoanswer)


def set_channel_switch(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    switch: ChannelSwitch,
    on: bool,
    user_id: str,
) -> ChannelOptions:
    """Turn one switch on or off (the others keep their values); returns the new options."""
    channel = get_or_create_channel(session=session, team_id=team_id, channel_id=channel_id)

    def find() -> ChannelSettings | None:
        return session.scalar(
            select(ChannelSettings).where(ChannelSettings.channel_row_id == channel.id)
        )

    row = find()
    if row is None:
        defaults = ChannelOptions()
        try:
            # A savepoint: two people switching at once may race to insert the row.
            with session.begin_nested():
                row = ChannelSettings(
                    channel_row_id=channel.id,
                    followups=defaults.followups,
                    autoanswer=defaults.autoanswer,
                    updated_by=user_id,
                )
                session.add(row)
        except IntegrityError:
            row = find()
            if row is None:
                raise
    setattr(row, switch.value, on)
    row.updated_by = user_id
    session.flush()
    return ChannelOptions(followups=row.followups, autoanswer=row.autoanswer)
