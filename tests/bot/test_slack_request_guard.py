"""`bot.slack_request_guard` without a server: signatures, parsing, payload shapes."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.request.internals import parse_body as bolt_parse_body

from bot.slack_request_guard import (
    MAX_JSON_DEPTH,
    Accepted,
    PayloadGuard,
    Rejection,
    check_request,
    parse_body,
    payload_problem,
    verify_signature,
)
from tests.bot.slack.conftest import SIGNING_SECRET, sign
from tests.bot.slack.hostile import (
    FORM,
    JSON,
    Fuzzer,
    encode,
    forged_or_unsigned,
    malformed_signed,
    real_payloads,
    signed_headers,
)

NOW = 1_800_000_000


def response_url(name: str) -> str:
    return f"https://hooks.slack.com/commands/T1/{name}"


def as_header_strings(headers: dict[str, Any]) -> dict[str, str]:
    # What the server sees: Starlette decodes header bytes as latin-1.
    return {
        name: value.decode("latin-1") if isinstance(value, bytes) else value
        for name, value in headers.items()
    }


def check(body: bytes, headers: dict[str, Any], now: float = NOW) -> Accepted | Rejection:
    return check_request(
        body, as_header_strings(headers), signing_secret=SIGNING_SECRET, now=now
    )


# -- signatures ---------------------------------------------------------------------------


def test_a_signed_command_is_accepted_with_its_fields():
    body = urlencode({"command": "/ask", "channel_id": "C1", "user_id": "U1", "text": "hi",
                      "response_url": response_url("a")}).encode()  # fmt: skip

    verdict = check(body, signed_headers(body, FORM, now=NOW))

    assert isinstance(verdict, Accepted)
    assert verdict.body["channel_id"] == "C1" and verdict.body["text"] == "hi"
    assert verdict.text == body.decode()


@pytest.mark.parametrize(
    "case", forged_or_unsigned(response_url, now=NOW), ids=lambda case: case.name
)
def test_forged_and_unsigned_requests_get_401(case):
    verdict = check(case.body, case.headers)

    assert verdict == Rejection(401, verdict.reason)
    assert verdict.reason and "zebra" not in verdict.reason


def test_the_signature_covers_the_raw_bytes_even_when_they_are_not_utf8():
    body = b"text=\xff\xfe"
    headers = signed_headers(body, FORM, now=NOW)

    assert verify_signature(body, headers, signing_secret=SIGNING_SECRET, now=NOW) is None
    assert check(body, headers) == Rejection(400, "body is not UTF-8")


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "١٢٣", "-1", "9" * 5000, "12.5"])
def test_a_non_numeric_timestamp_is_401_not_an_error(timestamp: str):
    body = b"{}"
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sign(body, NOW)}

    verdict = verify_signature(body, headers, signing_secret=SIGNING_SECRET, now=NOW)

    assert verdict == Rejection(401, "missing or invalid X-Slack-Request-Timestamp")


def test_timestamps_are_fresh_within_five_minutes_either_way():
    body = b"{}"
    for skew, fresh in ((-300, True), (300, True), (-301, False), (301, False)):
        headers = signed_headers(body, JSON, now=NOW + skew)
        verdict = verify_signature(body, headers, signing_secret=SIGNING_SECRET, now=NOW)
        assert (verdict is None) == fresh, skew


def test_without_a_signing_secret_nothing_is_accepted():
    body = b"{}"
    verdict = verify_signature(body, signed_headers(body, JSON, now=NOW), signing_secret="",
                               now=NOW)  # fmt: skip
    assert verdict is not None and verdict.status == 401


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", malformed_signed(response_url), ids=lambda case: case.name)
def test_signed_but_malformed_requests_get_400(case):
    # Checked as of its signing (at collection): a long run must not make the cases stale.
    verdict = check(case.body, case.headers, now=int(case.headers["X-Slack-Request-Timestamp"]))

    assert verdict == Rejection(400, verdict.reason)
    assert verdict.reason and "zebra" not in verdict.reason  # the body is never quoted


@pytest.mark.parametrize("kind", sorted(real_payloads(response_url)))
def test_real_payloads_pass_as_bolt_parses_them(kind: str):
    body, content_type = encode(kind, real_payloads(response_url)[kind])

    verdict = check(body, signed_headers(body, content_type, now=NOW))

    assert isinstance(verdict, Accepted), verdict
    assert verdict.body == bolt_parse_body(body.decode(), content_type)


def test_a_form_that_mentions_payload_is_read_as_the_form_bolt_misses():
    body = urlencode({"command": "/ask", "text": "what is a payload?"}).encode()

    text, parsed = parse_body(body, FORM)

    assert parsed["text"] == "what is a payload?"
    assert bolt_parse_body(text, FORM) == {}  # why the server hands Bolt this payload


def test_nesting_is_refused_past_the_limit_and_accepted_up_to_it():
    def nested(depth: int) -> bytes:
        value: Any = "leaf"
        for _ in range(depth - 1):
            value = {"a": value}
        return json.dumps({"type": "x", "a": value}).encode()

    assert not isinstance(parse_body(nested(MAX_JSON_DEPTH - 1), JSON), Rejection)
    assert parse_body(nested(MAX_JSON_DEPTH + 1), JSON) == Rejection(
        400, "body JSON is nested too deeply"
    )
    assert parse_body(b"[" * 100_000 + b"]" * 100_000, JSON) == Rejection(
        400, "body JSON is nested too deeply"
    )


# -- payload shapes -------------------------------------------------------------------------


def test_every_real_payload_has_no_problem():
    for kind, payload in real_payloads(response_url).items():
        assert payload_problem(payload) is None, kind


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"event": None}, "event is not an object"),
        ({"event": "app_mention"}, "event is not an object"),
        ({"event": [1]}, "event is not an object"),
        ({"event": {"type": "app_mention", "channel": "C1", "ts": "1.2", "text": 5}},
         "event.text is not a string"),
        ({"event": {"type": "app_mention", "ts": "1.2"}}, "event.channel is missing"),
        ({"event": {"type": "app_mention", "channel": "C1"}}, "event.ts is missing"),
        ({"event": {"type": "pin_added", "item": {"message": "x"}}},
         "event.item.message is not an object"),
        ({"authorizations": "x"}, "authorizations is not a list"),
        ({"event_id": 7}, "event_id is not a string"),
    ],
)  # fmt: skip
def test_odd_events_are_named(change: dict[str, Any], reason: str):
    mention = real_payloads(response_url)["mention"]

    assert payload_problem({**mention, **change}) == reason


def test_a_command_needs_its_channel_user_and_response_url():
    command = real_payloads(response_url)["command"]

    assert payload_problem({**command, "channel_id": ""}) == "command has an empty channel_id"
    del command["user_id"]
    assert payload_problem(command) == "user_id is missing"


def test_block_actions_need_a_list_of_actions_with_ids():
    click = real_payloads(response_url)["click"]

    assert payload_problem({**click, "actions": []}) == "actions is empty"
    no_id = {**click, "actions": [{"value": "x"}]}
    assert payload_problem(no_id) == "actions[0].action_id is missing"
    # An action in a modal has no response_url, and needs none.
    in_view = {**click, "container": {"type": "view"}, "view": {"id": "V1"}}
    del in_view["response_url"]
    assert payload_problem(in_view) is None


def test_view_state_levels_must_be_objects():
    view = real_payloads(response_url)["view"]

    odd = json.loads(json.dumps(view))
    odd["view"]["state"]["values"]["b"] = ["x"]

    assert payload_problem(odd) == "view.state.values has a block that is not an object"


def test_the_fuzzer_is_seeded():
    first, again, other = (Fuzzer(seed, response_url) for seed in (7, 7, 8))
    bodies = [first.case().body for _ in range(20)]

    assert bodies == [again.case().body for _ in range(20)]
    assert bodies != [other.case().body for _ in range(20)]


# -- inside Bolt ----------------------------------------------------------------------------


def run_guard(body: dict[str, Any], mode: str) -> tuple[BoltResponse, bool, BoltRequest]:
    request = BoltRequest(body=body if mode == "socket_mode" else json.dumps(body), mode=mode,
                          headers={"content-type": JSON})  # fmt: skip
    called = []

    def next_() -> BoltResponse:
        called.append(True)
        return BoltResponse(status=200, body="next")

    response = PayloadGuard().process(req=request, resp=BoltResponse(status=200), next=next_)
    return response, bool(called), request


def test_the_middleware_passes_a_good_payload_on():
    response, called, _ = run_guard(real_payloads(response_url)["mention"], "socket_mode")

    assert called and response.body == "next"


def test_the_middleware_acks_and_drops_a_bad_socket_mode_payload(caplog):
    caplog.set_level(logging.INFO)
    mention = real_payloads(response_url)["mention"]

    response, called, request = run_guard({**mention, "event": None}, "socket_mode")

    assert not called
    assert (response.status, response.body) == (200, "")
    assert request.body == {}  # nothing downstream reads the odd fields
    assert "dropped a malformed Slack payload (socket_mode): event is not an object" in caplog.text
    assert "zebra" not in caplog.text


def test_the_middleware_answers_400_over_http():
    response, called, _ = run_guard({"type": "block_actions", "actions": "x"}, "http")

    assert not called
    assert (response.status, response.body) == (400, "actions is not a list")
