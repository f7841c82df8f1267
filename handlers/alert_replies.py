"""Words for alerts: firings and notes posted in channels, and the ephemeral rule replies.

Pure functions of outbox records / rule views; Block Kit within Slack's limits.
"""

from __future__ import annotations

from typing import Any

from analytics.formatting import clip
from bot.reports import Report

Record = dict[str, Any]
Blocks = list[dict[str, Any]]
MAX_LISTED_EVENTS = 20
VERBS = {("above", "up"): "rose above", ("below", "down"): "fell below",
         ("crosses up", "up"): "crossed above", ("crosses down", "down"): "crossed below",
         ("crosses", "up"): "crossed above", ("crosses", "down"): "crossed below"}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def _context(*texts: str) -> dict[str, Any]:
    return {"type": "context",
            "elements": [{"type": "mrkdwn", "text": clip(t, 3000)} for t in texts[:10]]}


def level_note(r: Record) -> str:
    """'' or ' (threshold 0.00 % + hysteresis 1)' when the level is not the threshold."""
    if r["kind"] == "fire" and r["level_text"] == r["threshold_text"]:
        return ""
    sign = "+" if r["direction"] == "up" else "−"
    return f" (threshold {r['threshold_text']} {sign} hysteresis {r['hysteresis']:g})"


def event_phrase(r: Record) -> str:
    """'rose above 35.00 pp' or 'back below 33.00 pp (threshold 35.00 pp − hysteresis 2)'."""
    if r["kind"] == "clear":
        side = "below" if r["direction"] == "down" else "above"
        return f"back {side} {r['level_text']}{level_note(r)}"
    return f"{VERBS[(r['condition'], r['direction'])]} {r['level_text']}{level_note(r)}"


def event_sentence(r: Record) -> str:
    """'the 3-year gap (S&P 500 − Russell 2000) rose above 35.00 pp' / '... is back below'."""
    verb = "is " if r["kind"] == "clear" else ""
    return f"{r['metric_label']} {verb}{event_phrase(r)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


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


def digest_message(record: Record, report: Report) -> tuple[Blocks, str]:
    """The report's own blocks under a one-line digest header."""
    from handlers.replies import REPLIES

    fmt = REPLIES[report.payload["command"]]
    intro = _context(f":calendar: {record['frequency'].capitalize()} digest ({record['period']})"
                     f" · set by <@{record['creator_id']}> · `/smallcaps digest off` to stop")
    blocks = [intro, *fmt.blocks(report.payload)][:50]
    return blocks, clip(f"{record['frequency'].capitalize()} digest: "
                        f"{fmt.fallback(report.payload)}", 3000)
