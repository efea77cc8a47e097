"""Limits, stated in words: text over `QA_MAX_DOCUMENT_CHARS`, binary text and over-long
questions get a reply naming the problem, and nothing is stored — by every way in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import rendering
from qa_engine.engine import QAEngine
from tests.bot.slack.conftest import SlackApp, make_settings
from tests.bot.slack.fake_slack import TEAM_ID, FakeSlack, wait_for
from tests.bot.slack.test_slack_context_commands import documents

LIMIT = 1_000


@pytest.fixture
def small_app(database_url, engine: QAEngine, fake_slack: FakeSlack) -> Iterator[SlackApp]:
    settings = make_settings(
        database_url, fake_slack, qa_max_document_chars=LIMIT, qa_max_question_chars=80
    )
    app = SlackApp(settings, engine, fake_slack)
    yield app
    app.stop()


def test_an_add_over_the_limit_names_the_limit_and_the_size_and_stores_nothing(
    small_app: SlackApp,
):
    text = "Deploys happen on Tuesdays. " * 60  # 1,680 characters

    response, name = small_app.command("/context", f"add {text}")

    assert response.status_code == 200
    reply = response.json()["text"]
    assert "1,000" in reply and f"{len(text.strip()):,}" in reply
    assert documents(small_app) == []
    assert small_app.fake.responses(name) == []


def test_text_that_is_mostly_nul_bytes_is_refused(small_app: SlackApp):
    response, _ = small_app.command("/context", "add " + "\x00" * 300 + "hello")

    assert response.status_code == 200
    assert "text" in response.json()["text"].lower()
    assert documents(small_app) == []


def test_a_form_over_the_limit_keeps_the_form_open_with_the_reason(small_app: SlackApp):
    view = rendering.add_context_modal("C7")
    view["state"] = {
        "values": {rendering.MODAL_BODY_BLOCK: {rendering.MODAL_BODY_INPUT: {"value": "x " * 900}}}
    }
    payload = {"type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": "U9"},
               "view": view}

    response = small_app.interaction(payload)

    assert response.json()["response_action"] == "errors"
    assert "1,000" in response.json()["errors"][rendering.MODAL_BODY_BLOCK]
    assert documents(small_app, "C7") == []


def test_a_pinned_message_over_the_limit_is_refused_to_the_pinner(small_app: SlackApp):
    event = {
        "type": "pin_added",
        "user": "U3",
        "channel_id": "C1",
        "item": {
            "type": "message",
            "channel": "C1",
            "message": {"type": "message", "text": "word " * 400, "ts": "1700000123.000300"},
        },
        "event_ts": "1700000124.000000",
    }

    small_app.event(event)

    [notice] = wait_for(lambda: small_app.fake.calls("chat.postEphemeral"))
    assert notice["user"] == "U3" and "1,000" in notice["text"]
    assert documents(small_app) == []


def test_an_over_long_question_is_told_so_in_its_thread(small_app: SlackApp):
    response, ts = small_app.mention("Why " * 40 + "?")

    assert response.status_code == 200
    [reply] = wait_for(lambda: small_app.fake.replies(ts))
    assert "80" in reply["text"] and "couldn't find" not in reply["text"]


def test_an_over_long_private_question_is_told_so(small_app: SlackApp):
    response, name = small_app.command("/ask", "Why " * 40)

    assert response.status_code == 200
    [reply] = wait_for(lambda: small_app.fake.responses(name))
    assert "80" in reply["text"]


