"""`status`: the bot's health (see bot/reports/status.py), for Slack and the terminal.

Grammar `status` (no arguments); pure formatting (Block Kit for Slack, plain text for the
CLI), plus `answer_status`, which collects the status and sends it through whatever the caller
replies with (a response_url, a thread), with the channel's defaults under it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analytics.formatting import clip
from bot.data.market_hours import NEW_YORK
from bot.reports.status import collect_status
from bot.runtime.deps import Deps
from handlers.channel_defaults import with_settings_block
from handlers.command import Command, Conversation
from handlers.words import ParseContext, no_arguments

logger = logging.getLogger(__name__)
Info = dict[str, Any]


@dataclass(frozen=True)
class StatusRequest:
    """Show the bot's health: data source and freshness, cache, scheduler, version."""


def parse_status(args: list[str], context: ParseContext) -> StatusRequest:
    """`status` (no arguments)."""
    no_arguments(args, "status")
    return StatusRequest()


def when(iso: str | None) -> str:
    """'2026-11-24 15:00 UTC' for an ISO time; dates and other text unchanged."""
    if not iso:
        return "never"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if len(iso) <= 10:  # a date
        return iso
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def symbol_table(info: Info) -> str:
    """Cached price history per symbol, in aligned columns (for a monospace block)."""
    header = ("Symbol", "Series", "First close", "Last close", "Closes", "Fetched (UTC)",
              "State")
    rows = []
    for s in info["symbols"]:
        if not s["cached"]:
            rows.append((s["symbol"], s["name"], "-", "-", "-", "-", "not fetched yet"))
            continue
        rows.append((s["symbol"], s["name"], s["first_close"], s["last_close"],
                     f"{s['closes']:,}", when(s["fetched_at"]).removesuffix(" UTC"),
                     s.get("state") or ("current" if s["fresh"] else "refresh due")))
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    right = {4}  # counts read best right-aligned

    def line(row: tuple[str, ...]) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in
                 enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    return "\n".join(line(r) for r in (header, *rows))


def cache_line(info: Info) -> str:
    cache = info["cache"]
    health = "healthy (answers PING)" if cache["healthy"] else \
        "unreachable: answering uncached until it is back"
    policy = cache.get("evicting_policy")
    risk = f"; warning: maxmemory-policy {policy} may evict alert rules and schedules " \
        "(use noeviction)" if policy else ""
    return f"{cache['backend']}, {health}{risk}"


def refresh_line(info: Info) -> str:
    """When cached prices and results expire (after the next US close)."""
    moment = datetime.fromisoformat(info["next_refresh"])
    local = moment.astimezone(NEW_YORK)
    return f"{local:%Y-%m-%d %H:%M} New York time ({when(info['next_refresh'])})"


def scheduler_line(info: Info) -> str:
    """Last and next run of the scheduler, or that it has not run yet."""
    s = info["scheduler"]
    if not s:
        return "has not run yet"
    parts = [f"last run {when(s.get('last_run_at'))}"]
    if s.get("last_as_of"):
        parts[0] += f" on data to {when(s['last_as_of'])}"
    counts = []
    if s.get("rules_evaluated") not in (None, ""):
        counts.append(_count(s["rules_evaluated"], "alert rule", "alert rules") + " evaluated")
    if s.get("posts") not in (None, ""):
        counts.append(_count(s["posts"], "post", "posts"))
    if counts:
        parts.append(", ".join(counts))
    if s.get("prerendered"):
        failed = f", {s['prerender_failed']} failed" if s.get("prerender_failed") not in (
            None, "", "0") else ""
        parts.append(f"{_count(s['prerendered'], 'report', 'reports')} ready before asked "
                     f"({when(s.get('prerendered_at'))}{failed})")
    if s.get("next_run_at"):
        parts.append(f"next run {when(s['next_run_at'])}")
    return " · ".join(parts)


def adjustments_line(info: Info) -> str:
    """Symbols whose cached history was refetched in full after a split or dividend
    rescaled it (bot.data.adjustments), with how often and when last."""
    rows = info.get("adjustment_refetches") or []
    if not rows:
        return "none so far"
    return ", ".join(f"{r['symbol']} {_count(r['count'], 'time', 'times')} "
                     f"(last {when(r['last_at'])})" for r in rows)


def _count(value: str, one: str, many: str) -> str:
    """'1 post', '3 posts' (the scheduler writes counts as text)."""
    return f"{value} {one if str(value).strip() == '1' else many}"


def update_text(info: Info) -> str:
    """When data was last had: 'CSV files, last close D' for files (as old as their last
    close, whenever they were read), the fetch time and last close for a live source."""
    if not info["last_update"]:
        return "nothing fetched yet"
    last_close = info.get("last_close")
    if info.get("source_kind") == "files":
        return f"CSV files, last close {last_close}"
    fetched = when(info["last_update"])
    trading_day = info.get("last_trading_day")
    tail = f" (last close {last_close}; last trading day {trading_day})" if last_close else ""
    return fetched + tail


def summary_lines(info: Info) -> list[tuple[str, str]]:
    """(label, text) for every service line, in reading order."""
    return [
        ("Version", f"smallcaps {info['version']}"),
        ("Data source", info["source"]),
        ("Last successful update", update_text(info)),
        ("Cache", cache_line(info)),
        ("Cached data current until", refresh_line(info)),
        ("Refetched after splits/dividends", adjustments_line(info)),
        ("Scheduler", scheduler_line(info)),
    ]


def status_text(info: Info) -> str:
    """The status for a terminal."""
    lines = ["smallcaps status", "================"]
    width = max(len(label) for label, _ in summary_lines(info))
    lines += [f"{label + ':':<{width + 1}} {text}" for label, text in summary_lines(info)]
    lines += ["", "Price history in the cache:", symbol_table(info)]
    return "\n".join(lines)


def status_fallback(info: Info) -> str:
    return (f"smallcaps {info['version']}: data from {info['source']}, last update "
            f"{update_text(info)}; scheduler {scheduler_line(info)}.")


def status_blocks(info: Info) -> list[dict[str, Any]]:
    """The status as Block Kit (one header, two sections: well inside every limit)."""
    fields = [{"type": "mrkdwn", "text": clip(f"*{label}*\n{text}", 2000)}
              for label, text in summary_lines(info)]
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "smallcaps status"}},
        {"type": "section", "fields": fields[:10]},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(
            "*Price history in the cache*\n```" + symbol_table(info) + "```", 3000)}},
    ]


def answer_status(deps: Deps, send: Callable[..., Any]) -> None:
    """Collect the status and `send(blocks=..., text=...)` it; a failure sends a short note."""
    try:
        info = collect_status(deps)
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("status failed (ref %s)", ref)
        send(text=f":warning: I could not collect the status (ref `{ref}`); it is logged.")
        return
    send(blocks=status_blocks(info), text=status_fallback(info))


def answer(conversation: Conversation, request: StatusRequest) -> None:
    """The status, then this channel's defaults, only to the asker."""
    deps = conversation.deps
    answer_status(deps, with_settings_block(deps, conversation.channel_id, conversation.tell))


COMMAND = Command(
    name="status",
    usage="status",
    summary="Where the data comes from and how fresh it is per symbol, cache and scheduler "
            "health, and the version.",
    example="status",
    parse=parse_status,
    answer=answer,
    cli="own",  # --data-dir and --json: bot/cli.py
)
