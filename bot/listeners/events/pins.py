"""Slack's own pins: pinning a message adds it to the channel's context, unpinning removes it.

The `pin_added` event carries the pinned message (text and ts), so no history scope is
needed. A pinned file or a message without text is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, BoltResponse

from bot.ingestion import DocumentIngestor, NewDocument
from bot.jobs import AddRequest, Destination
from bot.jobs.intake import Accepted, accept_work
from bot.listeners.events.mentions import ACCEPTED
from bot.listeners.internals import before_ack, run_accepted, team_of, text_of
from bot.storage import DocumentSource, JobKind, remove_documents_by_source_ts

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


def _pinned_message(event: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(channel id, message) of a pinned/unpinned message; None for files and the like."""
    item = event.get("item") or {}
    message = item.get("message") or {}
    channel_id = event.get("channel_id") or item.get("channel")
    if item.get("type") != "message" or not channel_id or not message.get("ts"):
        return None
    return channel_id, message


def pin_request(
    event: dict[str, Any], context: BoltContext, ingestor: DocumentIngestor
) -> AddRequest | None:
    """The document a `pin_added` event asks for; None for pinned files and the like."""
    pinned = _pinned_message(event)
    if pinned is None:
        return None
    channel_id, message = pinned
    text = text_of(message)
    if not text:
        logger.info("pinned message in %s has no text; not added", channel_id)
        return None
    pinner = event.get("user") or message.get("user") or ""
    document = NewDocument(
        team_id=team_of(context),
        channel_id=channel_id,
        added_by=pinner,
        text=text,
        source=DocumentSource.PIN,
        source_ts=message["ts"],
        permalink=message.get("permalink"),
    )
    return AddRequest(
        document=document,
        destination=Destination(channel_id=channel_id, ephemeral_user=pinner or None),
        # Checked as Slack sent it: a message of NULs is binary, not text.
        refusal=ingestor.check(str(message.get("text") or "")),
    )


def accept_pin(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    *,
    services: Services,
) -> BoltResponse | None:
    """Before Bolt acknowledges the event: record the document to add as a job."""
    request = pin_request(event, context, services.ingestor)

    def record() -> None:
        if request is not None:
            context[ACCEPTED] = accept_work(
                services.session_factory,
                kind=JobKind.ADD_DOCUMENT,
                team_id=request.document.team_id,
                channel_id=request.document.channel_id,
                payload=request.to_json(),
                event_id=body.get("event_id") or None,
            )

    return before_ack(body, next, record)


def handle_pin_added(body: dict[str, Any], context: BoltContext, *, services: Services) -> None:
    accepted: Accepted | None = context.get(ACCEPTED)
    if accepted is not None:
        run_accepted(services, accepted, body.get("event_id", "-"))


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
