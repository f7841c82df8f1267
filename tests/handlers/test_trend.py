"""`trend`: wording of its reply (above/below the 200-day average, peak, z-score) and grammar."""

from __future__ import annotations

import copy

import pytest

from handlers.trend import TrendQuery, headline, peak_line, trend_blocks, trend_plain_text
from handlers.words import CommandError
from tests.handlers.report_payloads import LEGS, META
from tests.query_helpers import parse_command

TREND = {
    "command": "trend", "period": "2y", "period_description": "2 years", **LEGS,
    "start": "2024-08-21", "end": "2026-08-21",
    "window_ratio": {"start": 0.3862, "end": 0.3932, "change_pct": 1.8312},
    "status": {"as_of": "2026-08-21", "history_start": "1987-09-10", "history_days": 9811,
               "ratio": 0.39324, "ma50": 0.39601, "ma200": 0.38251, "pct_vs_50dma": -0.6986,
               "pct_vs_200dma": 2.8041, "zscore": -1.3665, "percentile": 12.77,
               "last_cross_date": "2025-11-24", "last_cross_direction": "above",
               "days_since_cross": 185, "peak_date": "2014-03-04", "peak_ratio": 0.64499,
               "drawdown_pct": -39.0314, "days_since_peak": 3136},
    **META,
}


def test_trend_reads_like_an_analyst_would_say_it():
    text = trend_plain_text(TREND)
    # the ratio is above its average, not small caps (issue #20)
    assert ("The small/large ratio (^RUT/^GSPC) is above its 200-day average (+2.80 %) and "
            "has been since 2025-11-24 (185 trading days).") in text
    # below that peak since, with rallies in between: not 'lagged for' every day of it
    assert ("The ratio has been below its 2014-03-04 peak for 3,136 trading days, rallies "
            "in between included (now -39.03 % from that peak") in text
    assert "lagged for" not in text and "Small caps are above" not in text
    assert "13th percentile of 9,811 closes since 1987-09-10" in text
    assert "-1.37 σ against all 9,811 closes" in text


def test_trend_at_a_new_high_and_without_a_200_day_average():
    p = copy.deepcopy(TREND)
    p["status"].update(days_since_peak=0, drawdown_pct=0.0, peak_date="2026-08-21")
    assert "at a relative high" in peak_line(p)
    p["status"].update(ma200=None, pct_vs_200dma=None, last_cross_date=None, zscore=None,
                       percentile=None, history_days=120)
    assert "Not enough history for a 200-day average" in headline(p)
    assert "n/a" in str(trend_blocks(p))


@pytest.mark.parametrize(("text", "period", "pair"), [("trend", "2y", "index"),
                                                      ("trend etf 5y", "5y", "etf")])
def test_parser_defaults_and_accepts_any_order(text, period, pair):
    query = parse_command(text)
    assert isinstance(query, TrendQuery)
    assert (query.period.label, query.pair.key) == (period, pair)


def test_parse_errors_name_the_command_in_their_example():
    with pytest.raises(CommandError) as err:
        parse_command("trend 3y 5y")
    assert err.value.example.startswith("trend")
