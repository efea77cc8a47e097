"""Slack's own pins: pinning a message adds it to the channel's context, unpinning removes it.

The `pin_added` event carries the pinned message (text and ts), so no history scope is
needed. A pinned file or a message without text is ignored.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot import rendering
from bot.listeners.internals import (
    Origin,
    add_to_context,
    claim_first_delivery,
    team_of,
    tell_privately,
    text_of,
)
from bot.storage import DocumentSource, remove_documents_by_source_ts
from qa_engine.model_loading import ModelLoadError

if TYPE_CHECKING:
    from bot.app import Services

logger = logging.getLogger(__name__)


def _pinned_message(event: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(channel id, message) of a pinned/unpinned message; None for files and the like."""
    item = event.get("item") or {}
    message = item.get("message") or {}
    channel_id = event.get("channel_id") or item.get("channel")
    if item.get("type") != "message" or not channel_id or not message.get("ts"):
        return None
    return channel_id, message


def handle_pin_added(
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    pinned = _pinned_message(event)
    if pinned is None:
        return
    channel_id, message = pinned
    text = text_of(message)
    if not text:
        logger.info("pinned message in %s has no text; not added", channel_id)
        return
    if not claim_first_delivery(services, body.get("event_id")):
        logger.info("event %s was already handled", body.get("event_id"))
        return
    pinner = Origin(team_of(context), channel_id, event.get("user") or message.get("user") or "")
    try:
        document = add_to_context(
            services, client, pinner, text=text, source=DocumentSource.PIN, message=message
        )
    except ModelLoadError as error:
        reply = rendering.failure_message(error)
    else:
        if document is None:
            reply = rendering.notice(
                "Sorry, I couldn't add the pinned message to this channel's context. "
                "Try `/context add` in a minute."
            )
        else:
            reply = rendering.pinned_message(document)
    if pinner.user_id:
        tell_privately(client, pinner, reply)


def handle_pin_removed(event: dict[str, Any], context: BoltContext, *, services: Services) -> None:
    pinned = _pinned_message(event)
    if pinned is None:
        return
    channel_id, message = pinned
    with services.session_factory.begin() as session:
        removed = remove_documents_by_source_ts(
            session=session,
            team_id=team_of(context),
            channel_id=channel_id,
            source_ts=message["ts"],
        )
    logger.info("unpinned message in %s: removed %d document(s)", channel_id, removed)
