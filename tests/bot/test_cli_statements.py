"""Statements that survive a skeptical analyst (docs/methodology.md, "How unusual"): every
comparison the replies make, recomputed in plain Python from the CSV files and read back from
the CLI's JSON and text."""

from __future__ import annotations

import calendar
import json
from datetime import date

import pytest

from bot.cli import main
from tests.analytics.plain import (
    common_dates,
    last_on_or_before,
    period_returns_pct,
    read_closes,
    rolling_gaps,
)


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


@pytest.fixture(scope="module")
def csv_closes(market_data_dir):
    return {s: read_closes(market_data_dir / f"{s}.csv")
            for s in ("^RUT", "^GSPC", "IWM", "SPY", "^TNX")}


def run(argv, market_data_dir, capsys, *, as_json=True):
    code = main([*argv, *(["--json"] if as_json else []), "--data-dir", str(market_data_dir)])
    assert code == 0
    out = capsys.readouterr().out
    return json.loads(out) if as_json else out


def month_before(day: date) -> date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def everyday_since(gaps: list[tuple[date, float]]) -> date | None:
    """The latest earlier window end whose gap was at least today's, in today's direction."""
    end, today = gaps[-1]
    wide = [d for d, v in gaps[:-1] if (v >= today - 1e-9 if today >= 0 else v <= today + 1e-9)]
    return max(wide) if wide else None


@pytest.mark.parametrize(("years", "as_of"), [
    (3, "2024-03-26"), (3, "2020-03-23"), (3, None), (1, "2008-11-20"), (5, "2009-03-09"),
])
def test_widest_since_has_its_everyday_meaning(market_data_dir, capsys, csv_closes, years,
                                               as_of):
    """'Widest since D': D is the latest earlier window at least as wide, said only when at
    least a month back; never a window that shares all but one close with this one."""
    argv = ["gap", f"{years}y", *(["--as-of", as_of] if as_of else [])]
    rank = run(argv, market_data_dir, capsys)["history_rank"]
    gaps = rolling_gaps(csv_closes["^RUT"], csv_closes["^GSPC"], years,
                        until=date.fromisoformat(as_of) if as_of else None)
    last = everyday_since(gaps)
    assert rank["last_as_wide"] == (last.isoformat() if last else None)
    notable = last is not None and last <= month_before(gaps[-1][0])
    assert rank["widest_since"] == (last.isoformat() if notable else None)
    text = run(argv, market_data_dir, capsys, as_json=False)
    assert "Last at least this wide" not in text
    if not notable:  # the run's line dates the run, not a 'widest since'
        unusual = text.split("How unusual:")[1].split("Record")[0]
        assert not any(" since " in line for line in unusual.splitlines()
                       if not line.strip().startswith("This run:"))


def test_history_says_widest_since_only_with_the_everyday_date(market_data_dir, capsys,
                                                               csv_closes):
    """`history 3y` (latest) once said 'as wide as in the window ending 2023-08-17' while the
    gap was far wider throughout 2024-2026."""
    p = run(["history", "3y"], market_data_dir, capsys)
    gaps = rolling_gaps(csv_closes["^RUT"], csv_closes["^GSPC"], 3)
    last = everyday_since(gaps)
    assert p["last_as_wide"] == last.isoformat()
    assert p["last_as_wide"] > "2023-08-17"
    text = run(["history", "3y"], market_data_dir, capsys, as_json=False)
    assert "2023-08-17" not in text


def test_records_of_both_directions_are_named_and_never_contradict(market_data_dir, capsys,
                                                                   csv_closes):
    """`gap 5y IWM/SPY` said '100th percentile' and 'widest in the history compared' next to
    a record lag above today's; `record_pp` was the record lead whenever small caps led."""
    p = run(["gap", "5y", "IWM/SPY"], market_data_dir, capsys)
    gaps = rolling_gaps(csv_closes["IWM"], csv_closes["SPY"], 5)
    values = [v for _, v in gaps]
    rank = p["history_rank"]
    assert rank["record_lag"]["pp"] == pytest.approx(max(values), abs=1e-4)
    assert rank["record_lead"]["pp"] == pytest.approx(min(values), abs=1e-4)
    assert rank["record_lag"]["end"] == gaps[values.index(max(values))][0].isoformat()
    assert p["gap_pp"] < rank["record_lag"]["pp"]
    text = run(["gap", "5y", "IWM/SPY"], market_data_dir, capsys, as_json=False)
    assert "100th percentile" not in text and "in the history compared" not in text
    share = sum(v <= values[-1] + 1e-9 for v in values) / len(values) * 100
    assert 99 <= share < 100  # a wide lag, but not the record: the text must not say 100th
    assert f"{int(share)}th percentile" in text
    assert f"Record lag: {max(values):.2f} pp" in text and "record lead:" in text
    # small caps leading (1y to 2026-08-21): the lead record is named as a lead
    lead = run(["gap", "1y"], market_data_dir, capsys)
    one_year = [v for _, v in rolling_gaps(csv_closes["^RUT"], csv_closes["^GSPC"], 1)]
    assert lead["leader"] == "small"
    assert lead["history_rank"]["record_lead"]["pp"] == pytest.approx(min(one_year), abs=1e-4)
    assert lead["history_rank"]["record_lag"]["pp"] == pytest.approx(max(one_year), abs=1e-4)


def test_percentile_states_the_independent_windows(market_data_dir, capsys, csv_closes):
    """8,450 overlapping 3-year windows hold about 12 non-overlapping 3-year periods."""
    p = run(["gap", "3y", "--as-of", "2024-03-26"], market_data_dir, capsys)
    days = common_dates(csv_closes["^RUT"], csv_closes["^GSPC"])
    end, count = date(2024, 3, 26), 0
    while True:  # step back whole 3-year windows while the data covers them
        start = end.replace(year=end.year - 3)
        if start < days[0]:
            break
        count, end = count + 1, start
    assert p["history_rank"]["windows"] == 8450
    assert p["history_rank"]["independent_windows"] == count == 12
    text = run(["gap", "3y", "--as-of", "2024-03-26"], market_data_dir, capsys, as_json=False)
    assert "about 12 independent (non-overlapping) 3-year periods" in text


def test_ytd_compares_the_same_calendar_point_of_each_year(market_data_dir, capsys,
                                                            csv_closes):
    """'8th percentile of 9,732 year-to-date windows' ranked 1-day and 250-day windows
    together; each year's YTD to 26 March is the fair comparison."""
    p = run(["gap", "ytd", "--as-of", "2024-03-26"], market_data_dir, capsys)
    small, large = csv_closes["^RUT"], csv_closes["^GSPC"]
    days = common_dates(small, large)
    gaps = []
    for year in range(days[0].year + 1, 2025):
        start = last_on_or_before(days, date(year - 1, 12, 31))
        end = last_on_or_before(days, date(year, 3, 26))
        if start is None or end is None or days[end].year != year:
            continue
        s, e = days[start], days[end]
        gaps.append((large[e] / large[s] - small[e] / small[s]) * 100)
    today = gaps[-1]
    rank = p["history_rank"]
    assert rank["comparison"] == "same_date_each_year"
    assert rank["windows"] == len(gaps) == 37
    assert rank["percentile"] == pytest.approx(
        sum(v <= today + 1e-9 for v in gaps) / len(gaps) * 100, abs=0.01)


def test_long_windows_lead_with_the_annualised_gap(market_data_dir, capsys, csv_closes):
    """`gap max` over 39 years: 633.91 pp in total says less than the gap a year."""
    p = run(["gap", "max"], market_data_dir, capsys)
    small, large = csv_closes["^RUT"], csv_closes["^GSPC"]
    days = common_dates(small, large)
    first, last = days[0], days[-1]
    span = (last - first).days / 365.25
    small_a = ((small[last] / small[first]) ** (1 / span) - 1) * 100
    large_a = ((large[last] / large[first]) ** (1 / span) - 1) * 100
    assert p["annualised"]["small_pct"] == pytest.approx(small_a, abs=1e-4)
    assert p["annualised"]["gap_pp"] == pytest.approx(large_a - small_a, abs=1e-4)
    text = run(["gap", "max"], market_data_dir, capsys, as_json=False)
    headline = text.splitlines()[2]
    assert headline.startswith(f"Small caps lag by {large_a - small_a:.2f} pp a year")
    assert "633.91 pp in total" in headline
    assert run(["gap", "5y"], market_data_dir, capsys)["annualised"] is None
    assert run(["gap", "10y"], market_data_dir, capsys)["annualised"] is not None


def test_only_small_vs_large_pairs_talk_about_small_caps(market_data_dir, capsys, csv_closes):
    """`gap 1y SPY/IWM` once said 'Small caps lag ... SPY'."""
    text = run(["gap", "1y", "SPY/IWM"], market_data_dir, capsys, as_json=False)
    assert "small caps" not in text.lower()
    _, _, spy_pct, iwm_pct = period_returns_pct(csv_closes["SPY"], csv_closes["IWM"], 1)
    assert iwm_pct > spy_pct
    assert f"SPY lags IWM by {iwm_pct - spy_pct:.2f} pp over 1 year" in text
    for command in (["table", "SPY/IWM"], ["trend", "1y", "SPY/IWM"],
                    ["history", "1y", "SPY/IWM"]):
        assert "small caps" not in run(command, market_data_dir, capsys,
                                       as_json=False).lower(), command
    _, _, rut_pct, spx_pct = period_returns_pct(csv_closes["^RUT"], csv_closes["^GSPC"], 3,
                                                date(2024, 3, 26))
    assert f"Small caps lag by {spx_pct - rut_pct:.2f} pp" in run(
        ["gap", "3y", "--as-of", "2024-03-26"], market_data_dir, capsys, as_json=False)


RANGE = "2021-01-01..2022-06-30"


def test_trend_over_a_range_reads_its_status_at_the_range_end(market_data_dir, capsys,
                                                               csv_closes):
    """`trend A..B` crashed (KeyError in the chart) and computed its status as of today."""
    p = run(["trend", RANGE], market_data_dir, capsys)
    small, large = csv_closes["^RUT"], csv_closes["^GSPC"]
    days = common_dates(small, large, until=date(2022, 6, 30))
    ratio = [small[d] / large[d] for d in days]
    assert p["status"]["as_of"] == "2022-06-30" == p["end"]
    assert p["status"]["ratio"] == pytest.approx(ratio[-1], rel=1e-7)
    assert p["status"]["ma200"] == pytest.approx(sum(ratio[-200:]) / 200, rel=1e-7)


def test_rates_over_a_range_reads_its_latest_gap_at_the_range_end(market_data_dir, capsys,
                                                                   csv_closes):
    """`rates A..B` reported the 'latest' 1-year gap of 2026."""
    p = run(["rates", RANGE], market_data_dir, capsys)
    gaps = dict(rolling_gaps(csv_closes["^RUT"], csv_closes["^GSPC"], 1,
                             until=date(2022, 6, 30)))
    latest = max(gaps)
    assert p["gap"]["latest_date"] == latest.isoformat() == "2022-06-30"
    assert p["gap"]["latest_pp"] == pytest.approx(gaps[latest], abs=1e-4)


@pytest.mark.parametrize("command", ["gap", "stats", "rates", "trend"])
def test_range_titles_say_each_date_once(market_data_dir, capsys, command):
    text = run([command, RANGE], market_data_dir, capsys, as_json=False)
    assert "to 2022-06-30 to 2022-06-30" not in text
    assert "2020-12-31 to 2022-06-30" in text.splitlines()[0] or command == "trend"


@pytest.mark.parametrize("period", ["ytd", "max", RANGE])
def test_footers_state_the_rule_that_applies(market_data_dir, capsys, period):
    """'the same date one period earlier' is the rule of fixed lengths only."""
    for command in ("gap", "stats"):
        text = run([command, period], market_data_dir, capsys, as_json=False)
        assert "same date one period earlier" not in text, (command, period)


def test_rates_refuses_correlations_from_too_few_observations(market_data_dir, capsys):
    """`rates 1w` printed r = +0.93 from 6 days; `rates` counted 2,452 overlapping changes."""
    short = run(["rates", "1w"], market_data_dir, capsys)
    assert short["correlation"]["levels"]["r"] is None
    assert short["verdict"] == "too_short"
    full = run(["rates", "10y"], market_data_dir, capsys)
    changes = full["correlation"]["changes"]
    assert changes["n"] == 2452
    assert changes["independent"] == (2452 + 63 - 1) // 63 == 39
    text = run(["rates", "10y"], market_data_dir, capsys, as_json=False)
    assert "2,452 overlapping 63-day changes, about 39 independent" in text
    assert "r = +0.93" not in run(["rates", "1w"], market_data_dir, capsys, as_json=False)


def test_stats_says_why_its_cagr_differs_from_table(market_data_dir, capsys, csv_closes):
    """`table` and `stats` annualise the same 3 years differently (9.39 % vs 9.42 %)."""
    stats = run(["stats", "3y", "--as-of", "2024-03-26"], market_data_dir, capsys)
    large = csv_closes["^GSPC"]
    start, end = date(2021, 3, 26), date(2024, 3, 26)
    calendar_cagr = ((large[end] / large[start]) ** (365.25 / (end - start).days) - 1) * 100
    assert stats["large"]["cagr_calendar_pct"] == pytest.approx(calendar_cagr, abs=1e-4)
    assert round(calendar_cagr, 2) == 9.39 and round(stats["large"]["cagr_pct"], 2) == 9.42
    table = run(["table", "--as-of", "2024-03-26"], market_data_dir, capsys)
    row = next(r for r in table["rows"] if r["horizon"] == "3y")
    assert row["large_pct"] == pytest.approx(stats["large"]["cagr_calendar_pct"], abs=1e-4)
    text = run(["stats", "3y", "--as-of", "2024-03-26"], market_data_dir, capsys,
               as_json=False)
    assert "Why CAGR differs from `table`" in text and "+9.39 %" in text
    assert "252" in run(["table", "--as-of", "2024-03-26"], market_data_dir, capsys,
                        as_json=False)
