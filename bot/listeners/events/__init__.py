"""Events API: mentions are questions; pins add and remove documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.listeners.events.mentions import handle_app_mention
from bot.listeners.events.pins import handle_pin_added, handle_pin_removed
from bot.listeners.internals import bind

if TYPE_CHECKING:
    from bot.app import Services


def register(app: App, services: Services) -> None:
    app.event("app_mention")(bind(handle_app_mention, services=services))
    app.event("pin_added")(bind(handle_pin_added, services=services))
    app.event("pin_removed")(bind(handle_pin_removed, services=services))
