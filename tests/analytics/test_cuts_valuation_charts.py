"""The cuts and valuation charts: real PNGs of the expected size, stable, without pyplot."""

from __future__ import annotations

import ast
import inspect
from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analytics import charts_cuts, charts_profitability, charts_valuation, charts_years
from analytics.cycles import cut_study
from analytics.pairs import PAIRS
from analytics.valuation import valuation
from bot.data.french import parse_size_value_file
from tests.analytics.test_charts import HEIGHT, PNG_SIGNATURE, WIDTH, decode


@pytest.fixture(scope="module")
def inputs(real_closes, market_data_dir):
    target = pd.read_csv(market_data_dir / "rates" / "FEDTARGET.csv", index_col="Date",
                         parse_dates=True)["Target"]
    data = parse_size_value_file(
        (market_data_dir / "french" / "25_Portfolios_5x5.CSV").read_text(encoding="latin-1"))
    return real_closes, target, data


def render_all(inputs) -> list[bytes]:
    closes, target, data = inputs
    out = []
    for as_of in (None, date(2025, 1, 15)):
        study = cut_study(closes["^RUT"], closes["^GSPC"], target, as_of)
        out.append(charts_cuts.render_cuts_chart(study, PAIRS["index"], source="CSV files",
                                                 fetched="CSV files, last close 2026-08-21"))
    result = valuation(data.firms, data.avg_cap, data.beme)
    out.append(charts_valuation.render_valuation_chart(result, source="French",
                                                       edition=data.edition,
                                                       fetched="2026-11-30"))
    return out


def test_charts_are_stable_1200_by_800_pngs_without_pyplot(inputs):
    plt.close("all")
    first = render_all(inputs)
    for png in first:
        assert png.startswith(PNG_SIGNATURE) and decode(png).shape[:2] == (HEIGHT, WIDTH)
    assert render_all(inputs) == first
    assert plt.get_fignums() == []


@pytest.mark.parametrize("module", [charts_cuts, charts_valuation, charts_years,
                                    charts_profitability])
def test_modules_do_not_import_pyplot(module):
    tree = ast.parse(inspect.getsource(module))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    assert not [n for n in names | modules if n and "pyplot" in n]
