"""'Is this the worst run in 20 years?', answered with dates (docs/methodology.md, "How
unusual": the current run), read from the CLI's JSON and text and recomputed in plain Python
on the CSVs: a run is the consecutive windows on the end window's side of zero."""

from __future__ import annotations

from datetime import date

import pytest

from tests.analytics.plain import read_closes, rolling_gaps
from tests.cli_helpers import isolated_state, run  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("isolated_state")


def plain_episode(gaps: list[tuple[date, float]]) -> dict:
    """The run of the last window, the slow obvious way: walk back while the side holds."""
    lag = gaps[-1][1] >= 0
    same = (lambda g: g >= 0) if lag else (lambda g: g < 0)
    i = len(gaps) - 1
    while i > 0 and same(gaps[i - 1][1]):
        i -= 1
    run, before = gaps[i:], gaps[:i]

    def wider(g: float, than: float) -> bool:
        return g >= than if lag else g <= than

    peak = max(run, key=lambda t: t[1]) if lag else min(run, key=lambda t: t[1])
    as_wide = [t for t in before if wider(t[1], gaps[-1][1])]
    peak_wide = [t for t in before if wider(t[1], peak[1])]
    return {"side": "lag" if lag else "lead", "start": run[0][0].isoformat(),
            "windows": len(run), "peak": peak,
            "before_as_wide": as_wide[-1] if as_wide else None,
            "peak_before_as_wide": peak_wide[-1] if peak_wide else None}


def _dated(value):
    return None if value is None else (date.fromisoformat(value["end"]), value["pp"])


@pytest.mark.parametrize("argv, years, as_of", [
    (["history", "3y", "--as-of", "2024-03-26"], 3, date(2024, 3, 26)),
    (["gap", "3y", "--as-of", "2024-03-26"], 3, date(2024, 3, 26)),
    (["history", "1y", "--as-of", "2021-03-15"], 1, date(2021, 3, 15)),  # a lead
])
def test_the_run_matches_a_plain_recomputation(argv, years, as_of, market_data_dir, capsys):
    rut = read_closes(market_data_dir / "^RUT.csv")
    gspc = read_closes(market_data_dir / "^GSPC.csv")
    want = plain_episode(rolling_gaps(rut, gspc, years, until=as_of))
    p = run(argv, market_data_dir, capsys)
    got = (p.get("history_rank") or p)["episode"]
    assert (got["side"], got["start"], got["windows"]) == \
        (want["side"], want["start"], want["windows"])
    for key in ("peak", "before_as_wide", "peak_before_as_wide"):
        mine, plain = _dated(got[key]), want[key]
        if plain is None:
            assert mine is None, key
        else:
            assert mine[0] == plain[0] and mine[1] == pytest.approx(plain[1], abs=1e-4), key


def test_the_headline_question_gets_dates(market_data_dir, capsys):
    """March 2024: the run began with the window ending 2023-04-24; the lag was last this
    wide 23 years earlier (2000-11-10), and the run's peak (2024-03-14) last in 2000-04-26."""
    text = run(["history", "3y", "--as-of", "2024-03-26"], market_data_dir, capsys,
               as_json=False)
    assert ("This run: small caps have lagged in every 3-year window since the one ending "
            "2023-04-24 (233 windows). Before it began, the lag was last this wide in the "
            "window ending 2000-11-10") in text
    assert "2024-03-14" in text and "2000-04-26" in text
    assert "since 2024-03-25" not in text  # the vacuous 'since yesterday' stays out
