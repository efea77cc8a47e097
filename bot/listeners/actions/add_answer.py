"""The *Add the answer* button under "I couldn't find an answer": a form to write one,
with the question filled in (submitted in `bot.listeners.views.save_answer`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot import rendering
from bot.listeners.actions.answers import pressed

logger = logging.getLogger(__name__)


def handle_add_answer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
    context: BoltContext,
) -> None:
    ack()
    press = pressed(body, context)
    question = str(rendering.decode_value(action.get("value")).get("q", ""))
    view = rendering.save_answer_modal(press.origin.channel_id, press.thread_ts, question)
    try:
        client.views_open(trigger_id=body.get("trigger_id", ""), view=view)
    except Exception:
        # The trigger lasts 3 s; nothing was stored, the user can click again.
        logger.warning("could not open the add-answer form in %s", press.origin.channel_id,
                       exc_info=True)
