"""Message shortcuts: "Add to channel context" on any message, "Save as answer" on a reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot import rendering
from bot.listeners.internals import bind
from bot.listeners.shortcuts.add_to_context import handle_add_to_context
from bot.listeners.shortcuts.save_as_answer import handle_save_as_answer

if TYPE_CHECKING:
    from bot.services import Services


def register(app: App, services: Services) -> None:
    app.message_shortcut(rendering.ADD_CONTEXT_SHORTCUT)(
        bind(handle_add_to_context, services=services)
    )
    app.message_shortcut(rendering.SAVE_ANSWER_SHORTCUT)(
        bind(handle_save_as_answer, services=services)
    )
