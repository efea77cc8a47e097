"""A QA model that can't load, against a real `qabot serve`: explained at once, honestly.

Before: `/healthz` said 200 "loading" for ~50 s (huggingface_hub's retries), the log got an
80-line traceback, and users were told to "try again in a minute", which could never help.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from bot.rendering import MODEL_UNAVAILABLE
from bot.storage import DocumentSource, add_document, create_db_engine, make_session_factory
from qa_engine.types import Passage
from tests.bot.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    command_payload,
    event_payload,
    mention_event,
)
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack, wait_for
from tests.bot.slack.test_slack_procfile import free_port, signed_post


@pytest.fixture
def fake_slack():
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.mark.parametrize("case", ["missing folder", "unreachable hub"])
def test_a_model_that_cannot_load_is_explained_fast(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, case: str
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": database_url,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "HF_HOME": str(tmp_path / "hf-home"),  # an empty hub cache
        }
    )
    if case == "missing folder":
        env["QA_MODEL"] = str(tmp_path / "no-such-model")
        reason = "does not exist"
    else:
        env["QA_MODEL"] = "org/qa-model"
        env["HF_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        reason = "Could not reach the Hugging Face hub"

    log = tmp_path / "serve.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            cwd=tmp_path,
            stdout=log_file,
            stderr=log_file,
        )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)

        def health() -> httpx.Response | None:
            try:
                return client.get("/healthz")
            except httpx.HTTPError:
                return None

        wait_for(health, timeout=90, interval=0.1)  # the server is up (busy CI: slow)
        up = time.monotonic()
        health = wait_for(
            lambda: (r := client.get("/healthz")).status_code == 503 and r, timeout=60
        )
        seconds = time.monotonic() - up
        # It said 200 "loading" for ~50 s more (huggingface_hub's retries).
        assert seconds < 15, f"/healthz said 503 only {seconds:.1f} s after it was up"
        error = health.json()["error"]
        assert reason in error and "QA_MODEL" in error and "\n" not in error

        # /context add: the honest message, not "try again in a minute".
        command = command_payload(
            "/context",
            "add The release is on Friday.",
            response_url=fake_slack.response_url("add"),
            trigger_id="t1",
        )
        body = urlencode(command).encode()
        assert signed_post(client, body, "application/x-www-form-urlencoded").status_code == 200
        added = wait_for(lambda: fake_slack.responses("add"), timeout=30)
        assert added[0]["text"] == MODEL_UNAVAILABLE

        # A document stored while the model worked, so that mentions reach the model.
        _store_document(env["DATABASE_URL"], "The release is on Friday.")
        # Two mentions: each thread gets the honest message once, without a 50 s wait.
        for ts in ("1800000000.000100", "1800000000.000200"):
            event = event_payload(mention_event("When is the release?", ts=ts), event_id=f"E{ts}")
            response = signed_post(client, json.dumps(event).encode(), "application/json")
            assert response.status_code == 200
            replies = wait_for(lambda ts=ts: fake_slack.replies(ts), timeout=30)
            assert [r["text"] for r in replies] == [MODEL_UNAVAILABLE]

        text = log.read_text("utf-8")
        # One line that names the fix (the same reason /healthz gives), nothing more.
        assert text.count("QA model unavailable: ") == 1
        assert f"QA model unavailable: {error}\n" in text
        assert "Traceback" not in text
        assert "Retrying" not in text
    finally:
        server.terminate()
        server.wait(timeout=30)


def _store_document(database_url: str, text: str) -> None:
    session_factory = make_session_factory(create_db_engine(database_url))
    with session_factory.begin() as session:
        add_document(
            session=session,
            team_id=TEAM_ID,
            channel_id="C1",
            text=text,
            title="Release",
            source=DocumentSource.SLASH_COMMAND,
            added_by="U1",
            passages=[Passage("new", 0, 0, len(text), text, "Release")],
        )
