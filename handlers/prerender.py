"""Reports computed before anyone asks: the answers the buttons and App Home offer.

A reply that must draw a new chart spends ~95 % of its time in matplotlib (bench/RESULTS.md),
and no amount of tuning makes a two-panel chart cheap. But most of a day's questions are the
same few: the defaults, the buttons under every gap/trend/stats/history reply, App Home's
gap 1y, 3y and 5y. Once the day's data is in (the clock process, right after the alert run),
this computes those reports into the result cache (bot/reports), so the first person to ask
is answered like a repeat. Answers are keyed by the data's refresh point, so nothing
computed here outlives the data it was computed from.

SMALLCAPS_PRERENDER picks what: `buttons` (the default: every answer the switch buttons offer,
plus the default answer of every other report whose `Command` spec says `prerendered`: `table`,
`rates`, `board`, `cuts` and `valuation`), `off`, or a comma-separated list of commands.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.reports import Reports
from bot.runtime.config import ConfigError
from handlers.registry import parse, parse_command, prerendered_commands
from handlers.words import CommandError, ParseContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrerenderSummary:
    """What one pass did: reports computed (or already cached), and the commands that failed."""

    computed: int
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def commands_for(setting: str, context: ParseContext) -> tuple[str, ...]:
    """The commands SMALLCAPS_PRERENDER names; ConfigError for anything that is not a report
    command (checked at start-up, so a typo is found before the first close)."""
    text = setting.strip()
    if text.lower() in ("", "off", "none"):
        return ()
    if text.lower() == "buttons":
        return prerendered_commands()
    commands = tuple(c.strip() for c in text.split(",") if c.strip())
    for command in commands:
        try:
            parsed = parse(command, context)
        except CommandError as exc:
            raise ConfigError(f"SMALLCAPS_PRERENDER: `{command}`: {exc.message}") from None
        if parsed.command.rendering is None:
            raise ConfigError(f"SMALLCAPS_PRERENDER: `{command}` is not a report command "
                              "(use e.g. `gap 3y, trend, table`, `buttons` or `off`)")
    return commands


def prerender(reports: Reports, commands: Sequence[str], context: ParseContext,
              timer: Callable[[], float] = time.perf_counter) -> PrerenderSummary:
    """Compute each command's report into the cache, read in `context` (no channel: the
    answers the buttons offer everywhere); a failure is logged and skipped (one bad symbol
    must not keep the others from being ready)."""
    started = timer()
    computed, failed = 0, []
    for command in commands:
        try:
            _ = reports.run(parse_command(command, context)).chart_png  # the chart is cached too
            computed += 1
        except Exception:  # noqa: BLE001 - any failure: the user will get it when they ask
            logger.warning("Pre-rendering `%s` failed", command, exc_info=True)
            failed.append(command)
    return PrerenderSummary(computed, failed, timer() - started)
