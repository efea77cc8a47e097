"""`qabot serve --socket-mode` as a real process, against a fake Slack over a WebSocket.

The app opens its connection with `apps.connections.open` (app-level token) on the fake
Web API, connects to the fake Socket Mode server, and from there on everything a team
does over HTTP works the same: slash commands, mentions answered in a thread, buttons,
retried events answered once, and Slack's periodic request to reconnect.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import rendering
from tests.bot.slack.conftest import (
    BOT_TOKEN,
    MODEL,
    NAME_ANSWER,
    NAME_DOCUMENT,
    NAME_QUESTION,
    NAME_TITLE,
    answer_shown,
    button_click_payload,
    command_payload,
    event_payload,
    mention_event,
)
from tests.bot.slack.fake_slack import FakeSlack, wait_for
from tests.bot.slack.fake_socket_mode import FakeSocketMode

APP_TOKEN = "xapp-1-A1-test"


@dataclass
class SocketModeApp:
    """The running `qabot serve --socket-mode` process and the fakes it talks to."""

    process: subprocess.Popen[bytes]
    log: Path
    slack: FakeSlack
    socket: FakeSocketMode

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def command(self, text: str, *, name: str, command: str = "/context") -> str:
        payload = command_payload(
            command, text, response_url=self.slack.response_url(name), trigger_id=name
        )
        return self.socket.send("slash_commands", payload)

    def mention(self, question: str, *, ts: str, event_id: str, retry_attempt: int = 0) -> str:
        payload = event_payload(mention_event(question, ts=ts), event_id=event_id)
        return self.socket.send(
            "events_api",
            payload,
            retry_attempt=retry_attempt,
            retry_reason="timeout" if retry_attempt else "",
        )

    def click(self, button: dict[str, Any], *, thread_ts: str, name: str) -> str:
        payload = button_click_payload(
            button["action_id"],
            button["value"],
            response_url=self.slack.response_url(name),
            trigger_id=name,
            user="U5",
            message={"ts": "1700000000.000777", "thread_ts": thread_ts, "type": "message"},
        )
        return self.socket.send("interactive", payload)

    def acked(self, envelope_id: str) -> dict[str, Any]:
        return wait_for(lambda: self.socket.ack(envelope_id), timeout=10)


@pytest.fixture
def socket_mode_app(tmp_path: Path, database_url: str) -> Iterator[SocketModeApp]:
    slack = FakeSlack()
    fake_socket = FakeSocketMode()
    slack.socket_mode_url = fake_socket.url
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "QA_MODEL": str(MODEL),
        "QA_NO_ANSWER_THRESHOLD": "0",
    }
    env.pop("SLACK_SIGNING_SECRET", None)  # Socket Mode has no requests to verify
    log = tmp_path / "qabot.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--socket-mode"],
            env=env,
            cwd=tmp_path,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    app = SocketModeApp(process, log, slack, fake_socket)
    try:
        wait_for(lambda: fake_socket.is_connected() or process.poll() is not None, timeout=60)
        assert process.poll() is None, app.log_text()
        yield app
    finally:
        process.terminate()
        process.wait(timeout=30)
        print(app.log_text())  # pytest shows it when a test fails
        fake_socket.close()
        slack.close()


def test_socket_mode_connects_with_the_app_token(socket_mode_app: SocketModeApp):
    [opened] = socket_mode_app.slack.calls("apps.connections.open")
    assert opened.token == APP_TOKEN
    # The Web API calls the app itself makes use the bot token, never the app token.
    assert all(c.token == BOT_TOKEN for c in socket_mode_app.slack.calls("auth.test"))
    # A clean start logs no warnings (Bolt's "token will be unused" among them).
    wait_for(lambda: "Bolt app is running" in socket_mode_app.log_text())
    log = socket_mode_app.log_text()
    assert " WARNING " not in log and " ERROR " not in log, log


def test_context_then_mention_over_socket_mode_answers_in_a_thread(
    socket_mode_app: SocketModeApp,
):
    app = socket_mode_app
    app.acked(app.command(f"add {NAME_DOCUMENT}", name="add"))
    added = wait_for(lambda: app.slack.responses("add"), timeout=30)[0]
    assert f"“{NAME_TITLE}”" in added["text"]

    mention_ts = "1800000000.000101"
    app.acked(app.mention(NAME_QUESTION, ts=mention_ts, event_id="EvSocket1"))

    [reply] = wait_for(lambda: app.slack.replies(mention_ts), timeout=60)
    assert answer_shown(reply["text"]) == NAME_ANSWER
    [eyes] = wait_for(lambda: app.slack.calls("reactions.add"))
    assert (eyes["name"], eyes["timestamp"]) == ("eyes", mention_ts)
    wait_for(lambda: app.slack.calls("reactions.remove"))

    # 👍 on the reply arrives as an `interactive` envelope and is stored like over HTTP.
    up = next(
        element
        for block in reply["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == rendering.FEEDBACK_UP_ACTION
    )
    app.acked(app.click(up, thread_ts=mention_ts, name="vote"))
    thanks = wait_for(lambda: app.slack.calls("chat.postEphemeral"), timeout=30)[0]
    assert (thanks["user"], thanks["thread_ts"]) == ("U5", mention_ts)

    log = app.log_text()
    assert "event_id=EvSocket1 channel=C1" in log
    for private in ("I live in Seattle", NAME_QUESTION, BOT_TOKEN, APP_TOKEN):
        assert private not in log


def test_a_redelivered_event_is_answered_once(socket_mode_app: SocketModeApp):
    app = socket_mode_app
    app.acked(app.command(f"add {NAME_DOCUMENT}", name="add"))
    wait_for(lambda: app.slack.responses("add"), timeout=30)

    mention_ts = "1800000000.000202"
    app.acked(app.mention(NAME_QUESTION, ts=mention_ts, event_id="EvSocketRetry"))
    wait_for(lambda: app.slack.replies(mention_ts), timeout=60)
    # Slack redelivers an event it thinks was lost, in a new envelope with the same id.
    app.acked(app.mention(NAME_QUESTION, ts=mention_ts, event_id="EvSocketRetry", retry_attempt=1))

    wait_for(lambda: "EvSocketRetry was already handled" in app.log_text(), timeout=30)
    assert len(app.slack.replies(mention_ts)) == 1


def test_a_refresh_request_reconnects_and_keeps_answering(socket_mode_app: SocketModeApp):
    app = socket_mode_app
    app.socket.ask_to_reconnect()
    wait_for(lambda: app.socket.connections == 2 and app.socket.is_connected(), timeout=30)
    assert len(app.slack.calls("apps.connections.open")) == 2

    app.acked(app.command(f"add {NAME_DOCUMENT}", name="add"))
    wait_for(lambda: app.slack.responses("add"), timeout=30)
    mention_ts = "1800000000.000303"
    app.acked(app.mention(NAME_QUESTION, ts=mention_ts, event_id="EvSocketAfter"))
    [reply] = wait_for(lambda: app.slack.replies(mention_ts), timeout=60)
    assert answer_shown(reply["text"]) == NAME_ANSWER


def test_an_envelope_with_an_odd_payload_is_acked_and_dropped(socket_mode_app: SocketModeApp):
    app = socket_mode_app
    click = button_click_payload(
        "answer_more", "{}", response_url=app.slack.response_url("odd"), trigger_id="odd"
    )
    # Bolt reads ids out of these before any middleware could look at them.
    for odd in ({**click, "user": "U1"}, {**click, "channel": 7}, {**click, "team": ["T1"]}):
        app.acked(app.socket.send("interactive", odd))

    app.acked(app.command(f"add {NAME_DOCUMENT}", name="add"))
    wait_for(lambda: app.slack.responses("add"), timeout=30)
    mention_ts = "1800000000.000303"
    app.acked(app.mention(NAME_QUESTION, ts=mention_ts, event_id="EvAfterOdd"))
    wait_for(lambda: app.slack.replies(mention_ts), timeout=60)
    log = app.log_text()
    assert log.count("envelope dropped") == 3
    assert "Traceback" not in log
