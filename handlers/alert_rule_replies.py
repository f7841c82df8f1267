"""Ephemeral replies to `alert add|list|remove|pause|resume` and `digest`. Pure functions."""

from __future__ import annotations

from typing import Any

from analytics.formatting import clip
from bot.alerts.commands import RuleView
from bot.alerts.digest import DigestSubscription
from bot.alerts.store import AlertRule

Blocks = list[dict[str, Any]]
EXAMPLE = "/smallcaps alert add gap 3y above 30 hysteresis 2"
MAX_ROWS = 46  # + header, "more" and footer blocks: within Slack's 50 per message


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 3000)}]}


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


def rule_line(view: RuleView, where: str = "", lead: str = "now") -> str:
    """'*`A1`* `gap 3y above 30`{where}' over 'now 37.73 pp (2026-08-21) · armed · set by @ana'
    (`alert list`; App Home adds the channel and words the value as the last one)."""
    rule = view.rule
    return (f"*`{rule.id}`* `{rule.description}`{where}\n{view.current_text(lead)} · "
            f"{rule.status} · set by <@{rule.creator_id}>")


def list_blocks(views: list[RuleView], max_rules: int, schedule: str) -> tuple[Blocks, str]:
    """One section per rule (the default limit of 25 fits; more are counted, not shown)."""
    if not views:
        return ([_section(f"No alerts in this channel yet. Try `{EXAMPLE}`.")],
                "No alerts in this channel")
    head = _section(f"*Alerts in this channel* ({len(views)} of {max_rules})")
    rows = [_section(rule_line(v)) for v in views[:MAX_ROWS]]
    if len(views) > MAX_ROWS:
        rows.append(_context(f"… and {len(views) - MAX_ROWS} more (not shown: Slack allows 50 "
                             "blocks per message)."))
    foot = _context(f"Checked once per trading day after the US close ({schedule}). "
                    "`/smallcaps alert remove|pause|resume ID`: the rule's creator or an admin.")
    return [head, *rows, foot], f"{len(views)} alert(s) in this channel"


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

