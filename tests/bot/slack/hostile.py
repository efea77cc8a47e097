"""Hostile and odd requests to `/slack/events`, shared by the tests and bench/hostile_bodies.py.

* `forged_or_unsigned` and `malformed_signed`: fixed catalogues, one entry per way of being
  wrong (the categories of issue 7 §3), each with the status a guarded server must answer.
* `Fuzzer`: seeded random requests, mostly mutations of real payloads (as built by
  tests/bot/slack/conftest.py), signed or forged, as JSON, forms or `payload=` forms.

Every body carries `MARKER` in some text, so a test can tell whether a body reached the log.
"""

from __future__ import annotations

import copy
import json
import random
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot import rendering
from tests.bot.slack.conftest import (
    SIGNING_SECRET,
    button_click_payload,
    command_payload,
    event_payload,
    mention_event,
    sign,
)
from tests.bot.slack.fake_slack import TEAM_ID

MARKER = "zebra-marker-7"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Case:
    """One request: its body, headers, and what a guarded server answers (None: 200 or 404)."""

    name: str
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)
    expected: int | None = None
    signed: bool = True


def signed_headers(body: bytes, content_type: str, *, now: int | None = None) -> dict[str, Any]:
    timestamp = int(time.time()) if now is None else now
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(body, timestamp),
    }


def signed(name: str, body: bytes, content_type: str, expected: int | None = 400) -> Case:
    return Case(name, body, signed_headers(body, content_type), expected)


def as_form(fields: dict[str, Any]) -> bytes:
    return urlencode(fields).encode()


def as_payload_form(payload: Any) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


# -- real payloads --------------------------------------------------------------------------


def real_payloads(response_url: Callable[[str], str]) -> dict[str, dict[str, Any]]:
    """One of each payload the app handles, as Slack sends it; `response_url(name)` → URL."""
    mention = event_payload(
        mention_event(f"what is {MARKER}?", ts="1800000000.000001"), event_id="EvREAL1"
    )
    pin_item = {
        "type": "message",
        "channel": "C1",
        "message": {"type": "message", "user": "U8", "text": MARKER, "ts": "1700000123.000100"},
    }
    pin = event_payload(
        {"type": "pin_added", "user": "U3", "channel_id": "C1", "item": pin_item},
        event_id="EvREAL2",
    )
    click = button_click_payload(
        rendering.FEEDBACK_UP_ACTION,
        json.dumps({"q": MARKER, "a": "x", "d": "1"}),
        response_url=response_url("real-click"),
        trigger_id="t2",
        ephemeral=True,
    )
    # Fixed times, so a seed always makes the same bodies.
    mention["event_time"] = pin["event_time"] = 1_800_000_000
    click["actions"][0]["action_ts"] = "1800000000.000001"
    view = rendering.add_context_modal("C7")
    view["state"] = {
        "values": {
            rendering.MODAL_BODY_BLOCK: {rendering.MODAL_BODY_INPUT: {"value": MARKER}},
        }
    }
    return {
        "command": command_payload(
            "/context",
            f"show {MARKER}",
            response_url=response_url("real-command"),
            trigger_id="t1",
        ),
        "mention": mention,
        "pin": pin,
        "click": click,
        "shortcut": {
            "type": "message_action",
            "callback_id": rendering.ADD_CONTEXT_SHORTCUT,
            "team": {"id": TEAM_ID, "domain": "test"},
            "channel": {"id": "C1", "name": "general"},
            "user": {"id": "U4", "name": "bo"},
            "message": {"type": "message", "user": "U8", "ts": "1700000200.000300", "text": MARKER},
            "response_url": response_url("real-shortcut"),
            "trigger_id": "t3",
        },
        "view": {
            "type": "view_submission",
            "team": {"id": TEAM_ID},
            "user": {"id": "U9", "team_id": TEAM_ID},
            "view": {**view, "id": "V1", "team_id": TEAM_ID},
        },
        "url_verification": {"type": "url_verification", "challenge": MARKER},
    }


def encode(kind: str, payload: Any) -> tuple[bytes, str]:
    """A payload as Slack sends its kind: commands as forms, events as JSON, the rest
    as a form with a JSON `payload` field."""
    if kind == "command" and isinstance(payload, dict):
        return as_form(payload), FORM
    if kind in {"mention", "pin", "url_verification"}:
        return json.dumps(payload).encode(), JSON
    return as_payload_form(payload), FORM


_GONE = object()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- the catalogues -------------------------------------------------------------------------


def forged_or_unsigned(response_url: Callable[[str], str], *, now: int | None = None) -> list[Case]:
    """21 requests that must get 401: no, wrong, stale or unreadable signatures."""
    now = int(time.time()) if now is None else now
    real = real_payloads(response_url)
    command, _ = encode("command", real["command"])
    mention, _ = encode("mention", real["mention"])

    def forged(name: str, body: bytes, content_type: str, **headers: Any) -> Case:
        return Case(name, body, {"Content-Type": content_type, **headers}, 401, signed=False)

    good = sign(command, now)
    cases = [
        forged("no signature headers", command, FORM),
        forged("no signature", command, FORM, **{"X-Slack-Request-Timestamp": str(now)}),
        forged("no timestamp", command, FORM, **{"X-Slack-Signature": good}),
        forged(
            "wrong secret",
            mention,
            JSON,
            **{
                "X-Slack-Request-Timestamp": str(now),
                "X-Slack-Signature": sign(mention, now, "not-the-secret"),
            },
        ),
        forged(
            "stale timestamp",
            command,
            FORM,
            **{
                "X-Slack-Request-Timestamp": str(now - 600),
                "X-Slack-Signature": sign(command, now - 600),
            },
        ),
        forged(
            "future timestamp",
            command,
            FORM,
            **{
                "X-Slack-Request-Timestamp": str(now + 600),
                "X-Slack-Signature": sign(command, now + 600),
            },
        ),
        forged(
            "signature of another body",
            command + b"&x=1",
            FORM,
            **{"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good},
        ),
        forged(
            "signature v1",
            command,
            FORM,
            **{"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v1" + good[2:]},
        ),
        forged(
            "signature truncated",
            command,
            FORM,
            **{"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good[:-1]},
        ),
        forged(
            "signature not hex",
            command,
            FORM,
            **{"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "z" * 64},
        ),
        forged(
            "signature not ASCII",
            command,
            FORM,
            **{
                "X-Slack-Request-Timestamp": str(now),
                "X-Slack-Signature": ("v0=" + "é" * 64).encode("latin-1"),
            },
        ),
    ]
    for label, timestamp in (
        ("word", "abc"),
        ("float", f"{now}.5"),
        ("exponent", "1e9"),
        ("empty", ""),
        ("with letters", f"{now}abc"),
        ("huge", "9" * 5000),
        ("negative", f"-{now}"),
    ):
        cases.append(
            forged(
                f"timestamp {label}",
                command,
                FORM,
                **{"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": good},
            )
        )
    cases += [
        forged("unsigned invalid UTF-8", b"text=\xff\xfe&command=/ask", FORM),
        forged("unsigned deep JSON", _nested(100_000).encode(), JSON),
        forged("unsigned payload junk", b"payload=%7Bnot+json", FORM),
    ]
    assert len(cases) == 21
    return cases


def malformed_signed(response_url: Callable[[str], str]) -> list[Case]:
    """75 signed requests that must get 400, in the categories of issue 7 §3."""
    real = real_payloads(response_url)
    mention, command, click, view = real["mention"], real["command"], real["click"], real["view"]
    cases: list[Case] = []

    def add(name: str, body: bytes, content_type: str) -> None:
        cases.append(signed(name, body, content_type))

    # invalid UTF-8 (5)
    add("utf8 form", as_form(command) + b"&text=\xff", FORM)
    add("utf8 json", json.dumps(mention).encode()[:-1] + b',"x":"\xc3\x28"}', JSON)
    add("utf8 payload", b"payload=\xfe\xff", FORM)
    add("utf8 lone continuation", b"\x80" + MARKER.encode(), FORM)
    add("utf8 overlong", b'{"type":"\xc0\xaf"}', JSON)
    # payload= that isn't JSON (6)
    for index, junk in enumerate(
        ["{not json", "", MARKER, "{'single': 'quotes'}", '{"a":1', "[1,2"]
    ):
        add(f"payload junk {index}", urlencode({"payload": junk}).encode(), FORM)
    # deeply nested JSON (5)
    add("deep body 2000", _nested(2000).encode(), JSON)
    add("deep object 3000", ('{"a":' * 3000 + "1" + "}" * 3000).encode(), JSON)
    add("deep payload", urlencode({"payload": '{"a":' + _nested(5000) + "}"}).encode(), FORM)
    add("deep event 200", json.dumps({**mention, "event": _deep_dict(200)}).encode(), JSON)
    add("deep but parseable 100", json.dumps({"type": "x", "a": _deep_dict(100)}).encode(), JSON)
    # JSON that isn't an object (6)
    for index, value in enumerate(["[1, 2]", '"text"', "42", "null", "true"]):
        add(f"not an object {index}", value.encode(), JSON)
    add("payload is a list", as_payload_form([click]), FORM)
    # events whose event is null, a string, a list, ... (8)
    for index, value in enumerate([None, MARKER, [mention["event"]], 5, True, [], "", 0.5]):
        add(f"event odd {index}", json.dumps({**mention, "event": value}).encode(), JSON)
    # commands without the fields they need (10)
    for name in ("channel_id", "user_id", "command", "response_url"):
        without = {key: value for key, value in command.items() if key != name}
        add(f"command without {name}", as_form(without), FORM)
    for name, value in (
        ("channel_id", ""),
        ("user_id", ""),
        ("command", "context"),
        ("response_url", "ftp://x"),
        ("response_url", MARKER),
    ):
        add(f"command {name}={value!r}", as_form({**command, name: value}), FORM)
    add("command as JSON without channel", json.dumps({"command": "/ask"}).encode(), JSON)
    # mention text that isn't a string (5)
    for index, value in enumerate([5, [MARKER], {"t": MARKER}, True, 1.5]):
        event = {**mention["event"], "text": value}
        add(f"mention text {index}", json.dumps({**mention, "event": event}).encode(), JSON)
    # mention without channel / ts (5)
    for index, (name, value) in enumerate(
        [("channel", _GONE), ("ts", _GONE), ("channel", 5), ("ts", ["1"]), ("channel", "")]
    ):
        changed = _changed(mention, ("event", name), value)
        add(f"mention {name} {index}", json.dumps(changed).encode(), JSON)
    # block_actions without a usable actions list (8)
    for index, (path, value) in enumerate(
        [
            (("actions",), _GONE),
            (("actions",), []),
            (("actions",), MARKER),
            (("actions",), [1]),
            (("actions",), None),
            (("actions", 0, "action_id"), _GONE),
            (("actions", 0, "value"), _nested(1500)),
            (("response_url",), _GONE),
        ]
    ):
        add(f"actions {index}", as_payload_form(_changed(click, path, value)), FORM)
    # view submissions with an odd view (8)
    for index, (path, value) in enumerate(
        [
            (("view",), None),
            (("view",), MARKER),
            (("view", "callback_id"), _GONE),
            (("view", "state"), None),
            (("view", "state", "values"), [MARKER]),
            (("view", "state", "values", rendering.MODAL_BODY_BLOCK), MARKER),
            (("view", "private_metadata"), _nested(1400)),
            (("view", "private_metadata"), 7),
        ]
    ):
        add(f"view {index}", as_payload_form(_changed(view, path, value)), FORM)
    # odd fields Bolt itself reads (6)
    for index, (path, value) in enumerate(
        [
            (("user",), "U1"),
            (("authorizations",), MARKER),
            (("team",), 5),
            (("response_urls",), 1),
            (("channel",), 5),
            (("user",), {"id": 5}),
        ]
    ):
        add(f"bolt field {index}", as_payload_form(_changed(click, path, value)), FORM)
    # nothing Slack would send (3)
    add("empty body", b"", FORM)
    add("empty object", b"{}", JSON)
    add("form without a kind", as_form({"text": MARKER, "user_id": "U1"}), FORM)
    assert len(cases) == 75, len(cases)
    return cases


def _deep_dict(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"type": "app_mention", "text": MARKER}
    for _ in range(depth):
        value = {"type": "app_mention", "x": value}
    return value


def _changed(payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    target: Any = changed
    for key in path[:-1]:
        target = target[key]
    if value is _GONE:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return changed


# -- the fuzzer -----------------------------------------------------------------------------

_ODD_VALUES: list[Callable[[random.Random], Any]] = [
    lambda r: None,
    lambda r: r.randint(-(10**6), 10**6),
    lambda r: r.random(),
    lambda r: r.choice([True, False]),
    lambda r: [],
    lambda r: {},
    lambda r: [r.randint(0, 9)],
    lambda r: {"id": r.randint(0, 9)},
    lambda r: "",
    lambda r: MARKER,
    lambda r: random_text(r, r.randint(1, 40)),
    lambda r: _nested(r.choice([3, 70, 1200])),
    lambda r: json.loads(_nested(r.choice([3, 80]))),
    lambda r: "x" * r.choice([3000, 70_000]),
]


def random_text(rng: random.Random, length: int) -> str:
    """Text from a mix of ASCII, Slack markup, control characters, and wide Unicode."""
    pieces = [
        string.ascii_letters + string.digits + " ?!.,",
        "<@UBOT> <#C1|general> <https://x.y|link> &amp; &lt; *_~`",
        "\x00\x01\x07\x1b\x7f\u200b\u202e\ufeff\n\r\t",
        "éßøπДж中文日本語한국어🙂👍🏽\U0001f600\U0010fffd",
        "payload=%7B%22 {\"type\": [",
    ]
    alphabet = rng.choice(pieces) + rng.choice(pieces)
    return "".join(rng.choice(alphabet) for _ in range(length))


class Fuzzer:
    """Seeded random requests: `case()` gives one, with the status it must get if known."""

    def __init__(self, seed: int, response_url: Callable[[str], str]):
        self.rng = random.Random(seed)
        self.real = real_payloads(response_url)
        self.response_url = response_url
        self._ids = 0

    def case(self) -> Case:
        roll = self.rng.random()
        if roll < 0.2:
            return self.command_text()
        if roll < 0.7:
            return self.mutation()
        if roll < 0.85:
            return self.corrupted_bytes()
        return self.forged()

    def command_text(self) -> Case:
        """`/context …` or `/ask …` with random text; a well-formed command (200)."""
        rng = self.rng
        self._ids += 1
        command = rng.choice(["/context", "/ask"])
        words = ["add", "show", "remove", "list", "clear", "help", "", "rm", "#1", "99999999999"]
        length = rng.choice([0, 5, 40, 300, 3000])
        text = rng.choice(words) + " " + random_text(rng, length)
        if text.startswith("add") and length > 300:
            text = "show" + text[3:]  # splitting documents is the model's work; keep it bounded
        form = command_payload(
            command,
            text,
            response_url=self.response_url(f"fuzz{self._ids}"),
            trigger_id=f"t{self._ids}",
        )
        return signed(f"command text {self._ids}", as_form(form), FORM, expected=200)

    def mutation(self) -> Case:
        """A real payload with one to three fields deleted or replaced with odd values."""
        rng = self.rng
        kind = rng.choice(sorted(self.real))
        payload: Any = copy.deepcopy(self.real[kind])
        for _ in range(rng.randint(1, 3)):
            payload = self._mutate(payload)
        if kind == "mention" and isinstance(payload, dict):
            self._ids += 1
            payload["event_id"] = f"EvFuzz{self._ids}"
        body, content_type = encode(kind, payload)
        if rng.random() < 0.1:
            content_type = rng.choice([JSON, FORM, "text/plain", "", "application/JSON"])
        return signed(f"mutated {kind}", body, content_type, expected=None)

    def _mutate(self, payload: Any) -> Any:
        rng = self.rng
        paths = list(_paths(payload))
        if not paths:
            return rng.choice(_ODD_VALUES)(rng)
        path = rng.choice(paths)
        if not path:
            return rng.choice(_ODD_VALUES)(rng)
        target = payload
        for key in path[:-1]:
            target = target[key]
        if rng.random() < 0.3 and isinstance(target, dict):
            target.pop(path[-1], None)
        else:
            target[path[-1]] = rng.choice(_ODD_VALUES)(rng)
        return payload

    def corrupted_bytes(self) -> Case:
        """A real body with a few bytes flipped, cut, or repeated, then signed."""
        rng = self.rng
        kind = rng.choice(sorted(self.real))
        body = bytearray(encode(kind, self.real[kind])[0])
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(len(body))
            action = rng.random()
            if action < 0.5:
                body[position] = rng.randrange(256)
            elif action < 0.75:
                del body[position:]
            else:
                body[position:position] = body[position : position + 20] * rng.randint(2, 50)
            if not body:
                break
        content_type = rng.choice([JSON, FORM])
        return signed(f"corrupted {kind}", bytes(body), content_type, expected=None)

    def forged(self) -> Case:
        """A real or mutated body with a bad, stale or missing signature (401)."""
        rng = self.rng
        base = self.mutation() if rng.random() < 0.5 else self.corrupted_bytes()
        now = int(time.time())
        timestamp = rng.choice(
            [str(now), str(now - 400), str(now + 400), "", "x", "1e3", "١٢٣", f"0{now}"]
        )
        signature = rng.choice(
            [
                sign(base.body, now, "wrong-secret"),
                sign(base.body + b"x", now),
                "",
                "v0=",
                "v0=" + "0" * 64,
                sign(base.body, now)[:-2],
                sign(base.body, now - 400) if timestamp == str(now - 400) else "v0=" + "1" * 64,
            ]
        )
        headers: dict[str, Any] = {"Content-Type": base.headers["Content-Type"]}
        if rng.random() < 0.9:
            headers["X-Slack-Request-Timestamp"] = timestamp.encode("utf-8")
        if rng.random() < 0.9:
            headers["X-Slack-Signature"] = signature
        return Case(f"forged {base.name}", base.body, headers, 401, signed=False)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


assert SIGNING_SECRET  # the catalogues sign with conftest's secret
