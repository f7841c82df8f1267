"""Every report's payload has exactly the keys its command's TypedDict declares, at every
level: the types mypy checks the renderings against (`make lint`) are the payloads the
reports really build."""

from __future__ import annotations

import types
from typing import Any, NotRequired, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from bot.bootstrap import build_deps
from bot.runtime.config import Settings
from handlers.board import BoardPayload
from handlers.cuts import CutsPayload
from handlers.gap import GapPayload
from handlers.history import HistoryPayload
from handlers.profitability import ProfitabilityPayload
from handlers.rates import RatesPayload
from handlers.stats import StatsPayload
from handlers.table import TablePayload
from handlers.trend import TrendPayload
from handlers.valuation import ValuationPayload
from handlers.years import YearsPayload
from tests.query_helpers import parse_command


def mismatches(value: Any, annotation: Any, where: str = "payload") -> list[str]:
    """Where `value` (JSON) differs from `annotation` (a TypedDict, list, union, ...) in its
    keys; scalar types are mypy's business."""
    origin = get_origin(annotation)
    if origin is NotRequired:
        return mismatches(value, get_args(annotation)[0], where)
    if origin in (Union, types.UnionType):
        if value is None:
            return []
        options = [a for a in get_args(annotation) if a is not type(None)]
        return min((mismatches(value, a, where) for a in options), key=len)
    if origin is list:
        return [m for i, item in enumerate(value)
                for m in mismatches(item, get_args(annotation)[0], f"{where}[{i}]")]
    if origin is dict:
        return [m for k, item in value.items()
                for m in mismatches(item, get_args(annotation)[1], f"{where}[{k!r}]")]
    if not is_typeddict(annotation):
        return []
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__}, not an object"]
    hints = get_type_hints(annotation)
    found = [f"{where}: missing {k!r}" for k in annotation.__required_keys__ - set(value)]
    found += [f"{where}: undeclared {k!r}" for k in set(value) - set(hints)]
    return found + [m for k in hints if k in value
                    for m in mismatches(value[k], hints[k], f"{where}[{k!r}]")]


@pytest.mark.parametrize(("text", "payload_type"), [
    ("gap 3y as-of 2024-03-26", GapPayload),
    ("gap 10y etf as-of 2024-03-26", GapPayload),  # annualised, other basis
    ("gap max", GapPayload),  # no history rank
    ("table etf as-of 2024-03-26", TablePayload),
    ("table IWM/^GSPC as-of 2024-03-26", TablePayload),
    ("stats 3y etf as-of 2024-03-26", StatsPayload),
    ("trend 5y etf as-of 2024-03-26", TrendPayload),
    ("rates 10y as-of 2024-03-26", RatesPayload),
    ("history 3y as-of 2024-03-26", HistoryPayload),
    ("board IWM/SPY, IJR/SPY, NOSUCH/SPY as-of 2024-03-26", BoardPayload),
    ("cuts etf as-of 2024-03-26", CutsPayload),
    ("valuation", ValuationPayload),
    ("years etf as-of 2024-03-26", YearsPayload),  # with the year to date
    ("years as-of 2023-12-29", YearsPayload),  # the year's last session: no year to date
    ("profitability", ProfitabilityPayload),
])
def test_a_payload_has_exactly_its_types_keys(text, payload_type, cache, market_data_dir):
    deps = build_deps(Settings(smallcaps_data_dir=market_data_dir), cache=cache)
    payload = deps.reports.run(parse_command(text)).payload
    assert payload["command"] == text.split()[0]
    assert mismatches(payload, payload_type) == []


def test_the_check_finds_a_missing_and_an_undeclared_key():
    from handlers.gap import RelativeRatio

    assert mismatches({"start": 1.0, "end": 2.0, "extra": 3}, RelativeRatio) == [
        "payload: missing 'change_pct'", "payload: undeclared 'extra'"]
