"""App Home's "March 2024 claims" section: one line each from the `cuts` and `valuation`
reports (read through the report cache, which the scheduler pre-renders after the close)."""

from __future__ import annotations

import logging

from bot.runtime.deps import Deps
from handlers.parsing import PARSERS
from handlers.replies import REPLIES

logger = logging.getLogger(__name__)
THESIS_COMMANDS = ("cuts", "valuation")


def thesis_lines(deps: Deps) -> list[str]:
    """'*cuts*: <the reply's one-line summary>' per command; a failing one says so briefly
    (Home must open whatever a data source does)."""
    lines = []
    for command in THESIS_COMMANDS:
        try:
            report = deps.reports.run(PARSERS[command]([]))
            lines.append(f"*{command}*: {REPLIES[command].fallback(report.payload)}")
        except Exception:  # noqa: BLE001 - one line missing is better than no dashboard
            logger.warning("%s for Home failed", command, exc_info=True)
            lines.append(f"*{command}*: not available right now (`/smallcaps {command}`).")
    return lines
