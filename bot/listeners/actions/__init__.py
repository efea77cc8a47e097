"""Buttons: feedback, "More answers" and "Add the answer" on answers; the confirmation
of `/context clear`; the page buttons of `/context list`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot import rendering
from bot.listeners.actions.add_answer import handle_add_answer
from bot.listeners.actions.answers import handle_feedback, handle_more_answers
from bot.listeners.actions.clear import handle_clear_cancel, handle_clear_confirm
from bot.listeners.actions.list_pages import handle_list_page
from bot.listeners.internals import bind

if TYPE_CHECKING:
    from bot.services import Services


def register(app: App, services: Services) -> None:
    feedback = bind(handle_feedback, services=services)
    app.action(rendering.FEEDBACK_UP_ACTION)(feedback)
    app.action(rendering.FEEDBACK_DOWN_ACTION)(feedback)
    app.action(rendering.MORE_ANSWERS_ACTION)(bind(handle_more_answers, services=services))
    app.action(rendering.CLEAR_CONFIRM_ACTION)(bind(handle_clear_confirm, services=services))
    app.action(rendering.CLEAR_CANCEL_ACTION)(handle_clear_cancel)
    app.action(rendering.ADD_ANSWER_ACTION)(handle_add_answer)
    list_page = bind(handle_list_page, services=services)
    app.action(rendering.LIST_PREVIOUS_ACTION)(list_page)
    app.action(rendering.LIST_NEXT_ACTION)(list_page)
