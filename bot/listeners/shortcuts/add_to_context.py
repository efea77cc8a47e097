"""The "Add to channel context" message shortcut: the message becomes a document."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import rendering
from bot.listeners.internals import permalink_for, respond_privately, store_document, team_of
from bot.storage import DocumentSource

if TYPE_CHECKING:
    from bot.app import Services

logger = logging.getLogger(__name__)


def handle_add_to_context(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    ack()
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id", "")
    text = rendering.plain_text_from_slack(message.get("text") or "").strip()
    if not text or not channel_id:
        respond_privately(respond, rendering.notice("That message has no text I could add."))
        return
    try:
        document = store_document(
            services,
            team_id=team_of(context),
            channel_id=channel_id,
            text=text,
            title=None,
            source=DocumentSource.SHORTCUT,
            added_by=(body.get("user") or {}).get("id", ""),
            source_ts=message.get("ts"),
            permalink=permalink_for(client, channel_id, message["ts"])
            if message.get("ts")
            else None,
        )
    except Exception:
        logger.exception("adding a message to channel %s's context failed", channel_id)
        reply = rendering.notice(
            "Sorry, I couldn't add that message. Please try again in a minute."
        )
    else:
        reply = rendering.added_message(document)
    respond_privately(respond, reply)
