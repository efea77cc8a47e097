"""Getting a reply to its place in Slack, and telling a passing failure from a final one.

Short failures are retried inside the Web API client (slack_sdk's retry handlers: a
dropped connection, one 500/503, a 429 whose `Retry-After` is a second or two). Anything
longer is `SlackUnavailable`: the job runner gives the job back with a time to retry and
the thread moves on, rather than sleeping on one channel's rate limit. `SlackRefused` is
final (the channel is gone, the bot was removed): retrying can't help.
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.rendering import Message

logger = logging.getLogger(__name__)

IN_CLIENT_RATE_LIMIT_WAIT = 2
"""The longest `Retry-After` (s) the client waits out itself; longer goes back to the runner."""
DEFAULT_RETRY_AFTER = 30.0
"""When Slack rate-limits without saying for how long."""
# Slack's own "try again" errors (in an ok:false body with HTTP 200).
PASSING_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
REPLY_EVENT_TYPE = "qabot_reply"
"""Message metadata on every threaded reply: which job posted it (see `already_replied`)."""


class SlackUnavailable(Exception):
    """Slack can't take the call now; try again after `retry_after` s (None: back off)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class SlackRefused(Exception):
    """Slack refused the call for good (`error` is Slack's code, e.g. channel_not_found)."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class _RateLimitRetry(RateLimitErrorRetryHandler):
    """Slack's 429 — and an `ok: false, error: ratelimited` body, which means the same —
    waited out in the client only when `Retry-After` is short."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None:
            return False
        limited = response.status_code == 429 or (
            isinstance(response.body, dict) and response.body.get("error") == "ratelimited"
        )
        return limited and _retry_after(response.headers) <= IN_CLIENT_RATE_LIMIT_WAIT


def _retry_after(headers: Mapping[str, Any]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(float(raw), 0.0)
            except (TypeError, ValueError):
                break
    return 1.0


def retry_handlers() -> list[RetryHandler]:
    """Bounded in-client retries: one each, so a reply is never held up for long."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=1),
        _RateLimitRetry(max_retry_count=1),
        ServerErrorRetryHandler(max_retry_count=1),
    ]


def make_web_client(token: str, base_url: str) -> WebClient:
    return WebClient(token=token, base_url=base_url, retry_handlers=retry_handlers())


def classify(error: Exception) -> SlackUnavailable | SlackRefused | None:
    """What a failed Slack call means for the job; None for errors that aren't Slack's."""
    if isinstance(error, SlackUnavailable | SlackRefused):
        return error
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", 200)
        data = response.data if isinstance(response.data, dict) else {}
        code = str(data.get("error") or f"http_{status}")
        if status == 429 or code == "ratelimited":
            headers = getattr(response, "headers", {}) or {}
            retry_after = _retry_after(headers) if headers else DEFAULT_RETRY_AFTER
            return SlackUnavailable("ratelimited", max(retry_after, 1.0))
        if status >= 500 or code in PASSING_ERRORS:
            return SlackUnavailable(code)
        return SlackRefused(code)
    if isinstance(error, OSError | http.client.HTTPException | TimeoutError):
        return SlackUnavailable(type(error).__name__)
    return None


@dataclass(frozen=True)
class Destination:
    """Where a reply goes: a thread (`thread_ts`), the asker alone through a command's
    `response_url`, or the asker alone in the channel (`ephemeral_user`)."""

    channel_id: str
    thread_ts: str | None = None
    reaction_ts: str | None = None
    """The message that carries the 👀 while qabot works (a mention), if any."""
    response_url: str | None = None
    ephemeral_user: str | None = None
    assistant: bool | None = None
    """The thread is an assistant panel thread (a DM): its status shows what qabot reads."""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Destination:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})

    @property
    def is_thread(self) -> bool:
        return self.response_url is None and self.ephemeral_user is None


def deliver(
    client: WebClient, destination: Destination, message: Message, *, job_id: int
) -> None:
    """Post `message` at `destination`; raises `SlackUnavailable` or `SlackRefused`."""
    try:
        if destination.response_url:
            _respond(destination.response_url, message)
        elif destination.ephemeral_user:
            client.chat_postEphemeral(
                channel=destination.channel_id,
                user=destination.ephemeral_user,
                thread_ts=destination.thread_ts,
                **message.as_kwargs(),
            )
        else:
            client.chat_postMessage(
                channel=destination.channel_id,
                thread_ts=destination.thread_ts,
                metadata={"event_type": REPLY_EVENT_TYPE, "event_payload": {"job": job_id}},
                **message.as_kwargs(),
            )
    except Exception as error:
        meaning = classify(error)
        if meaning is None:
            raise
        raise meaning from error


def _respond(response_url: str, message: Message) -> None:
    webhook = WebhookClient(response_url, retry_handlers=retry_handlers())
    response = webhook.send(response_type="ephemeral", replace_original=False,
                            **message.as_kwargs())
    if response.status_code == 200:
        return
    body = (response.body or "").strip()[:60]
    if response.status_code == 429 or response.status_code >= 500:
        retry_after = _retry_after(response.headers or {})
        raise SlackUnavailable(f"response_url http_{response.status_code}", retry_after)
    # 404 expired_url / used_url: the 30 minutes or 5 uses Slack allows are over.
    raise SlackRefused(f"response_url http_{response.status_code} {body}".strip())


def already_replied(client: WebClient, destination: Destination, *, job_id: int) -> bool:
    """Whether the thread already holds this job's reply: asked only when an earlier
    attempt stopped mid-post, so that a restart never posts the answer twice. False when
    Slack can't say (then posting again is the lesser evil)."""
    if not destination.is_thread or not destination.thread_ts:
        return False
    try:
        response = client.conversations_replies(
            channel=destination.channel_id,
            ts=destination.thread_ts,
            include_all_metadata=True,
            limit=200,
        )
    except Exception as error:
        logger.warning("could not check thread for an earlier reply: %s", _code(error))
        return False
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == REPLY_EVENT_TYPE
            and (metadata.get("event_payload") or {}).get("job") == job_id
        ):
            return True
    return False


def set_assistant_status(client: WebClient, destination: Destination, status: str) -> None:
    """The assistant panel's "is thinking" line; Slack clears it when the reply is posted.
    A failure is logged and never stops the reply."""
    try:
        client.assistant_threads_setStatus(
            channel_id=destination.channel_id, thread_ts=destination.thread_ts or "",
            status=status,
        )
    except Exception as error:
        logger.warning("assistant.threads.setStatus in %s failed: %s",
                       destination.channel_id, _code(error))


def channel_name(client: WebClient, channel_id: str) -> str | None:
    """The channel's name without "#", or None when Slack won't say (then say less)."""
    try:
        response = client.conversations_info(channel=channel_id)
    except Exception as error:
        logger.info("conversations.info for %s failed: %s", channel_id, _code(error))
        return None
    name = (response.get("channel") or {}).get("name")
    return str(name) if name else None


def react(client: WebClient, channel_id: str, ts: str, name: str, *, add: bool) -> bool:
    """Add or remove a reaction; a failure is logged and never stops the reply."""
    call = client.reactions_add if add else client.reactions_remove
    try:
        call(channel=channel_id, timestamp=ts, name=name)
    except Exception as error:
        code = _code(error)
        if code not in {"already_reacted", "no_reaction"}:
            logger.warning(
                "reactions.%s in %s failed: %s", "add" if add else "remove", channel_id, code
            )
            return False
    return True


def _code(error: Exception) -> str:
    meaning = classify(error)
    if isinstance(meaning, SlackRefused):
        return meaning.error
    if isinstance(meaning, SlackUnavailable):
        return meaning.reason
    return type(error).__name__
