"""Hostile, forged and odd requests against the real app over HTTP (issue 7 §3).

A seeded fuzz run (mutated real payloads, corrupted bytes, forged signatures, random
command texts) and one regression test per trigger the issue names. What must hold: no
response is a 5xx, anything unsigned or forged is a 401, nothing a client sends puts a
traceback in the log, and the app still answers a normal mention afterwards.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest
from slack_bolt import BoltRequest

from bot import rendering
from bot.slack_request_guard import MAX_BODY_BYTES
from tests.bot.slack.conftest import (
    MODEL,
    NAME_ANSWER,
    NAME_DOCUMENT,
    NAME_QUESTION,
    TRAINED_MODEL,
    SlackApp,
    answer_shown,
    event_payload,
    mention_event,
)
from tests.bot.slack.fake_slack import wait_for
from tests.bot.slack.hostile import (
    FORM,
    JSON,
    MARKER,
    Case,
    Fuzzer,
    as_form,
    as_payload_form,
    real_payloads,
    signed,
)

SEED = 20261202
CASES = 1300
SENDERS = 8


@pytest.fixture
def server_log(
    slack_app: SlackApp, caplog: pytest.LogCaptureFixture
) -> Iterator[pytest.LogCaptureFixture]:
    """Everything the app logs at INFO and above, uvicorn's own error log included (it
    doesn't propagate to the root logger), with any traceback in full."""
    caplog.set_level(logging.INFO)
    uvicorn_logger = logging.getLogger("uvicorn")
    uvicorn_logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        uvicorn_logger.removeHandler(caplog.handler)


def send(app: SlackApp, case: Case) -> httpx.Response:
    return app.http.post("/slack/events", content=case.body, headers=case.headers)


def assert_answers_a_mention(app: SlackApp, channel: str) -> None:
    """A normal `/context add` and mention in `channel` get a real answer in the thread."""
    response, name = app.command("/context", f"add {NAME_DOCUMENT}", channel=channel)
    assert response.status_code == 200
    wait_for(lambda: app.fake.responses(name), timeout=60)
    response, ts = app.mention(NAME_QUESTION, channel=channel)
    assert response.status_code == 200
    [reply] = wait_for(lambda: app.fake.replies(ts), timeout=60)
    assert reply["text"] != rendering.apology_message().text
    if MODEL == TRAINED_MODEL:
        assert answer_shown(reply["text"]) == NAME_ANSWER


def test_fuzzed_requests_get_no_5xx_no_traceback_and_the_app_still_answers(
    slack_app: SlackApp, server_log: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
):
    fuzzer = Fuzzer(SEED, slack_app.fake.response_url)
    cases = [fuzzer.case() for _ in range(CASES)]
    kinds = Counter("command text" if c.name.startswith("command text") else "body" for c in cases)
    assert kinds["body"] >= 1000 and kinds["command text"] >= 200, kinds

    # A few keep-alive connections at once: one at a time, the run mostly waits for the
    # threads of the app and the client to be scheduled on a busy machine.
    local = threading.local()
    clients: list[httpx.Client] = []

    def status_of(case: Case) -> int:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=slack_app.http.base_url, timeout=30)
            clients.append(local.client)
        response = local.client.post("/slack/events", content=case.body, headers=case.headers)
        return response.status_code

    try:
        with ThreadPoolExecutor(max_workers=SENDERS) as senders:
            results = list(senders.map(status_of, cases))
    finally:
        for client in clients:
            client.close()

    statuses = Counter(results)
    wrong = []
    for case, status in zip(cases, results, strict=True):
        # A signed body with no set answer is handled (200), refused by the guard (400),
        # or matches no listener (Bolt's 404).
        allowed = {200, 400, 404} if case.expected is None else {case.expected}
        if status not in allowed or status >= 500:
            wrong.append(f"{case.name}: {status}, expected {sorted(allowed)}")
    assert wrong == [], f"{len(wrong)} unexpected statuses, e.g. {wrong[:10]} ({statuses})"
    assert statuses[401] > 0 and statuses[400] > 0 and statuses[200] > 0, statuses
    # The app still works, which also waits for the fuzz run's queued answers ahead of it.
    assert_answers_a_mention(slack_app, channel="CAFTER")
    assert "Traceback" not in server_log.text
    assert "Traceback" not in capfd.readouterr().err


# -- one per trigger named in the issue ----------------------------------------------------


def _mention() -> dict:
    return event_payload(mention_event("hello?", ts="1800000000.000042"), event_id="EvRegress")


def _triggers() -> list[Case]:
    response_url = "http://127.0.0.1:9/respond/never"
    command = real_payloads(lambda name: response_url)["command"]
    mention = _mention()
    signed_json = [
        ("deeply nested JSON", b"[" * 50_000 + b"]" * 50_000),
        ("JSON that isn't an object", b'["app_mention"]'),
        ("event is null", json.dumps({**mention, "event": None}).encode()),
        ("event is a string", json.dumps({**mention, "event": "app_mention"}).encode()),
        ("event is a list", json.dumps({**mention, "event": [mention["event"]]}).encode()),
        (
            "mention text isn't a string",
            json.dumps({**mention, "event": {**mention["event"], "text": ["hi"]}}).encode(),
        ),
    ]
    without_channel = {key: value for key, value in command.items() if key != "channel_id"}
    return [
        signed("invalid UTF-8", b"command=%2Fask&text=\xff\xfe", FORM),
        signed("non-JSON payload=", urlencode({"payload": "{not json"}).encode(), FORM),
        signed("command without channel_id", as_form(without_channel), FORM),
        *(signed(name, body, JSON) for name, body in signed_json),
        Case(
            "non-numeric X-Slack-Request-Timestamp",
            json.dumps(mention).encode(),
            {
                "Content-Type": JSON,
                "X-Slack-Request-Timestamp": "soon",
                "X-Slack-Signature": "v0=1",
            },
            401,
            signed=False,
        ),
        Case(
            "unsigned and deeply nested",
            b"[" * 50_000,
            {"Content-Type": JSON},
            401,
            signed=False,
        ),
        Case(
            "unsigned non-JSON payload=",
            b"payload=" + MARKER.encode(),
            {"Content-Type": FORM},
            401,
            signed=False,
        ),
    ]


@pytest.mark.parametrize("case", _triggers(), ids=lambda case: case.name)
def test_each_trigger_of_the_issue_gets_a_short_4xx_and_changes_nothing(
    slack_app: SlackApp, server_log: pytest.LogCaptureFixture, case: Case
):
    response = send(slack_app, case)

    assert response.status_code == case.expected
    assert response.headers["content-type"].startswith("text/plain")
    assert 0 < len(response.text) < 80 and MARKER not in response.text
    assert slack_app.fake.calls("chat.postMessage") == []
    assert f"status={case.expected}" in server_log.text
    assert "Traceback" not in server_log.text
    assert MARKER not in server_log.text


def test_an_odd_but_well_formed_mention_is_answered(slack_app: SlackApp):
    # Tolerated, not refused: no text at all is an empty question.
    event = mention_event("", ts="1800000000.000043")
    del event["text"]

    response = slack_app.event(event)

    assert response.status_code == 200
    [reply] = wait_for(lambda: slack_app.fake.replies("1800000000.000043"))
    assert reply["text"] == rendering.empty_question_message().text


def test_a_command_mentioning_payload_reaches_its_listener(slack_app: SlackApp):
    # Bolt reads a form body containing "payload" without that field as `{}`: no listener,
    # and the user would see "dispatch_failed".
    response, name = slack_app.command("/context", "show the payload")

    assert response.status_code == 200
    [reply] = wait_for(lambda: slack_app.fake.responses(name))
    assert "Which document?" in reply["text"]


# -- size ----------------------------------------------------------------------------------


def test_a_declared_20_mb_body_is_refused_before_it_is_sent(slack_app: SlackApp):
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {20 * 1024 * 1024}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", slack_app.port), timeout=10) as connection:
        connection.sendall(head.encode() + b'{"type": "')  # and nothing more
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"bytes"):
            received = connection.recv(4096)
            if not received:
                break
            answer += received

    assert answer.startswith(b"HTTP/1.1 413")
    assert b"body is larger than" in answer


def test_a_streamed_body_is_cut_off_past_the_cap(slack_app: SlackApp):
    chunk = b"a" * 65536

    def body() -> Iterator[bytes]:
        # No Content-Length (chunked): the cap must hold while reading.
        yield b'{"type": "x", "pad": "'
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    with httpx.Client(base_url=f"http://127.0.0.1:{slack_app.port}", timeout=30) as client:
        response = client.post(
            "/slack/events", content=body(), headers={"Content-Type": JSON}
        )

    assert response.status_code == 413


def test_a_body_at_the_cap_is_still_read(slack_app: SlackApp):
    padding = MAX_BODY_BYTES - len(b'{"type": "x", "pad": ""}')
    body = b'{"type": "x", "pad": "' + b"a" * padding + b'"}'
    assert len(body) == MAX_BODY_BYTES

    response = send(slack_app, signed("at the cap", body, JSON))

    assert response.status_code == 404  # read, verified, parsed: no listener for type "x"


def test_interactive_payloads_with_odd_fields_are_refused(slack_app: SlackApp):
    click = real_payloads(slack_app.fake.response_url)["click"]

    body = as_payload_form({**click, "user": "U1"})

    response = send(slack_app, signed("user is a string", body, FORM))

    assert (response.status_code, response.text) == (400, "user is not an object")


# -- inside Bolt ----------------------------------------------------------------------------


def test_a_malformed_socket_mode_payload_is_acked_and_dropped_by_the_app(
    slack_app: SlackApp, server_log: pytest.LogCaptureFixture
):
    # Socket Mode payloads skip the HTTP guard; the app's own middleware checks them.
    mention = _mention()
    request = BoltRequest(body={**mention, "event": None}, mode="socket_mode")

    response = slack_app.asgi.state.bolt_app.dispatch(request)

    assert (response.status, response.body) == (200, "")
    assert "dropped a malformed Slack payload (socket_mode): event is not an object" in (
        server_log.text
    )
    good = slack_app.asgi.state.bolt_app.dispatch(BoltRequest(body=mention, mode="socket_mode"))
    assert good.status == 200
    wait_for(lambda: slack_app.fake.replies("1800000000.000042"))
    assert "Traceback" not in server_log.text


def test_a_reply_that_cannot_reach_its_response_url_is_one_line(
    slack_app: SlackApp, server_log: pytest.LogCaptureFixture
):
    command = real_payloads(lambda name: "http://127.0.0.1:9/nobody-listens")["command"]

    response = slack_app.post(as_form({**command, "text": "help"}), FORM)

    assert response.status_code == 200
    wait_for(lambda: "a listener could not deliver its reply" in server_log.text)
    assert "Traceback" not in server_log.text
