"""The composition root: settings → database, engine, Web API client, Bolt `App`.

Nothing here starts a server (see `bot.server` and `bot.socket_mode`).

How a request flows: the server checks Slack's signature on the raw bytes and the payload's
shape before anything else reads it (`bot.slack_request_guard`; `PayloadGuard` repeats the
shape check inside Bolt for Socket Mode). Then a listener calls `ack()` at once
(`process_before_response=False`: Bolt runs listeners on its own small thread pool and
answers Slack's HTTP request as soon as `ack()` was called). Work that must not be lost —
answering, storing a document — is written to the database as a job before Slack is
acknowledged, and done by the job runner (`bot.jobs`) on `settings.answer_workers` threads.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from sqlalchemy.orm import Session, sessionmaker

from bot.listeners import register_listeners
from bot.services import Services, build_services
from bot.settings import Settings
from bot.slack_request_guard import PayloadGuard, log_listener_error
from qa_engine.engine import QAEngine

logger = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """A required setting is missing; the message names it and says where it comes from."""


def create_bolt_app(services: Services, *, socket_mode: bool = False) -> App:
    """The Bolt app over `services`, with every listener registered.

    Construction calls Slack's `auth.test` once, so a wrong token fails here, loudly.
    """
    settings = services.settings
    require_slack_settings(settings, socket_mode=socket_mode)
    signing_secret = settings.slack_signing_secret.get_secret_value()
    # We hand Bolt a ready client (base URL, retries); Bolt also reads SLACK_BOT_TOKEN from
    # the environment and would warn at every start that the token goes unused.
    _drop_log_message("slack_bolt.App", warning_client_prioritized_and_token_skipped())
    try:
        app = LoggedApp(
            client=services.client,
            signing_secret=signing_secret,
            process_before_response=False,
            listener_executor=services.listener_pool,
            request_verification_enabled=not socket_mode,
            before_authorize=PayloadGuard(),  # malformed payloads stop here, in both modes
        )
    except BoltError as error:  # auth.test said no
        raise ConfigurationError(
            f"Slack did not accept SLACK_BOT_TOKEN ({_slack_error(error)}): use the Bot User "
            "OAuth Token (xoxb-…) from OAuth & Permissions, after installing the app."
        ) from error
    except OSError as error:  # no route to Slack (URLError is an OSError)
        raise ConfigurationError(
            f"Could not reach Slack at {settings.slack_api_url} ({error}); check the network "
            "or SLACK_API_URL."
        ) from error
    # Bolt logs the whole body of a request that fails verification at INFO; a stale but
    # genuine request would put message text in the log. Set after the App exists: building
    # it resets that logger's level to the app logger's.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    app.error(log_listener_error)
    register_listeners(app, services)
    return app


def require_slack_settings(settings: Settings, *, socket_mode: bool = False) -> None:
    """Raise `ConfigurationError` naming every missing Slack setting at once."""
    missing = settings.missing_slack_settings(socket_mode=socket_mode)
    if missing:
        several = len(missing) > 1
        raise ConfigurationError(
            f"Missing setting{'s' if several else ''}: {'; '.join(missing)}. Set "
            f"{'them' if several else 'it'} in the environment or in .env."
        )


def build_app(
    settings: Settings,
    *,
    engine: QAEngine | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> App:
    """`create_bolt_app(build_services(...))`, for callers that need only the app."""
    services = build_services(settings, engine=engine, session_factory=session_factory)
    return create_bolt_app(services)


def _slack_error(error: BoltError) -> str:
    # Bolt's message ends with the auth.test response; its "error" field is what matters.
    match = re.search(r"'error': '([a-z_]+)'", str(error))
    return match.group(1) if match else str(error).splitlines()[0][:120]


class _DropMessage(logging.Filter):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message


def _drop_log_message(logger_name: str, message: str) -> None:
    """Silence one exact, known-harmless message of a library's logger (once per process)."""
    target = logging.getLogger(logger_name)
    if not any(isinstance(f, _DropMessage) and f.message == message for f in target.filters):
        target.addFilter(_DropMessage(message))


class LoggedApp(App):
    """A Bolt `App` that logs one line per request: what it was, its event id, channel,
    status and time to respond (which, for listeners, is time to `ack()`).

    Never the text of a message or a document, never a token.
    """

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.monotonic()
        response = super().dispatch(req)
        body = req.body if isinstance(req.body, dict) else {}
        retry = (req.headers.get("x-slack-retry-num") or [None])[0]
        logger.info(
            "slack %s event_id=%s channel=%s retry=%s status=%s in %.0f ms",
            _kind(body),
            body.get("event_id", "-"),
            req.context.channel_id or "-",
            retry or "-",
            response.status,
            (time.monotonic() - started) * 1000,
        )
        return response


def _kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return f"command {body['command']}"
    if body.get("type") == "event_callback":
        return f"event {body.get('event', {}).get('type', '?')}"
    kind = str(body.get("type", "request"))
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return f"action {actions[0].get('action_id', '?')}"
    if kind in {"shortcut", "message_action"}:
        return f"shortcut {body.get('callback_id', '?')}"
    if kind in {"view_submission", "view_closed"}:
        return f"{kind} {body.get('view', {}).get('callback_id', '?')}"
    return kind
