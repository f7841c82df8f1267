"""analytics.formatting: every helper's documented examples, character for character (the
replies' ASCII hyphen-minus, the charts' typographic minus U+2212)."""

from __future__ import annotations

import pytest

from analytics import formatting

MINUS = "\u2212"


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (30.92, 2, "+30.92 %"), (-6.81, 2, "-6.81 %"), (0.0, 2, "+0.00 %"), (-0.001, 2, "-0.00 %"),
    (12.345, 1, "+12.3 %"), (1234.5, 2, "+1234.50 %"),
])
def test_pct_is_always_signed(value: float, decimals: int, text: str) -> None:
    assert formatting.pct(value, decimals) == text


def test_pct_defaults_to_two_decimals() -> None:
    assert formatting.pct(30.92) == "+30.92 %"


@pytest.mark.parametrize(("value", "text"), [(18.51, "18.51 %"), (-0.5, "-0.50 %"),
                                             (0.0, "0.00 %")])
def test_percent_is_signed_only_when_negative(value: float, text: str) -> None:
    assert formatting.percent(value) == text


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (37.73, 2, "37.73 pp"), (-4.18, 2, "-4.18 pp"), (88.876, 2, "88.88 pp"), (2.25, 1, "2.2 pp"),
])
def test_pp_is_signed_only_when_negative(value: float, decimals: int, text: str) -> None:
    assert formatting.pp(value, decimals) == text


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (37.73, 2, "+37.73 pp"), (-4.18, 2, "-4.18 pp"), (0.0, 2, "+0.00 pp"), (-1.26, 1, "-1.3 pp"),
])
def test_spp_is_always_signed(value: float, decimals: int, text: str) -> None:
    assert formatting.spp(value, decimals) == text


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (1.234, 2, "+1.23"), (-1.849, 2, "-1.85"), (-0.0001, 2, "0.00"), (0.004, 2, "0.00"),
    (-1.6034, 3, "-1.603"), (0.0004, 4, "+0.0004"),
])
def test_signed_unless_zero_drops_the_sign_of_a_rounded_zero(value: float, decimals: int,
                                                             text: str) -> None:
    assert formatting.signed_unless_zero(value, decimals) == text


@pytest.mark.parametrize(("value", "unit", "text"), [
    (30.94, "%", "+30.9 %"), (-6.84, "%", f"{MINUS}6.8 %"), (-0.04, "%", "+0.0 %"),
    (1686.04, "%", "+1,686.0 %"), (-12.25, "pp", f"{MINUS}12.2 pp"),
])
def test_signed_uses_typographic_minus_and_no_negative_zero(value: float, unit: str,
                                                            text: str) -> None:
    assert formatting.signed(value, unit) == text


@pytest.mark.parametrize(("value", "spec", "text"), [
    (-0.04, "+.1f", "+0.0"), (-1.37, "+.2f", f"{MINUS}1.37"), (4.056, ".2f", "4.06"),
    (-1.234, ".2f", f"{MINUS}1.23"), (-0.001, ".2f", "0.00"), (-1234.5, ",.0f", f"{MINUS}1,234"),
])
def test_number_uses_a_typographic_minus_and_no_negative_zero(value: float, spec: str,
                                                              text: str) -> None:
    assert formatting.number(value, spec) == text


@pytest.mark.parametrize(("n", "text"), [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
    (21, "21st"), (93, "93rd"), (100, "100th"), (101, "101st"), (112, "112th"), (92.6, "93rd"),
])
def test_ordinal(n: float, text: str) -> None:
    assert formatting.ordinal(n) == text


@pytest.mark.parametrize(("value", "text"), [(92.97, "93rd"), (99.6, "99th"), (100.0, "100th"),
                                             (0.2, "0th"), (11.8, "12th")])
def test_percentile_rank_never_rounds_up_to_the_top(value: float, text: str) -> None:
    assert formatting.percentile_rank(value) == text


@pytest.mark.parametrize(("text", "limit", "clipped"), [
    ("abcdef", 4, "abc…"), ("abcd", 4, "abcd"), ("", 3, ""), ("abcdef", 1, "…"),
])
def test_clip_never_exceeds_the_limit(text: str, limit: int, clipped: str) -> None:
    assert formatting.clip(text, limit) == clipped
    assert len(formatting.clip(text, limit)) <= limit
