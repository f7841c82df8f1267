"""A local WebSocket server playing Slack's side of Socket Mode (real frames on 127.0.0.1).

FakeSlack's `apps.connections.open` hands out `url`; the bot connects, gets `hello`, and
acks each envelope the test sends with `{"envelope_id": ...}`. `drop()` closes the current
connection, as Slack does on its refreshes and outages."""

from __future__ import annotations

import json
import threading
from typing import Any

from websockets.sync.server import ServerConnection, serve


class FakeSocketMode:
    """`with FakeSocketMode() as ws: fake_slack.socket_url = ws.url`."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: list[dict[str, Any]] = []
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _handle(self, connection: ServerConnection) -> None:
        with self._cond:
            self._connections.append(connection)
            self._cond.notify_all()
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "fake"}}))
        try:
            for message in connection:
                data = json.loads(message)
                with self._cond:
                    self._acks.append(data)
                    self._cond.notify_all()
        except Exception:  # noqa: BLE001 - a dropped connection ends the handler
            pass

    def wait_connections(self, count: int, timeout: float = 30) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._connections) >= count, timeout):
                raise AssertionError(f"{len(self._connections)} connection(s), wanted {count}")

    def send(self, envelope: dict[str, Any]) -> None:
        """Deliver an envelope on the newest connection."""
        with self._cond:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))

    def wait_ack(self, envelope_id: str, timeout: float = 30) -> dict[str, Any]:
        with self._cond:
            found = self._cond.wait_for(
                lambda: [a for a in self._acks if a.get("envelope_id") == envelope_id], timeout)
            if not found:
                raise AssertionError(f"no ack for {envelope_id}; acks: {self._acks}")
            return found[0]

    def drop(self) -> None:
        """Close the newest connection from Slack's side."""
        with self._cond:
            connection = self._connections[-1]
        connection.close()
