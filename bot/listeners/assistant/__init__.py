"""The assistant panel, through Bolt's `Assistant` middleware: a thread starts (greeting and
suggested questions), the user looks at another channel (context saved), the user asks
(answered from the documents of the channel in view, by the answer job)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App, Assistant
from slack_bolt.middleware.custom_middleware import CustomMiddleware

from bot.assistant import ThreadContextStore
from bot.listeners.assistant.panel import (
    accept_panel_question,
    handle_panel_question,
    ignore_direct_message,
    is_direct_message,
    remember_context,
    welcome,
)
from bot.listeners.internals import bind

if TYPE_CHECKING:
    from bot.services import Services


def register(app: App, services: Services) -> None:
    assistant = Assistant(thread_context_store=ThreadContextStore(services.session_factory))

    def before_ack(func: Any) -> list[CustomMiddleware]:
        # Unlike `app.event`, `Assistant` takes middleware objects, not plain functions.
        return [CustomMiddleware(app_name=app.name, func=bind(func, services=services))]

    assistant.thread_started(middleware=before_ack(remember_context))(
        bind(welcome, services=services, greet=True)
    )
    assistant.thread_context_changed(middleware=before_ack(remember_context))(
        bind(welcome, services=services, greet=False)
    )
    assistant.user_message(middleware=before_ack(accept_panel_question))(
        bind(handle_panel_question, services=services)
    )
    app.assistant(assistant)
    # Other direct messages (qabot's own posts, a DM outside a panel thread) still need a
    # 200, or Slack would count them as failed deliveries and retry them.
    app.event("message", matchers=[is_direct_message])(ignore_direct_message)
