"""A stand-in for Slack's Socket Mode endpoint: a WebSocket server on 127.0.0.1.

Slack's side of the protocol, as far as an app sees it: after `apps.connections.open`
hands out the URL, the app connects and gets a `hello`; Slack then sends envelopes
(`events_api`, `slash_commands`, `interactive`) and the app acknowledges each by sending
back `{"envelope_id": ...}`, optionally with a `payload`. Slack asks the app to reconnect
with a `disconnect` message (`refresh_requested`, every few hours in real life).

Every acknowledgement is recorded; `connections` counts how many times the app connected.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class FakeSocketMode:
    """Start with `FakeSocketMode()`, stop with `close()`; `url` goes in FakeSlack."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        # No compression or keepalive pings of our own: the SDK's built-in client pings us.
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None, ping_interval=None)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test"

    def close(self) -> None:
        self._server.shutdown()

    # -- what tests do ----------------------------------------------------------------------

    def is_connected(self) -> bool:
        with self._lock:
            return bool(self._live)

    def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Deliver one envelope over the newest connection; returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        self._newest().send(json.dumps(envelope))
        return envelope_id

    def ack(self, envelope_id: str) -> dict[str, Any] | None:
        """The app's acknowledgement of an envelope (None until it arrives)."""
        with self._lock:
            return self._acks.get(envelope_id)

    def ask_to_reconnect(self) -> None:
        """What Slack does before it retires a connection."""
        self._newest().send(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

    # -- the server -------------------------------------------------------------------------

    def _newest(self) -> ServerConnection:
        with self._lock:
            if not self._live:
                raise AssertionError("the app is not connected over Socket Mode")
            return self._live[-1]

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._live.append(connection)
            self.connections += 1
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": 1,
                        "connection_info": {"app_id": "A1"},
                        "debug_info": {
                            "host": "fake-socket-mode",
                            "approximate_connection_time": 3600,
                        },
                    }
                )
            )
            for message in connection:
                ack = json.loads(message)
                if "envelope_id" in ack:
                    with self._lock:
                        self._acks[ack["envelope_id"]] = ack
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._live.remove(connection)
