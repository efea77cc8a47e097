"""`/ask <question>`: the same answer as a mention, shown only to the person asking."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond

from bot import rendering
from bot.listeners.internals import respond_privately, team_of, text_of
from qa_engine.model_loading import ModelLoadError

if TYPE_CHECKING:
    from bot.app import Services

logger = logging.getLogger(__name__)


def handle_ask(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    ack()
    question = text_of(command)
    if not question:
        example = "Ask a question after the command, e.g. `/ask where is the wiki?`"
        respond_privately(respond, rendering.notice(example))
        return
    services.answer_pool.submit(
        answer_privately,
        services,
        respond,
        team_id=team_of(context),
        channel_id=command["channel_id"],
        question=question,
    )


def answer_privately(
    services: Services, respond: Respond, *, team_id: str, channel_id: str, question: str
) -> None:
    """Runs on the answer pool: answer, then reply through the command's response_url."""
    try:
        outcome = services.answerer.answer(
            team_id=team_id, channel_id=channel_id, question=question
        )
        message = rendering.answer_message(
            outcome.result, has_documents=outcome.has_documents, permalinks=outcome.permalinks
        )
    except ModelLoadError as error:  # the reason is logged once, at warm-up
        logger.warning("/ask in channel %s not answered: the QA model is unavailable", channel_id)
        message = rendering.failure_message(error)
    except Exception:
        logger.exception("/ask in channel %s failed", channel_id)
        message = rendering.apology_message()
    try:
        respond_privately(respond, message)
    except Exception:
        logger.exception("replying to /ask in channel %s failed", channel_id)
