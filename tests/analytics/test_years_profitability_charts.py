"""The years and profitability charts: legible by matplotlib's own measure (no text leaving
the figure, no label box over data, units on numbers), stable 1200x800 PNGs, no pyplot
(their modules' imports: tests/analytics/test_cuts_valuation_charts.py)."""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import pytest

from analytics import charts_profitability, charts_years
from analytics.calendar_years import calendar_years
from analytics.pairs import parse_pair
from analytics.profitability import profitability
from analytics.valuation import relative_pb
from bot.data.french import parse_size_value_file
from tests.analytics.layout import layout_problems
from tests.analytics.test_charts import HEIGHT, PNG_SIGNATURE, WIDTH, decode

FETCHED = "Last close 2026-08-21"
YEAR_CASES = [("index", None), ("index", date(2008, 11, 20)), ("etf", None),
              ("IJR/SPY", None), ("index", date(1990, 3, 1)), ("SPY/IWM", date(2024, 12, 31))]


def _years(real_closes, pair: str, as_of: date | None):
    chosen = parse_pair(pair)
    return calendar_years(chosen, real_closes[chosen.small.symbol],
                          real_closes[chosen.large.symbol], as_of)


@pytest.fixture(scope="module")
def french(market_data_dir):
    data = parse_size_value_file(
        (market_data_dir / "french" / "25_Portfolios_5x5.CSV").read_text(encoding="latin-1"))
    return data, profitability(data.firms, data.avg_cap, data.op,
                               relative_pb(data.firms, data.avg_cap, data.beme))


@pytest.mark.parametrize(("pair", "as_of"), YEAR_CASES,
                         ids=[f"{p}-{a or 'latest'}" for p, a in YEAR_CASES])
def test_years_chart_is_legible(real_closes, pair, as_of):
    fig = charts_years.years_figure(_years(real_closes, pair, as_of), source="CSV files",
                                    fetched=FETCHED)
    assert layout_problems(fig) == []


def test_profitability_chart_is_legible(french, monkeypatch):
    data, result = french
    captured = {}
    monkeypatch.setattr(charts_profitability, "to_png", lambda fig: captured.setdefault("f", fig)
                        and b"")
    charts_profitability.render_profitability_chart(result, source="K. R. French Data Library "
                                                    "(25 size x B/M portfolios)",
                                                    edition=data.edition, fetched="2026-11-30")
    assert layout_problems(captured["f"]) == []


def test_charts_are_stable_1200_by_800_pngs_without_pyplot(real_closes, french):
    data, result = french

    def render() -> list[bytes]:
        return [charts_years.render_years_chart(_years(real_closes, "index", None),
                                                source="CSV files", fetched=FETCHED),
                charts_profitability.render_profitability_chart(result, source="French",
                                                                edition=data.edition)]

    plt.close("all")
    first = render()
    for png in first:
        assert png.startswith(PNG_SIGNATURE) and decode(png).shape[:2] == (HEIGHT, WIDTH)
    assert render() == first
    assert plt.get_fignums() == []
