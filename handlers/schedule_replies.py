"""The message a scheduled report posts (handlers/schedule.py is the `schedule` command).

Called by alert delivery (bot.alerts.delivery) when a schedule's post is due: the command is
parsed again with the channel's defaults of that day, as of the run's day.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import clip
from bot.alerts.schedules import ScheduleStore
from bot.reports import Report, Reports
from bot.runtime.cache import Cache
from bot.runtime.channel_settings import ChannelSettings
from handlers.registry import parse, rendering_of


def scheduled_message(reports: Reports, cache: Cache, record: dict[str, Any]
                      ) -> tuple[list[dict[str, Any]], str, Report] | None:
    """The blocks, text and report a scheduled post carries (None: schedule removed)."""
    if ScheduleStore(cache).get(record["schedule_id"]) is None:
        return None
    defaults = ChannelSettings(cache).get(record["channel_id"])
    query = parse(f"{record['command']} as-of {record['as_of']}", defaults).request
    report = reports.run(query)
    fmt = rendering_of(report.payload)
    intro = {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(
        f":calendar: Scheduled `{record['command']}` ({record['period']}) · "
        f"{record['schedule_id']}, set by <@{record['creator_id']}> · "
        f"`/smallcaps schedule remove {record['schedule_id']}` to stop", 3000)}]}
    blocks = [intro, *fmt.blocks(report.payload)][:50]
    text = clip(f"Scheduled {record['command']}: {fmt.fallback(report.payload)}", 3000)
    return blocks, text, report
