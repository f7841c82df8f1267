"""`schedule`: any report posted in the channel on a schedule.

    schedule add "COMMAND" daily|weekly [DAY]|monthly [at HH:MM|after-close]
    schedule edit ID "COMMAND" daily|weekly [DAY]|monthly [at HH:MM|after-close]
    schedule list | schedule remove ID

A time is New York time: before the 09:30 open (the post shows the previous session's
close) or from 16:30; without one a schedule posts after the close, as it always did. Posts
go out on NYSE sessions only. The schedule form (handlers/schedule_form.py) checks its
fields with the same functions (`check_command`, `parse_weekday`, `parse_at`).

The command is checked when the schedule is added (it must be a report its `Command` spec
marks `schedulable`, without `as-of`) and parsed again at each post with the channel's
defaults of that day, as of the run's day (handlers/report_posts.py words that post).
Anyone in the channel may add and list; only a schedule's creator or an admin
(SMALLCAPS_ADMIN_USERS) may edit or remove it (by text, button or form), as with alert rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from analytics.errors import present
from analytics.formatting import clip
from analytics.periods import InsufficientHistoryError
from bot.alerts.schedules import (
    AFTER_CLOSE,
    EARLIEST_AFTER_CLOSE,
    FREQUENCIES,
    WEEKDAYS,
    Schedule,
)
from bot.alerts.store import AlertStoreError
from bot.data.sources import DataUnavailableError, SymbolNotFoundError
from bot.data.trading_calendar import REGULAR_OPEN
from bot.runtime.deps import Deps
from bot.slack.escape import escape
from handlers.channel_defaults import request_context
from handlers.command import Command, Conversation
from handlers.report_text import Cell, table_block, user_cell
from handlers.words import AS_OF_WORDS, LIVE_WORDS, CommandError, ParseContext, split_words

logger = logging.getLogger(__name__)
EXAMPLE = 'schedule add "board" weekly fri'
TIME_EXAMPLE = 'schedule add "gap 3y" weekly fri at 08:30'
EDIT_ACTION = "smallcaps_schedule_edit"
REMOVE_ACTION = "smallcaps_schedule_remove"
NEW_ACTION = "smallcaps_schedule_new"
"""The Edit, Remove and New schedule buttons under `schedule list`, and App Home's New
schedule button (bot/listeners/schedule_form.py): the form for the clicked message's
channel, or with a channel picker from App Home."""
_CLOCK = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*(am|pm)?$")


@dataclass(frozen=True)
class ScheduleRequest:
    """`schedule add|edit|list|remove`."""

    action: str
    command: str | None = None
    frequency: str | None = None
    weekday: str | None = None
    schedule_id: str | None = None
    at: str | None = None
    """'HH:MM' New York time, None: after the close."""


WEEKDAY_SPELLINGS = {
    "mon": ("mon", "monday"), "tue": ("tue", "tues", "tuesday"),
    "wed": ("wed", "weds", "wednesday"), "thu": ("thu", "thur", "thurs", "thursday"),
    "fri": ("fri", "friday"),
}
"""How each weekday may be typed: a word that only starts like one (`fri,mon`) is refused."""


def parse_weekday(words: list[str]) -> str:
    """The weekday of a `weekly` schedule ('mon'..'fri'; `friday` works); none: 'fri'.
    CommandError for anything else."""
    if not words:
        return "fri"
    typed = " ".join(words)
    if len(words) > 1 or any(c in typed for c in ",;/&+"):
        raise CommandError(f"`{typed}`: a weekly schedule posts on one weekday; add a "
                           "second schedule for another day.", EXAMPLE)
    word = words[0].lower()
    day = word[:3]
    if day not in WEEKDAYS or word not in WEEKDAY_SPELLINGS.get(day, ()):
        raise CommandError(f"`{typed}` is not a weekday: use one of "
                           f"{', '.join(WEEKDAYS)}.", EXAMPLE)
    return day


def parse_at(text: str) -> str | None:
    """A time of day in New York ('08:30', '8:30am', '1800', 'after-close') -> 'HH:MM', or
    None for after the close. CommandError for a time that is not one, or one during the
    session (09:30 to 16:29: the day's close is not in yet)."""
    word = " ".join(text.split()).lower()
    if word in (AFTER_CLOSE, "after close", "close", ""):
        return None
    found = _CLOCK.match(word)
    hour, minute = (int(found.group(1)), int(found.group(2) or 0)) if found else (99, 0)
    if found and found.group(3):
        hour = hour % 12 + (12 if found.group(3) == "pm" else 0) if 1 <= hour <= 12 else 99
    if hour > 23 or minute > 59:
        raise CommandError(f"`{escape(text)}` is not a time of day: use HH:MM in New York "
                           f"time (e.g. `08:30`) or `{AFTER_CLOSE}`.", TIME_EXAMPLE)
    at = time(hour, minute)
    if REGULAR_OPEN <= at < EARLIEST_AFTER_CLOSE:
        raise CommandError(f"{at:%H:%M} New York is during the session: pick a time before "
                           "the 09:30 open (the post shows the previous session's close) "
                           f"or from {EARLIEST_AFTER_CLOSE:%H:%M} (after the close).",
                           TIME_EXAMPLE)
    return f"{at:%H:%M}"


def may_change(schedule: Schedule, user_id: str, admins: Collection[str]) -> bool:
    """Only a schedule's creator or an admin (SMALLCAPS_ADMIN_USERS) edits or removes it."""
    return user_id == schedule.creator_id or user_id in admins


def refusal(schedule: Schedule, verb: str = "change") -> str:
    """The words that refuse a change to someone else's schedule."""
    return (f":no_entry: Only <@{schedule.creator_id}>, who set `{schedule.id}`, or an admin "
            f"can {verb} it.")


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
    if any(w.lower() in LIVE_WORDS for w in words):
        raise CommandError("A scheduled report shows a session's close, not the move so far: "
                           "leave out `live`.", EXAMPLE)
    parse_command(text)  # raises CommandError with the command's own explanation
    return " ".join(words)


def _split_at(words: list[str]) -> tuple[list[str], str | None]:
    """(words before the time, the time words or None): `... at 08:30`, `... after-close`."""
    lowered = [w.lower() for w in words]
    if "at" in lowered:
        spot = len(lowered) - 1 - lowered[::-1].index("at")
        if not words[spot + 1:]:
            raise CommandError("`at` needs a time: HH:MM in New York time (e.g. `08:30`) or "
                               f"`{AFTER_CLOSE}`.", TIME_EXAMPLE)
        return words[:spot], " ".join(words[spot + 1:])
    if lowered and lowered[-1] == AFTER_CLOSE:
        return words[:-1], AFTER_CLOSE
    return words, None


def parse_schedule(args: list[str], parse_command: Callable[[str], Any],
                   schedulable: Sequence[str]) -> ScheduleRequest:
    """`schedule add COMMAND... daily|weekly [DAY]|monthly [at HH:MM|after-close]`,
    `schedule edit ID ...` (the same words), `schedule list`, `schedule remove ID`; the
    COMMAND is checked with `parse_command` and must be one of `schedulable`."""
    action = args[0].lower() if args else ""
    if action == "list" and len(args) == 1:
        return ScheduleRequest("list")
    if action == "remove" and len(args) == 2:
        return ScheduleRequest("remove", schedule_id=args[1].upper())
    if action not in ("add", "edit") or (action == "edit" and len(args) < 2):
        raise CommandError("Use `schedule add \"COMMAND\" daily|weekly [DAY]|monthly "
                           "[at HH:MM]`, `schedule edit ID ...` (the same words), "
                           "`schedule list` or `schedule remove ID`.", EXAMPLE)
    schedule_id = args[1].upper() if action == "edit" else None
    rest = args[2:] if action == "edit" else args[1:]
    spots = [i for i, w in enumerate(rest) if w.lower() in FREQUENCIES]
    if not spots:
        raise CommandError("Say how often: `daily`, `weekly [mon..fri]` or `monthly`, "
                           "then `at HH:MM` (New York) if not after the close.", EXAMPLE)
    spot = spots[-1]
    frequency = rest[spot].lower()
    after, at_words = _split_at(rest[spot + 1:])
    if frequency != "weekly" and after:
        raise CommandError(f"`{frequency}` takes no day (got `{' '.join(after)}`).", EXAMPLE)
    weekday = parse_weekday(after) if frequency == "weekly" else None
    at = parse_at(at_words) if at_words is not None else None
    command = check_command(" ".join(rest[:spot]), parse_command,
                            schedulable)  # quoted ("gap 3y etf") or not
    return ScheduleRequest(action, command, frequency, weekday, schedule_id, at)


def list_blocks(schedules: Sequence[Schedule], when: str,
                changeable: Collection[str] = ()) -> list[dict[str, Any]]:
    """`schedule list` as Slack's native table (ID, report, how often, creator, time), then
    Edit and Remove buttons for each schedule whose id is in `changeable` (the viewer's own,
    or all for an admin), and a New schedule button (the form for this channel)."""
    rows: list[list[Cell]] = [["ID", "Report", "How often", "Set by", "When (New York)"]]
    rows += [[s.id, s.command, f"weekly on {s.weekday}" if s.frequency == "weekly"
              else s.frequency, user_cell(s.creator_id), s.at or "after the close"]
             for s in schedules]
    table = table_block(rows)
    buttons = [{"type": "actions", "block_id": f"schedule_{s.id}", "elements": [
        {"type": "button", "action_id": EDIT_ACTION, "value": s.id,
         "text": {"type": "plain_text", "text": f"Edit {s.id}"}},
        {"type": "button", "action_id": REMOVE_ACTION, "value": s.id, "style": "danger",
         "text": {"type": "plain_text", "text": f"Remove {s.id}"},
         "confirm": {"title": {"type": "plain_text", "text": f"Remove {s.id}?"},
                     "text": {"type": "plain_text", "text": clip(
                         f"Stop posting {s.describe()} in this channel.", 300)},
                     "confirm": {"type": "plain_text", "text": "Remove"},
                     "deny": {"type": "plain_text", "text": "Keep it"}}}]}
        for s in schedules if s.id in changeable]
    add = {"type": "actions", "block_id": "schedule_new", "elements": [
        {"type": "button", "action_id": NEW_ACTION, "value": "channel", "style": "primary",
         "text": {"type": "plain_text", "text": "New schedule"}}]}
    return [{"type": "section", "text": {"type": "mrkdwn",
                                         "text": "*Scheduled reports in this channel*"}},
            table if schedules else {"type": "section", "text": {"type": "mrkdwn", "text":
                                                             f"None yet. e.g. `/smallcaps "
                                                             f"{TIME_EXAMPLE}`"}},
            *buttons, add,
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Posted {when}. "
             "Times are New York time; posts go out on NYSE trading days only. "
             "`/smallcaps schedule edit ID ...` changes one, `schedule remove ID` stops one "
             "(its creator or an admin)."}]}]


def report_problem(deps: Deps, query: Any) -> str | None:
    """Why a report could never be posted on a schedule (a symbol the data source does not
    have, a history too short for its window), or None. The report is computed once, as the
    user would get it now (and cached). A source that cannot be reached says nothing: the
    posts will retry and report it."""
    try:
        deps.reports.run(query)
    except (SymbolNotFoundError, InsufficientHistoryError) as exc:
        return str(exc)
    except DataUnavailableError:
        logger.warning("could not check %s against the data", query.describe())
    return None


def answer_schedule(deps: Deps, request: ScheduleRequest, channel_id: str, user_id: str,
                    send: Callable[..., Any]) -> None:
    """Add, list or remove this channel's schedules; `send(text=...)` the outcome."""
    store = deps.stores.schedules
    when = after_close_words(deps) + " on trading days, or at the time a schedule names"
    admins = deps.settings.admin_user_ids
    try:
        if request.action == "add":
            schedule = store.add(channel_id, present(request.command, "the report"),
                                 present(request.frequency, "the frequency"),
                                 request.weekday, user_id, deps.clock(), request.at)
            send(text=f":white_check_mark: {saved_words(deps, schedule)} "
                      f"`/smallcaps schedule remove {schedule.id}` stops it.")
        elif request.action == "list":
            schedules = store.for_channel(channel_id)
            lines = [f"`{s.id}` {escape(s.describe())} · set by <@{s.creator_id}>"
                     for s in schedules]
            text = clip("*Scheduled reports in this channel*\n" + ("\n".join(lines) or
                        "None yet. e.g. `/smallcaps " + EXAMPLE + "`") + f"\nPosted {when}.",
                        3000)
            mine = [s.id for s in schedules if may_change(s, user_id, admins)]
            send(text=text, blocks=list_blocks(schedules, when, mine))
        else:
            found = store.get(present(request.schedule_id, "the schedule id"))
            if found is None or found.channel_id != channel_id:
                send(text=f":warning: No schedule `{request.schedule_id}` in this channel "
                          "(`schedule list` shows them).")
                return
            if not may_change(found, user_id, admins):
                send(text=refusal(found, "edit" if request.action == "edit" else "remove"))
                return
            if request.action == "edit":
                changed = store.update(replace(
                    found, command=present(request.command, "the report"),
                    frequency=present(request.frequency, "the frequency"),
                    weekday=request.weekday, at=request.at), deps.clock())
                send(text=f":white_check_mark: {saved_words(deps, changed)}")
                return
            store.remove(found.id)
            send(text=f":white_check_mark: Removed {found.id}: {escape(found.describe())}.")
    except AlertStoreError as exc:
        send(text=f":warning: {exc}")
    except Exception:
        logger.exception("schedule %s failed", request.action)
        send(text=":warning: Something went wrong on our side; it is logged.")


def after_close_words(deps: Deps) -> str:
    """'after the US close (16:30 America/New_York)'."""
    return (f"after the US close ({deps.settings.smallcaps_alert_time} "
            f"{deps.settings.smallcaps_alert_tz})")


def saved_words(deps: Deps, schedule: Schedule) -> str:
    """'S3: "gap 3y" weekly on fri at 08:30 New York time, posted in <#C1> on NYSE trading
    days; before the open it shows the previous session's close.' (mrkdwn, user text
    escaped)."""
    when = "" if schedule.at else f" {after_close_words(deps)}"
    morning = " Before the open it shows the previous session's close." \
        if schedule.before_open else ""
    return (f"{schedule.id}: {escape(schedule.describe())}, posted in <#{schedule.channel_id}>"
            f"{when} on NYSE trading days.{morning}")


def command(parse_command: Callable[[str, ParseContext], Any],
            schedulable: Callable[[], Sequence[str]]) -> Command:
    """The `schedule` command. It checks the report it is given with the registry's
    `parse_command` (in the request's context); `schedulable` names the reports that may be
    scheduled."""

    def parse(args: list[str], context: ParseContext) -> ScheduleRequest:
        return parse_schedule(args, lambda text: parse_command(text, context), schedulable())

    def answer(conversation: Conversation, request: ScheduleRequest) -> None:
        if request.action in ("add", "edit") and request.command:
            context = request_context(conversation.deps, conversation.channel_id)
            problem = report_problem(conversation.deps, parse_command(request.command, context))
            if problem:
                conversation.tell(text=f":warning: {problem} Nothing was scheduled: that "
                                       "report could not be posted.")
                return
        answer_schedule(conversation.deps, request, conversation.channel_id,
                        conversation.user_id, conversation.tell)

    return Command(
        name="schedule",
        usage='schedule add "COMMAND" daily|weekly [DAY]|monthly [at HH:MM] | list | '
              'edit ID ... | remove ID',
        summary="Any report posted in this channel on a schedule, on NYSE trading days, after "
                "the US close or at a New York time: `schedule add \"board\" weekly fri`, "
                "`schedule add \"gap 3y etf\" daily at 08:30` (before the open: the previous "
                "session's close), `schedule add \"trend\" monthly` (last trading day of the "
                "month). Each period is posted once. Also a form: the \"Schedule a report\" "
                "shortcut, or Edit under `schedule list`.",
        example='schedule add "board" weekly fri',
        parse=parse,
        answer=answer,
        cli="none",
    )
