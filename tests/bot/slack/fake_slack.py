"""A stand-in for Slack's Web API (and response_url endpoints) on 127.0.0.1.

Every call is recorded with its method name and parameters (form or JSON, with `blocks`
and `view` decoded), and answered `{"ok": true, ...}` with a plausible payload. A test can
make a method fail a number of times (`fail`), with `ok: false` or an HTTP error status.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T1"

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One Web API call (`method` like "chat.postMessage") or one response_url post."""

    method: str
    params: dict[str, Any]
    token: str | None = None  # the bearer token the call was made with, if any

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class _Failure:
    error: str
    status: int
    times: int
    retry_after: int | None = None
    channel: str | None = None


class FakeSlack:
    """Start with `FakeSlack()`, stop with `close()`; `api_url` goes in Settings."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._responses: list[Call] = []
        self._failures: dict[str, _Failure] = {}
        self._down: _Failure | None = None
        self._delays: dict[str, float] = {}
        self._failed_calls: list[Call] = []
        # What `apps.connections.open` hands out: a Socket Mode WebSocket URL (see
        # tests/bot/slack/fake_socket_mode.py).
        self.socket_mode_url = "ws://127.0.0.1:9/unused"
        self._messages: list[dict[str, Any]] = []  # seeded with `add_message`
        self._files: dict[str, tuple[dict[str, Any], bytes]] = {}  # seeded with `add_file`
        self._downloads: list[Call] = []
        # What `conversations.info` says a channel is called (else its id, lowercased).
        self.channel_names: dict[str, str] = {}
        self._uploads: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/respond/{name}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what tests look at ---------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def replies(self, thread_ts: str | None = None) -> list[Call]:
        """`chat.postMessage` calls; with `thread_ts`, only those posted in that thread."""
        posts = self.calls("chat.postMessage")
        return [c for c in posts if thread_ts is None or c.get("thread_ts") == thread_ts]

    def responses(self, name: str | None = None) -> list[Call]:
        """Posts to response_url paths (`Call.method` is the path's name)."""
        with self._lock:
            return [r for r in self._responses if name is None or r.method == name]

    def fail(
        self,
        method: str,
        *,
        error: str = "fatal_error",
        status: int = 200,
        times: int = 1,
        retry_after: int | None = None,
        channel: str | None = None,
    ):
        """The next `times` calls to `method` fail: `ok: false` (status 200) or HTTP `status`
        (with a `Retry-After` header when given, as Slack sends with 429); with `channel`,
        only calls for that channel."""
        with self._lock:
            self._failures[method] = _Failure(
                error=error, status=status, times=times, retry_after=retry_after, channel=channel
            )

    def slow(self, method: str, seconds: float) -> None:
        """Calls to `method` ("respond" for response_url posts) take `seconds` to answer,
        after Slack has done them."""
        with self._lock:
            self._delays[method] = seconds

    def fail_everything(self, *, status: int = 503, error: str = "service_unavailable") -> None:
        """Every Web API call and response_url post fails until `recover()`."""
        with self._lock:
            self._down = _Failure(error=error, status=status, times=-1)

    def reactions_on(self, ts: str) -> list[str]:
        """The reactions on message `ts` now, as the successful add/remove calls left them."""
        current: list[str] = []
        for call in self.calls():
            if call.method in ("reactions.add", "reactions.remove") and call.get("timestamp") == ts:
                name = call["name"]
                if call.method == "reactions.add" and name not in current:
                    current.append(name)
                elif call.method == "reactions.remove" and name in current:
                    current.remove(name)
        return current

    def add_message(self, ts: str, text: str, *, thread_ts: str | None = None,
                    user: str = "U1") -> None:
        """A message people wrote (conversations.replies returns it in its thread)."""
        with self._lock:
            self._messages.append(
                {"type": "message", "ts": ts, "text": text, "user": user,
                 "thread_ts": thread_ts or ts}
            )

    def add_file(self, file_id: str, data: bytes, *, name: str, mimetype: str,
                 filetype: str, size: int | None = None) -> dict[str, Any]:
        """A file in the workspace: `files.info` describes it (with `size`, default its
        real size) and its `url_private_download` serves `data` to a bearer token."""
        info = {
            "id": file_id, "name": name, "title": name, "mimetype": mimetype,
            "filetype": filetype, "size": len(data) if size is None else size,
            "url_private_download": f"{self.base_url}/download/{file_id}/{name}",
            "permalink": f"https://qabot-test.slack.com/files/U1/{file_id}/{name}",
        }
        with self._lock:
            self._files[file_id] = (info, data)
        return info

    def downloads(self) -> list[Call]:
        """File downloads (`Call.params["file"]`, with the token they carried)."""
        with self._lock:
            return list(self._downloads)
    def uploaded(self, file_id: str) -> bytes | None:
        """The bytes posted to `file_id`'s upload URL (files.upload_v2's second step)."""
        with self._lock:
            return self._uploads.get(file_id)

    def recover(self) -> None:
        with self._lock:
            self._down = None

    # -- the server -------------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def failed_calls(self, method: str | None = None) -> list[Call]:
        """Calls that were answered with a failure (not in `calls()`: Slack did nothing)."""
        with self._lock:
            return [c for c in self._failed_calls if method is None or c.method == method]

    def _failure(self, method: str, channel: str | None) -> _Failure | None:
        if self._down is not None:
            return self._down
        failure = self._failures.get(method)
        if failure is not None and failure.channel not in (None, channel):
            return None
        if failure is not None and failure.times != 0:
            failure.times -= 1
            return failure
        return None

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None = None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            failure = self._failure(method, params.get("channel"))
            if failure is not None:
                self._failed_calls.append(Call(method, params, token))
                headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
                return failure.status, {"ok": False, "error": failure.error}, headers
            self._calls.append(Call(method, params, token))
            if method == "files.info":
                known = self._files.get(params.get("file", ""))
                if known is None:
                    return 200, {"ok": False, "error": "file_not_found"}, {}
                return 200, {"ok": True, "file": known[0]}, {}
            if method == "conversations.replies":
                thread = params.get("ts")
                seeded = [m for m in self._messages if m["thread_ts"] == thread]
                messages = seeded + [
                    {"ts": c.get("ts", ""), "text": c.get("text", ""),
                     "metadata": c.get("metadata")}
                    for c in self._calls
                    if c.method == "chat.postMessage" and c.get("thread_ts") == thread
                ]
                limit = int(params.get("limit") or 0)
                messages = messages[:limit] if limit else messages
                return 200, {"ok": True, "messages": messages}, {}
        channel = params.get("channel", "C1")
        payloads: dict[str, dict[str, Any]] = {
            "auth.test": {
                "url": "https://qabot-test.slack.com/",
                "team": "Test",
                "user": "qabot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            },
            "chat.postMessage": {
                "channel": channel,
                "ts": self._next_ts(),
                "message": {"text": params.get("text", ""), "user": BOT_USER_ID},
            },
            "chat.postEphemeral": {"message_ts": self._next_ts()},
            "chat.update": {"channel": channel, "ts": params.get("ts", "")},
            "chat.getPermalink": {
                "channel": channel,
                "permalink": (
                    f"https://qabot-test.slack.com/archives/{channel}/"
                    f"p{str(params.get('message_ts', '')).replace('.', '')}"
                ),
            },
            "views.open": {"view": {"id": "V1", "type": "modal"}},
            "conversations.open": {"channel": {"id": "D" + str(params.get("users", ""))}},
            "conversations.info": {
                "channel": {"id": channel, "name": self.channel_names.get(channel, channel.lower())}
            },
            "files.getUploadURLExternal": {
                "upload_url": f"{self.base_url}/upload/F{params.get('length')}",
                "file_id": f"F{params.get('length')}",
            },
            "files.completeUploadExternal": {
                "files": [{"id": f["id"], "title": f.get("title")} for f in params.get("files", [])]
            },
            "apps.connections.open": {"url": self.socket_mode_url},
        }
        return 200, {"ok": True, **payloads.get(method, {})}, {}

    def _record_response(self, name: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self._responses.append(Call(name, payload))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                # url_private_download: Slack serves a file only to a token; without one it
                # sends its HTML sign-in page with a 200, as the real one does.
                file_id = self.path.removeprefix("/download/").split("/", 1)[0]
                token = self.headers.get("Authorization", "").removeprefix("Bearer ") or None
                with fake._lock:
                    fake._downloads.append(Call("download", {"file": file_id}, token))
                    known = fake._files.get(file_id)
                if known is None:
                    self._send(404, "not found", "text/plain")
                elif not token:
                    self._send(200, "<html>Sign in</html>", "text/html")
                else:
                    self._send_bytes(200, known[1], known[0]["mimetype"])

            def _send_bytes(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path.startswith("/upload/"):
                    with fake._lock:
                        fake._uploads[self.path.removeprefix("/upload/")] = data
                    self._send(200, "OK - uploaded", "text/plain")
                    return
                raw = data.decode("utf-8")
                params = _parse(raw, self.headers.get("Content-Type", ""))
                if self.path.startswith("/respond/"):
                    name = self.path.removeprefix("/respond/")
                    with fake._lock:
                        down = fake._down
                    if down is not None:
                        with fake._lock:
                            fake._failed_calls.append(Call(f"respond/{name}", params))
                        self._send(down.status, "service_unavailable", "text/plain")
                        return
                    fake._record_response(name, params)
                    with fake._lock:
                        delay = fake._delays.get("respond", 0.0)
                    if delay:
                        time.sleep(delay)
                    self._send(200, "ok", "text/plain")
                    return
                method = self.path.removeprefix("/api/").split("?", 1)[0]
                body_token = params.pop("token", None)
                authorization = self.headers.get("Authorization", "")
                token = authorization.removeprefix("Bearer ") or body_token
                status, payload, headers = fake._answer(method, params, token)
                with fake._lock:
                    delay = fake._delays.get(method, 0.0)
                if delay:
                    time.sleep(delay)
                self._send(status, json.dumps(payload), "application/json", headers)

            def _send(
                self,
                status: int,
                body: str,
                content_type: str,
                headers: dict[str, str] | None = None,
            ) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer (tests kill -9 the app) is not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        params = json.loads(raw or "{}")
    else:
        params = dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "view", "metadata", "files", "prompts"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def wait_for(predicate: Callable[[], T], *, timeout: float = 20.0, interval: float = 0.02) -> T:
    """Poll until `predicate()` is truthy and return it; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        time.sleep(interval)
