"""Slack's own pins: pinning a message adds it to the channel's context, unpinning removes it.

The `pin_added` event carries the pinned message (text and ts), so no history scope is
needed. A pinned file, and each file shared in a pinned message, becomes a document of its
own (the job downloads it); unpinning removes those too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, BoltResponse

from bot.ingestion import DocumentIngestor, NewDocument
from bot.jobs import AddRequest, Destination
from bot.jobs.intake import Accepted, accept_work
from bot.listeners.internals import ACCEPTED, before_ack, run_accepted, team_of, text_of
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


def _pinned_file_ids(event: dict[str, Any]) -> list[str]:
    """The files a pin event is about: the pinned file, or those shared in the message."""
    item = event.get("item") or {}
    if item.get("type") == "file":
        file_id = (item.get("file") or {}).get("id") or item.get("file_id")
        return [str(file_id)] if file_id else []
    files = (item.get("message") or {}).get("files") or []
    return [str(f["id"]) for f in files if isinstance(f, dict) and f.get("id")]


def pin_request(
    event: dict[str, Any], context: BoltContext, ingestor: DocumentIngestor
) -> AddRequest | None:
    """The document a `pin_added` event's message text asks for; None for pinned files
    and messages without text."""
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


def pin_requests(
    event: dict[str, Any], context: BoltContext, ingestor: DocumentIngestor
) -> list[AddRequest]:
    """Every document a `pin_added` event asks for: the message's text, then its files."""
    item = event.get("item") or {}
    channel_id = event.get("channel_id") or item.get("channel") or ""
    pinner = event.get("user") or (item.get("message") or {}).get("user") or ""
    text = pin_request(event, context, ingestor)
    files = [
        AddRequest.for_file(
            team_id=team_of(context),
            channel_id=channel_id,
            added_by=pinner,
            file_id=file_id,
            destination=Destination(channel_id=channel_id, ephemeral_user=pinner or None),
        )
        for file_id in (_pinned_file_ids(event) if channel_id else [])
    ]
    return ([text] if text else []) + files


def accept_pin(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    *,
    services: Services,
) -> BoltResponse | None:
    """Before Bolt acknowledges the event: record each document to add as a job."""
    event_id = body.get("event_id") or None

    def record() -> None:
        accepted = []
        for index, request in enumerate(pin_requests(event, context, services.ingestor)):
            # One job per document; a redelivered event finds each under its own key.
            key = event_id if index == 0 or event_id is None else f"{event_id}/{index}"
            accepted.append(
                accept_work(
                    services.session_factory,
                    kind=JobKind.ADD_DOCUMENT,
                    team_id=request.document.team_id,
                    channel_id=request.document.channel_id,
                    payload=request.to_json(),
                    event_id=key,
                )
            )
        context[ACCEPTED] = accepted

    return before_ack(body, next, record)


def handle_pin_added(body: dict[str, Any], context: BoltContext, *, services: Services) -> None:
    accepted: list[Accepted] = context.get(ACCEPTED) or []
    for one in accepted:
        run_accepted(services, one, body.get("event_id", "-"))


def handle_pin_removed(event: dict[str, Any], context: BoltContext, *, services: Services) -> None:
    item = event.get("item") or {}
    channel_id = event.get("channel_id") or item.get("channel")
    pinned = _pinned_message(event)
    keys = ([pinned[1]["ts"]] if pinned else []) + _pinned_file_ids(event)
    if not channel_id or not keys:
        return
    removed = 0
    with services.session_factory.begin() as session:
        for key in keys:  # a message's ts, or a file's id
            removed += remove_documents_by_source_ts(
                session=session, team_id=team_of(context), channel_id=channel_id, source_ts=key
            )
    logger.info("unpinned %s in %s: removed %d document(s)", item.get("type"), channel_id, removed)
