"""The "Add to channel context" message shortcut: the message, and each file shared in
it, become documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond

from bot import rendering
from bot.ingestion import NewDocument
from bot.jobs import AddRequest
from bot.listeners.internals import (
    NOT_SAVED,
    file_requests,
    origin_of,
    private_destination,
    queue_adds,
    respond_privately,
    text_of,
)
from bot.storage import DocumentSource

if TYPE_CHECKING:
    from bot.services import Services


def handle_add_to_context(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    message = body.get("message") or {}
    origin = origin_of(body, context)
    text = text_of(message)
    destination = private_destination(origin, body.get("response_url") or None)
    files = file_requests(message, origin=origin, destination=destination)
    if (not text and not files) or not origin.channel_id:
        ack()
        respond_privately(respond, rendering.notice("That message has no text I could add."))
        return
    problem = services.ingestor.check(str(message.get("text") or "")) if text else None
    if problem is not None:
        ack()
        respond_privately(respond, rendering.notice(rendering.escape(problem)))
        return
    adds = list(files)
    if text:
        document = NewDocument(
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            added_by=origin.user_id,
            text=text,
            source=DocumentSource.SHORTCUT,
            source_ts=message.get("ts"),
            permalink=message.get("permalink"),
        )
        adds.insert(0, AddRequest(document=document, destination=destination))
    # Recorded before the ack; each job confirms once its document is stored.
    queued = queue_adds(services, adds)
    ack()
    if not queued:
        respond_privately(respond, rendering.notice(NOT_SAVED))
