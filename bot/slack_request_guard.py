"""What a request to `/slack/events` must pass before Bolt or a listener sees it.

Bolt parses a body (and builds its context from it) before its own middleware checks the
signature, and its parsing, matchers and our listeners index into the payload freely
(`body["event"]["type"]`, `body["actions"][0]`, `command["channel_id"]`). So a forged body
could raise inside Bolt, and a genuine but odd one inside a listener; either was a 500 with
a traceback. Here, in order:

1. `check_request` (HTTP only): the Slack v0 signature is checked on the raw bytes, with a
   fresh timestamp, before anything is decoded → 401. Then the body is decoded and parsed
   the way Bolt will parse it → 400 when that would fail.
2. `payload_problem` (HTTP and Socket Mode): the payload has the shape that Bolt's
   built-in code and every listener read → 400 over HTTP; `PayloadGuard` applies it
   inside Bolt, so a Socket Mode payload gets the same check (and is acked and dropped).
3. `log_listener_error`: a reply that can't reach the payload's `response_url` is a
   one-line warning, not a traceback.

Reasons are short and never quote the body, so they can go in the log and the response.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

logger = logging.getLogger(__name__)

# Slack's own payloads are a few KB, a long message some 40 KB; 4 MiB leaves room for any of
# them and keeps a hostile client from making the process hold (and HMAC, and parse) more.
MAX_BODY_BYTES = 4 * 1024 * 1024
# Slack's documented replay window for a request's timestamp.
MAX_CLOCK_SKEW_SECONDS = 5 * 60
# Real payloads nest about a dozen levels (a view's rich-text blocks); far below the
# ~1000 at which `json.loads` raises RecursionError, and deep enough for any of them.
MAX_JSON_DEPTH = 64
# Slack's limits on a button's `value` and a view's `private_metadata`; the listeners
# `json.loads` both, so longer ones are not Slack's.
MAX_ACTION_VALUE_CHARS = 2000
MAX_PRIVATE_METADATA_CHARS = 3000

# Slack's ids (channels, users, callback and action ids, timestamps) are short; a longer one
# is not Slack's, and Bolt quotes some of them when it logs an unhandled request.
MAX_ID_CHARS = 255

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_PRINTABLE_ASCII = re.compile(r"[!-~]+")
_IDENTIFIERS = frozenset(
    {
        "type", "subtype", "callback_id", "action_id", "block_id", "command", "id",
        "team_id", "enterprise_id", "user_id", "channel_id", "event_id", "api_app_id",
        "trigger_id", "ts", "thread_ts", "event_ts", "message_ts", "channel", "user",
        "team", "bot_id", "channel_type", "tab", "user_team",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Rejection:
    """Why a request is refused: the HTTP status and a short reason (no part of the body)."""

    status: int
    reason: str


@dataclass(frozen=True)
class Accepted:
    """A signed, well-formed request: its text (for Bolt) and the payload parsed from it."""

    text: str
    body: dict[str, Any]


def check_request(
    raw: bytes, headers: Mapping[str, str], *, signing_secret: str, now: float
) -> Accepted | Rejection:
    """Verify `raw` (≤ MAX_BODY_BYTES, the caller's job), then parse and shape-check it."""
    unsigned = verify_signature(raw, headers, signing_secret=signing_secret, now=now)
    if unsigned is not None:
        return unsigned
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type")
    parsed = parse_body(raw, content_type)
    if isinstance(parsed, Rejection):
        return parsed
    text, body = parsed
    problem = payload_problem(body)
    if problem is not None:
        return Rejection(400, problem)
    return Accepted(text=text, body=body)


def verify_signature(
    raw: bytes, headers: Mapping[str, str], *, signing_secret: str, now: float
) -> Rejection | None:
    """None when `raw` carries a valid, fresh Slack v0 signature; else a 401.

    The HMAC is over the raw bytes, as Slack computes it: slack_sdk's `SignatureVerifier`
    decodes the body first (and raises on invalid UTF-8) and calls `int()` on the
    timestamp header (and raises on a non-number).
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get("x-slack-request-timestamp", "")
    signature = lowered.get("x-slack-signature", "")
    if not signing_secret:
        return Rejection(401, "signature verification is not configured")
    if not _TIMESTAMP.fullmatch(timestamp):
        return Rejection(401, "missing or invalid X-Slack-Request-Timestamp")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return Rejection(401, "stale X-Slack-Request-Timestamp")
    if not _SIGNATURE.fullmatch(signature):
        return Rejection(401, "missing or invalid X-Slack-Signature")
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return Rejection(401, "invalid signature")
    return None


def parse_body(raw: bytes, content_type: str | None) -> tuple[str, dict[str, Any]] | Rejection:
    """The body's text and payload, read as Bolt reads it; a 400 where Bolt would raise.

    Bolt's rule (`slack_bolt.request.internals.parse_body`): JSON when the content type is
    exactly `application/json` or the text starts with `{`; else a form, whose `payload`
    field is JSON when the text contains "payload". One difference: a form that mentions
    "payload" without having the field (`/ask what is a payload?`) is Bolt's `{}`, and
    here the form it is; the server hands Bolt this payload.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection(400, "body is not UTF-8")
    media_type = content_type.split(";")[0] if content_type else None
    if media_type == "application/json" or text.startswith("{"):
        payload = _json_object(text, "body")
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" in text and "payload" in form:
            payload = _json_object(form["payload"], "payload")
        else:
            payload = form
    if isinstance(payload, Rejection):
        return payload
    return text, payload


def _json_object(text: str, what: str) -> dict[str, Any] | Rejection:
    try:
        value = json.loads(text)
    except RecursionError:
        return Rejection(400, f"{what} JSON is nested too deeply")
    except ValueError:
        return Rejection(400, f"{what} is not valid JSON")
    if not isinstance(value, dict):
        return Rejection(400, f"{what} JSON is not an object")
    if _deeper_than(value, MAX_JSON_DEPTH):
        return Rejection(400, f"{what} JSON is nested too deeply")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


# -- payload shapes -------------------------------------------------------------------------
#
# Each check returns a short reason, or None. "str?" below means a string or absent/null.


class _Malformed(Exception):
    """Raised inside the shape checks; carries the reason."""


def payload_problem(body: Any) -> str | None:
    """Why `body` can't be handed to Bolt and the listeners, or None when it can.

    Guarantees, for what passes (types of the fields that Bolt's context building,
    matchers and built-in middleware read, and every field a listener reads):
    - everywhere: `type`, `team_id`, `user_id`, `channel_id`, `event_id`, `callback_id`,
      `trigger_id`, `text`, ... str?; `user`, `channel`, `container`, `message`,
      `item`, ... an object or null; `team`/`enterprise` a string, object or null;
      `authorizations`, `response_urls` lists of objects; `event`, `view` objects.
    - `event_callback`: `event.type` str; `app_mention`: `event.channel`, `event.ts`
      non-empty str, `event.text`, `event.thread_ts`, `event.user` str?; `pin_added` /
      `pin_removed`: `event.channel_id`, `event.user` str?, `event.item` an object with
      `type`, `channel` str? and `message` an object with `ts`, `text`, `user`,
      `permalink` str?.
    - a slash command: `command` ("/…"), `channel_id`, `user_id` non-empty str, `text`,
      `trigger_id` str?, `response_url` an http(s) URL.
    - `block_actions`: `actions` a non-empty list of objects with `action_id` str and
      `value` str? (≤ 2,000 chars, JSON that `json.loads` can read without recursing too
      deep); `response_url` an http(s) URL unless the action came from a view.
    - `message_action`: `callback_id` str, `response_url` an http(s) URL.
    - `view_submission` / `view_closed`: `view.callback_id` and `view.type` str,
      `view.private_metadata` str? (≤ 3,000 chars, readable JSON depth), `view.state`
      an object whose `values` map block ids to objects of action ids to objects, each
      with `value` str?.
    """
    if not isinstance(body, dict):
        return "payload is not an object"
    try:
        _check(body)
    except _Malformed as problem:
        return str(problem)
    return None


def _check(body: dict[str, Any]) -> None:
    kind = _field(body, "type", str)
    if kind is None and "command" not in body and "ssl_check" not in body:
        raise _Malformed("not a Slack payload (no type or command)")
    _check_common(body)
    if "command" in body:
        _check_command(body)
    if kind == "event_callback":
        _check_event(_field(body, "event", dict, required=True, nullable=False))
    elif kind == "url_verification":
        _field(body, "challenge", str, required=True)
    elif kind == "block_actions":
        _check_block_actions(body)
    elif kind == "message_action":
        _field(body, "callback_id", str, required=True)
        _check_message(body, "message")
        _response_url(body, required=True)
    elif kind in {"view_submission", "view_closed"}:
        _check_view(body)
    elif kind in {"shortcut", "interactive_message", "dialog_submission", "dialog_cancellation"}:
        _field(body, "callback_id", str, required=True)
        if kind == "interactive_message":
            _actions(body)
    elif kind == "workflow_step_edit":
        _field(body, "callback_id", str, required=True)
        _field(body, "workflow_step", dict, required=True, nullable=False)
    elif kind == "block_suggestion":
        _field(body, "action_id", str, required=True)


_COMMON_STRINGS = (
    "token", "team_id", "enterprise_id", "user_id", "channel_id", "api_app_id", "event_id",
    "trigger_id", "callback_id", "action_id", "thread_ts", "function_execution_id",
    "bot_access_token", "text",
)  # fmt: skip
_COMMON_OBJECTS = (
    "user", "channel", "container", "message", "previous_message", "item", "assistant_thread",
    "function_data",
)  # fmt: skip


def _check_common(body: dict[str, Any]) -> None:
    """What Bolt reads from any payload before it knows the kind (its context, middleware)."""
    for name in _COMMON_STRINGS:
        _field(body, name, str)
    for name in _COMMON_OBJECTS:
        _id_of(_field(body, name, dict), name)
    for name in ("team", "enterprise"):
        value = _field(body, name, (str, dict))
        if isinstance(value, dict):
            _id_of(value, name)
    for name in ("event", "view", "workflow_step"):
        _field(body, name, dict, nullable=False)
    _field(body, "is_enterprise_install", (bool, str))
    _field(body, "is_ext_shared_channel", bool)
    for index, authorization in enumerate(_list_of_objects(body, "authorizations")):
        where = f"authorizations[{index}]"
        for name in ("team_id", "enterprise_id", "user_id"):
            _field(authorization, name, str, where=where)
        _field(authorization, "is_enterprise_install", (bool, str), where=where)
    for index, entry in enumerate(_list_of_objects(body, "response_urls")):
        _field(entry, "response_url", str, where=f"response_urls[{index}]")
    if "response_url" in body:
        _response_url(body, required=True)


def _check_command(body: dict[str, Any]) -> None:
    command = _field(body, "command", str, required=True)
    if not command.startswith("/"):
        raise _Malformed("command does not start with /")
    for name in ("channel_id", "user_id"):
        if not _field(body, name, str, required=True):
            raise _Malformed(f"command has an empty {name}")
    _response_url(body, required=True)


_EVENT_STRINGS = (
    "type", "subtype", "bot_id", "ts", "event_ts", "thread_ts", "channel_type", "tab",
    "text", "team", "user_team", "function_execution_id", "bot_access_token", "callback_id",
)  # fmt: skip
_EVENT_OBJECTS = ("message", "previous_message", "item", "assistant_thread", "function")


def _check_event(event: dict[str, Any]) -> None:
    """An Events API `event`: what Bolt's matchers read, and all our listeners read."""
    where = "event"
    event_type = _field(event, "type", str, required=True, where=where)
    for name in _EVENT_STRINGS:
        _field(event, name, str, where=where)
    for name in _EVENT_OBJECTS:
        _field(event, name, dict, where=where)
    # Other events carry a user or channel object (`user_change`, `channel_created`).
    _field(event, "user", (str, dict), where=where)
    _field(event, "channel", (str, dict), where=where)
    _field(event, "channel_id", str, where=where)
    if event_type == "workflow_step_execute":
        _field(event, "workflow_step", dict, required=True, nullable=False, where=where)
    if event_type == "app_mention":
        for name in ("channel", "ts"):
            if not _field(event, name, str, required=True, where=where):
                raise _Malformed(f"event.{name} is empty")
        _field(event, "user", str, where=where)
    elif event_type in {"pin_added", "pin_removed"}:
        _field(event, "user", str, where=where)
        item = _field(event, "item", dict, where=where)
        if item is not None:
            _field(item, "type", str, where="event.item")
            _field(item, "channel", str, where="event.item")
            _check_message(item, "message", where="event.item")


def _check_block_actions(body: dict[str, Any]) -> None:
    for index, action in enumerate(_actions(body)):
        where = f"actions[{index}]"
        _field(action, "action_id", str, required=True, where=where)
        _field(action, "block_id", str, where=where)
        value = _field(action, "value", str, where=where)
        if value is not None:
            _readable_json(value, f"{where}.value", MAX_ACTION_VALUE_CHARS)
    container = body.get("container") or {}
    _field(container, "channel_id", str, where="container")
    _field(container, "message_ts", str, where="container")
    _field(container, "is_ephemeral", bool, where="container")
    from_view = _field(container, "type", str, where="container") == "view" or "view" in body
    _check_message(body, "message")
    # Actions in a message reply through its response_url; a view's actions have none.
    _response_url(body, required=not from_view)


def _check_view(body: dict[str, Any]) -> None:
    view = _field(body, "view", dict, required=True, nullable=False)
    for name in ("callback_id", "type"):
        _field(view, name, str, required=True, where="view")
    for name in ("id", "team_id", "app_installed_team_id", "hash"):
        _field(view, name, str, where="view")
    metadata = _field(view, "private_metadata", str, where="view")
    if metadata:
        _readable_json(metadata, "view.private_metadata", MAX_PRIVATE_METADATA_CHARS)
    if view["type"] == "workflow_step":
        _field(body, "workflow_step", dict, required=True, nullable=False)
    # The listeners walk state.values[block][action]["value"] with `.get(…, {})`: a
    # level that is there must be an object.
    state = _field(view, "state", dict, nullable=False, where="view")
    if state is None:
        return
    values = _field(state, "values", dict, nullable=False, where="view.state")
    for block in (values or {}).values():
        if not isinstance(block, dict):
            raise _Malformed("view.state.values has a block that is not an object")
        for action in block.values():
            if not isinstance(action, dict):
                raise _Malformed("view.state.values has an input that is not an object")
            _field(action, "value", str, where="view.state.values.<block>.<input>")


def _check_message(container: dict[str, Any], name: str, *, where: str = "") -> None:
    message = _field(container, name, dict, where=where)
    if message is None:
        return
    inner = f"{where}.{name}" if where else name
    for field in ("ts", "thread_ts", "text", "user", "permalink", "subtype"):
        _field(message, field, str, where=inner)


# -- field helpers --------------------------------------------------------------------------


def _field(
    container: Mapping[str, Any],
    name: str,
    kinds: type | tuple[type, ...],
    *,
    required: bool = False,
    nullable: bool = True,
    where: str = "",
) -> Any:
    """`container[name]` if it has one of `kinds`; None if absent (or null, if `nullable`)."""
    label = f"{where}.{name}" if where else name
    if name not in container:
        if required:
            raise _Malformed(f"{label} is missing")
        return None
    value = container[name]
    if value is None and nullable and not required:
        return None
    # bool is an int, but no field here is an int; and a str field must not be a bool.
    if not isinstance(value, kinds):
        raise _Malformed(f"{label} is not {_describe(kinds)}")
    if isinstance(value, str) and name in _IDENTIFIERS and len(value) > MAX_ID_CHARS:
        raise _Malformed(f"{label} is longer than {MAX_ID_CHARS} characters")
    return value


def _describe(kinds: type | tuple[type, ...]) -> str:
    names = {str: "a string", dict: "an object", list: "a list", bool: "a boolean"}
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    return " or ".join(names.get(kind, kind.__name__) for kind in kinds)


def _id_of(value: dict[str, Any] | None, where: str) -> None:
    if value is not None:
        _field(value, "id", str, where=where)
        _field(value, "team_id", str, where=where)
        _field(value, "enterprise_id", str, where=where)


def _list_of_objects(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = _field(body, name, list) or []
    if not all(isinstance(item, dict) for item in items):
        raise _Malformed(f"{name} has an entry that is not an object")
    return items


def _actions(body: dict[str, Any]) -> list[dict[str, Any]]:
    # Bolt reads body["actions"][0] of block and attachment actions.
    _field(body, "actions", list, required=True, nullable=False)
    actions = _list_of_objects(body, "actions")
    if not actions:
        raise _Malformed("actions is empty")
    return actions


def _response_url(body: dict[str, Any], *, required: bool) -> None:
    url = _field(body, "response_url", str, required=required)
    if url is not None and not _openable_url(url):
        raise _Malformed("response_url is not an http(s) URL")


def _openable_url(url: str) -> bool:
    """An http(s) URL that urllib can open (Bolt's `respond` would raise on the rest)."""
    if not _PRINTABLE_ASCII.fullmatch(url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port that isn't one)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _readable_json(text: str, label: str, limit: int) -> None:
    """`text` is short and, if it is JSON at all, shallow enough for `json.loads`."""
    if len(text) > limit:
        raise _Malformed(f"{label} is longer than {limit} characters")
    try:
        json.loads(text)
    except RecursionError:
        raise _Malformed(f"{label} is nested too deeply") from None
    except ValueError:
        pass  # not JSON: the listeners read that as "no value"


# -- inside Bolt ----------------------------------------------------------------------------


class PayloadGuard(Middleware):
    """`payload_problem` as a Bolt global middleware, for Socket Mode as much as HTTP.

    Give it as `App(before_authorize=PayloadGuard())`: it then runs before the authorize,
    self-event and URL-verification middleware, which read `body["event"]` too. A plain
    function middleware would not do: Bolt builds its keyword arguments (`action`,
    `event`, ...) from the body first, and that raises on the payloads this is here to stop.

    A malformed payload is logged in one line without its content and dropped: over HTTP
    with a 400 (a body that reached Bolt another way than `bot.server`), over Socket Mode
    acked, as Slack would only deliver it again.
    """

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        problem = payload_problem(req.body)
        if problem is None:
            return next()
        logger.warning("dropped a malformed Slack payload (%s): %s", req.mode, problem)
        # Nothing after this (the app's request log line included) reads the odd fields.
        req.body = {}
        if req.mode == "socket_mode":
            return BoltResponse(status=200, body="")
        return BoltResponse(status=400, body=problem)


def log_listener_error(error: Exception) -> None:
    """Bolt's error handler (`app.error`): a listener that failed because a reply could not
    reach its URL (a signed payload's `response_url` may name any host) is logged in one
    line; any other error keeps its traceback, as with Bolt's default handler."""
    if isinstance(error, (OSError, HTTPException)):
        logger.warning("a listener could not deliver its reply: %s", str(error)[:200])
    else:
        logger.error("a listener failed", exc_info=error)
