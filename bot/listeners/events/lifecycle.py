"""Workspaces and channels coming and going: uninstalling forgets the workspace, a deleted
channel loses its documents, an archived one keeps them, and a channel qabot was removed
from keeps them but gets no answers until qabot is invited back.

The change is made in a listener middleware, before Bolt acknowledges the event: if the
database can't take it, Slack gets a 500 and delivers the event again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext, BoltResponse

from bot.listeners.internals import before_ack, team_of

if TYPE_CHECKING:
    from bot.lifecycle import DataLifecycle
    from bot.services import Services

logger = logging.getLogger(__name__)

Change = Callable[["DataLifecycle", dict[str, Any], BoltContext, str | None], None]


def _channel_of(event: dict[str, Any]) -> str:
    channel = event.get("channel")
    if isinstance(channel, dict):  # some channel events carry an object, not an id
        channel = channel.get("id")
    return str(channel or "")


def uninstalled(
    lifecycle: DataLifecycle, event: dict[str, Any], context: BoltContext, event_id: str | None
) -> None:
    lifecycle.forget_workspace(team_id=team_of(context), event_id=event_id)


def tokens_revoked(
    lifecycle: DataLifecycle, event: dict[str, Any], context: BoltContext, event_id: str | None
) -> None:
    # Only the bot token matters (qabot asks for no user tokens). Without it qabot can't
    # work in the workspace, so it forgets the workspace as on uninstall.
    tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
    if tokens.get("bot"):
        lifecycle.forget_workspace(team_id=team_of(context), event_id=event_id)


def channel_deleted(
    lifecycle: DataLifecycle, event: dict[str, Any], context: BoltContext, event_id: str | None
) -> None:
    channel_id = _channel_of(event)
    if channel_id:
        lifecycle.forget_channel(team_id=team_of(context), channel_id=channel_id,
                                 event_id=event_id)


def channel_archived(
    lifecycle: DataLifecycle, event: dict[str, Any], context: BoltContext, event_id: str | None
) -> None:
    # Archived channels can be unarchived: their documents are kept, on purpose.
    logger.info("channel %s was archived; its documents are kept", _channel_of(event) or "-")


def _answering(answering: bool) -> Change:
    """qabot left a channel (False) or was invited back (True)."""

    def change(
        lifecycle: DataLifecycle, event: dict[str, Any], context: BoltContext,
        event_id: str | None,
    ) -> None:
        channel_id = _channel_of(event)
        if channel_id and _is_qabot(event, context):
            lifecycle.set_answering(team_id=team_of(context), channel_id=channel_id,
                                    answering=answering, event_id=event_id)

    return change


left_channel = _answering(False)
joined_channel = _answering(True)


def _is_qabot(event: dict[str, Any], context: BoltContext) -> bool:
    # channel_left / group_left are only ever about qabot; member_* events name the member.
    if event.get("type") in {"channel_left", "group_left"}:
        return True
    return bool(context.bot_user_id) and event.get("user") == context.bot_user_id


CHANGES: dict[str, Change] = {
    "app_uninstalled": uninstalled,
    "tokens_revoked": tokens_revoked,
    "channel_deleted": channel_deleted,
    "group_deleted": channel_deleted,
    "channel_archive": channel_archived,
    "group_archive": channel_archived,
    "channel_left": left_channel,
    "group_left": left_channel,
    "member_left_channel": left_channel,
    "member_joined_channel": joined_channel,
}
"""Event type → what it changes."""


def apply_change(
    body: dict[str, Any],
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    *,
    services: Services,
) -> BoltResponse | None:
    """Before Bolt acknowledges the event: make the change it asks for."""
    change = CHANGES[str(event.get("type"))]
    return before_ack(
        body, next, lambda: change(services.lifecycle, event, context, body.get("event_id"))
    )


def change_made(body: dict[str, Any]) -> None:
    """The listener: the middleware did the work before the acknowledgement."""
