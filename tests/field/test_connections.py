"""Idle and slow connections cannot starve Slack's requests (issue #21 item 6): with 150
idle connections and 120 sending a byte a second open, a signed command is still acked at
once and /healthz answers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from tests.fake_slack import FakeSlack
from tests.field.harness import Processes, healthz
from tests.field.traffic import Traffic

IDLE, SLOW = 150, 120


def _open(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append(s)
    return sockets


def test_idle_and_slow_connections_do_not_block_slack(procs: Processes, fake: FakeSlack,
                                                      field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="0")
    idle = _open(field_port, IDLE)
    slow = _open(field_port, SLOW)
    stop = threading.Event()

    def trickle() -> None:  # one byte a second on every slow connection, never a request
        header = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 60
        for i in range(len(header)):
            for s in slow:
                with contextlib.suppress(OSError):
                    s.send(header[i:i + 1])
            if stop.wait(1.0):
                return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(1.5)
        traffic = Traffic(fake, field_port)
        started = time.monotonic()
        statuses = traffic.send("help", 3, tag="flood")
        took = time.monotonic() - started
        status, _ = healthz(field_port, timeout=5)
        print(f"\nFIELD {IDLE} idle + {SLOW} slow connections: {traffic.figures()} "
              f"in {took:.2f} s, healthz={status}")
        assert statuses == [200, 200, 200]
        assert took < 5
        assert status == 200
    finally:
        stop.set()
        thread.join(timeout=5)
        for s in idle + slow:
            s.close()
