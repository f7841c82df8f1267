"""Rate-cut cycles and the event study, checked by hand on the real FRED and index files.

The expected first cuts were read off rates/FEDTARGET.csv by hand with the rule "a cut after
at least one hike since the previous cut and at least 365 days after the previous cut":

- 1982-10-01 is the first cut in the file: no previous cut is known, so it does not count.
- 1984-09-20 (11.5 -> 11.25): previous cut 1983-09-15 (371 days), hikes in 1984 between.
- 1987-07-02 (6.75 -> 6.625) is a cut after the 1987 hikes, but only 315 days after the
  1986-08-21 cut: not a new cycle; 1987-11-04 is 125 days after 1987-07-02: not either.
- 1989-06-06 (9.812 -> 9.562): hikes 1988-89, 481 days after the 1988-02-11 cut.
- 1995-07-06 (6.0 -> 5.75): the 1994-95 hikes, previous cut 1992-09-04.
- 1998-09-29 (5.5 -> 5.25): one hike (1997-03-25), previous cut 1996-01-31.
- 2001-01-03 (6.5 -> 6.0): hikes 1999-2000, previous cut 1998-11-17.
- 2007-09-18 (5.25 -> 4.75): hikes 2004-06, previous cut 2003-06-25.
- 2008-12-16 (1.0 -> 0.25 upper bound) is a cut 48 days after 2008-10-29: not a new cycle.
- 2019-08-01 (2.5 -> 2.25): hikes 2015-18, previous cut 2008-12-16.
- 2024-09-19 (5.5 -> 5.0): hikes 2022-23, previous cut 2020-03-16.
These match the list in the market-data README.
"""

from __future__ import annotations

import csv
import statistics
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from analytics.cycles import cut_study, first_cuts, overall_verdict
from analytics.periods import InsufficientHistoryError
from bot.data.sources import read_close_csv
from tests.analytics.plain import event_window, read_closes

EXPECTED_FIRST_CUTS = ["1984-09-20", "1989-06-06", "1995-07-06", "1998-09-29", "2001-01-03",
                       "2007-09-18", "2019-08-01", "2024-09-19"]


def read_target(path: Path) -> dict[date, float]:
    with open(path, newline="") as handle:
        return {date.fromisoformat(r["Date"]): float(r["Target"]) for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def target(market_data_dir) -> pd.Series:
    rows = read_target(market_data_dir / "rates" / "FEDTARGET.csv")
    return pd.Series(list(rows.values()), index=pd.DatetimeIndex(list(rows)))


@pytest.fixture(scope="module")
def index_pair(market_data_dir) -> tuple[pd.Series, pd.Series]:
    return (read_close_csv(market_data_dir / "^RUT.csv"),
            read_close_csv(market_data_dir / "^GSPC.csv"))


def test_first_cuts_of_fedtarget_follow_the_rule(target):
    assert [c.day.date().isoformat() for c in first_cuts(target)] == EXPECTED_FIRST_CUTS
    cut_2024 = first_cuts(target)[-1]
    assert (cut_2024.rate_before, cut_2024.rate_after) == (5.5, 5.0)
    assert cut_2024.previous_cut == pd.Timestamp("2020-03-16")


@pytest.fixture(scope="module")
def plain(market_data_dir):
    return read_closes(market_data_dir / "^RUT.csv"), read_closes(market_data_dir / "^GSPC.csv")


def test_one_full_event_study_row_event_window(target, index_pair, plain):
    """The 2019-08-01 cycle: anchor 2019-07-31 (the decision day's close), windows to
    2019-05-01, 2019-08-30 (09-01 is a Sunday), 2019-11-01, 2020-01-31 (02-01 Saturday) and
    2020-07-31 (2020-08-01 Saturday)."""
    result = cut_study(*index_pair, target)
    cycle = next(c for c in result.cycles if c.cut.day == pd.Timestamp("2019-08-01"))
    assert cycle.anchor == pd.Timestamp("2019-07-31")
    ends = {-3: "2019-05-01", 1: "2019-08-30", 3: "2019-11-01", 6: "2020-01-31",
            12: "2020-07-31"}
    for w in cycle.windows:
        start, end, gap, ratio, complete = event_window(*plain, date(2019, 8, 1), w.months)
        assert (start, end) == (w.start.date(), w.end.date())
        assert (end if w.months > 0 else start).isoformat() == ends[w.months]
        assert w.gap_pp == pytest.approx(gap, rel=1e-9)
        assert w.ratio_change_pct == pytest.approx(ratio, rel=1e-9)
        assert w.complete and complete


def test_median_mean_and_wins_by_counting(target, index_pair, plain):
    """Statistics over the six cycles before 2024, recomputed from by-hand windows."""
    result = cut_study(*index_pair, target)
    earlier = [date.fromisoformat(d) for d in EXPECTED_FIRST_CUTS[1:-1]]  # 1984 predates ^RUT
    assert [c.cut.day.date() for c in result.cycles[:-1]] == earlier
    assert result.current.cut.day == pd.Timestamp("2024-09-19")
    for stats in result.stats:
        gaps = [event_window(*plain, e, stats.months)[2] for e in earlier]
        assert stats.cycles == 6
        assert stats.median_gap_pp == pytest.approx(statistics.median(gaps), rel=1e-9)
        assert stats.mean_gap_pp == pytest.approx(statistics.fmean(gaps), rel=1e-9)
        assert stats.small_wins == sum(g < 0 for g in gaps)
        extremes = sorted(gaps, key=abs)[-2:]
        rest = [g for g in gaps if g not in extremes]
        assert stats.mean_gap_without_extremes_pp == pytest.approx(statistics.fmean(rest))
    twelve = next(s for s in result.stats if s.months == 12)
    assert (twelve.small_wins, twelve.leaning) == (2, "large")  # 2001 and 2007 only
    assert overall_verdict(result.stats) == "mostly_contradicts"


def test_a_window_the_data_does_not_reach_is_in_progress(target, index_pair, plain):
    as_of = date(2025, 1, 15)
    result = cut_study(*index_pair, target, as_of)
    windows = {w.months: w for w in result.current.windows}
    assert windows[3].complete and not windows[6].complete and not windows[12].complete
    _, end, gap, _, complete = event_window(*plain, date(2024, 9, 19), 12, until=as_of)
    assert not complete and windows[12].end.date() == end == date(2025, 1, 15)
    assert windows[12].gap_pp == pytest.approx(gap, rel=1e-9)
    assert windows[12].days_so_far == (end - date(2024, 9, 18)).days
    assert windows[12].days_total == (date(2025, 9, 19) - date(2024, 9, 18)).days
    six = next(s for s in result.stats if s.months == 6)
    assert six.cycles == 6 and six.current is windows[6]  # in-progress: shown, not counted


def test_as_of_before_the_first_covered_cycle_is_a_clear_error(target, index_pair):
    with pytest.raises(InsufficientHistoryError, match="first one it covers took effect on "
                                                       "1989-06-06"):
        cut_study(*index_pair, target, date(1989, 1, 1))


def test_a_cycle_is_left_out_when_the_pair_does_not_cover_the_3_months_before(target,
                                                                             index_pair):
    small, large = (s.loc["1989-04-01":] for s in index_pair)  # starts after 1989-03-06
    result = cut_study(small, large, target)
    assert result.cycles[0].cut.day == pd.Timestamp("1995-07-06")
    assert len(result.cuts) == 8


def test_every_first_cut_is_at_least_a_year_after_the_previous_cut(target):
    for cut in first_cuts(target):
        assert cut.day - cut.previous_cut >= timedelta(days=365)
        assert cut.rate_after < cut.rate_before


def test_median_path_by_hand_on_a_day_every_cycle_has(target, index_pair, plain):
    """Day +182 from each event: the ratio at the last common close on or before that day
    over the ratio at the anchor, x100; the median of the six earlier cycles."""
    from analytics.cycles import median_path

    result = cut_study(*index_pair, target)
    rut, gspc = plain
    days = sorted(rut.keys() & gspc.keys())
    values = []
    for cycle in result.cycles[:-1]:
        event = cycle.cut.day.date()
        anchor = max(d for d in days if d < event)
        when = max(d for d in days if d <= event + timedelta(days=182))
        values.append(rut[when] / gspc[when] / (rut[anchor] / gspc[anchor]) * 100)
    path = median_path(result.cycles[:-1])
    assert path[182] == pytest.approx(statistics.median(values), rel=1e-9)
    assert path.index.max() == 365  # not 366: only cycles spanning a leap day reach it
