"""The assistant panel's listeners: thin, like the others. What must not be lost — the
thread's context, a question — is recorded in a listener middleware before Bolt
acknowledges the event; the answer job does the reading and posts the reply in the panel's
thread (with the "Reading #channel's documents…" status meanwhile)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, BoltResponse, Say, SetSuggestedPrompts

from bot import rendering
from bot.assistant import viewed_channel_of
from bot.jobs import AnswerRequest, Destination
from bot.jobs.intake import Accepted
from bot.listeners.events.mentions import ACCEPTED
from bot.listeners.internals import accept_answer, before_ack, run_accepted, team_of, text_of

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

FIRST_DELIVERY = "qabot_first_delivery"
"""Context key: the middleware saw this event for the first time (a retry greets no one)."""


def _thread_of(event: dict[str, Any]) -> dict[str, Any]:
    thread = event.get("assistant_thread")
    return thread if isinstance(thread, dict) else {}


def remember_context(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    *,
    services: Services,
) -> BoltResponse | None:
    """`assistant_thread_started` / `_context_changed`: keep which channel is in view."""
    thread = _thread_of(event)
    channel_id, thread_ts = thread.get("channel_id"), thread.get("thread_ts")

    def record() -> None:
        if isinstance(channel_id, str) and isinstance(thread_ts, str):
            context[FIRST_DELIVERY] = services.panel.remember(
                team_id=team_of(context), channel_id=channel_id, thread_ts=thread_ts,
                context=thread.get("context") or {}, event_id=body.get("event_id") or None,
            )

    return before_ack(body, next, record)


def _first_delivery(body: dict[str, Any], context: BoltContext) -> bool:
    if context.get(FIRST_DELIVERY):
        return True
    logger.info("event %s was already handled; not handling it again", body.get("event_id"))
    return False


def welcome(
    body: dict[str, Any],
    event: dict[str, Any],
    say: Say,
    set_suggested_prompts: SetSuggestedPrompts,
    context: BoltContext,
    *,
    services: Services,
    greet: bool,
) -> None:
    """A thread starts (`greet`: say hello) or the user looks at another channel: offer
    the questions of the channel in view."""
    if not _first_delivery(body, context):
        return
    viewed = viewed_channel_of(_thread_of(event).get("context"))
    if greet:
        say(**rendering.assistant_greeting(viewed).as_kwargs())
    _suggest(services, context, set_suggested_prompts, viewed)


def _suggest(
    services: Services,
    context: BoltContext,
    set_suggested_prompts: SetSuggestedPrompts,
    channel_id: str | None,
) -> None:
    if not channel_id:
        return
    questions = services.panel.suggested_questions(team_id=team_of(context),
                                                   channel_id=channel_id)
    if not questions:
        return
    try:
        set_suggested_prompts(prompts=questions, title="Questions this channel's FAQ answers")
    except Exception as error:
        logger.warning("assistant.threads.setSuggestedPrompts failed: %s", type(error).__name__)


def panel_request(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, services: Services
) -> AnswerRequest:
    dm, thread_ts = event["channel"], event["thread_ts"]
    viewed = services.panel.viewed_channel(channel_id=dm, thread_ts=thread_ts)
    return AnswerRequest(
        team_id=team_of(context),
        channel_id=viewed or "",
        question=text_of(event),
        destination=Destination(channel_id=dm, thread_ts=thread_ts, assistant=True),
        event_id=body.get("event_id") or None,
    )


def accept_panel_question(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    *,
    services: Services,
) -> BoltResponse | None:
    """Before Bolt acknowledges the message: record the question as an answer job."""

    def record() -> None:
        context[ACCEPTED] = accept_answer(services, panel_request(body, event, context, services))

    return before_ack(body, next, record)


def handle_panel_question(
    body: dict[str, Any], context: BoltContext, *, services: Services
) -> None:
    accepted: Accepted | None = context.get(ACCEPTED)
    if accepted is not None:
        run_accepted(services, accepted, body.get("event_id", "-"))


def is_direct_message(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im"


def ignore_direct_message(event: dict[str, Any]) -> None:
    """Not a question in a panel thread (or qabot's own post there): nothing to do."""
