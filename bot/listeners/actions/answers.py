"""👍/👎 on an answer store feedback; "More answers" shows the next best ones.

An answer lives either in a thread (a mention) or in an ephemeral message (`/ask`);
replies go to the same place: the thread, or the asker alone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot import rendering
from bot.listeners.internals import (
    apologise_in_thread,
    post_in_thread,
    respond_privately,
    team_of,
)
from bot.storage import record_feedback

if TYPE_CHECKING:
    from bot.app import Services

logger = logging.getLogger(__name__)


def _where(body: dict[str, Any]) -> tuple[str, str, bool]:
    """(channel id, ts of the message with the button, whether that message is ephemeral)."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    message_ts = message.get("ts") or container.get("message_ts", "")
    return channel_id, message_ts, bool(container.get("is_ephemeral"))


def _thread_of(body: dict[str, Any]) -> str:
    message = body.get("message") or {}
    return message.get("thread_ts") or message.get("ts", "")


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
    helpful = action.get("action_id") == rendering.FEEDBACK_UP_ACTION
    vote = rendering.decode_value(action.get("value"))
    channel_id, message_ts, ephemeral = _where(body)
    user_id = (body.get("user") or {}).get("id", "")
    document_id = str(vote.get("d", ""))
    try:
        with services.session_factory.begin() as session:
            record_feedback(
                session=session,
                team_id=team_of(context),
                channel_id=channel_id,
                message_ts=message_ts,
                user_id=user_id,
                question=str(vote.get("q", "")),
                answer=str(vote.get("a", "")),
                document_id=int(document_id) if document_id.isdigit() else None,
                helpful=helpful,
            )
        reply = rendering.notice(
            "Thanks! I noted that this answer "
            + ("helped." if helpful else "didn't help. Adding better context fixes that.")
        )
    except Exception:
        logger.exception("storing feedback in channel %s failed", channel_id)
        reply = rendering.notice("Sorry, I couldn't save your feedback. Please try again later.")
    try:
        if ephemeral:
            respond_privately(respond, reply, replace_original=False)
        else:
            client.chat_postEphemeral(
                channel=channel_id, user=user_id, thread_ts=_thread_of(body), **reply.as_kwargs()
            )
    except Exception:
        logger.exception("acknowledging feedback in channel %s failed", channel_id)


def handle_more_answers(
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
    question = str(rendering.decode_value(action.get("value")).get("q", "")).strip()
    channel_id, _, ephemeral = _where(body)
    if not question:
        return
    services.answer_pool.submit(
        _show_more,
        services,
        client,
        respond,
        team_id=team_of(context),
        channel_id=channel_id,
        question=question,
        thread_ts=None if ephemeral else _thread_of(body),
    )


def _show_more(
    services: Services,
    client: WebClient,
    respond: Respond,
    *,
    team_id: str,
    channel_id: str,
    question: str,
    thread_ts: str | None,
) -> None:
    """Runs on the answer pool: read again and show every answer after the best one."""
    try:
        outcome = services.answerer.answer(
            team_id=team_id, channel_id=channel_id, question=question
        )
        message = rendering.more_answers_message(outcome.result, permalinks=outcome.permalinks)
        if thread_ts is None:
            respond_privately(respond, message, replace_original=False)
        else:
            post_in_thread(client, channel_id=channel_id, thread_ts=thread_ts, message=message)
    except Exception:
        logger.exception("more answers in channel %s failed", channel_id)
        if thread_ts is None:
            try:
                respond_privately(respond, rendering.apology_message(), replace_original=False)
            except Exception:
                logger.exception("apologising through response_url failed too")
        else:
            apologise_in_thread(client, channel_id=channel_id, thread_ts=thread_ts)
