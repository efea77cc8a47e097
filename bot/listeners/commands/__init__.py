"""Slash commands: `/context …` manages the channel's documents, `/ask` answers privately."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.listeners.commands.ask import handle_ask
from bot.listeners.commands.context import handle_context
from bot.listeners.internals import bind

if TYPE_CHECKING:
    from bot.services import Services


def register(app: App, services: Services) -> None:
    app.command("/context")(bind(handle_context, services=services))
    app.command("/ask")(bind(handle_ask, services=services))
