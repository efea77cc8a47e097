"""Modal submissions: the form `/context add` opens, and the *Add the answer* form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot import rendering
from bot.listeners.internals import bind
from bot.listeners.views.add_context import handle_add_context_submission
from bot.listeners.views.save_answer import handle_save_answer_submission

if TYPE_CHECKING:
    from bot.services import Services


def register(app: App, services: Services) -> None:
    app.view(rendering.ADD_CONTEXT_VIEW)(bind(handle_add_context_submission, services=services))
    app.view(rendering.SAVE_ANSWER_VIEW)(bind(handle_save_answer_submission, services=services))
