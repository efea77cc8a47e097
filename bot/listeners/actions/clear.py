"""The buttons under `/context clear`'s question: remove everything, or never mind."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond

from bot import rendering
from bot.listeners.internals import origin_of, respond_privately
from bot.storage import clear_channel

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


def handle_clear_confirm(
    ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext, *, services: Services
) -> None:
    ack()
    origin = origin_of(body, context)
    channel_id = origin.channel_id or context.channel_id
    if not channel_id:
        return
    try:
        with services.session_factory.begin() as session:
            removed = clear_channel(session=session, team_id=origin.team_id, channel_id=channel_id)
    except Exception:
        logger.exception("clearing channel %s failed", channel_id)
        message = rendering.notice(
            "Sorry, I couldn't clear this channel's context. Nothing changed."
        )
    else:
        logger.info("cleared channel %s: %d document(s)", channel_id, removed)
        message = rendering.cleared_message(removed)
    respond_privately(respond, message, replace_original=True)


def handle_clear_cancel(ack: Ack, respond: Respond) -> None:
    ack()
    respond(delete_original=True)
