"""Words for alerts: the posts in channels (firings, re-arm notes, catch-ups) and the
ephemeral replies to `alert add|list|remove|pause|resume` and `digest` (a digest's post is a
report's own reply: handlers/report_posts.py).

Pure functions of outbox records and rule views; Block Kit within Slack's limits.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import clip
from bot.alerts.commands import RuleView
from bot.alerts.digest import DigestSubscription
from bot.alerts.store import AlertRule
from handlers.report_text import Cell, table_block, user_cell

Record = dict[str, Any]
Blocks = list[dict[str, Any]]
MAX_LISTED_EVENTS = 20
VERBS = {("above", "up"): "rose above", ("below", "down"): "fell below",
         ("crosses up", "up"): "crossed above", ("crosses down", "down"): "crossed below",
         ("crosses", "up"): "crossed above", ("crosses", "down"): "crossed below"}
EXAMPLE = "/smallcaps alert add gap 3y above 30 hysteresis 2"
EDIT_ACTION = "smallcaps_alert_edit"
"""Edit on a rule (`alert list`, App Home): opens the alert form filled with the rule."""
PAUSE_ACTION = "smallcaps_alert_pause"
RESUME_ACTION = "smallcaps_alert_resume"
REMOVE_ACTION = "smallcaps_alert_remove"
RULE_ACTIONS = (PAUSE_ACTION, RESUME_ACTION, REMOVE_ACTION)
"""The buttons that act on a rule at once; their value is the rule id."""
MAX_RULE_BUTTONS = 40
"""Rules with a row of buttons in `alert list` (the message holds 50 blocks)."""
MAX_ROWS = 99  # + the header row: Slack's table block holds 100 rows


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def _context(*texts: str) -> dict[str, Any]:
    return {"type": "context",
            "elements": [{"type": "mrkdwn", "text": clip(t, 3000)} for t in texts[:10]]}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def level_note(r: Record) -> str:
    """'' or ' (threshold 0.00 % + hysteresis 1)' when the level is not the threshold."""
    if r["kind"] == "fire" and r["level_text"] == r["threshold_text"]:
        return ""
    sign = "+" if r["direction"] == "up" else "−"
    return f" (threshold {r['threshold_text']} {sign} hysteresis {r['hysteresis']:g})"


def already_past(r: Record) -> bool:
    """True for an `above`/`below` firing whose previous close was already past the level
    (a rule's first evaluation on a day the value was already above it): nothing 'rose'."""
    previous = r.get("previous_value")
    if r["kind"] != "fire" or previous is None or r["condition"] not in ("above", "below"):
        return False
    return previous > r["level"] if r["condition"] == "above" else previous < r["level"]


def event_phrase(r: Record) -> str:
    """'rose above 35.00 pp', 'above 35.00 pp' (already there the close before), or 'back
    below 33.00 pp (threshold 35.00 pp − hysteresis 2)'."""
    if r["kind"] == "clear":
        side = "below" if r["direction"] == "down" else "above"
        return f"back {side} {r['level_text']}{level_note(r)}"
    if already_past(r):
        return f"{r['condition']} {r['level_text']}{level_note(r)}"
    return f"{VERBS[(r['condition'], r['direction'])]} {r['level_text']}{level_note(r)}"


def event_sentence(r: Record) -> str:
    """'the 3-year gap (S&P 500 − Russell 2000) rose above 35.00 pp' / '... is back below' /
    '... is above 30.00 pp' (already above the close before: a first evaluation)."""
    verb = "is " if r["kind"] == "clear" or already_past(r) else ""
    return f"{r['metric_label']} {verb}{event_phrase(r)}"


def rule_context(r: Record) -> str:
    """Rule id, its text, who set it, the series, basis, dates and source."""
    return (f"Rule `{r['rule_id']}` `{r['description']}` · set by <@{r['creator_id']}> · "
            f"{r['pair_label']}, {r['basis']} · {r['window_text']} · Source: {r['source']} · "
            "`/smallcaps alert list` to manage")


def firing_message(records: list[Record]) -> tuple[Blocks, str]:
    """The channel message for one rule's records (one event, or a catch-up list)."""
    if len(records) == 1:
        return _single(records[0])
    return _catch_up(records)


def _single(r: Record) -> tuple[Blocks, str]:
    sentence = _capital(event_sentence(r))
    previous = f" (previous close {r['previous_text']} on {r['previous_day']})" \
        if r.get("previous_text") else ""
    if r["kind"] == "fire":
        icon = ":rotating_light:"
        body = (f"{icon} *{sentence}* on {r['day']}: now *{r['value_text']}*, threshold "
                f"{r['threshold_text']}{previous}.")
        if already_past(r):
            body += (f"\nIt was already {r['condition']} the threshold at the previous close, "
                     "so this is not a new crossing: a rule fires on its first evaluation (or "
                     "after a cooldown) when the value is already past its threshold.")
        if r.get("rearm_text") and r["condition"] != "crosses":
            side = "below" if r["direction"] == "up" else "above"
            body += f"\nIt re-arms once back {side} or at {r['rearm_text']}"
            body += f" (hysteresis {r['hysteresis']:g})." if r["hysteresis"] else "."
        if r.get("catch_up"):
            body += "\n_Posted late: the bot was not evaluating on that day._"
    else:
        body = (f":white_check_mark: *{sentence}* on {r['day']}: now *{r['value_text']}*"
                f"{previous}. Rule `{r['rule_id']}` is re-armed.")
    context = [rule_context(r)]
    if r.get("stale_note"):
        context.insert(0, f":warning: {r['stale_note']}")
    text = f"Alert {r['rule_id']}: {event_sentence(r)} on {r['day']} ({r['value_text']})"
    return [_section(body), _context(*context)], clip(text, 3000)


def _catch_up(records: list[Record]) -> tuple[Blocks, str]:
    first, last = records[0], records[-1]
    lines = [f"• {r['day']}: {event_phrase(r)} ({r['value_text']})"
             for r in records[:MAX_LISTED_EVENTS]]
    if len(records) > MAX_LISTED_EVENTS:
        lines.append(f"• … and {len(records) - MAX_LISTED_EVENTS} more up to {last['day']}")
    head = (f":rotating_light: *{_capital(first['metric_label'])}: {len(records)} events "
            f"between {first['day']} and {last['day']}* (evaluated late: the bot was not "
            f"running on these days):")
    text = (f"Alert {first['rule_id']}: {len(records)} events between {first['day']} and "
            f"{last['day']}; latest {last['value_text']}")
    return [_section(head + "\n" + "\n".join(lines)),
            _context(f"Now {last['current_text']} ({last['current_day']}); threshold "
                     f"{last['threshold_text']}.", rule_context(last))], clip(text, 3000)


def where_it_stands(view: RuleView) -> str:
    """What the rule will do given today's value."""
    spec, current = view.rule.spec, view.current
    if current is None:
        return "It has no value yet, so it waits."
    value = current[1]
    holds = value > spec.threshold if spec.fires_upward else value < spec.threshold
    if spec.condition in ("above", "below"):
        if holds:
            return "The condition holds today, so it fires at the next evaluation."
        return "It fires on the first close where the condition holds."
    return "It posts when the value crosses; where it stands today is not news by itself."


def added_blocks(view: RuleView, schedule: str) -> tuple[Blocks, str]:
    rule = view.rule
    text = (f":white_check_mark: Alert `{rule.id}` set for this channel: "
            f"`{rule.description}`.\n{_capital(rule.spec.metric.label())} is "
            f"{view.current_text()}. {where_it_stands(view)}")
    return ([_section(text), _context(
        f"Checked once per trading day after the US close ({schedule}) on "
        f"{rule.spec.metric.pair.label}, {rule.spec.metric.pair.basis}. A firing posts here "
        f"with a chart. `/smallcaps alert list` shows your rules.")],
        f"Alert {rule.id} set: {rule.description}")


def edited_blocks(view: RuleView, schedule: str) -> tuple[Blocks, str]:
    """The confirmation of an edit (the alert form's Save), worded like `alert add`'s."""
    rule = view.rule
    paused = " It stays paused: `/smallcaps alert resume` starts it." if rule.paused else ""
    text = (f":pencil2: Alert `{rule.id}` changed: `{rule.description}`.\n"
            f"{_capital(rule.spec.metric.label())} is {view.current_text()}. "
            f"{where_it_stands(view)}{paused}")
    return ([_section(text), _context(
        f"Checked once per trading day after the US close ({schedule}) on "
        f"{rule.spec.metric.pair.label}, {rule.spec.metric.pair.basis}. "
        "`/smallcaps alert list` shows your rules.")],
        f"Alert {rule.id} changed: {rule.description}")


def rule_line(view: RuleView, where: str = "", lead: str = "now") -> str:
    """'*`A1`* `gap 3y above 30`{where}' over 'now 37.73 pp (2026-08-21) · armed · set by @ana'
    (`alert list`; App Home adds the channel and words the value as the last one)."""
    rule = view.rule
    return (f"*`{rule.id}`* `{rule.description}`{where}\n{view.current_text(lead)} · "
            f"{view.status} · set by <@{rule.creator_id}>")


def list_blocks(views: list[RuleView], max_rules: int, schedule: str) -> tuple[Blocks, str]:
    """The rules as Slack's native table, one row per rule (ID, rule, value now, status,
    creator); the notification text lists them too."""
    if not views:
        return ([_section(f"No alerts in this channel yet. Try `{EXAMPLE}`.")],
                "No alerts in this channel")
    head = _section(f"*Alerts in this channel* ({len(views)} of {max_rules})")
    cells: list[list[Cell]] = [["ID", "Rule", "Now", "Status", "Set by"]]
    cells += [[v.rule.id, v.rule.description, v.current_text("").strip(), v.status,
               user_cell(v.rule.creator_id)] for v in views[:MAX_ROWS]]
    rows = [table_block(cells)]
    if len(views) > MAX_ROWS:
        rows.append(_context(f"… and {len(views) - MAX_ROWS} more (not shown: Slack's table "
                             "holds 100 rows)."))
    rows += [rule_buttons(v) for v in views[:MAX_RULE_BUTTONS]]
    foot = _context(f"Checked once per trading day after the US close ({schedule}). "
                    "Edit, pause, resume or remove: the rule's creator or an admin (the "
                    "buttons, or `/smallcaps alert remove|pause|resume ID`).")
    listed = "; ".join(f"{v.rule.id} {v.rule.description}" for v in views[:MAX_ROWS])
    return [head, *rows, foot], clip(f"{len(views)} alert(s) in this channel: {listed}", 3000)


def _button(label: str, action_id: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "value": value,
            "text": {"type": "plain_text", "text": label, "emoji": False}, **extra}


def edit_button(rule: AlertRule) -> dict[str, Any]:
    """'Edit A3': opens the alert form filled with the rule (its value is the rule id)."""
    return _button(f"Edit {rule.id}", EDIT_ACTION, rule.id)


def rule_buttons(view: RuleView) -> dict[str, Any]:
    """Edit, Pause or Resume, and Remove (with a confirmation) for one rule."""
    rule = view.rule
    toggle = _button(f"Resume {rule.id}", RESUME_ACTION, rule.id) if rule.paused else \
        _button(f"Pause {rule.id}", PAUSE_ACTION, rule.id)
    confirm = {"title": {"type": "plain_text", "text": f"Remove {rule.id}?"},
               "text": {"type": "mrkdwn", "text": clip(f"`{rule.description}` stops for "
                                                       "everyone in the channel.", 300)},
               "confirm": {"type": "plain_text", "text": "Remove"},
               "deny": {"type": "plain_text", "text": "Keep it"}, "style": "danger"}
    return {"type": "actions", "block_id": f"smallcaps_rule_{rule.id}", "elements": [
        edit_button(rule), toggle,
        _button(f"Remove {rule.id}", REMOVE_ACTION, rule.id, style="danger", confirm=confirm)]}


def note_block(text: str) -> dict[str, Any]:
    """A one-line section over a refreshed list: what the click just did."""
    return _section(text)


def action_text(action: str, rule: AlertRule) -> str:
    if action == "remove":
        return (f":wastebasket: Removed `{rule.id}` `{rule.description}` "
                f"(set by <@{rule.creator_id}>).")
    if action == "pause":
        return (f":double_vertical_bar: Paused `{rule.id}` `{rule.description}`. "
                f"`/smallcaps alert resume {rule.id}` starts it again.")
    return (f":arrow_forward: Resumed `{rule.id}` `{rule.description}`. It starts afresh at "
            "the next evaluation: crossings during the pause are not posted.")


def digest_text(new: DigestSubscription | None, previous: DigestSubscription | None,
                asked: str | None, schedule: str) -> str:
    what = "the `table` view with its chart"
    if asked is None:
        if new is None:
            return "No digest in this channel. `/smallcaps digest daily` or `weekly` sets one."
        return (f"This channel gets a {new.frequency} digest ({what}), set by "
                f"<@{new.creator_id}>. `/smallcaps digest off` stops it.")
    if asked == "off":
        return ":no_bell: Digest turned off for this channel." if previous else \
            "This channel had no digest."
    when = "every trading day" if asked == "daily" else "on the last trading day of each week"
    return (f":calendar: This channel now gets a {asked} digest {when} after the US close "
            f"({schedule}): {what}. `/smallcaps digest off` stops it.")
