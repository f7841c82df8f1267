"""Two web replicas, two workers and two schedulers on one Redis, as separate processes.

Signed commands go to both replicas; one worker is killed while Slack holds one of its
posts; one replica gets SIGTERM. Every acked command is answered exactly once (or, for the
reply whose post was interrupted, once plus one visible note), no alert is posted twice,
and no rule is lost."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest
import redis
from rq import Worker
from rq.registry import StartedJobRegistry

from bot.alerts.store import AlertStore
from bot.runtime.cache import Cache
from bot.runtime.jobs import QUEUE_NAME
from tests.bot.test_serve import free_port, http_status, post_command
from tests.fake_slack import FakeSlack
from tests.slack_helpers import SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[1]
AS_OF = ["2024-03-01", "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08",
         "2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-15", "2024-03-18"]


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _healthy(port: int) -> bool:
    try:
        return http_status(f"http://127.0.0.1:{port}/healthz") == 200
    except OSError:
        return False


def test_replicas_workers_and_schedulers_on_one_redis(tmp_path, market_data_dir):
    state = tmp_path / "state"
    processes: list[subprocess.Popen] = []
    with FakeSlack() as fake:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.base_url, "SMALLCAPS_STATE_DIR": str(state),
                    "SMALLCAPS_DATA_DIR": str(market_data_dir), "SMALLCAPS_PRERENDER": "off",
                    "SMALLCAPS_WEB_WORKERS": "0", "SMALLCAPS_STOP_GRACE_S": "5"})
        try:
            ports = [free_port(), free_port()]
            for port in ports:  # the first starts the embedded Redis, the second shares it
                processes.append(_spawn(["serve"], {**env, "PORT": str(port)}))
                _wait(lambda p=port: _healthy(p), 60, f"web replica on {port}")
            client = redis.Redis(unix_socket_path=str(state / "redis.sock"))
            for i, rule in enumerate(["gap 3y above 0", "gap 1y etf above -100"]):
                assert post_command(ports[i], fake, f"alert add {rule}", f"rule{i}") == 200
            workers = [_spawn(["worker"], env) for _ in range(2)]
            processes += workers
            fake.wait_for("response_url", 2, timeout=90)  # both rules added by the workers
            schedulers = [_spawn(["scheduler"], env) for _ in range(2)]
            processes += schedulers

            fake.set_latency("chat.postMessage", 0.5)  # each reply holds its worker a while
            acked: list[str] = []
            for i, day in enumerate(AS_OF):
                port = ports[i % 2] if i < 8 else ports[1]
                if i == 4:  # kill a worker while Slack holds its post
                    _wait(lambda: any(w.pid == workers[0].pid and w.get_state() == "busy"
                                      for w in Worker.all(connection=client)), 60, "busy worker")
                    workers[0].send_signal(signal.SIGKILL)
                    workers[0].wait()
                if i == 8:
                    processes[0].send_signal(signal.SIGTERM)  # replica A leaves
                    assert processes[0].wait(timeout=60) == 0
                try:
                    if post_command(port, fake, f"gap 1y as-of {day}", f"cmd{i}") == 200:
                        acked.append(day)
                except (urllib.error.URLError, ConnectionError):
                    pass  # not acked: nothing is owed
            assert len(acked) == len(AS_OF)

            queue_empty = lambda: client.llen(f"rq:queue:{QUEUE_NAME}") == 0  # noqa: E731
            _wait(queue_empty, 120, "the queue to drain")
            _wait(lambda: all(w.get_state() != "busy" for w in Worker.all(connection=client)
                              if w.pid != workers[0].pid), 60, "the live worker to finish")
            from rq import Queue

            registry = StartedJobRegistry(queue=Queue(QUEUE_NAME, connection=client))
            registry.cleanup(timestamp=time.time() + 3600)  # the dead worker's entry expires

            def answers_and_notes(day: str) -> tuple[list, list]:
                posts = [p for p in fake.calls("chat.postMessage")
                         if not p.params.get("metadata")
                         and f"→ {day}" in json.dumps(p.params, ensure_ascii=False)]
                notes = [c for c in fake.calls("response_url") if day in
                         str(c.params.get("text")) and "may not have arrived" in
                         str(c.params.get("text"))]
                return posts, notes

            _wait(lambda: all(any(answers_and_notes(day)) for day in acked), 120,
                  "an answer (or a note) for every acked command")
            _wait(queue_empty, 60, "the queue to stay empty")
            for day in acked:
                answers, noted = answers_and_notes(day)
                assert len(answers) <= 1 and len(noted) <= 1, day

            posts = fake.calls("chat.postMessage")
            alerts = [p.params["metadata"]["event_payload"] for p in posts
                      if (p.params.get("metadata") or {}).get("event_type") == "smallcaps_alert"]
            assert len(alerts) == len({(a["rule_id"], a["events"]) for a in alerts}) == 2
            rules = AlertStore(Cache(client)).list_rules()
            assert sorted(r.description for r in rules) == sorted(
                ["gap 3y above 0", "gap 1y etf above -100"])
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            with contextlib.suppress(redis.exceptions.RedisError, OSError):  # if all exited
                redis.Redis(unix_socket_path=str(state / "redis.sock")).shutdown(nosave=True)
