"""The "Add to channel context" message shortcut: the message becomes a document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import rendering
from bot.listeners.internals import add_to_context, origin_of, respond_privately, text_of
from bot.storage import DocumentSource
from qa_engine.model_loading import ModelLoadError

if TYPE_CHECKING:
    from bot.app import Services


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
    origin = origin_of(body, context)
    text = text_of(message)
    if not text or not origin.channel_id:
        respond_privately(respond, rendering.notice("That message has no text I could add."))
        return
    try:
        document = add_to_context(
            services, client, origin, text=text, source=DocumentSource.SHORTCUT, message=message
        )
    except ModelLoadError as error:
        reply = rendering.failure_message(error)
    else:
        if document is None:
            reply = rendering.notice(
                "Sorry, I couldn't add that message. Please try again in a minute."
            )
        else:
            reply = rendering.added_message(document)
    respond_privately(respond, reply)
