"""`gap`: reply wording and Block Kit limits (lagging, leading, stale, no rank) and grammar."""

from __future__ import annotations

import copy

import pytest

from handlers.gap import gap_blocks, gap_fallback_text, gap_plain_text, headline
from handlers.words import CommandError
from tests.block_kit import all_text, check_blocks
from tests.query_helpers import parse_command

PAYLOAD = {
    "command": "gap", "period": "3y", "period_kind": "offset", "period_description": "3 years",
    "period_adjective": "3-year", "pair": "index", "start": "2021-03-26", "end": "2024-03-26",
    "as_of_requested": "2024-03-26", "basis": "price return",
    "small": {"symbol": "^RUT", "name": "Russell 2000", "return_pct": -6.8131},
    "large": {"symbol": "^GSPC", "name": "S&P 500", "return_pct": 30.9155},
    "gap_pp": 37.7286, "leader": "large",
    "relative_ratio": {"start": 0.5589, "end": 0.3978, "change_pct": -28.8211},
    "annualised": None,
    "history_rank": {"percentile": 92.97, "windows": 8450, "independent_windows": 12,
                     "comparison": "daily", "first_window_end": "1990-09-10",
                     "last_as_wide": "2000-11-10", "widest_since": "2000-11-10",
                     "record_lag": {"pp": 88.88, "end": "1999-04-12"},
                     "record_lead": {"pp": -65.95, "end": "1993-11-02"}},
    "source": "Yahoo Finance", "data_fetched_at": "2026-11-24T21:00:00+00:00",
    "stale_note": None,
}


def test_lagging_reply_reads_like_an_analyst_would_say_it():
    text = str(gap_blocks(PAYLOAD))
    assert "Small caps lag by 37.73 pp over 3 years" in text
    assert "-6.81 %" in text and "+30.92 %" in text
    assert "93rd percentile of 8,450 overlapping 3-year windows" in text
    assert "about 12 independent (non-overlapping) 3-year periods" in text
    assert "Widest 3-year lag since 2000-11-10 (23.4 years earlier)" in text
    assert "Record lag: 88.88 pp (window ending 1999-04-12) · record lead: 65.95 pp" in text
    assert "Basis: price return" in text and "Yahoo Finance" in text
    check_blocks(gap_blocks(PAYLOAD))


def test_leading_reply_says_lead_and_flips_the_rank_wording():
    p = copy.deepcopy(PAYLOAD)
    p.update(gap_pp=-9.49, leader="small")
    p["history_rank"].update(percentile=8.0, record_lead={"pp": -25.7, "end": "2021-02-09"})
    assert headline(p) == "Small caps lead by 9.49 pp over 3 years, price return"
    assert "100 = small caps' widest lag, 0 = widest lead" in gap_plain_text(p)
    assert "record lead: 25.70 pp (window ending 2021-02-09)" in gap_plain_text(p)


def test_gap_field_is_signed_like_table_history_and_rates():
    # + = small caps lag, as the help text, `table`, `history` and `rates` print it.
    assert "*Gap (large − small)*\n+37.73 pp" in all_text(gap_blocks(PAYLOAD))
    assert "Gap (large − small): +37.73 pp" in gap_plain_text(PAYLOAD)
    p = copy.deepcopy(PAYLOAD)
    p.update(gap_pp=-9.49, leader="small")
    assert "Gap (large − small): -9.49 pp" in gap_plain_text(p)


def test_stale_data_is_flagged_and_missing_rank_explained():
    p = copy.deepcopy(PAYLOAD)
    p.update(stale_note="Yahoo Finance is rate-limiting us.", history_rank=None)
    text = str(gap_blocks(p))
    assert ":warning: Yahoo Finance is rate-limiting us." in text
    assert "No history rank" in text


def test_a_live_answer_is_labelled_intraday_in_slack_and_the_terminal():
    p = copy.deepcopy(PAYLOAD)
    p.update(end="2024-07-01", as_of_requested=None, intraday={
        "at": "2024-07-01T10:15:00-04:00", "day": "2024-07-01",
        "label": "intraday, 10:15 New York, not a close"})
    blocks = gap_blocks(p)
    check_blocks(blocks)
    assert ":clock3: Intraday, 10:15 New York, not a close" in all_text(blocks)
    assert "Intraday, 10:15 New York, not a close" in gap_plain_text(p)
    assert "intraday" not in all_text(gap_blocks(PAYLOAD)).lower()


def test_fallback_text_carries_the_numbers():
    assert "-6.81 %" in gap_fallback_text(PAYLOAD) and "2024-03-26" in gap_fallback_text(PAYLOAD)


def test_a_window_as_wide_within_the_last_month_is_not_news():
    """A window ending the day before shares all but one close: 'widest since' and 'last at
    least this wide' say nothing then (docs/methodology.md, "How unusual")."""
    p = copy.deepcopy(PAYLOAD)
    p["history_rank"].update(last_as_wide="2024-03-25", widest_since=None)
    text = gap_plain_text(p)
    assert "Widest" not in text and "2024-03-25" not in text and "this wide" not in text


@pytest.mark.parametrize("text,period,pair", [
    ("gap", "3y", "index"), ("gap etf 5y", "5y", "etf"), ("GAP 10Y IJR/SPY", "10y", "IJR/SPY"),
    ("gap 2021-03-26..2024-03-26", "2021-03-26..2024-03-26", "index"),
])
def test_parse_gap_in_any_order(text, period, pair):
    query = parse_command(text)
    assert (query.period.label, query.pair.key) == (period, pair)


def test_parse_as_of():
    assert parse_command("gap 3y as-of 2024-03-26").as_of.isoformat() == "2024-03-26"
    assert parse_command("gap 3y as-of=2024-03-26").as_of.isoformat() == "2024-03-26"


@pytest.mark.parametrize("text", ["gap 3y 5y", "gap etf index", "gap 3y etf extra",
                                  "gap as-of", "gap 3y as-of 2999-01-01", "gap ^RUT/^RUT"])
def test_parse_errors_have_an_example(text):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert err.value.example.startswith("gap")
