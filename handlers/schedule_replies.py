"""`/smallcaps schedule add "COMMAND" daily|weekly [DAY]|monthly`, `schedule list`,
`schedule remove ID`, and the message a scheduled report posts.

The command is checked when the schedule is added (it must be a report: `gap`, `table`,
`stats`, `trend`, `rates`, `history`, `board`, without `as-of`) and parsed again at each post
with the channel's defaults of that day, as of the run's day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analytics.formatting import clip
from bot.alerts.schedules import FREQUENCIES, WEEKDAYS, ScheduleStore
from bot.alerts.store import AlertStoreError
from bot.reports import Report, Reports
from bot.runtime.cache import Cache
from bot.runtime.channel_settings import ChannelSettings
from bot.runtime.deps import Deps
from handlers.parsing import AS_OF_WORDS, CommandError, parse_command, split_words
from handlers.replies import REPLIES

logger = logging.getLogger(__name__)
EXAMPLE = 'schedule add "board" weekly fri'
REPORT_COMMANDS = ("gap", "table", "stats", "trend", "rates", "history", "board")


@dataclass(frozen=True)
class ScheduleRequest:
    """`schedule add|list|remove`."""

    action: str
    command: str | None = None
    frequency: str | None = None
    weekday: str | None = None
    schedule_id: str | None = None


def _weekday(words: list[str]) -> str:
    if not words:
        return "fri"
    word = words[0].lower()[:3]
    if len(words) > 1 or word not in WEEKDAYS:
        raise CommandError(f"`{' '.join(words)}` is not a weekday: use one of "
                           f"{', '.join(WEEKDAYS)}.", EXAMPLE)
    return word


def check_command(text: str) -> str:
    """The report command text, checked by parsing it; CommandError if it is not one."""
    words = split_words(text)
    if not words or words[0].lower() not in REPORT_COMMANDS:
        raise CommandError("Schedule a report: " + ", ".join(f"`{c}`" for c in
                                                             REPORT_COMMANDS) + ".", EXAMPLE)
    if any(w.lower().partition("=")[0] in AS_OF_WORDS for w in words):
        raise CommandError("A scheduled report is always as of the day it is posted: "
                           "leave out `as-of`.", EXAMPLE)
    parse_command(text)  # raises CommandError with the command's own explanation
    return " ".join(words)


def parse_schedule(args: list[str]) -> ScheduleRequest:
    """`schedule add COMMAND... daily|weekly [DAY]|monthly`, `schedule list`,
    `schedule remove ID`."""
    action = args[0].lower() if args else ""
    if action == "list" and len(args) == 1:
        return ScheduleRequest("list")
    if action == "remove" and len(args) == 2:
        return ScheduleRequest("remove", schedule_id=args[1].upper())
    if action != "add":
        raise CommandError("Use `schedule add \"COMMAND\" daily|weekly [DAY]|monthly`, "
                           "`schedule list` or `schedule remove ID`.", EXAMPLE)
    rest = args[1:]
    spots = [i for i, w in enumerate(rest) if w.lower() in FREQUENCIES]
    if not spots:
        raise CommandError("Say how often: `daily`, `weekly [mon..fri]` or `monthly`.",
                           EXAMPLE)
    at = spots[-1]
    frequency, after = rest[at].lower(), rest[at + 1:]
    if frequency != "weekly" and after:
        raise CommandError(f"`{frequency}` takes no day (got `{' '.join(after)}`).", EXAMPLE)
    weekday = _weekday(after) if frequency == "weekly" else None
    command = check_command(" ".join(rest[:at]))  # quoted ("gap 3y etf") or not
    return ScheduleRequest("add", command, frequency, weekday)


def answer_schedule(deps: Deps, request: ScheduleRequest, channel_id: str, user_id: str,
                    send: Callable[..., Any]) -> None:
    """Add, list or remove this channel's schedules; `send(text=...)` the outcome."""
    store = ScheduleStore(deps.cache)
    when = f"after the US close ({deps.settings.smallcaps_alert_time} " \
           f"{deps.settings.smallcaps_alert_tz}) on trading days"
    try:
        if request.action == "add":
            assert request.command and request.frequency
            schedule = store.add(channel_id, request.command, request.frequency,
                                 request.weekday, user_id, deps.clock())
            send(text=f":white_check_mark: {schedule.id}: {schedule.describe()}, posted here "
                      f"{when}. `/smallcaps schedule remove {schedule.id}` stops it.")
        elif request.action == "list":
            schedules = store.for_channel(channel_id)
            lines = [f"`{s.id}` {s.describe()} · set by <@{s.creator_id}>" for s in schedules]
            send(text=clip("*Scheduled reports in this channel*\n" + ("\n".join(lines) or
                           "None yet. e.g. `/smallcaps " + EXAMPLE + "`") + f"\nPosted {when}.",
                           3000))
        else:
            assert request.schedule_id
            schedule = store.get(request.schedule_id)
            if schedule is None or schedule.channel_id != channel_id:
                send(text=f":warning: No schedule `{request.schedule_id}` in this channel "
                          "(`schedule list` shows them).")
                return
            store.remove(schedule.id)
            send(text=f":white_check_mark: Removed {schedule.id}: {schedule.describe()}.")
    except AlertStoreError as exc:
        send(text=f":warning: {exc}")
    except Exception:
        logger.exception("schedule %s failed", request.action)
        send(text=":warning: Something went wrong on our side; it is logged.")


def scheduled_message(reports: Reports, cache: Cache, record: dict[str, Any]
                      ) -> tuple[list[dict[str, Any]], str, Report] | None:
    """The blocks, text and report a scheduled post carries (None: schedule removed)."""
    if ScheduleStore(cache).get(record["schedule_id"]) is None:
        return None
    defaults = ChannelSettings(cache).get(record["channel_id"])
    query = parse_command(f"{record['command']} as-of {record['as_of']}", defaults)
    report = reports.run(query)
    fmt = REPLIES[report.payload["command"]]
    intro = {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(
        f":calendar: Scheduled `{record['command']}` ({record['period']}) · "
        f"{record['schedule_id']}, set by <@{record['creator_id']}> · "
        f"`/smallcaps schedule remove {record['schedule_id']}` to stop", 3000)}]}
    blocks = [intro, *fmt.blocks(report.payload)][:50]
    text = clip(f"Scheduled {record['command']}: {fmt.fallback(report.payload)}", 3000)
    return blocks, text, report
