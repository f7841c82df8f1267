"""Fixtures of the field suite (tests/field/harness.py describes the pieces).

- `redis_srv`: a started `RedisServer` of the test's own, killed at the end;
- `fake`: the recording fake Slack (tests/fake_slack.py);
- `procs`: a `Processes` with the bot's environment (REDIS_URL of `redis_srv`, the fake
  Slack, the real market data), every process it started stopped at the end;
- `field_port`: a free port for a `serve`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_slack import FakeSlack
from tests.field.harness import Processes, RedisServer, bot_env, free_port


@pytest.fixture
def redis_srv(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def procs(tmp_path: Path, redis_srv: RedisServer, fake: FakeSlack,
          market_data_dir: Path) -> Iterator[Processes]:
    env = bot_env(fake.base_url, redis_srv.url, tmp_path / "state", market_data_dir)
    processes = Processes(tmp_path, env)
    try:
        yield processes
    finally:
        processes.close()


@pytest.fixture
def field_port() -> int:
    return free_port()
