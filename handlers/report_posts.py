"""Reports the bot posts without being asked, each under a one-line header: a scheduled
report (`schedule add`) and a channel's digest (`digest daily|weekly`); the report whose
chart follows an alert; and the title and screen-reader text of their chart uploads.

Alert delivery (bot.alerts.delivery) posts them; the entry points hand it these functions
(bot/alerts_cli.py `alert_messages`), since services do not import the commands.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from analytics.alert_metric_base import Metric
from analytics.formatting import clip
from analytics.pairs import Pair, parse_pair
from analytics.periods import Period
from bot.reports import Report, ReportQuery, Reports
from bot.runtime.config import Settings
from bot.runtime.deps import Stores
from handlers.command import Block, Blocks, Command, Rendering
from handlers.registry import digest_command, get, parse, rendering_of
from handlers.replies import chart_alt_text
from handlers.words import parse_context

Record = dict[str, Any]


def _header(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 3000)}]}


def scheduled_message(reports: Reports, stores: Stores, record: dict[str, Any], *,
                      settings: Settings) -> tuple[list[dict[str, Any]], str, Report] | None:
    """The blocks, text and report a scheduled post carries (None: schedule removed): its
    command as of the record's day, with the channel's defaults of that day and `settings`
    (the entry point binds them: bot.alerts_cli.alert_messages)."""
    if stores.schedules.get(record["schedule_id"]) is None:
        return None
    defaults = stores.channels.get(record["channel_id"])
    context = parse_context(settings, reports.clock(), defaults)
    query = parse(f"{record['command']} as-of {record['as_of']}", context).request
    report = reports.run(query)
    fmt = rendering_of(report.payload)
    intro = _header(f":calendar: Scheduled `{record['command']}` ({record['period']}) · "
                    f"{record['schedule_id']}, set by <@{record['creator_id']}> · "
                    f"`/smallcaps schedule remove {record['schedule_id']}` to stop")
    blocks = [intro, *fmt.blocks(report.payload)][:50]
    text = clip(f"Scheduled {record['command']}: {fmt.fallback(report.payload)}", 3000)
    return blocks, text, report


def digest_message(record: Record, report: Report) -> tuple[Blocks, str]:
    """The report's own blocks under a one-line digest header."""
    fmt = rendering_of(report.payload)
    intro = _header(f":calendar: {record['frequency'].capitalize()} digest ({record['period']})"
                    f" · set by <@{record['creator_id']}> · `/smallcaps digest off` to stop")
    blocks = [intro, *fmt.blocks(report.payload)][:50]
    return blocks, clip(f"{record['frequency'].capitalize()} digest: "
                        f"{fmt.fallback(report.payload)}", 3000)


def chart_labels(report: Report) -> tuple[str, str]:
    """(title, alt text) of a report's chart as the delivery uploads it: the command's own
    title and screen-reader text, or the file name for a report without a rendering."""
    fmt = _rendering(report.payload)
    title = fmt.title(report.payload) if fmt else report.chart_filename
    alt = chart_alt_text(report.payload) if fmt else title
    return title, alt


def _rendering(payload: Mapping[str, Any]) -> Rendering[Any] | None:
    try:
        return rendering_of(payload)
    except KeyError:
        return None


def alert_chart_query(metric: Metric, day: date) -> ReportQuery:
    """The report whose chart goes with a firing of a rule on `metric`, as of the firing's
    day: the one the metric asks for (Metric.chart: the gap of a gap rule's window, the
    `trend` over its default window for ratio rules), for the rule's pair. Built directly,
    not parsed: the day comes from the data, not from a user."""
    need = metric.chart()
    return pinned_query(get(need.command), need.period, metric.pair, day)


def digest_query(as_of: str) -> ReportQuery:
    """The digest's report (the command whose spec says `digest`: every horizon, index pair)
    as of the digest's day."""
    return pinned_query(digest_command(), None, parse_pair(None), date.fromisoformat(as_of))


def pinned_query(command: Command, period: Period | None, pair: Pair, day: date
                 ) -> ReportQuery:
    """`command`'s query for `period`, `pair` and `day` (Command.pinned_query); KeyError for
    a command that declares none."""
    if command.pinned_query is None:
        raise KeyError(f"{command.name} declares no pinned_query")
    return cast(ReportQuery, command.pinned_query(period, pair, day))
