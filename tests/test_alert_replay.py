"""Replay 2024: `smallcaps alerts run --as-of DAY` for every trading day, against a fake
Slack, posts exactly the events an independent plain-Python computation finds.

The expectation uses only the csv module and loops: the closes, the 3-year gap under the
window convention of docs/methodology.md, the ratio against its 200-day average, the ratio's
expanding z-score, and the documented rule semantics (docs/alerts.md, "Alerts").
"""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

import pytest

from bot.alerts.store import AlertStore
from bot.cli import main
from bot.runtime.cache import Cache, open_redis
from handlers.alert_parsing import parse_rule
from tests.alert_helpers import posted_events, read_closes
from tests.fake_slack import FakeSlack

RULES = {
    "A1": "gap 3y above 35 hysteresis 2",
    "A2": "ratio vs 200dma crosses 0",
    "A3": "ratio zscore below -1.6 hysteresis 0.05 cooldown 30d",
}


def three_years_before(day: date) -> date:
    """Same calendar date three years earlier, clipped to the month's end (Feb 29)."""
    last = calendar.monthrange(day.year - 3, day.month)[1]
    return date(day.year - 3, day.month, min(day.day, last))


def independent_metrics(data_dir) -> tuple[list[date], dict[str, dict[date, float]]]:
    rut, gspc = read_closes(data_dir / "^RUT.csv"), read_closes(data_dir / "^GSPC.csv")
    days = sorted(set(rut) & set(gspc))
    ratio = [rut[d] / gspc[d] for d in days]
    gap, vs_ma, zscore = {}, {}, {}
    total = total_sq = 0.0
    start = 0
    for i, day in enumerate(days):
        total += ratio[i]
        total_sq += ratio[i] ** 2
        if i + 1 >= 252:
            n = i + 1
            mean = total / n
            std = math.sqrt((total_sq - n * mean * mean) / (n - 1))
            zscore[day] = (ratio[i] - mean) / std
        if i >= 199:
            vs_ma[day] = (ratio[i] / (sum(ratio[i - 199:i + 1]) / 200) - 1) * 100
        target = three_years_before(day)
        while start + 1 < len(days) and days[start + 1] <= target:
            start += 1
        if days[start] <= target:
            s = days[start]
            gap[day] = ((gspc[day] / gspc[s] - 1) - (rut[day] / rut[s] - 1)) * 100
    return days, {"A1": gap, "A2": vs_ma, "A3": zscore}


def level_events(values, days, threshold, band, upward, cooldown_days=0):
    """`above`/`below` as documented: armed at first; fire while armed beyond the threshold
    (not within the cooldown of the last firing); re-arm with a note once back past the
    band."""
    events, armed, last_fire = [], True, None
    for day in days:
        v = values[day]
        beyond = v > threshold if upward else v < threshold
        back = v <= threshold - band if upward else v >= threshold + band
        if armed and beyond:
            if last_fire is None or day >= last_fire + timedelta(days=cooldown_days):
                events.append((day, "fire", v))
                armed, last_fire = False, day
        elif not armed and back:
            events.append((day, "clear", v))
            armed = True
    return events


def crossing_events(values, seed_day, days, threshold):
    """`crosses` without band: every change of side, the first side taken from the day
    before the first run."""
    events, side = [], values[seed_day] > threshold
    for day in days:
        now = values[day] > threshold
        if now != side and values[day] != threshold:
            events.append((day, "fire", values[day]))
            side = now
    return events


def apart(value: float, level: float, sign: str) -> str:
    """`value` to 2 decimals, or more (up to 6) where 2 would print it as the level it
    crossed (-1.6004 below -1.6 reads -1.6004, not -1.60)."""
    for decimals in range(2, 7):
        text = f"{value:{sign}.{decimals}f}"
        if text != f"{level:{sign}.{decimals}f}":
            return text
    return text


@pytest.fixture
def replay_env(tmp_path, monkeypatch):
    with FakeSlack() as fake:
        monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.delenv("REDIS_URL", raising=False)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-replay")
        monkeypatch.setenv("SLACK_API_URL", fake.base_url)
        yield fake, Cache(open_redis(None, tmp_path / "state"))


@pytest.mark.slow  # seconds: processes, threads or a long replay
def test_a_year_of_daily_runs_posts_exactly_the_independent_crossings(market_data_dir,
                                                                      replay_env):
    fake, cache = replay_env
    store = AlertStore(cache)
    for rule_id, text in RULES.items():
        assert store.add("CALERTS", "U1", parse_rule(text.split()))[1].id == rule_id
    days, metrics = independent_metrics(market_data_dir)
    year = [d for d in days if d.year == 2024]
    seed_day = days[days.index(year[0]) - 1]
    expected = {
        "A1": level_events(metrics["A1"], year, 35, 2, upward=True),
        "A2": crossing_events(metrics["A2"], seed_day, year, 0),
        "A3": level_events(metrics["A3"], year, -1.6, 0.05, upward=False, cooldown_days=30),
    }
    for day in year:
        assert main(["alerts", "run", "--as-of", day.isoformat(),
                     "--data-dir", str(market_data_dir)]) == 0

    posts = fake.calls("chat.postMessage")
    want = sorted((rule, d.isoformat(), kind) for rule, evs in expected.items()
                  for d, kind, _ in evs)
    assert sorted(posted_events(posts)) == want
    assert len(want) >= 12 and {k for _, _, k in want} == {"fire", "clear"}
    by_event = {posted_events([p])[0]: p for p in posts}
    levels = {("A1", "fire"): 35, ("A1", "clear"): 33, ("A2", "fire"): 0,
              ("A3", "fire"): -1.6, ("A3", "clear"): -1.55}  # threshold, or the re-arm level
    for rule, evs in expected.items():  # the numbers in the text are the independent ones
        for d, kind, value in evs:
            text = str(by_event[(rule, d.isoformat(), kind)].params["blocks"])
            number = apart(value, levels[(rule, kind)], "+" if rule != "A1" else "")
            shown = {"A1": f"{number} pp", "A2": f"{number} %", "A3": f"{number} σ"}[rule]
            assert f"now *{shown}*" in text, (rule, d, shown)
    fires = sum(1 for _, _, k in want if k == "fire")
    assert len(fake.calls("files.completeUploadExternal")) == fires  # a chart per firing

    assert main(["alerts", "run", "--as-of", year[-1].isoformat(),
                 "--data-dir", str(market_data_dir)]) == 0  # a re-run posts nothing
    assert len(fake.calls("chat.postMessage")) == len(posts)
    status = cache.get_hash(cache.key("scheduler", "status"))
    assert status[b"last_as_of"] == year[-1].isoformat().encode()
