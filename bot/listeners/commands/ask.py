"""`/ask <question>`: the same answer as a mention, shown only to the person asking."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext

from bot import rendering
from bot.jobs import AnswerRequest, Destination
from bot.listeners.internals import NOT_SAVED, queue_work, team_of, text_of
from bot.storage import JobKind

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


def handle_ask(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    *,
    services: Services,
) -> None:
    question = text_of(command)
    if not question:
        example = "Ask a question after the command, e.g. `/ask where is the wiki?`"
        ack(**rendering.notice(example).as_kwargs())
        return
    channel_id = command["channel_id"]
    response_url = command.get("response_url") or None
    request = AnswerRequest(
        team_id=team_of(context),
        channel_id=channel_id,
        question=question,
        destination=Destination(
            channel_id=channel_id,
            response_url=response_url,
            ephemeral_user=None if response_url else command.get("user_id"),
        ),
    )
    # Recorded before the ack (Slack never retries a command): the job answers.
    queued = queue_work(
        services,
        kind=JobKind.ANSWER,
        team_id=request.team_id,
        channel_id=channel_id,
        payload=request.to_json(),
    )
    if queued:
        ack()
    else:
        ack(**rendering.notice(NOT_SAVED).as_kwargs())
