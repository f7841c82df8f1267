"""App Home's "March 2024 claims" section: one line from each report whose spec sets
`on_home` (`cuts` and `valuation`), read through the report cache, which the scheduler
pre-renders after the close."""

from __future__ import annotations

import logging

from bot.runtime.deps import Deps
from handlers.channel_defaults import request_context
from handlers.registry import get, home_commands, rendering_of

logger = logging.getLogger(__name__)


def thesis_lines(deps: Deps) -> list[str]:
    """'*cuts*: <the reply's one-line summary>' per command; a failing one says so briefly
    (Home must open whatever a data source does)."""
    lines = []
    context = request_context(deps)
    for command in home_commands():
        try:
            report = deps.reports.run(get(command).parse([], context))
            lines.append(f"*{command}*: {rendering_of(report.payload).fallback(report.payload)}")
        except Exception:  # noqa: BLE001 - one line missing is better than no dashboard
            logger.warning("%s for Home failed", command, exc_info=True)
            lines.append(f"*{command}*: not available right now (`/smallcaps {command}`).")
    return lines
