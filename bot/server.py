"""The HTTP entry point: one ASGI app for Slack (`POST /slack/events`) and the engine's
`POST /score` and `GET /healthz`.

Startup migrates the database (so the default SQLite file works with no manual step) and
loads the model on a background thread, so `/healthz` answers at once and Slack's first
requests are acked in time; a question that arrives before the model is ready waits for it.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from pydantic import SecretStr
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.request.internals import build_context
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from bot.app import ConfigurationError, create_bolt_app, require_slack_settings
from bot.log_config import configure_logging
from bot.migrate import upgrade_database
from bot.services import build_services
from bot.settings import Settings
from bot.slack_request_guard import MAX_BODY_BYTES, Rejection, check_request
from qa_engine.engine import QAEngine
from qa_engine.http import create_scoring_app

logger = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"


def create_asgi_app(
    settings: Settings,
    *,
    engine: QAEngine | None = None,
    session_factory: sessionmaker[Session] | None = None,
    migrate: bool = True,
) -> Starlette:
    """The whole web app; nothing is migrated or loaded until the ASGI lifespan starts.

    `migrate=False` where the caller has already brought the schema to head.
    """
    services = build_services(settings, engine=engine, session_factory=session_factory)
    bolt_app = create_bolt_app(services)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if migrate:
            await run_in_threadpool(upgrade_database, settings.database_url)
        services.start()
        try:
            yield
        finally:
            await run_in_threadpool(services.close)

    app = Starlette(
        routes=[
            Route(
                SLACK_EVENTS_PATH,
                _slack_endpoint(bolt_app, settings.slack_signing_secret.get_secret_value()),
                methods=["POST"],
            ),
            Mount("/", app=create_scoring_app(services.engine)),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.bolt_app = bolt_app
    return app


def _slack_endpoint(
    bolt_app: App, signing_secret: str
) -> Callable[[Request], Awaitable[Response]]:
    """`POST /slack/events`: the request guard, then Bolt with its `dispatch` off the loop.

    The body is read up to `MAX_BODY_BYTES` (413 beyond, without reading the rest), its
    signature checked on the raw bytes (401), and it is parsed and shape-checked (400), all
    before Bolt, which parses a body before its own signature check and raises on odd
    shapes. Bolt's own check stays on: it costs one more HMAC, and it still guards the app
    if a request ever reaches `dispatch` another way.

    `SlackRequestHandler.handle` would call the sync `App.dispatch` on the event loop, which
    blocks every other request while Bolt waits for `ack()`.
    """

    async def slack_events(request: Request) -> Response:
        raw = await _read_capped(request, MAX_BODY_BYTES)
        if raw is None:
            return _refuse(Rejection(413, f"body is larger than {MAX_BODY_BYTES} bytes"))
        verdict = await run_in_threadpool(
            check_request, raw, request.headers, signing_secret=signing_secret, now=time.time()
        )
        if isinstance(verdict, Rejection):
            return _refuse(verdict)
        bolt_response = await run_in_threadpool(_dispatch, bolt_app, request, raw, verdict.body)
        return to_starlette_response(bolt_response)

    return slack_events


def _dispatch(bolt_app: App, request: Request, raw: bytes, body: dict[str, Any]) -> BoltResponse:
    bolt_request = to_bolt_request(request, raw)
    if bolt_request.body != body:
        # Bolt reads a form that mentions "payload" without having that field as `{}`
        # (see `bot.slack_request_guard.parse_body`): give it the payload the guard read.
        bolt_request.body = body
        bolt_request.context = build_context(BoltContext(), body)
    return bolt_app.dispatch(bolt_request)


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to be longer than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _refuse(rejection: Rejection) -> Response:
    # One line, never the body: an unsigned request is anyone's, a signed one someone's text.
    level = logging.INFO if rejection.status == 401 else logging.WARNING
    logger.log(level, "slack request refused status=%d: %s", rejection.status, rejection.reason)
    return PlainTextResponse(rejection.reason, status_code=rejection.status)


def create_asgi_app_from_environment() -> Starlette:
    """Factory for `run_server`'s worker processes (`--factory`): settings from the
    environment; the parent has already migrated."""
    settings = Settings()
    configure_logging(settings.log_level)
    return create_asgi_app(settings, migrate=False)


def run_server(settings: Settings) -> None:
    """Serve on settings.host:settings.port with uvicorn; several worker processes if
    `WEB_CONCURRENCY` > 1 (they share the database, so an event is still answered once)."""
    # A bad DATABASE_URL or Slack token stops the server here, with one line; inside
    # uvicorn it would be a startup traceback, or worker processes restarted forever.
    require_slack_settings(settings)
    upgrade_database(settings.database_url)
    app = create_asgi_app(settings, migrate=False)
    check_can_listen(settings.host, settings.port)
    logger.info(
        "qabot listening on http://%s:%d%s (%d worker(s))",
        settings.host,
        settings.port,
        SLACK_EVENTS_PATH,
        settings.web_concurrency,
    )
    if settings.web_concurrency > 1:
        app.state.services.close()  # it was the workers' build, tried once; they make their own
        # Worker processes rebuild Settings from the environment: hand them ours.
        _export_settings(settings)
        uvicorn.run(
            "bot.server:create_asgi_app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.web_concurrency,
            proxy_headers=True,
        )
    else:
        uvicorn.run(app, host=settings.host, port=settings.port, proxy_headers=True)


def check_can_listen(host: str, port: int) -> None:
    """Raise `ConfigurationError` (naming PORT and HOST) unless `host:port` can be bound.

    uvicorn would find out only after qabot said it was listening, and then exit with
    a bare errno. The port is bound the way uvicorn binds it (SO_REUSEADDR, so a port
    left in TIME_WAIT by a previous run still counts as free) and released at once.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ConfigurationError(
            f"HOST={host!r} is not an address this machine has ({error.strerror}); "
            "set HOST to e.g. 0.0.0.0 (every interface) or 127.0.0.1."
        ) from error
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigurationError(
                    f"Port {port} on {host} is already in use (another qabot, or another "
                    "program): stop it, or set PORT (and HOST) to where qabot should listen."
                ) from error
            raise ConfigurationError(
                f"Cannot listen on {host}:{port} ({error.strerror}); set PORT (and HOST) to "
                "a port this user may open (ports below 1024 need privileges)."
            ) from error


def _export_settings(settings: Settings) -> None:
    # Worker processes rebuild Settings from the environment; unset optional values
    # stay unset there too.
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            os.environ.pop(name.upper(), None)
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        os.environ[name.upper()] = str(value)
