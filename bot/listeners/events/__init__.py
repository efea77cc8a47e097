"""Events API: mentions are questions; pins add and remove documents; channel messages
may be follow-ups or help-channel questions; workspaces and channels coming and going
change what is stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.listeners.events.lifecycle import CHANGES, apply_change, change_made
from bot.listeners.events.mentions import accept_mention, handle_app_mention
from bot.listeners.events.messages import accept_message, handle_message, in_a_channel
from bot.listeners.events.pins import accept_pin, handle_pin_added, handle_pin_removed
from bot.listeners.internals import bind

if TYPE_CHECKING:
    from bot.services import Services


def register(app: App, services: Services) -> None:
    # The middleware records the work before Bolt acknowledges the event (see mentions.py).
    app.event("app_mention", middleware=[bind(accept_mention, services=services)])(
        bind(handle_app_mention, services=services)
    )
    app.event("pin_added", middleware=[bind(accept_pin, services=services)])(
        bind(handle_pin_added, services=services)
    )
    app.event("pin_removed")(bind(handle_pin_removed, services=services))
    app.event(
        "message",
        matchers=[in_a_channel],
        middleware=[bind(accept_message, services=services)],
    )(bind(handle_message, services=services))
    for event_type in CHANGES:
        app.event(event_type, middleware=[bind(apply_change, services=services)])(change_made)
