"""`qabot serve` as a real process (the console script is this interpreter's
`python -m bot`), with signed requests sent to it as Slack sends them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.bot.slack.conftest import (
    BOT_TOKEN,
    MODEL,
    SIGNING_SECRET,
    command_payload,
    event_payload,
    mention_event,
    sign,
)
from tests.bot.slack.fake_slack import FakeSlack, wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_environment(
    database_url: str, fake_slack: FakeSlack, **overrides: str
) -> dict[str, str]:
    """The environment of a `qabot serve` on a free port with the fixture model, the
    database at `database_url` and the fake Slack."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "QA_MODEL": str(MODEL),
        "QA_NO_ANSWER_THRESHOLD": "0",
        "PORT": str(free_port()),
        "HOST": "127.0.0.1",
        **overrides,
    }


class ServedProcess:
    """One `qabot serve` process; its output goes to `log`."""

    def __init__(self, env: dict[str, str], folder: Path, *, name: str = "serve"):
        self.env = env
        self.log = folder / f"{name}.log"
        self.base_url = f"http://127.0.0.1:{env['PORT']}"
        with self.log.open("ab") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve"],
                env=env,
                cwd=folder,
                stdout=log_file,
                stderr=log_file,
            )
        self.http = httpx.Client(base_url=self.base_url, timeout=10)

    def wait_until_ready(self, timeout: float = 90) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"qabot serve exited:\n{self.log_text()[-3000:]}")
            try:
                return self.http.get("/healthz").json().get("status") == "ok"
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout=timeout, interval=0.1)

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def kill(self) -> None:
        """`kill -9`: no shutdown of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.http.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.http.close()

    # -- requests, signed like Slack signs them --------------------------------------------

    def post(
        self, body: bytes, content_type: str, *, client: httpx.Client | None = None, **headers: str
    ) -> httpx.Response:
        timestamp = int(time.time())
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign(body, timestamp),
            **headers,
        }
        return (client or self.http).post("/slack/events", content=body, headers=all_headers)

    def command(
        self, text: str, *, response_url: str, command: str = "/context", **kwargs: Any
    ) -> httpx.Response:
        form = command_payload(
            command, text, response_url=response_url, trigger_id="t-" + response_url[-12:]
        )
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kwargs)

    def mention(
        self, question: str, *, ts: str, event_id: str, retry: int = 0, channel: str = "C1",
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        payload = event_payload(mention_event(question, ts=ts, channel=channel), event_id=event_id)
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return self.post(
            json.dumps(payload).encode(), "application/json", client=client, **headers
        )
