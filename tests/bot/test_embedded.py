"""The embedded Redis: one shared server per state dir, restarted when it dies, stopped by
the process that started it when nobody else uses it."""

from __future__ import annotations

import os
import signal
import time

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
