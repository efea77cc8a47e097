"""`@qabot <question>` → 👀 on the question, then the answer in its thread.

Bolt acks the event before this listener runs. The listener claims the event id in the
database (a retried or twice-delivered event — to this process or another — is answered
once), reacts, and queues the reading on the answer pool. Whatever fails later, the thread
gets an apology and the 👀 goes away.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import rendering
from bot.listeners.internals import (
    apologise_in_thread,
    claim_first_delivery,
    post_in_thread,
    team_of,
)
from qa_engine.model_loading import ModelLoadError

if TYPE_CHECKING:
    from bot.app import Services

logger = logging.getLogger(__name__)

WORKING_REACTION = "eyes"


@dataclass(frozen=True)
class Mention:
    """A question asked by mentioning the bot, and where its answer goes."""

    event_id: str
    team_id: str
    channel_id: str
    question: str
    message_ts: str
    thread_ts: str


def handle_app_mention(
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    services: Services,
) -> None:
    mention = Mention(
        event_id=body.get("event_id", ""),
        team_id=team_of(context),
        channel_id=event["channel"],
        question=rendering.strip_mention(event.get("text") or "", context.bot_user_id),
        message_ts=event["ts"],
        thread_ts=event.get("thread_ts") or event["ts"],
    )
    try:
        first = claim_first_delivery(services, mention.event_id)
    except Exception:
        logger.exception("claiming event %s failed", mention.event_id)
        apologise_in_thread(client, channel_id=mention.channel_id, thread_ts=mention.thread_ts)
        return
    if not first:
        logger.info("event %s was already handled; not answering again", mention.event_id)
        return
    if not mention.question:
        post_in_thread(
            client,
            channel_id=mention.channel_id,
            thread_ts=mention.thread_ts,
            message=rendering.empty_question_message(),
        )
        return
    _react(client, mention, add=True)
    try:
        services.answer_pool.submit(answer_in_thread, services, client, mention)
    except RuntimeError:  # the pool is shutting down
        logger.exception("could not queue event %s", mention.event_id)
        apologise_in_thread(client, channel_id=mention.channel_id, thread_ts=mention.thread_ts)
        _react(client, mention, add=False)


def answer_in_thread(services: Services, client: WebClient, mention: Mention) -> None:
    """Runs on the answer pool: read, reply in the thread, take the 👀 away."""
    started = time.monotonic()
    try:
        outcome = services.answerer.answer(
            team_id=mention.team_id, channel_id=mention.channel_id, question=mention.question
        )
        message = rendering.answer_message(
            outcome.result, has_documents=outcome.has_documents, permalinks=outcome.permalinks
        )
        post_in_thread(
            client, channel_id=mention.channel_id, thread_ts=mention.thread_ts, message=message
        )
    except ModelLoadError as error:  # the reason is logged once, at warm-up
        logger.warning("event %s not answered: the QA model is unavailable", mention.event_id)
        apologise_in_thread(
            client,
            channel_id=mention.channel_id,
            thread_ts=mention.thread_ts,
            message=rendering.failure_message(error),
        )
    except Exception:
        logger.exception(
            "answering event %s in channel %s failed", mention.event_id, mention.channel_id
        )
        apologise_in_thread(client, channel_id=mention.channel_id, thread_ts=mention.thread_ts)
    finally:
        _react(client, mention, add=False)
        logger.info(
            "event %s in channel %s replied in %.0f ms",
            mention.event_id,
            mention.channel_id,
            (time.monotonic() - started) * 1000,
        )


def _react(client: WebClient, mention: Mention, *, add: bool) -> None:
    """Add or remove 👀; a failure here must never stop the answer."""
    call = client.reactions_add if add else client.reactions_remove
    try:
        call(channel=mention.channel_id, timestamp=mention.message_ts, name=WORKING_REACTION)
    except SlackApiError as error:
        logger.warning(
            "reactions.%s in %s failed: %s",
            "add" if add else "remove",
            mention.channel_id,
            error.response.get("error"),
        )
    except Exception:
        logger.exception("reactions call in %s failed", mention.channel_id)
