"""The "Save as answer" message shortcut: a reply in a thread becomes the FAQ answer to
the thread's first message.

The listener only checks the reply and records the job; the job reads the question from
the thread (`conversations.replies`), stores the entry and says so in the thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond

from bot import rendering
from bot.jobs import AddRequest, AnswerToSave
from bot.listeners.internals import (
    NOT_SAVED,
    origin_of,
    private_destination,
    queue_adds,
    respond_privately,
    text_of,
)
from bot.saved_answers import NO_ANSWER

if TYPE_CHECKING:
    from bot.services import Services


def handle_save_as_answer(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    message = body.get("message") or {}
    origin = origin_of(body, context)
    thread_ts, ts = message.get("thread_ts"), message.get("ts")
    refusal = None
    if not thread_ts or not ts or thread_ts == ts or not origin.channel_id:
        refusal = rendering.SAVE_AS_ANSWER_HOW_TO
    elif not text_of(message):
        refusal = NO_ANSWER
    else:
        problem = services.ingestor.check(str(message.get("text") or ""))  # as Slack sent it
        refusal = rendering.escape(problem) if problem else None
    if refusal is not None:
        ack()
        respond_privately(respond, rendering.notice(refusal))
        return
    add = AddRequest.for_answer(
        team_id=origin.team_id,
        channel_id=origin.channel_id,
        added_by=origin.user_id,
        answer=AnswerToSave(answer=text_of(message), thread_ts=thread_ts, answer_ts=ts),
        destination=private_destination(origin, body.get("response_url") or None),
    )
    queued = queue_adds(services, [add])  # recorded before the ack
    ack()
    if not queued:
        respond_privately(respond, rendering.notice(NOT_SAVED))
