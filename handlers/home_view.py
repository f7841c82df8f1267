"""The App Home dashboard as a Block Kit view. Pure functions of what bot/listeners/home.py
gathered; the block count stays far below Slack's 100 per view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from analytics.formatting import clip, pct, percentile_rank, pp
from bot.alerts.commands import RuleView
from bot.alerts.store import AlertRule
from bot.data.market_hours import market_today
from bot.reports import Payload
from handlers.alert_form import NEW_ALERT_ACTION
from handlers.alert_text import edit_button, rule_line
from handlers.command import Blocks
from handlers.report_text import elapsed, source_text

REFRESH_ACTION = "smallcaps_home_refresh"
NEW_SCHEDULE_ACTION = "smallcaps_schedule_new"
"""App Home's "New schedule" button (the schedule form registers its listener)."""
DEFAULTS_ACTION = "smallcaps_defaults_open"
"""App Home's "Channel defaults" button (the defaults form registers its listener)."""
CONTROL_PANEL_BLOCK = "smallcaps_home_controls"
MAX_OWN_RULES_SHOWN = 15
"""The viewer's own rules listed with an Edit button (the view holds 100 blocks)."""
MAX_RULES_SHOWN = 40
"""Alert rules listed one per block; the rest are counted (keeps the view under 100 blocks)."""


@dataclass(frozen=True)
class GapRow:
    """The gap over one period, or why it is missing."""

    period: str
    payload: Payload | None = None
    error: str | None = None


@dataclass(frozen=True)
class AlertsPanel:
    """Which rules the user may see, under which heading, and a note when there are none."""

    title: str
    rules: list[AlertRule] = field(default_factory=list)
    note: str | None = None


@dataclass(frozen=True)
class Dashboard:
    rows: list[GapRow]
    trend_lines: list[str]
    alerts: AlertsPanel
    updated_at: datetime
    channel_settings: list[str] = field(default_factory=list)
    """'<#C1>: pair `etf` · period `5y`' for the user's channels with defaults (`set`)."""
    thesis_lines: list[str] = field(default_factory=list)
    """One line each from `cuts` and `valuation` (handlers.home_thesis); empty = no section."""
    own_rules: list[RuleView] | None = None
    """The viewer's own alert rules in every channel (None: they could not be read)."""


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 3000)}]}


def slack_time(moment: datetime) -> str:
    """A timestamp Slack shows in the reader's time zone (UTC text as fallback)."""
    return (f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|"
            f"{moment:%Y-%m-%d %H:%M} UTC>")


def gap_sections(rows: list[GapRow]) -> Blocks:
    """A section per period: its window, then both returns, the gap and its percentile as
    labelled fields (Slack's table block is for messages only; fields read on phones and
    with screen readers, where a code block's columns do not)."""
    blocks: Blocks = []
    for row in rows:
        p = row.payload
        if p is None:
            blocks.append(_section(f"*{row.period}* · n/a"))
            continue
        verb = {"large": "lag", "small": "lead"}.get(p["leader"], "level")
        section = _section(f"*{row.period}* · {p['start']} → {p['end']}")
        section["fields"] = [
            {"type": "mrkdwn", "text": f"*{p['small']['name']}*\n{pct(p['small']['return_pct'])}"},
            {"type": "mrkdwn", "text": f"*{p['large']['name']}*\n{pct(p['large']['return_pct'])}"},
            {"type": "mrkdwn", "text": f"*Small caps*\n{verb} {pp(abs(p['gap_pp']))}"},
            {"type": "mrkdwn", "text": f"*Percentile*\n{_percentile(p['history_rank'])}"}]
        blocks.append(section)
    return blocks


def _percentile(rank: dict[str, Any] | None) -> str:
    """'93rd of ~12' (independent windows), '92nd of 37 years' for YTD, '-' without a rank."""
    if rank is None:
        return "-"
    if not rank.get("ranked", True):
        return f"too few (~{rank['independent_windows']})"
    if rank.get("comparison") == "same_date_each_year":
        return f"{percentile_rank(rank['percentile'])} of {rank['windows']} years"
    return f"{percentile_rank(rank['percentile'])} of ~{rank['independent_windows']}"


def run_lines(rows: list[GapRow]) -> str:
    """Each row's current run with dates (README, "How unusual": the current run): '*3y*:
    lagging in every window since the one ending 2023-04-24; the lag was last this wide
    before that in the window ending 2000-11-10 (23.4 years earlier)'."""
    lines = []
    for row in rows:
        payload = row.payload
        rank = payload["history_rank"] if payload else None
        episode = rank.get("episode") if rank else None
        if payload is None or not episode or episode["since_first_window"]:
            continue
        side, wide = episode["side"], episode["before_as_wide"]
        verb = {"lag": "lagging", "lead": "leading"}[side]
        before = (f"the {side} was last this wide before that in the window ending "
                  f"{wide['end']} ({elapsed(wide['end'], payload['end'])} earlier)"
                  if wide else "no window before that was this wide")
        lines.append(f"*{row.period}*: {verb} in every window since the one ending "
                     f"{episode['start']}; {before}.")
    return "\n".join(lines)


def pair_title(rows: list[GapRow]) -> str:
    """'Russell 2000 vs S&P 500' (from the first row that has numbers)."""
    first = next((r.payload for r in rows if r.payload), None)
    return f"{first['small']['name']} vs {first['large']['name']}" if first else "The gap"


def gap_notes(rows: list[GapRow]) -> str:
    """How to read the table, where the data comes from, and any row that is missing."""
    first = next((r.payload for r in rows if r.payload), None)
    notes = []
    if first:
        notes.append(f"Gap = {first['large']['name']} return − {first['small']['name']} "
                     "return, in percentage points; *lag* = small caps behind. Percentile: the "
                     "gap among all same-length windows in the history (100 = small caps' "
                     "widest lag). Daily windows overlap: *~N* is how many independent "
                     "(non-overlapping) windows the history holds; YTD is ranked against the "
                     f"same date of each year. Basis: {first['basis']} · {source_text(first)}.")
        if first.get("stale_note"):
            notes.insert(0, f":warning: {first['stale_note']}")
    notes += [f":warning: {r.period}: {r.error}" for r in rows if r.error]
    return "\n".join(notes)


def rule_text(rule: AlertRule, today: date | None = None) -> str:
    """One alert rule as `alert list` words it, plus its channel; its value is the one of
    its last evaluation (Home reads no market data for rules); `today` (New York) shows an
    expired rule as such."""
    text = rule_line(RuleView.last_evaluated(rule, today), where=f" in <#{rule.channel_id}>",
                     lead="last value")
    if rule.paused and rule.last_error:  # status says only 'paused'; keep why it stopped
        text += f"\n:warning: last error before the pause: {clip(rule.last_error, 300)}"
    return text


def alert_blocks(panel: AlertsPanel, today: date | None = None) -> Blocks:
    blocks: Blocks = [_section(f"*{panel.title}*")]
    if panel.note:
        blocks.append(_context(panel.note))
    blocks += [_section(rule_text(r, today)) for r in panel.rules[:MAX_RULES_SHOWN]]
    hidden = len(panel.rules) - MAX_RULES_SHOWN
    if hidden > 0:
        blocks.append(_context(f"… and {hidden} more rules not shown here."))
    return blocks


def control_panel() -> dict[str, Any]:
    """New alert, New schedule, Channel defaults: the forms, from Home."""
    def button(label: str, action_id: str) -> dict[str, Any]:
        return {"type": "button", "action_id": action_id, "value": action_id,
                "text": {"type": "plain_text", "text": label, "emoji": False}}

    return {"type": "actions", "block_id": CONTROL_PANEL_BLOCK, "elements": [
        {**button("New alert", NEW_ALERT_ACTION), "style": "primary"},
        button("New schedule", NEW_SCHEDULE_ACTION),
        button("Channel defaults", DEFAULTS_ACTION)]}


def own_rule_blocks(views: list[RuleView] | None) -> Blocks:
    """"Your alert rules": the viewer's rules in every channel, each with Edit."""
    blocks: Blocks = [_section("*Your alert rules*")]
    if views is None:
        return [*blocks, _context("Your rules could not be loaded just now; try Refresh in a "
                                  "minute.")]
    if not views:
        return [*blocks, _context("You have no alert rules yet. *New alert* above, or "
                                  "*Alert me on this* under a `gap`, `trend`, `history` or "
                                  "`board` answer, sets one.")]
    for view in views[:MAX_OWN_RULES_SHOWN]:
        section = _section(rule_line(view, where=f" in <#{view.rule.channel_id}>",
                                     lead="last value"))
        section["accessory"] = edit_button(view.rule)
        blocks.append(section)
    hidden = len(views) - MAX_OWN_RULES_SHOWN
    if hidden > 0:
        blocks.append(_context(f"… and {hidden} more: `/smallcaps alert list` in their "
                               "channels."))
    return blocks


def refresh_actions() -> dict[str, Any]:
    return {"type": "actions", "elements": [{
        "type": "button", "action_id": REFRESH_ACTION, "value": "refresh",
        "text": {"type": "plain_text", "text": "Refresh", "emoji": False}}]}


def dashboard_view(d: Dashboard) -> dict[str, Any]:
    """The Home tab: gaps, relative strength, alert rules, refresh."""
    blocks: Blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Small caps vs large caps"}},
        control_panel(),
        _section(f"*{pair_title(d.rows)}*, latest data"),
        *gap_sections(d.rows),
    ]
    runs = run_lines(d.rows)
    if runs:
        blocks.append(_section(runs))
    notes = gap_notes(d.rows)
    if notes:
        blocks.append(_context(notes))
    blocks += [{"type": "divider"}, _section("*Relative strength (small / large)*\n"
                                             + "\n".join(d.trend_lines))]
    if d.thesis_lines:
        blocks.append(_section("*The March 2024 claims, on the data*\n"
                               + "\n".join(d.thesis_lines)))
    blocks += [{"type": "divider"}, *own_rule_blocks(d.own_rules), {"type": "divider"},
               *alert_blocks(d.alerts, market_today(d.updated_at)), {"type": "divider"}]
    if d.channel_settings:
        blocks += [_section("*Channel defaults* (`/smallcaps set`)\n"
                            + "\n".join(d.channel_settings)), {"type": "divider"}]
    blocks += [refresh_actions(),
               _context(f"Updated {slack_time(d.updated_at)} · `/smallcaps help` in any "
                        "channel lists the commands; mention @smallcaps to ask in a thread.")]
    return {"type": "home", "blocks": blocks}


def error_view(ref: str) -> dict[str, Any]:
    """What Home shows when the dashboard cannot be built: no details, a way to retry."""
    return {"type": "home", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Small caps vs large caps"}},
        _section(f":warning: The dashboard could not be loaded just now (ref `{ref}`; it is "
                 "logged). Try *Refresh* in a minute; `/smallcaps gap 3y` still works in any "
                 "channel."),
        refresh_actions(),
    ]}
