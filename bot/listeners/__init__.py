"""Every Slack listener, grouped by kind; each group's `register` maps Slack ids to callbacks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.listeners import actions, assistant, commands, events, shortcuts, views

if TYPE_CHECKING:
    from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    commands.register(app, services)
    events.register(app, services)
    actions.register(app, services)
    shortcuts.register(app, services)
    views.register(app, services)
    assistant.register(app, services)
