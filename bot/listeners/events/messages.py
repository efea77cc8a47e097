"""`message.channels` / `message.groups`: questions nobody addressed to qabot.

Two kinds are answered without a mention (see `bot.unprompted`): a new question in a
thread qabot answered in, and, in a channel with `/context autoanswer on`, a top-level
question. Everything else — bots (qabot included), edits and deletions, joins and other
subtypes, and messages that mention someone (a mention of qabot arrives as `app_mention`
too, and is answered there) — is acknowledged and left alone, with nothing written.

As for mentions, the job and the event's dedupe claim are written in a listener
middleware, before Bolt acknowledges the event.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, BoltResponse

from bot.listeners.internals import (
    ACCEPTED,
    accept_answer,
    before_ack,
    run_event_work,
    team_of,
    text_of,
)
from bot.unprompted import ChannelMessage

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

CHANNEL_TYPES = frozenset({"channel", "group"})
"""Public and private channels; direct messages are not this listener's."""
PERSON_SUBTYPES = frozenset({None, "thread_broadcast"})
"""A person's new message ("also send to channel" replies included); every other subtype is
an edit, a deletion, a bot, a join, a topic change…"""
_MENTION = re.compile(r"<[@!]")  # a user, @here, @channel: the message is for someone


def in_a_channel(event: dict[str, Any]) -> bool:
    """Bolt matcher: the message events this listener takes (channel and group messages)."""
    return event.get("channel_type") in CHANNEL_TYPES


def channel_message(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext
) -> ChannelMessage | None:
    """A person's new message, addressed to nobody; None for everything else."""
    if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id"):
        return None
    user, channel_id = event.get("user"), event.get("channel")
    if not isinstance(user, str) or not user or user == context.bot_user_id:
        return None
    if not isinstance(channel_id, str) or not channel_id or not event.get("ts"):
        return None
    if _MENTION.search(event.get("text") or ""):
        return None
    return ChannelMessage(
        team_id=team_of(context),
        channel_id=channel_id,
        ts=event["ts"],
        thread_ts=event.get("thread_ts") or None,
        text=text_of(event),
        event_id=body.get("event_id") or None,
    )


def accept_message(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    *,
    services: Services,
) -> BoltResponse | None:
    """Before Bolt acknowledges the event: record the answer job, if qabot should answer
    (reading the channel's settings is part of that: a database failure is a 500 too)."""
    message = channel_message(body, event, context)

    def record() -> None:
        if message is None:
            return
        request = services.unprompted.request_for(message)
        if request is not None:
            context[ACCEPTED] = accept_answer(services, request)

    return before_ack(body, next, record)


def handle_message(body: dict[str, Any], context: BoltContext, *, services: Services) -> None:
    run_event_work(body, context, services)
