"""👍/👎 on an answer store feedback (which calibrates the channel's threshold); "More
answers" shows the next best ones.

An answer lives either in a thread (a mention) or in an ephemeral message (`/ask`);
replies go to the same place: the thread, or the asker alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import rendering
from bot.jobs import AnswerRequest, Destination
from bot.listeners.internals import (
    NOT_SAVED,
    Origin,
    origin_of,
    queue_work,
    respond_privately,
    tell_privately,
)
from bot.storage import JobKind

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Press:
    """A click on a button under an answer, and where replies to it go."""

    origin: Origin
    message_ts: str
    """The message with the button."""
    thread_ts: str | None
    """The answer's thread; None when the answer is ephemeral (reply through response_url)."""


def pressed(body: dict[str, Any], context: BoltContext) -> Press:
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    origin = origin_of(body, context, channel_id=channel_id)
    thread_ts = None
    if not container.get("is_ephemeral"):
        thread_ts = message.get("thread_ts") or message.get("ts", "")
    return Press(origin, message.get("ts") or container.get("message_ts", ""), thread_ts)


def handle_feedback(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    ack()
    press = pressed(body, context)
    helpful = action.get("action_id") == rendering.FEEDBACK_UP_ACTION
    voted = rendering.voted_answer(action.get("value"))
    try:
        services.feedback.record(
            team_id=press.origin.team_id,
            channel_id=press.origin.channel_id,
            message_ts=press.message_ts,
            user_id=press.origin.user_id,
            question=voted.question,
            answer=voted.answer,
            document_id=voted.document_id,
            confidence=voted.confidence,
            helpful=helpful,
        )
        reply = rendering.notice(
            "Thanks! I noted that this answer "
            + ("helped." if helpful else "didn't help. Adding better context fixes that.")
        )
    except Exception:
        logger.exception("storing feedback in channel %s failed", press.origin.channel_id)
        reply = rendering.notice("Sorry, I couldn't save your feedback. Please try again later.")
    if press.thread_ts is None:
        _respond_privately(respond, reply)
    else:
        tell_privately(client, press.origin, reply, thread_ts=press.thread_ts)


def handle_more_answers(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    question = str(rendering.decode_value(action.get("value")).get("q", "")).strip()
    if not question:
        ack()
        return
    press = pressed(body, context)
    response_url = body.get("response_url") or None
    if press.thread_ts is None:  # the answer is ephemeral: so are the others
        destination = Destination(
            channel_id=press.origin.channel_id,
            response_url=response_url,
            ephemeral_user=None if response_url else press.origin.user_id,
        )
    else:
        destination = Destination(channel_id=press.origin.channel_id, thread_ts=press.thread_ts)
    request = AnswerRequest(
        team_id=press.origin.team_id,
        channel_id=press.origin.channel_id,
        question=question,
        destination=destination,
        more=True,
    )
    queued = queue_work(
        services,
        kind=JobKind.ANSWER,
        team_id=request.team_id,
        channel_id=request.channel_id,
        payload=request.to_json(),
    )
    ack()
    if not queued:
        _respond_privately(respond, rendering.notice(NOT_SAVED))


def _respond_privately(respond: Respond, message: rendering.Message) -> None:
    """A new ephemeral reply beside the answer; if even that fails, the log is all that's left."""
    try:
        respond_privately(respond, message, replace_original=False)
    except Exception:
        logger.exception("replying through response_url failed")
