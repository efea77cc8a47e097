"""The Socket Mode entry point: no public URL, Slack connects over a WebSocket.

Enable Socket Mode in the app's settings (or `socket_mode_enabled: true` in
manifest.yml), create an app-level token with `connections:write`, and set
SLACK_APP_TOKEN. The listeners, the database and the dedupe are the same as over HTTP.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.app import ConfigurationError, create_bolt_app, require_slack_settings
from bot.migrate import upgrade_database
from bot.services import build_services
from bot.settings import Settings
from bot.slack_request_guard import payload_problem

logger = logging.getLogger(__name__)


class GuardedSocketModeHandler(SocketModeHandler):
    """Bolt's handler, with an envelope's payload shape-checked before Bolt reads it.

    Bolt builds its request (and reads ids out of the payload) before any middleware runs,
    so `PayloadGuard` comes too late for a payload whose `user` or `channel` has an odd
    type. Such an envelope is acknowledged — Slack would only send it again — and dropped,
    with one log line and no payload text.
    """

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        problem = payload_problem(req.payload)
        if problem is not None:
            logger.warning("socket mode %s envelope dropped: %s", req.type, problem)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        super().handle(client, req)


def run_socket_mode(settings: Settings) -> None:
    """Migrate, start loading the model, and serve Slack over Socket Mode until stopped.

    Raises `ConfigurationError` (one line) when SLACK_APP_TOKEN or SLACK_BOT_TOKEN is
    missing (all missing ones named at once), or SLACK_APP_TOKEN is not an xapp- token,
    before anything else happens.
    """
    require_slack_settings(settings, socket_mode=True)
    app_token = settings.slack_app_token.get_secret_value()
    if not app_token.startswith("xapp-"):
        raise ConfigurationError(
            "SLACK_APP_TOKEN must be an app-level token starting with xapp- "
            "(the bot token, xoxb-…, goes in SLACK_BOT_TOKEN)."
        )
    upgrade_database(settings.database_url)
    services = build_services(settings)
    app = create_bolt_app(services, socket_mode=True)
    services.start()
    logger.info("qabot connecting over Socket Mode")
    try:
        GuardedSocketModeHandler(app, app_token).start()
    finally:
        services.close()
