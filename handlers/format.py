"""Number and text formatting shared by every reply. Pure functions."""

from __future__ import annotations


def pct(value: float, decimals: int = 2) -> str:
    """'+30.92 %' / '-6.81 %': always signed, so direction is never ambiguous."""
    return f"{value:+.{decimals}f} %"


def pp(value: float, decimals: int = 2) -> str:
    """'37.73 pp' (percentage points), signed only when negative."""
    return f"{value:.{decimals}f} pp"


def ordinal(value: float) -> str:
    """'93rd', '1st', '12th' for a percentile rounded to a whole number."""
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def clip(text: str, limit: int) -> str:
    """`text` cut to Slack's `limit` characters with an ellipsis, never over it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
