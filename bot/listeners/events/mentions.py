"""`@qabot <question>` → 👀 on the question, then the answer in its thread.

Bolt acknowledges events itself, so the question is recorded as a job in a listener
middleware, which runs before that acknowledgement: if the database can't take it, Slack
gets a 500 and retries later, instead of an "OK" for work that would be lost. The listener
then shows 👀 and starts the job; the job runner does the reading and the reply
(`bot.jobs.answer`). A redelivered event resumes its job if it isn't finished, and is
otherwise answered once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot import rendering
from bot.jobs import AnswerRequest, Destination
from bot.jobs.answer import WORKING_REACTION
from bot.jobs.delivery import react
from bot.jobs.intake import Accepted
from bot.listeners.internals import ACCEPTED, accept_answer, before_ack, run_accepted, team_of

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

def mention_request(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext
) -> AnswerRequest:
    message_ts = event["ts"]
    return AnswerRequest(
        team_id=team_of(context),
        channel_id=event["channel"],
        question=rendering.strip_mention(event.get("text") or "", context.bot_user_id),
        destination=Destination(
            channel_id=event["channel"],
            thread_ts=event.get("thread_ts") or message_ts,
            reaction_ts=message_ts,
        ),
        event_id=body.get("event_id") or None,
    )


def accept_mention(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    *,
    services: Services,
) -> BoltResponse | None:
    request = mention_request(body, event, context)

    def record() -> None:
        context[ACCEPTED] = accept_answer(services, request)

    return before_ack(body, next, record)


def handle_app_mention(
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    accepted: Accepted | None = context.get(ACCEPTED)
    if accepted is None:
        return
    if accepted.first and (event.get("text") or "").strip():
        react(client, event["channel"], event["ts"], WORKING_REACTION, add=True)
    run_accepted(services, accepted, body.get("event_id", "-"))
