"""Submitting the "Add context" form: validate, close the modal, store, confirm."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot import rendering
from bot.listeners.internals import add_to_context, origin_of, tell_privately
from bot.storage import DocumentSource
from qa_engine.model_loading import ModelLoadError

if TYPE_CHECKING:
    from bot.app import Services

logger = logging.getLogger(__name__)


def _value(view: dict[str, Any], block_id: str, action_id: str) -> str:
    state = view.get("state", {}).get("values", {})
    return (state.get(block_id, {}).get(action_id, {}).get("value") or "").strip()


def modal_channel(view: dict[str, Any]) -> str:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return ""
    return str(metadata.get("channel_id", "")) if isinstance(metadata, dict) else ""


def handle_add_context_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    text = _value(view, rendering.MODAL_BODY_BLOCK, rendering.MODAL_BODY_INPUT)
    if not text:
        ack(response_action="errors", errors={rendering.MODAL_BODY_BLOCK: "Write the text to add."})
        return
    ack()
    origin = origin_of(body, context, channel_id=modal_channel(view))
    if not origin.channel_id:
        logger.error("add-context form submitted without a channel in private_metadata")
        return
    # Modal input is plain text: no Slack markup to undo.
    title = _value(view, rendering.MODAL_TITLE_BLOCK, rendering.MODAL_TITLE_INPUT) or None
    try:
        document = add_to_context(
            services, client, origin, text=text, source=DocumentSource.MODAL, title=title
        )
    except ModelLoadError as error:
        reply = rendering.failure_message(error)
    else:
        if document is None:
            reply = rendering.notice(
                "Sorry, I couldn't add that text. Please try again in a minute."
            )
        else:
            reply = rendering.added_message(document)
    tell_privately(client, origin, reply)
