"""Chart words for a history rank (analytics.rank): one wording for every chart header.

Kept apart from the gap chart so every chart module (and the replies) can share it.
"""

from __future__ import annotations

from analytics.rank import HistoryRank


def ordinal(value: float) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ... (rounded to a whole number)."""
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percentile_rank(percentile: float) -> str:
    """'93rd'; never '100th' unless it is the top (99.6 reads '99th', not '100th')."""
    whole = round(percentile)
    if whole >= 100 and percentile < 100.0 - 1e-9:
        whole = 99
    return ordinal(whole)


def rank_line(rank: HistoryRank, adjective: str) -> str:
    """'93rd percentile of 8,450 overlapping 3-year windows since 1990, about 12 independent'
    (for `ytd`: '... year-to-date windows at this date of each year since 1988')."""
    if rank.comparison == "same_date_each_year":
        return (f"{percentile_rank(rank.percentile)} percentile of {rank.windows:,} "
                f"year-to-date windows at this date of each year since "
                f"{rank.first_window_end.year}")
    return (f"{percentile_rank(rank.percentile)} percentile of {rank.windows:,} overlapping "
            f"{adjective} windows since {rank.first_window_end.year}, about "
            f"{rank.independent_windows:,} independent")


def since_text(rank: HistoryRank, lagging: bool) -> str:
    """'widest lag since 2000-11-10', 'widest lag on record', or '' (analytics.rank)."""
    direction = "lag" if lagging else "lead"
    if rank.on_record:
        return f"widest {direction} on record"
    if rank.widest_since is not None:
        return f"widest {direction} since {rank.widest_since.isoformat()}"
    return ""
