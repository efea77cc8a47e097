"""The "Add to channel context" message shortcut: the message becomes a document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond

from bot import rendering
from bot.ingestion import NewDocument
from bot.jobs import AddRequest, Destination
from bot.listeners.internals import NOT_SAVED, origin_of, queue_work, respond_privately, text_of
from bot.storage import DocumentSource, JobKind

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
    if not text or not origin.channel_id:
        ack()
        respond_privately(respond, rendering.notice("That message has no text I could add."))
        return
    problem = services.ingestor.check(str(message.get("text") or ""))  # as Slack sent it
    if problem is not None:
        ack()
        respond_privately(respond, rendering.notice(rendering.escape(problem)))
        return
    response_url = body.get("response_url") or None
    add = AddRequest(
        document=NewDocument(
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            added_by=origin.user_id,
            text=text,
            source=DocumentSource.SHORTCUT,
            source_ts=message.get("ts"),
            permalink=message.get("permalink"),
        ),
        destination=Destination(
            channel_id=origin.channel_id,
            response_url=response_url,
            ephemeral_user=None if response_url else origin.user_id,
        ),
    )
    # Recorded before the ack; the job confirms once the message is stored.
    queued = queue_work(
        services,
        kind=JobKind.ADD_DOCUMENT,
        team_id=origin.team_id,
        channel_id=origin.channel_id,
        payload=add.to_json(),
    )
    ack()
    if not queued:
        respond_privately(respond, rendering.notice(NOT_SAVED))
