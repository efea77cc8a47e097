"""Submitting the *Add the answer* form: validate, record the job, close the form.

The job stores the FAQ entry and says in the question's thread who saved it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, BoltContext

from bot import rendering
from bot.jobs import AddRequest, AnswerToSave, Destination
from bot.listeners.internals import NOT_SAVED, origin_of, queue_adds
from bot.listeners.views.add_context import input_value, modal_channel, modal_metadata
from bot.saved_answers import faq_entry

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


def handle_save_answer_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    *,
    services: Services,
) -> None:
    question = input_value(view, rendering.ANSWER_QUESTION_BLOCK, rendering.ANSWER_QUESTION_INPUT)
    answer = input_value(view, rendering.ANSWER_BODY_BLOCK, rendering.ANSWER_BODY_INPUT)
    # An error ack keeps the form open with the reason under the field; nothing is stored.
    errors = {}
    if not question:
        errors[rendering.ANSWER_QUESTION_BLOCK] = "Write the question this answers."
    if not answer:
        errors[rendering.ANSWER_BODY_BLOCK] = "Write the answer."
    elif problem := services.ingestor.check(faq_entry(question, answer)):
        errors[rendering.ANSWER_BODY_BLOCK] = problem
    if errors:
        ack(response_action="errors", errors=errors)
        return
    origin = origin_of(body, context, channel_id=modal_channel(view))
    if not origin.channel_id:
        logger.error("add-answer form submitted without a channel in private_metadata")
        ack()
        return
    add = AddRequest.for_answer(
        team_id=origin.team_id,
        channel_id=origin.channel_id,
        added_by=origin.user_id,
        # Modal input is plain text: no Slack markup to undo.
        answer=AnswerToSave(
            answer=answer, question=question, thread_ts=modal_metadata(view, "thread_ts") or None
        ),
        destination=Destination(channel_id=origin.channel_id, ephemeral_user=origin.user_id),
    )
    if queue_adds(services, [add]):  # recorded before the ack, which closes the form
        ack()
    else:
        ack(response_action="errors", errors={rendering.ANSWER_BODY_BLOCK: NOT_SAVED})
