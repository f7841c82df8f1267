"""The schedule form: a modal to add or edit a scheduled report, and its translation to the
`schedule` grammar's words.

Pure builders: bot/listeners/schedule_form.py opens the view (global shortcut "Schedule a
report", App Home's button, Edit under `schedule list`) and reads the submission. The form
holds what `schedule add "COMMAND" FREQUENCY [DAY] at TIME` says: the report (a select of
the schedulable reports) and its words (period, pair, basis: typed as after `/smallcaps
REPORT`), how often, the weekday, the time (New York; before the open or after the close)
and, when opened outside a channel, the channel. A submission is checked with the grammar's
own functions (handlers/schedule.py), so the form shows the same words as the text command,
each on its field (`response_action: "errors"` keyed by block id).

NEW_ACTION (handlers/schedule.py) is App Home's and `schedule list`'s New schedule button.
`private_metadata` is JSON: `{"c": channel id or "", "s": schedule id being edited or ""}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analytics.formatting import clip
from bot.alerts.schedules import AFTER_CLOSE, FREQUENCIES, WEEKDAYS, Schedule
from handlers.command import Block, Blocks
from handlers.schedule import check_command, parse_at, parse_weekday
from handlers.words import CommandError, split_words

CALLBACK_ID = "smallcaps_schedule_form"
SHORTCUT_ID = "smallcaps_new_schedule"
"""The global shortcut "Schedule a report" (manifest.yml)."""
CHANNEL, REPORT, WORDS, FREQUENCY, WEEKDAY, TIME = (
    "channel", "report", "words", "frequency", "weekday", "time")
"""Block ids (each input's action id is the same word)."""
DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "fri": "Friday"}
TIMES = ("06:00", "06:30", "07:00", "07:30", "08:00", "08:30", "09:00", "17:00", "18:00",
         "19:00", "20:00", "21:00", "22:00")
"""The times offered besides "after the close" (text can name any minute outside the
session; a schedule's own time is added to the list when editing it)."""
HOW_OFTEN = {"daily": "Every trading day", "weekly": "Weekly",
             "monthly": "Monthly (last trading day of the month)"}
NOTE = ("Times are *New York time* (ET). Posts go out on NYSE trading days only: none on "
        "weekends or exchange holidays; on early-close days \"after the close\" comes "
        "earlier. A post before the 09:30 open shows the previous session's close.")


def _text(text: str, limit: int = 75) -> dict[str, Any]:
    """Plain text within `limit` characters (75: an option's or a title's limit)."""
    return {"type": "plain_text", "text": clip(text, limit)}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def time_label(at: str) -> str:
    """How the time select names a time: '08:30 · before the open (previous close)'."""
    if at == AFTER_CLOSE:
        return "After the close (16:30; earlier on early closes)"
    return f"{at} · before the open (previous close)" if at < "09:30" else \
        f"{at} · after the close"


def _select(block_id: str, label: str, options: list[dict[str, Any]], initial: str | None,
            *, optional: bool = False, hint: str | None = None) -> Block:
    element: dict[str, Any] = {"type": "static_select", "action_id": block_id,
                               "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": _text(label),
                             "element": element, "optional": optional}
    if hint:
        block["hint"] = _text(hint, 2000)
    return block


def schedule_modal(reports: Sequence[str], *, channel_id: str | None = None,
                   schedule: Schedule | None = None) -> dict[str, Any]:
    """The modal: a new schedule (in `channel_id`, or a channel picker when None) or an
    edit of `schedule` (its channel kept). `reports` are the schedulable report names."""
    words = split_words(schedule.command) if schedule else []
    report = words[0].lower() if words and words[0].lower() in reports else \
        (reports[0] if reports else None)
    at = (schedule.at or AFTER_CLOSE) if schedule else AFTER_CLOSE
    times = [AFTER_CLOSE, *sorted({*TIMES, at} - {AFTER_CLOSE})]
    channel = schedule.channel_id if schedule else channel_id
    blocks: Blocks = []
    if channel is None:
        blocks.append({"type": "input", "block_id": CHANNEL, "label": _text("Post in"),
                       "element": {"type": "conversations_select", "action_id": CHANNEL,
                                   "filter": {"include": ["public", "private"],
                                              "exclude_bot_users": True},
                                   "placeholder": _text("Pick a channel")},
                       "hint": _text("The bot must be in the channel (/invite it there).",
                                     2000)})
    else:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": f"Posted in <#{channel}>"}})
    blocks += [
        _select(REPORT, "Report", [_option(r, r) for r in reports], report),
        {"type": "input", "block_id": WORDS, "optional": True, "label": _text("Its words"),
         "element": {"type": "plain_text_input", "action_id": WORDS,
                     "placeholder": _text("e.g. 3y etf"),
                     **({"initial_value": " ".join(words[1:])} if words[1:] else {})},
         "hint": _text("Period, pair, basis... as you would type them after the report's "
                       "name in /smallcaps. Empty: the channel's defaults.", 2000)},
        _select(FREQUENCY, "How often", [_option(HOW_OFTEN[f], f) for f in FREQUENCIES],
                schedule.frequency if schedule else "weekly"),
        _select(WEEKDAY, "Day (weekly)", [_option(DAY_NAMES[d], d) for d in WEEKDAYS],
                (schedule.weekday if schedule else None) or "fri", optional=True,
                hint="Weekly only. On a holiday: the week's last session before it."),
        _select(TIME, "Time (New York)", [_option(time_label(t), t) for t in times], at),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": NOTE}]},
    ]
    title = f"Edit schedule {schedule.id}" if schedule else "Schedule a report"
    return {"type": "modal", "callback_id": CALLBACK_ID, "title": _text(title[:24]),
            "submit": _text("Save"), "close": _text("Cancel"), "blocks": blocks,
            "private_metadata": json.dumps({"c": channel or "",
                                            "s": schedule.id if schedule else ""})}


def metadata(view: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(channel id, schedule id) from a view's private_metadata (None where absent)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    return (str(data.get("c") or "") or None, str(data.get("s") or "") or None)


def _value(values: Mapping[str, Any], block_id: str) -> str | None:
    """What the user chose or typed in `block_id`'s input (None: nothing)."""
    state = (values.get(block_id) or {}).get(block_id) or {}
    chosen = state.get("selected_option") or {}
    found = (chosen.get("value") or state.get("selected_conversation")
             or state.get("selected_channel") or state.get("selected_time")
             or state.get("value"))
    return str(found).strip() if found else None


def picked_channel(values: Mapping[str, Any]) -> str | None:
    """The channel chosen in the form's picker (None: none, or no picker)."""
    return _value(values, CHANNEL)


@dataclass(frozen=True)
class ScheduleForm:
    """A valid submission, in the grammar's terms."""

    channel_id: str
    command: str
    frequency: str
    weekday: str | None
    at: str | None

    def words(self) -> str:
        """The `schedule add` words this submission means."""
        day = f" {self.weekday}" if self.weekday else ""
        return f'"{self.command}" {self.frequency}{day} at {self.at or AFTER_CLOSE}'


def read_form(values: Mapping[str, Any], channel_id: str | None,
              parse_command: Callable[[str], Any], schedulable: Sequence[str]
              ) -> tuple[ScheduleForm | None, dict[str, str]]:
    """(the submission, {}) or (None, errors by block id) for `view.state.values`; checked
    with the text grammar's functions, so the messages are the grammar's own (their
    Markdown backticks dropped: Slack shows field errors as plain text)."""
    errors: dict[str, str] = {}

    def check(block_id: str, run: Callable[[], Any]) -> Any:
        try:
            return run()
        except CommandError as exc:
            errors[block_id] = clip(exc.message.replace("`", ""), 150)
            return None

    channel = channel_id or _value(values, CHANNEL)
    if not channel:
        errors[CHANNEL] = "Pick the channel to post in."
    report = _value(values, REPORT) or ""
    words = _value(values, WORDS) or ""
    command = check(WORDS if report in schedulable else REPORT,
                    lambda: check_command(f"{report} {words}", parse_command, schedulable))
    frequency = _value(values, FREQUENCY) or ""
    if frequency not in FREQUENCIES:
        errors[FREQUENCY] = "Say how often: daily, weekly or monthly."
    weekday = check(WEEKDAY, lambda: parse_weekday(
        [w for w in [_value(values, WEEKDAY)] if w])) if frequency == "weekly" else None
    at = check(TIME, lambda: parse_at(_value(values, TIME) or AFTER_CLOSE))
    if errors or not channel or command is None:
        return None, errors
    return ScheduleForm(channel, command, frequency, weekday, at), {}


def saved_view(text: str, title: str = "Schedule saved") -> dict[str, Any]:
    """The modal after a good submission (`response_action: "update"`): what was saved."""
    return {"type": "modal", "title": _text(title[:24]), "close": _text("Done"),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                    "text": clip(text, 3000)}},
                       {"type": "context", "elements": [{"type": "mrkdwn", "text": NOTE}]}]}


def message_view(text: str, title: str = "Schedule") -> dict[str, Any]:
    """A modal that only says something (a refused edit, a schedule that is gone)."""
    return {"type": "modal", "title": _text(title[:24]), "close": _text("OK"),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                    "text": clip(text, 3000)}}]}
