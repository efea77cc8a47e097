"""The Procfile's `release:` and `web:` lines, run as real processes against the fake Slack."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.bot.slack.conftest import (
    BOT_TOKEN,
    MODEL,
    NAME_ANSWER,
    NAME_DOCUMENT,
    NAME_QUESTION,
    SIGNING_SECRET,
    answer_shown,
    sign,
)
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack, wait_for

ROOT = Path(__file__).resolve().parents[3]


def procfile_command(kind: str) -> list[str]:
    for line in (ROOT / "Procfile").read_text("utf-8").splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            words = shlex.split(command)
            # The console script `qabot` is this interpreter's `python -m bot`.
            assert words[0] == "qabot"
            return [sys.executable, "-m", "bot", *words[1:]]
    raise AssertionError(f"Procfile has no {kind}: line")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_post(
    client: httpx.Client, body: bytes, content_type: str, **headers: str
) -> httpx.Response:
    timestamp = int(time.time())
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(body, timestamp),
        **headers,
    }
    return client.post("/slack/events", content=body, headers=all_headers)


@pytest.fixture
def fake_slack():
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_release_then_web_answer_a_mention_in_a_thread(
    tmp_path, new_database, fake_slack, workers: int
) -> None:
    # With two worker processes a retried event may reach the other process; the handled
    # event ids in the database still make it one reply.
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": new_database(migrated=False),  # `release` migrates it
        "QA_MODEL": str(MODEL),
        "QA_NO_ANSWER_THRESHOLD": "0",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(workers),
    }
    release = subprocess.run(
        procfile_command("release"), env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert release.returncode == 0, release.stderr
    assert "database at revision" in release.stdout

    log = tmp_path / "web.log"
    with log.open("wb") as log_file:
        web = subprocess.Popen(
            procfile_command("web"), env=env, cwd=tmp_path, stdout=log_file, stderr=log_file
        )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)

        def healthy() -> bool:
            try:
                return client.get("/healthz").json().get("status") == "ok"
            except httpx.HTTPError:
                return False

        wait_for(healthy, timeout=60, interval=0.2)
        command = urlencode(
            {
                "team_id": TEAM_ID,
                "channel_id": "C1",
                "user_id": "U1",
                "command": "/context",
                "text": f"add {NAME_DOCUMENT}",
                "response_url": fake_slack.response_url("procfile-add"),
                "trigger_id": "t1",
            }
        ).encode()
        assert signed_post(client, command, "application/x-www-form-urlencoded").status_code == 200
        wait_for(lambda: fake_slack.responses("procfile-add"), timeout=30)

        mention_ts = "1800000000.000777"
        event = {
            "team_id": TEAM_ID,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "EvProcfile1",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": "U1",
                "text": f"<@UBOT> {NAME_QUESTION}",
                "ts": mention_ts,
                "channel": "C1",
                "event_ts": mention_ts,
            },
        }
        response = signed_post(client, json.dumps(event).encode(), "application/json")
        assert response.status_code == 200

        reply = wait_for(lambda: fake_slack.replies(mention_ts), timeout=60)[0]
        assert answer_shown(reply["text"]) == NAME_ANSWER

        # Slack's retries, on fresh connections (so either worker may take them).
        for attempt in ("1", "2"):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as retry:
                response = signed_post(
                    retry,
                    json.dumps(event).encode(),
                    "application/json",
                    **{"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_timeout"},
                )
            assert response.status_code == 200
        wait_for(lambda: log.read_text("utf-8").count("EvProcfile1 was already handled") == 2)
        assert len(fake_slack.replies(mention_ts)) == 1

        # The log tells what happened without what was said, and never a secret.
        text = log.read_text("utf-8")
        assert "event_id=EvProcfile1 channel=C1" in text
        for private in ("I live in Seattle", "What's my name", BOT_TOKEN, SIGNING_SECRET):
            assert private not in text
    finally:
        web.terminate()
        web.wait(timeout=30)
