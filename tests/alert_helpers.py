"""Shared pieces for alert tests: wired evaluators, rules, what was posted, a plain reader.

`evaluate_in_process` is importable by `multiprocessing` (spawn) so two OS processes can
run evaluators against one Redis.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import redis

from bot.alerts.delivery import alerts_client
from bot.alerts.evaluator import Evaluator, RunSummary
from bot.alerts.store import AlertRule, AlertStore
from bot.alerts_cli import alert_messages
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from bot.runtime.deps import Deps
from handlers.alert_parsing import parse_rule
from tests.fake_slack import Call, FakeSlack
from tests.slack_helpers import slack_settings


class Clock:
    """A settable clock (UTC)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 24, 22, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def alert_deps(fake: FakeSlack, cache: Cache, data_dir: Path,
               clock: Callable[[], datetime] | None = None, **settings: Any) -> Deps:
    base = slack_settings(fake, data_dir)
    if settings:
        base = base.model_copy(update=settings)
    return build_deps(base, source=CsvSource(data_dir), cache=cache, clock=clock or Clock())


def make_evaluator(deps: Deps, **kwargs: Any) -> Evaluator:
    return Evaluator(deps, alerts_client(deps.settings), alert_messages(deps.settings),
                     sleep=lambda s: None,
                     **kwargs)


def add_rule(cache: Cache, text: str, channel: str = "C1", user: str = "U1") -> AlertRule:
    outcome, rule = AlertStore(cache).add(channel, user, parse_rule(text.split()))
    assert outcome == "added" and rule is not None
    return rule


def posted_events(calls: Iterable[Call]) -> list[tuple[str, str, str]]:
    """(rule id, day, kind) of every alert event in chat.postMessage calls, in order."""
    found = []
    for call in calls:
        meta = call.params.get("metadata") or {}
        if meta.get("event_type") != "smallcaps_alert":
            continue
        payload = meta["event_payload"]
        for item in payload["events"].split(","):
            day, kind = item.split(":")
            found.append((payload["rule_id"], day, kind))
    return found


def read_closes(path: Path) -> dict[date, float]:
    """Date -> Close from one market-data CSV, with the csv module only."""
    with path.open(newline="") as handle:
        return {date.fromisoformat(row["Date"][:10]): float(row["Close"])
                for row in csv.DictReader(handle) if row["Close"]}


def slow_down(evaluator: Evaluator, seconds: float) -> Evaluator:
    """Make `evaluator` pause between reading and writing: before each state commit and
    after reading the outbox, the two places where another process can overtake it."""
    store_commit, open_entries = evaluator.store.commit, evaluator.outbox.open_entries

    def commit(*args: Any, **kwargs: Any) -> int:
        time.sleep(seconds)
        return store_commit(*args, **kwargs)

    def entries() -> Any:
        found = open_entries()
        time.sleep(seconds)
        return found

    evaluator.store.commit = commit  # type: ignore[method-assign]
    evaluator.outbox.open_entries = entries  # type: ignore[method-assign]
    return evaluator


def evaluate_in_process(connection: dict[str, Any], prefix: str, data_dir: str,
                        api_url: str, days: list[str], use_lock: bool,
                        slow_s: float = 0.0) -> list[dict[str, Any]]:
    """Run an evaluator for each day in a fresh process (for multiprocessing)."""
    cache = Cache(redis.Redis(**connection), prefix=prefix)
    settings = Settings(slack_bot_token="xoxb-test", slack_api_url=api_url,
                        smallcaps_data_dir=Path(data_dir))
    deps = build_deps(settings, source=CsvSource(Path(data_dir)), cache=cache)
    evaluator = make_evaluator(deps, use_lock=use_lock)
    if slow_s:
        slow_down(evaluator, slow_s)
    summaries: list[RunSummary] = [evaluator.run(date.fromisoformat(d)) for d in days]
    return [{"posts": s.posts, "errors": s.errors} for s in summaries]
