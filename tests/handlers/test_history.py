"""`history`: the worst-run claim checked (percentile, bands, records) and its grammar."""

from __future__ import annotations

import copy

import pytest

from handlers.history import HistoryQuery, history_plain_text
from handlers.words import CommandError
from tests.handlers.report_payloads import LEGS, META
from tests.query_helpers import parse_command

HISTORY = {
    "command": "history", "period": "3y", "period_description": "3 years",
    "period_adjective": "3-year", **LEGS, "start": "2021-03-26", "end": "2024-03-26",
    "current_pp": 37.7345, "leader": "large", "percentile": 92.97, "windows": 8450,
    "independent_windows": 12, "comparison": "daily",
    "first_window_end": "1990-09-10", "median_pp": 0.325, "band_low_pct": 10.0,
    "band_high_pct": 90.0, "band_low_pp": -25.6459, "band_high_pp": 33.1419,
    "band_position": "above", "last_as_wide": "2000-11-10", "widest_since": "2000-11-10",
    "record_lag": {"pp": 88.8826, "end": "1999-04-12"},
    "record_lead": {"pp": -65.9466, "end": "1993-11-02"}, **META,
}


def test_history_reply_checks_the_worst_run_claim():
    text = history_plain_text(HISTORY)
    assert ("Small caps lag by 37.73 pp over the 3 years to 2024-03-26: 93rd percentile of "
            "8,450 overlapping 3-year windows (about 12 independent), above the 90 % band.") \
        in text
    assert "Widest 3-year lag since 2000-11-10 (23.4 years earlier)" in text
    assert "Median: +0.33 pp" in text and "-25.65 pp to +33.14 pp" in text
    assert "Record lag: 88.88 pp" in text and "record lead: 65.95 pp" in text


def test_history_reply_for_a_lead_on_record():
    p = copy.deepcopy(HISTORY)
    p.update(current_pp=-70.0, leader="small", percentile=0.01, band_position="below",
             last_as_wide=None, widest_since=None)
    text = history_plain_text(p)
    assert "Small caps lead by 70.00 pp" in text and "below the 10 % band" in text
    assert "Widest 3-year lead on record" in text


@pytest.mark.parametrize(("text", "period", "pair"), [("history", "3y", "index"),
                                                      ("history 1y etf", "1y", "etf")])
def test_parser_defaults_and_accepts_any_order(text, period, pair):
    query = parse_command(text)
    assert isinstance(query, HistoryQuery)
    assert (query.period.label, query.pair.key) == (period, pair)


@pytest.mark.parametrize("text", ["history ytd", "history 2020-01-01..2021-01-01",
                                  "history 3y as-of"])
def test_parse_errors_name_the_command_in_their_example(text):
    with pytest.raises(CommandError) as err:
        parse_command(text)
    assert err.value.example.startswith("history")
