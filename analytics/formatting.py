"""Numbers as words: one home for how a percentage, a gap in percentage points, a rank or a
clipped text reads, for the charts and the replies alike. Pure functions of their arguments.

Two styles, each kept exactly as users know it:
- replies (Slack text, the terminal): ASCII hyphen-minus and two decimals, `pct` '+30.92 %',
  `pp` '37.73 pp', `spp` '+37.73 pp', `percent` '18.51 %', `signed_unless_zero` '-1.85'
  (alert values);
- charts: the typographic minus (U+2212) and no negative zero, `signed` '−6.8 %', `number`.
"""

from __future__ import annotations

MINUS = "\u2212"
"""The typographic minus sign charts print instead of the hyphen-minus."""


def pct(value: float, decimals: int = 2) -> str:
    """A change in percent, always signed so the direction is never ambiguous:
    pct(30.92) -> '+30.92 %', pct(-6.81) -> '-6.81 %', pct(0.0) -> '+0.00 %'."""
    return f"{value:+.{decimals}f} %"


def percent(value: float, decimals: int = 2) -> str:
    """A level in percent (a volatility, a yield), signed only when negative:
    percent(18.51) -> '18.51 %', percent(-0.5) -> '-0.50 %'."""
    return f"{value:.{decimals}f} %"


def pp(value: float, decimals: int = 2) -> str:
    """Percentage points, signed only when negative: pp(37.73) -> '37.73 pp',
    pp(-4.18) -> '-4.18 pp'."""
    return f"{value:.{decimals}f} pp"


def spp(value: float, decimals: int = 2) -> str:
    """Signed percentage points (a gap, large minus small): spp(37.73) -> '+37.73 pp',
    spp(-4.18) -> '-4.18 pp'."""
    return f"{value:+.{decimals}f} pp"


def signed_unless_zero(value: float, decimals: int = 2) -> str:
    """Signed with the hyphen-minus, but no sign on a value that rounds to zero (alert
    values, where '+0.00' or '-0.00' would suggest a side): signed_unless_zero(1.234) ->
    '+1.23', signed_unless_zero(-1.849) -> '-1.85', signed_unless_zero(-0.0001) -> '0.00'."""
    text = f"{value:+.{decimals}f}"
    return text[1:] if float(text) == 0 else text


def signed(value: float, unit: str) -> str:
    """One decimal, always signed, typographic minus, for charts: signed(30.92, '%') ->
    '+30.9 %', signed(-6.81, '%') -> '−6.8 %', signed(-0.04, 'pp') -> '+0.0 pp' (no −0.0),
    signed(1234.5, '%') -> '+1,234.5 %'."""
    text = f"{round(value, 1) + 0.0:+,.1f} {unit}"  # + 0.0 turns -0.0 into 0.0
    return text.replace("-", MINUS)


def number(value: float, spec: str) -> str:
    """`value` formatted with the format `spec` ('.2f', '+.1f'), with a typographic minus
    and no negative zero, for charts: number(-1.234, '.2f') -> '−1.23',
    number(-0.001, '+.1f') -> '+0.0'."""
    text = format(value, spec)
    if float(text.replace(",", "")) == 0:
        text = format(0.0, spec)
    return text.replace("-", MINUS)


def ordinal(value: float) -> str:
    """The whole number nearest `value` as an English ordinal: 1st, 2nd, 3rd, 4th, 11th,
    12th, 13th, 21st, 112th."""
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percentile_rank(percentile: float) -> str:
    """A percentile (0-100) as an ordinal, never '100th' unless it is the top:
    percentile_rank(93.2) -> '93rd', percentile_rank(99.6) -> '99th',
    percentile_rank(100.0) -> '100th'."""
    whole = round(percentile)
    if whole >= 100 and percentile < 100.0 - 1e-9:
        whole = 99
    return ordinal(whole)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters (a Slack limit, a chart cell) with an ellipsis,
    never over it: clip('abcdef', 4) -> 'abc…'."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
