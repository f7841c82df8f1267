"""Reports computed before anyone asks: the answers the buttons and App Home offer.

A reply that must draw a new chart spends ~95 % of its time in matplotlib (bench/RESULTS.md),
and no amount of tuning makes a two-panel chart cheap. But most of a day's questions are the
same few: the defaults, the buttons under every gap/trend/stats/history reply, App Home's
gap 1y, 3y and 5y. Once the day's data is in (the clock process, right after the alert run),
this computes those reports into the result cache (bot/reports), so the first person to ask
is answered like a repeat. Answers are keyed by the data's refresh point, so nothing
computed here outlives the data it was computed from.

SMALLCAPS_PRERENDER picks what: `buttons` (the default: every switch-button answer, plus
`table`, `rates`, `board`, `cuts` and `valuation`), `off`, or a comma-separated list of commands.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.reports import Reports
from bot.runtime.config import ConfigError

logger = logging.getLogger(__name__)
PLAIN_DEFAULTS = ("table", "rates", "board", "cuts", "valuation")
"""Commands without buttons whose default answer is worth having ready."""


@dataclass(frozen=True)
class PrerenderSummary:
    """What one pass did: reports computed (or already cached), and the commands that failed."""

    computed: int
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def commands_for(setting: str) -> tuple[str, ...]:
    """The commands SMALLCAPS_PRERENDER names; ConfigError for anything that is not a report
    command (checked at start-up, so a typo is found before the first close)."""
    from handlers.buttons import offered_commands  # deferred: handlers import bot modules
    from handlers.parsing import CommandError, parse_command
    from handlers.replies import REPLIES

    text = setting.strip()
    if text.lower() in ("", "off", "none"):
        return ()
    if text.lower() == "buttons":
        return (*offered_commands(), *PLAIN_DEFAULTS)
    commands = tuple(c.strip() for c in text.split(",") if c.strip())
    for command in commands:
        try:
            query = parse_command(command)
        except CommandError as exc:
            raise ConfigError(f"SMALLCAPS_PRERENDER: `{command}`: {exc.message}") from None
        if getattr(query, "command", None) not in REPLIES:
            raise ConfigError(f"SMALLCAPS_PRERENDER: `{command}` is not a report command "
                              "(use e.g. `gap 3y, trend, table`, `buttons` or `off`)")
    return commands


def prerender(reports: Reports, commands: Sequence[str],
              timer: Callable[[], float] = time.perf_counter) -> PrerenderSummary:
    """Compute each command's report into the cache; a failure is logged and skipped (one
    bad symbol must not keep the others from being ready)."""
    from handlers.parsing import parse_command

    started = timer()
    computed, failed = 0, []
    for command in commands:
        try:
            _ = reports.run(parse_command(command)).chart_png  # the chart is cached too
            computed += 1
        except Exception:  # noqa: BLE001 - any failure: the user will get it when they ask
            logger.warning("Pre-rendering `%s` failed", command, exc_info=True)
            failed.append(command)
    return PrerenderSummary(computed, failed, timer() - started)
