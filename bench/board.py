"""`/smallcaps board` reply times (ours only: the baseline answers `gap` alone).

Three cases, each the median of `trials` (the repeat of `repeats`), in ms from sending the
command to its complete reply (message posted and heatmap uploaded):
- prerendered: market data and the board answer computed by the scheduler's pass after the
  close (SMALLCAPS_PRERENDER includes `board`), then the first ask: the warm reply;
- repeat: the same board asked again;
- warm_new: market data cached but this board never computed (an as-of date not asked).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, timedelta

from bench.harness import BotProcess
from bench.slack_load import one_reply
from bench.slackproc import RemoteSlack


def board_times(bot: BotProcess, fake: RemoteSlack, flush: Callable[[], None],
                prerender: Callable[[str], None], trials: int,
                repeats: int) -> dict[str, float]:
    """Median ms per case (see the module docstring)."""
    times: dict[str, list[float]] = {"prerendered": [], "repeat": [], "warm_new": []}
    for _ in range(trials):
        flush()
        prerender("board")
        times["prerendered"].append(one_reply(bot, fake, "board"))
    for _ in range(repeats):
        times["repeat"].append(one_reply(bot, fake, "board"))
    for n in range(trials):
        as_of = date(2025, 6, 13) - timedelta(days=7 * n)
        times["warm_new"].append(one_reply(bot, fake, f"board as-of {as_of.isoformat()}"))
    fake.clear()
    return {key: statistics.median(values) * 1000 for key, values in times.items()}
