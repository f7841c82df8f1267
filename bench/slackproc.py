"""The fake Slack in a process of its own, stamping when each call arrives.

In the load generator's process, the fake's request handling (200 Web API calls for a burst
of 50 replies, PNG uploads included) competed for the GIL with the client threads that time
the acks, and inflated them. Here it runs alone (`python -m bench.slackproc`), and the driver
reads its stamps over HTTP. `time.perf_counter` is CLOCK_MONOTONIC on Linux, the same clock
in every process, so its stamps and the driver's send times can be subtracted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.harness import ROOT
from tests.fake_slack import Call, FakeSlack, make_handler


class TimedFakeSlack(FakeSlack):
    """FakeSlack that stamps each call's arrival and answers the driver under /bench/."""

    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[tuple[str, float]] = []

    def _handle(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        arrived = time.perf_counter()
        with self._cond:
            self.stamps.append((call.method, arrived))
        return super()._handle(call)

    def start(self) -> TimedFakeSlack:
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), _bench_handler(self))
            self._server.daemon_threads = True
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                            kwargs={"poll_interval": 0.02})
            self._thread.start()
        return self

    def wait_stamps(self, methods: set[str], count: int, timeout: float) -> list[Any]:
        """Every stamp, once `count` calls of `methods` arrived (or at `timeout`)."""
        with self._cond:
            self._cond.wait_for(
                lambda: sum(1 for m, _ in self.stamps if m in methods) >= count, timeout)
            return list(self.stamps)

    def clear(self) -> None:
        """Forget calls and stamps (uploaded PNGs would pile up)."""
        self.reset()
        with self._cond:
            self.stamps.clear()


def _bench_handler(fake: TimedFakeSlack) -> type[BaseHTTPRequestHandler]:
    base = make_handler(fake)

    class Handler(base):  # type: ignore[misc, valid-type]
        def _json(self, value: object) -> None:
            out = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/bench/wait":
                methods = set(query["methods"].split(","))
                self._json(fake.wait_stamps(methods, int(query["count"]),
                                            float(query["timeout"])))
            else:
                self._json(fake.wait_stamps(set(), 0, 0))

        def do_POST(self) -> None:  # noqa: N802
            if self.path == "/bench/clear":
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.clear()
                self._json({"ok": True})
            else:
                super().do_POST()

    return Handler


class RemoteSlack:
    """The driver's handle on `python -m bench.slackproc`: URLs, stamps, waiting, clearing."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.slackproc"],
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        self.root_url = json.loads(self.proc.stdout.readline())["root_url"]
        self.base_url = f"{self.root_url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.root_url}/response/{name}"

    def _get(self, path: str, timeout: float = 30.0) -> list[Any]:
        with urllib.request.urlopen(self.root_url + path, timeout=timeout) as answer:
            return json.loads(answer.read())

    def count(self, method: str) -> int:
        return sum(1 for m, _ in self._get("/bench/stamps") if m == method)

    def arrivals(self, method: str) -> list[float]:
        return [t for m, t in self._get("/bench/stamps") if m == method]

    def wait_count(self, methods: tuple[str, ...], count: int, timeout: float) -> None:
        """Block until `count` calls of any of `methods` arrived in total."""
        stamps = self._get(f"/bench/wait?methods={','.join(methods)}&count={count}"
                           f"&timeout={timeout}", timeout=timeout + 30)
        seen = sum(1 for m, _ in stamps if m in methods)
        if seen < count:
            raise TimeoutError(f"{seen}/{count} x {methods} after {timeout:.0f} s")

    def clear(self) -> None:
        request = urllib.request.Request(self.root_url + "/bench/clear", data=b"{}")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def __enter__(self) -> RemoteSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    fake = TimedFakeSlack().start()
    print(json.dumps({"root_url": fake.root_url}), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
