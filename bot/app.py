"""The composition root: settings → database, engine, Web API client, Bolt `App`.

Nothing here starts a server (see `bot.server` and `bot.socket_mode`).

How a request flows: Bolt verifies the signature, then a listener calls `ack()` at once
(`process_before_response=False`: Bolt runs listeners on its own small thread pool and
answers Slack's HTTP request as soon as `ack()` was called). Slow work — reading with the
model — is handed to `Services.answer_pool`, bounded by `settings.answer_workers`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.orm import Session, sessionmaker

from bot.answering import ChannelAnswerer
from bot.listeners import register_listeners
from bot.settings import Settings
from bot.slack_request_guard import PayloadGuard, log_listener_error
from bot.storage import create_db_engine, make_session_factory
from qa_engine.engine import QAEngine

logger = logging.getLogger(__name__)

# Listeners only ack, touch the database and call Slack; a few threads are plenty, but
# more than Bolt's default five so a burst of commands never waits behind each other.
LISTENER_WORKERS = 12


class ConfigurationError(RuntimeError):
    """A required setting is missing; the message names it and says where it comes from."""


@dataclass
class Services:
    """What listeners need, built once per process."""

    settings: Settings
    engine: QAEngine
    session_factory: sessionmaker[Session]
    answerer: ChannelAnswerer
    answer_pool: ThreadPoolExecutor
    listener_pool: ThreadPoolExecutor

    def warm_up_in_background(self) -> threading.Thread:
        """Load the model on a daemon thread; questions asked meanwhile wait for it."""
        thread = threading.Thread(
            target=_warm_up, args=(self.engine,), name="qa-warm-up", daemon=True
        )
        thread.start()
        return thread

    def close(self) -> None:
        """Let in-flight listeners and answers finish, then stop the pools."""
        self.listener_pool.shutdown(wait=True)
        self.answer_pool.shutdown(wait=True)


def _warm_up(engine: QAEngine) -> None:
    started = time.monotonic()
    try:
        engine.warm_up()
    except Exception:
        # Each question retries the load and apologises in its thread if it fails again.
        logger.exception("warming up the QA model failed")
    else:
        logger.info("QA model ready in %.1f s", time.monotonic() - started)


def build_services(
    settings: Settings,
    *,
    engine: QAEngine | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> Services:
    """The process's engine, database and worker pools (nothing is loaded or connected yet)."""
    engine = engine or QAEngine(settings)
    if session_factory is None:
        session_factory = make_session_factory(create_db_engine(settings.database_url))
    return Services(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        answerer=ChannelAnswerer(engine=engine, session_factory=session_factory),
        answer_pool=ThreadPoolExecutor(
            max_workers=settings.answer_workers, thread_name_prefix="qabot-answer"
        ),
        listener_pool=ThreadPoolExecutor(
            max_workers=LISTENER_WORKERS, thread_name_prefix="qabot-listener"
        ),
    )


def create_bolt_app(services: Services, *, socket_mode: bool = False) -> App:
    """The Bolt app over `services`, with every listener registered.

    Construction calls Slack's `auth.test` once, so a wrong token fails here, loudly.
    """
    settings = services.settings
    token = settings.slack_bot_token.get_secret_value()
    if not token:
        raise ConfigurationError("SLACK_BOT_TOKEN is not set (the app's xoxb- bot token).")
    signing_secret = settings.slack_signing_secret.get_secret_value()
    if not signing_secret and not socket_mode:
        raise ConfigurationError(
            "SLACK_SIGNING_SECRET is not set (Basic Information → Signing Secret)."
        )
    # We hand Bolt a ready client (base URL, retries); Bolt also reads SLACK_BOT_TOKEN from
    # the environment and would warn at every start that the token goes unused.
    _drop_log_message("slack_bolt.App", warning_client_prioritized_and_token_skipped())
    client = WebClient(token=token, base_url=settings.slack_api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    try:
        app = LoggedApp(
            client=client,
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
