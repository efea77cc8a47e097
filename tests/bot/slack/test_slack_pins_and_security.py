"""Pins, the message shortcut, request verification and the extra routes."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

from bot import rendering
from bot.storage import DocumentSource, list_documents
from tests.bot.slack.conftest import SlackApp, sign
from tests.bot.slack.fake_slack import TEAM_ID, wait_for


def documents(app: SlackApp, channel: str = "C1"):
    with app.services.session_factory() as session:
        return list_documents(session=session, team_id=TEAM_ID, channel_id=channel)


def pin_event(kind: str, *, ts: str, text: str = "", item_type: str = "message") -> dict:
    item: dict = {"type": item_type, "channel": "C1", "created": 1, "created_by": "U3"}
    if item_type == "message":
        item["message"] = {"type": "message", "user": "U8", "text": text, "ts": ts}
    event = {"type": kind, "user": "U3", "channel_id": "C1", "item": item, "event_ts": ts}
    if kind == "pin_removed":
        event["has_pins"] = False
    return event


def test_pinning_a_message_adds_it_and_unpinning_removes_it(slack_app: SlackApp):
    text = "Expenses\nSubmit receipts within 30 days &amp; tag <@U8|finance>."

    response = slack_app.event(pin_event("pin_added", ts="1700000123.000100", text=text))

    assert response.status_code == 200
    [document] = wait_for(lambda: documents(slack_app))
    assert document.source == DocumentSource.PIN
    assert document.source_ts == "1700000123.000100"
    assert document.title == "Expenses"
    assert document.text == "Expenses\nSubmit receipts within 30 days & tag @finance."
    assert document.permalink == "https://qabot-test.slack.com/archives/C1/p1700000123000100"
    assert document.added_by == "U3"
    [permalink_call] = slack_app.fake.calls("chat.getPermalink")
    assert permalink_call["message_ts"] == "1700000123.000100"
    confirmation = wait_for(lambda: slack_app.fake.calls("chat.postEphemeral"))[0]
    assert confirmation["user"] == "U3" and f"#{document.id}" in confirmation["text"]

    slack_app.event(pin_event("pin_removed", ts="1700000123.000100"))

    wait_for(lambda: documents(slack_app) == [])


def test_a_retried_pin_is_stored_once(slack_app: SlackApp, caplog):
    caplog.set_level(logging.INFO)
    event = pin_event("pin_added", ts="1700000123.000200", text="Once")

    slack_app.event(event, event_id="EvPIN")
    slack_app.event(event, event_id="EvPIN", headers={"X-Slack-Retry-Num": "1"})

    # Whichever delivery's listener reaches the job first runs it; the other stands down.
    wait_for(
        lambda: "EvPIN was already handled" in caplog.text
        or "EvPIN was delivered again before it was finished" in caplog.text
    )
    wait_for(lambda: slack_app.fake.calls("chat.postEphemeral"))
    assert len(documents(slack_app)) == 1


def test_pinned_files_are_ignored(slack_app: SlackApp):
    response = slack_app.event(pin_event("pin_added", ts="1.2", item_type="file"))

    assert response.status_code == 200
    time.sleep(0.3)
    assert documents(slack_app) == []


def test_the_message_shortcut_adds_the_message(slack_app: SlackApp):
    name = "shortcut1"
    payload = {
        "type": "message_action",
        "callback_id": rendering.ADD_CONTEXT_SHORTCUT,
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": "C1", "name": "general"},
        "user": {"id": "U4", "name": "bo"},
        "message_ts": "1700000200.000300",
        "message": {
            "type": "message",
            "user": "U8",
            "ts": "1700000200.000300",
            "text": "VPN\nConnect to vpn.example.com with your SSO login.",
        },
        "response_url": slack_app.fake.response_url(name),
        "trigger_id": "t",
        "token": "legacy",
    }

    response = slack_app.interaction(payload)

    assert response.status_code == 200
    [confirmation] = wait_for(lambda: slack_app.fake.responses(name))
    assert confirmation["response_type"] == "ephemeral"
    assert "VPN" in confirmation["text"]
    [document] = documents(slack_app)
    assert (document.source, document.added_by, document.title) == (
        DocumentSource.SHORTCUT,
        "U4",
        "VPN",
    )
    assert document.source_ts == "1700000200.000300" and document.permalink


def _signed_command(timestamp: int, secret: str) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": TEAM_ID,
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/context",
            "text": "add forged",
            "response_url": "http://127.0.0.1:9/nowhere",
            "trigger_id": "t",
        }
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(body, timestamp, secret),
    }
    return body, headers


def test_forged_and_stale_requests_get_401_and_change_nothing(slack_app: SlackApp):
    before = len(slack_app.fake.calls())
    now = int(time.time())
    forged = _signed_command(now, "not-the-secret")
    stale = _signed_command(now - 10 * 60, "test-signing-secret")
    mention = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM_ID,
            "event_id": "EvFORGED",
            "event": {"type": "app_mention", "channel": "C1", "ts": "1.1", "text": "<@UBOT> hi"},
        }
    ).encode()

    for body, headers in (forged, stale):
        assert (
            slack_app.http.post("/slack/events", content=body, headers=headers).status_code == 401
        )
    unsigned = slack_app.http.post(
        "/slack/events", content=mention, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401

    time.sleep(0.3)
    assert len(slack_app.fake.calls()) == before
    assert documents(slack_app) == []


def test_url_verification_is_answered(slack_app: SlackApp):
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()

    response = slack_app.post(body, "application/json")

    assert response.status_code == 200
    assert response.json()["challenge"] == "abc123"


def test_health_and_score_are_served_beside_slack(slack_app: SlackApp):
    health = slack_app.http.get("/healthz")
    score = slack_app.http.post(
        "/score",
        json={"input_data": {"question": "What's my name?", "context": "My name is John."}},
    )

    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert score.status_code == 200 and isinstance(score.json(), list)


def test_a_rejected_request_keeps_its_text_out_of_the_log(settings, engine, fake_slack, caplog):
    # `qabot serve` logs at INFO from the start, before the app exists; Bolt's verifier logs
    # the whole body of a request it rejects at INFO. A stale but genuine request is
    # someone's real message.
    caplog.set_level(logging.INFO)
    app = SlackApp(settings, engine, fake_slack)
    try:
        body, headers = _signed_command(int(time.time()) - 10 * 60, "test-signing-secret")
        assert app.http.post("/slack/events", content=body, headers=headers).status_code == 401
    finally:
        app.stop()

    assert "status=401" in caplog.text
    assert "add+forged" not in caplog.text  # the form-encoded message text
