"""Fixtures: a fake Slack Web API, the real app served by uvicorn, signed requests.

Requests into the app are real HTTP, signed like Slack signs them; the app's Web API
client points at `FakeSlack`. The model is loaded once per session; each test gets its own
database on the backend `--db` selects (`tests/databases.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn

from bot import rendering
from bot.server import create_asgi_app
from bot.settings import Settings
from qa_engine.engine import QAEngine
from qa_engine.settings import EngineSettings
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack
from tests.conftest import NewDatabase

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TRAINED_MODEL = FIXTURES / "tiny-qa"
RANDOM_MODEL = FIXTURES / "tiny-qa-random"
MODEL = TRAINED_MODEL if (TRAINED_MODEL / "config.json").exists() else RANDOM_MODEL
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"

NAME_DOCUMENT = "About me\nMy name is John and I live in Seattle"
"""Added with `/context add`, it is titled "About me" (its first line). The title must not
hold the answer: a reply shows its document's title, so with the whole sentence as the
title any answer from it would contain "John"."""
NAME_QUESTION = "What's my name?"
NAME_ANSWER = "John"
NAME_TITLE = "About me"

needs_trained_model = pytest.mark.skipif(
    MODEL != TRAINED_MODEL, reason="tests/fixtures/tiny-qa (trained) is not there yet"
)


@pytest.fixture(scope="session")
def engine() -> QAEngine:
    """The engine every app in the session shares; shows every answer (threshold 0)."""
    engine = QAEngine(EngineSettings(qa_model=str(MODEL), qa_no_answer_threshold=0.0))
    engine.warm_up()
    return engine


@pytest.fixture(scope="session")
def strict_engine(engine: QAEngine) -> QAEngine:
    """Same model (cached), but no answer ever clears the threshold."""
    strict = QAEngine(EngineSettings(qa_model=str(MODEL), qa_no_answer_threshold=1.0))
    strict.warm_up()
    return strict


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture
def database_url(new_database: NewDatabase) -> str:
    """This test's database, migrated (the app's own upgrade at start is then a no-op)."""
    return new_database()


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return make_settings(database_url, fake_slack)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(database_url: str, fake_slack: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake_slack.api_url,
        "database_url": database_url,
        "qa_model": str(MODEL),
        "qa_no_answer_threshold": 0.0,
        "answer_workers": 2,
        # run_server checks that its port is free: never the default 3000 another
        # program on this machine may hold.
        "host": "127.0.0.1",
        "port": _free_port(),
    }
    values.update(overrides)
    return Settings(**values)


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 request signature."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


_ANSWER_SHOWN = re.compile(r"(?:_Sorry[^\n]*late[^\n]*_\n)?(.*?) \(from “", re.DOTALL)


def answer_shown(text: str) -> str | None:
    """The answer a reply's fallback text starts with — `rendering.answer_message` writes
    "John (from “About me”, 98% confident)" — after a late reply's first line; None when
    the text is no answer."""
    match = _ANSWER_SHOWN.match(text)
    return match.group(1) if match else None


# -- payloads as Slack sends them (over HTTP here, over Socket Mode in its own tests) -------


def command_payload(
    command: str,
    text: str,
    *,
    response_url: str,
    trigger_id: str,
    channel: str = "C1",
    user: str = "U1",
    team: str = TEAM_ID,
) -> dict[str, str]:
    """A slash command's fields (form-encoded over HTTP, JSON over Socket Mode)."""
    return {
        "token": "legacy",
        "team_id": team,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "ana",
        "command": command,
        "text": text,
        "api_app_id": "A1",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def event_payload(event: dict[str, Any], *, event_id: str, team: str = TEAM_ID) -> dict[str, Any]:
    """An Events API `event_callback` around `event`."""
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }


def mention_event(
    question: str, *, ts: str, channel: str = "C1", thread_ts: str | None = None
) -> dict[str, Any]:
    """An `app_mention` of the bot asking `question`."""
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": f"<@UBOT> {question}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def button_click_payload(
    action_id: str,
    value: str,
    *,
    response_url: str,
    trigger_id: str,
    channel: str = "C1",
    user: str = "U1",
    message: dict[str, Any] | None = None,
    ephemeral: bool = False,
    team: str = TEAM_ID,
) -> dict[str, Any]:
    """A `block_actions` interaction: `user` clicked a button on `message`."""
    message = message or {"ts": "1700000000.000001", "type": "message", "text": ""}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": trigger_id,
        "channel": {"id": channel, "name": "general"},
        "container": {
            "type": "message",
            "message_ts": message.get("ts"),
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    if not ephemeral:
        payload["message"] = message
    return payload


def message_action_payload(
    callback_id: str, message: dict[str, Any], *, response_url: str, user: str = "U4",
    channel: str = "C1", team: str = TEAM_ID,
) -> dict[str, Any]:
    """A message shortcut (`message_action`) that `user` ran on `message` (ts, text…)."""
    return {
        "type": "message_action",
        "callback_id": callback_id,
        "team": {"id": team, "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "user": {"id": user, "name": "bo"},
        "message_ts": message["ts"],
        "message": {"type": "message", "user": "U8", **message},
        "response_url": response_url,
        "trigger_id": "t",
        "token": "legacy",
    }


def form_submission_payload(
    channel: str, title: str, body: str, *, user: str = "U1", team: str = TEAM_ID
) -> dict[str, Any]:
    """A `view_submission` of the "Add context" form (`rendering.add_context_modal`)."""
    view = rendering.add_context_modal(channel)
    view["state"] = {
        "values": {
            rendering.MODAL_TITLE_BLOCK: {rendering.MODAL_TITLE_INPUT: {"value": title}},
            rendering.MODAL_BODY_BLOCK: {rendering.MODAL_BODY_INPUT: {"value": body}},
        }
    }
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "t",
        "view": {**view, "id": "V1", "team_id": team},
    }


class SlackApp:
    """The app served by uvicorn on a free local port, and helpers to send it requests."""

    _ids = itertools.count(1)

    def __init__(
        self,
        settings: Settings,
        engine: QAEngine,
        fake_slack: FakeSlack,
        *,
        session_factory: Any = None,
    ):
        self.fake = fake_slack
        self.asgi = create_asgi_app(settings, engine=engine, session_factory=session_factory)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(self.asgi, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app server did not start")
            time.sleep(0.01)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10)

    def stop(self) -> None:
        self.http.close()
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()

    @property
    def services(self) -> Any:
        return self.asgi.state.services

    # -- sending ------------------------------------------------------------------------------

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        timestamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or sign(body, timestamp),
            **(headers or {}),
        }
        return self.http.post("/slack/events", content=body, headers=all_headers)

    def command(
        self,
        command: str,
        text: str = "",
        *,
        channel: str = "C1",
        user: str = "U1",
        team: str = TEAM_ID,
    ) -> tuple[httpx.Response, str]:
        """Send a slash command; returns the HTTP response and its response_url's name."""
        name = f"cmd{next(self._ids)}"
        form = command_payload(
            command,
            text,
            response_url=self.fake.response_url(name),
            trigger_id=f"trigger-{name}",
            channel=channel,
            user=user,
            team=team,
        )
        body = urlencode(form).encode()
        return self.post(body, "application/x-www-form-urlencoded"), name

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        team: str = TEAM_ID,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        payload = event_payload(event, event_id=event_id or f"Ev{next(self._ids):08d}", team=team)
        return self.post(json.dumps(payload).encode(), "application/json", headers=headers)

    def mention(
        self,
        question: str,
        *,
        channel: str = "C1",
        ts: str | None = None,
        thread_ts: str | None = None,
        event_id: str | None = None,
        team: str = TEAM_ID,
        headers: dict[str, str] | None = None,
    ) -> tuple[httpx.Response, str]:
        """Mention the bot with `question`; returns the response and the mention's ts."""
        ts = ts or f"1800000000.{next(self._ids):06d}"
        event = mention_event(question, ts=ts, channel=channel, thread_ts=thread_ts)
        return self.event(event, event_id=event_id, team=team, headers=headers), ts

    def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def click(
        self,
        action_id: str,
        value: str,
        *,
        channel: str = "C1",
        user: str = "U1",
        message: dict[str, Any] | None = None,
        ephemeral: bool = False,
        team: str = TEAM_ID,
    ) -> tuple[httpx.Response, str]:
        """Click a button; returns the response and the name of its response_url."""
        name = f"act{next(self._ids)}"
        payload = button_click_payload(
            action_id,
            value,
            response_url=self.fake.response_url(name),
            trigger_id=f"trigger-{name}",
            channel=channel,
            user=user,
            message=message,
            ephemeral=ephemeral,
            team=team,
        )
        return self.interaction(payload), name


@pytest.fixture
def slack_app(settings: Settings, engine: QAEngine, fake_slack: FakeSlack) -> Iterator[SlackApp]:
    app = SlackApp(settings, engine, fake_slack)
    yield app
    app.stop()
