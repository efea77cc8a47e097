"""The "Previous page" / "Next page" buttons under `/context list`: show that page instead."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond

from bot import rendering
from bot.listeners.internals import document_list_page, origin_of, respond_privately

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


def handle_list_page(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    ack()
    origin = origin_of(body, context)
    value = str(action.get("value") or "")
    if not origin.channel_id or not value.isascii() or not value.isdigit() or int(value) < 1:
        return  # not a button we drew; nothing to show
    try:
        message = document_list_page(services, origin, int(value))
    except Exception:
        logger.exception("listing page %s of channel %s failed", value, origin.channel_id)
        message = rendering.notice(
            "Sorry, I couldn't read this channel's documents. Please try again in a minute."
        )
    respond_privately(respond, message, replace_original=True)
