"""`schedule`: any report posted in the channel on a schedule.

    schedule add "COMMAND" daily|weekly [DAY]|monthly | schedule list | schedule remove ID

The command is checked when the schedule is added (it must be a report its `Command` spec
marks `schedulable`, without `as-of`) and parsed again at each post with the channel's
defaults of that day, as of the run's day (handlers/report_posts.py words that post).
Anyone in the channel may add and list; only a schedule's creator or an admin
(SMALLCAPS_ADMIN_USERS) may remove it, as with alert rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from analytics.errors import present
from analytics.formatting import clip
from bot.alerts.schedules import FREQUENCIES, WEEKDAYS, Schedule
from bot.alerts.store import AlertStoreError
from bot.runtime.deps import Deps
from bot.slack.escape import escape
from handlers.command import Command, Conversation
from handlers.report_text import Cell, table_block, user_cell
from handlers.words import AS_OF_WORDS, CommandError, ParseContext, split_words

logger = logging.getLogger(__name__)
EXAMPLE = 'schedule add "board" weekly fri'


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


def check_command(text: str, parse_command: Callable[[str], Any],
                  schedulable: Sequence[str]) -> str:
    """The report command text, checked by parsing it; CommandError if it is not one of
    `schedulable`."""
    words = split_words(text)
    if not words or words[0].lower() not in schedulable:
        raise CommandError("Schedule a report: " + ", ".join(f"`{c}`" for c in
                                                             schedulable) + ".", EXAMPLE)
    if any(w.lower().partition("=")[0] in AS_OF_WORDS for w in words):
        raise CommandError("A scheduled report is always as of the day it is posted: "
                           "leave out `as-of`.", EXAMPLE)
    parse_command(text)  # raises CommandError with the command's own explanation
    return " ".join(words)


def parse_schedule(args: list[str], parse_command: Callable[[str], Any],
                   schedulable: Sequence[str]) -> ScheduleRequest:
    """`schedule add COMMAND... daily|weekly [DAY]|monthly`, `schedule list`,
    `schedule remove ID`; the COMMAND is checked with `parse_command` and must be one of
    `schedulable`."""
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
    command = check_command(" ".join(rest[:at]), parse_command,
                            schedulable)  # quoted ("gap 3y etf") or not
    return ScheduleRequest("add", command, frequency, weekday)


def list_blocks(schedules: Sequence[Schedule], when: str) -> list[dict[str, Any]]:
    """`schedule list` as Slack's native table (ID, report, how often, creator)."""
    rows: list[list[Cell]] = [["ID", "Report", "How often", "Set by"]]
    rows += [[s.id, s.command, f"weekly on {s.weekday}" if s.frequency == "weekly"
              else s.frequency, user_cell(s.creator_id)] for s in schedules]
    table = table_block(rows)
    return [{"type": "section", "text": {"type": "mrkdwn",
                                         "text": "*Scheduled reports in this channel*"}},
            table,
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Posted {when}. "
             "`/smallcaps schedule remove ID` stops one."}]}]


def answer_schedule(deps: Deps, request: ScheduleRequest, channel_id: str, user_id: str,
                    send: Callable[..., Any]) -> None:
    """Add, list or remove this channel's schedules; `send(text=...)` the outcome."""
    store = deps.stores.schedules
    when = f"after the US close ({deps.settings.smallcaps_alert_time} " \
           f"{deps.settings.smallcaps_alert_tz}) on trading days"
    try:
        if request.action == "add":
            schedule = store.add(channel_id, present(request.command, "the report"),
                                 present(request.frequency, "the frequency"),
                                 request.weekday, user_id, deps.clock())
            send(text=f":white_check_mark: {schedule.id}: {escape(schedule.describe())}, "
                      f"posted here {when}. `/smallcaps schedule remove {schedule.id}` stops it.")
        elif request.action == "list":
            schedules = store.for_channel(channel_id)
            lines = [f"`{s.id}` {escape(s.describe())} · set by <@{s.creator_id}>"
                     for s in schedules]
            text = clip("*Scheduled reports in this channel*\n" + ("\n".join(lines) or
                        "None yet. e.g. `/smallcaps " + EXAMPLE + "`") + f"\nPosted {when}.",
                        3000)
            send(text=text, blocks=list_blocks(schedules, when) if schedules else None)
        else:
            found = store.get(present(request.schedule_id, "the schedule id"))
            if found is None or found.channel_id != channel_id:
                send(text=f":warning: No schedule `{request.schedule_id}` in this channel "
                          "(`schedule list` shows them).")
                return
            if user_id != found.creator_id and user_id not in deps.settings.admin_user_ids:
                send(text=f":no_entry: Only <@{found.creator_id}>, who set `{found.id}`, or "
                          "an admin can remove it.")
                return
            store.remove(found.id)
            send(text=f":white_check_mark: Removed {found.id}: {escape(found.describe())}.")
    except AlertStoreError as exc:
        send(text=f":warning: {exc}")
    except Exception:
        logger.exception("schedule %s failed", request.action)
        send(text=":warning: Something went wrong on our side; it is logged.")


def command(parse_command: Callable[[str, ParseContext], Any],
            schedulable: Callable[[], Sequence[str]]) -> Command:
    """The `schedule` command. It checks the report it is given with the registry's
    `parse_command` (in the request's context); `schedulable` names the reports that may be
    scheduled."""

    def parse(args: list[str], context: ParseContext) -> ScheduleRequest:
        return parse_schedule(args, lambda text: parse_command(text, context), schedulable())

    def answer(conversation: Conversation, request: ScheduleRequest) -> None:
        answer_schedule(conversation.deps, request, conversation.channel_id,
                        conversation.user_id, conversation.tell)

    return Command(
        name="schedule",
        usage='schedule add "COMMAND" daily|weekly [DAY]|monthly | list | remove ID',
        summary="Any report posted in this channel on a schedule, after the US close on "
                "trading days: `schedule add \"board\" weekly fri`, `schedule add \"gap 3y "
                "etf\" daily`, `schedule add \"trend\" monthly` (last weekday of the month). "
                "Each period is posted once.",
        example='schedule add "board" weekly fri',
        parse=parse,
        answer=answer,
        cli="none",
    )
