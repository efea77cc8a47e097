"""Submitting the "Add context" form: validate, record the job, close the modal."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext

from bot import rendering
from bot.ingestion import NewDocument
from bot.jobs import AddRequest, Destination
from bot.listeners.internals import NOT_SAVED, origin_of, queue_work
from bot.storage import DocumentSource, JobKind

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


def input_value(view: dict[str, Any], block_id: str, action_id: str) -> str:
    state = view.get("state", {}).get("values", {})
    return (state.get(block_id, {}).get(action_id, {}).get("value") or "").strip()


def modal_metadata(view: dict[str, Any], key: str) -> str:
    """One string the form carries in `private_metadata` ("" when it isn't there)."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return ""
    return str(metadata.get(key) or "") if isinstance(metadata, dict) else ""


def modal_channel(view: dict[str, Any]) -> str:
    return modal_metadata(view, "channel_id")


def handle_add_context_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    *,
    services: Services,
) -> None:
    text = input_value(view, rendering.MODAL_BODY_BLOCK, rendering.MODAL_BODY_INPUT)
    # An error ack keeps the form open with the reason under the field; nothing is stored.
    problem = "Write the text to add." if not text else services.ingestor.check(text)
    if problem is not None:
        ack(response_action="errors", errors={rendering.MODAL_BODY_BLOCK: problem})
        return
    origin = origin_of(body, context, channel_id=modal_channel(view))
    if not origin.channel_id:
        logger.error("add-context form submitted without a channel in private_metadata")
        ack()
        return
    # Modal input is plain text: no Slack markup to undo.
    title = input_value(view, rendering.MODAL_TITLE_BLOCK, rendering.MODAL_TITLE_INPUT) or None
    add = AddRequest(
        document=NewDocument(
            team_id=origin.team_id,
            channel_id=origin.channel_id,
            added_by=origin.user_id,
            text=text,
            source=DocumentSource.MODAL,
            title=title,
        ),
        destination=Destination(channel_id=origin.channel_id, ephemeral_user=origin.user_id),
    )
    # Recorded before the ack, which closes the form; the job confirms in the channel.
    queued = queue_work(
        services,
        kind=JobKind.ADD_DOCUMENT,
        team_id=origin.team_id,
        channel_id=origin.channel_id,
        payload=add.to_json(),
    )
    if queued:
        ack()
    else:
        ack(response_action="errors", errors={rendering.MODAL_BODY_BLOCK: NOT_SAVED})
