"""Number and text formatting shared by every reply. Pure functions."""

from __future__ import annotations

from analytics.chart_words import ordinal

__all__ = ["clip", "ordinal", "pct", "pp"]


def pct(value: float, decimals: int = 2) -> str:
    """'+30.92 %' / '-6.81 %': always signed, so direction is never ambiguous."""
    return f"{value:+.{decimals}f} %"


def pp(value: float, decimals: int = 2) -> str:
    """'37.73 pp' (percentage points), signed only when negative."""
    return f"{value:.{decimals}f} pp"


def clip(text: str, limit: int) -> str:
    """`text` cut to Slack's `limit` characters with an ellipsis, never over it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
