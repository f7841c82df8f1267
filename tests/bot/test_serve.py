"""`smallcaps serve` as a process: /healthz tells the truth, SIGTERM loses no acked reply and
stops the embedded redis-server it started."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
import redis

from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from bot.serve import check_health, wsgi_app
from tests.fake_slack import FakeSlack
from tests.slack_helpers import SIGNING_SECRET, signed_headers, slash_body

ROOT = Path(__file__).resolve().parents[2]


def _call(application, path: str) -> tuple[str, dict]:
    seen = {}
    body = b"".join(application({"PATH_INFO": path, "REQUEST_METHOD": "GET"},
                                lambda status, headers: seen.update(status=status)))
    return seen["status"], json.loads(body)


def test_healthz_is_503_when_redis_does_not_answer(dead_redis, cache, tmp_path):
    down = build_deps(Settings(), source=CsvSource(tmp_path), cache=Cache(dead_redis))
    status, body = _call(wsgi_app(None, health=lambda: check_health(down)), "/healthz")
    assert status.startswith("503") and body["redis"] == "unavailable"
    up = build_deps(Settings(), source=CsvSource(tmp_path), cache=cache, use_queue=True)
    status, body = _call(wsgi_app(None, health=lambda: check_health(up)), "/healthz")
    assert status.startswith("200")
    assert (body["status"], body["redis"], body["queue"]) == ("ok", "ok", "ok")
    assert body["replies_waiting"] == up.reply_queue.queue().count


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str) -> int:
    """The HTTP status a GET of `url` answers (errors included), within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def start_serve(fake: FakeSlack, state: Path, data_dir: Path, port: int,
                **env: str) -> subprocess.Popen:
    """`python -m bot.cli serve` in HTTP mode on `port`, embedded Redis in `state`."""
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environ.update({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.base_url, "PORT": str(port),
                    "SMALLCAPS_STATE_DIR": str(state), "SMALLCAPS_DATA_DIR": str(data_dir),
                    **env})
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT,
                               env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()
        try:
            if http_status(f"http://127.0.0.1:{port}/healthz") == 200:
                return process
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail("serve did not become healthy within 60 s")


def post_command(port: int, fake: FakeSlack, text: str, name: str) -> int:
    body = slash_body(text, fake, name=name)
    headers = {k: v[0] for k, v in signed_headers(body).items()}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events",
                                     data=body.encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.mark.slow  # seconds: processes, threads or a long replay
def test_sigterm_finishes_acked_replies_then_stops_its_redis(tmp_path, market_data_dir):
    port = free_port()
    with FakeSlack() as fake:
        fake.set_latency("chat.postMessage", 1.5)  # the reply is still going out at SIGTERM
        bot = start_serve(fake, tmp_path / "state", market_data_dir, port)
        try:
            server = redis.Redis(unix_socket_path=str(tmp_path / "state" / "redis.sock"))
            redis_pid = int(server.info("server")["process_id"])
            server.close()
            assert post_command(port, fake, "gap 3y as-of 2024-03-26", "sigterm") == 200
            bot.send_signal(signal.SIGTERM)
            code = bot.wait(timeout=60)
            log = bot.stdout.read().decode()
            assert code == 0, log
        finally:
            if bot.poll() is None:
                bot.kill()
        posted = fake.calls("chat.postMessage")
        assert len(posted) == 1, log
        assert "37.73 pp" in json.dumps(posted[0].params["blocks"])
        assert len(fake.calls("files.completeUploadExternal")) == 1  # chart too
    assert not psutil.pid_exists(redis_pid) or \
        psutil.Process(redis_pid).status() == psutil.STATUS_ZOMBIE, log


def _sample(name: str, **labels: str) -> float:
    """The current value of one sample of the process's /metrics (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    from bot.runtime.metrics import exposition

    for family in text_string_to_metric_families(exposition()[0].decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def _post(url: str, body: str, headers: dict[str, list[str]]) -> int:
    request = urllib.request.Request(url, data=body.encode(),
                                     headers={k: v[0] for k, v in headers.items()})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_metrics_count_requests_by_command_and_outcome_and_time_the_ack(cache, market_data_dir):
    from tests.slack_helpers import wired_app

    with FakeSlack() as fake:
        import waitress

        app, deps = wired_app(fake, cache, market_data_dir)
        server = waitress.create_server(wsgi_app(app, health=lambda: check_health(deps)),
                                        host="127.0.0.1", port=0, threads=4)
        def run() -> None:
            with contextlib.suppress(OSError):  # close() from this thread ends the loop so
                server.run()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.effective_port}/slack/events"
        before = {outcome: _sample("smallcaps_requests_total", kind="command", command=cmd,
                                   outcome=outcome)
                  for cmd, outcome in (("gap", "queued"), ("help", "answered_in_ack"),
                                       ("gap", "rejected"))}
        acks = _sample("smallcaps_ack_seconds_count", kind="command")
        body = slash_body("gap 3y as-of 2024-03-26", fake)
        try:
            assert _post(url, body, signed_headers(body)) == 200
            help_body = slash_body("help", fake)
            assert _post(url, help_body, signed_headers(help_body)) == 200
            assert _post(url, body, signed_headers(body, secret="wrong")) == 401
            fake.wait_for("files.completeUploadExternal", timeout=20)
            metrics_url = url.replace("/slack/events", "/metrics")
            with urllib.request.urlopen(metrics_url, timeout=5) as response:
                assert b"smallcaps_requests_total" in response.read()
        finally:
            server.close()
            thread.join(timeout=5)
    assert _sample("smallcaps_requests_total", kind="command", command="gap",
                   outcome="queued") == before["queued"] + 1
    assert _sample("smallcaps_requests_total", kind="command", command="help",
                   outcome="answered_in_ack") == before["answered_in_ack"] + 1
    assert _sample("smallcaps_requests_total", kind="command", command="gap",
                   outcome="rejected") == before["rejected"] + 1
    assert _sample("smallcaps_ack_seconds_count", kind="command") == acks + 3
    assert _sample("smallcaps_report_cache_total", command="gap") >= 1


def test_json_logs_are_one_object_per_line():
    code = ("import logging; from bot.cli import configure_logging; configure_logging(20); "
            "logging.getLogger('bot.test').warning('queued %d replies', 3)")
    env = {**os.environ, "SMALLCAPS_LOG_FORMAT": "json"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    [line] = done.stderr.strip().splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"], record["message"]) == \
        ("WARNING", "bot.test", "queued 3 replies")
    assert "time" in record
