"""Block Kit and wording helpers every report reply (gap, table, stats, trend, rates, history)
shares. Pure functions.

Each helper keeps Slack's limits by construction: headers are clipped to 150 characters,
section text to 3000, fields to 2000 and at most 10 of them.
"""

from __future__ import annotations

from typing import Any

from bot.reports.common import last_close_text
from handlers.format import clip

Payload = dict[str, Any]
Block = dict[str, Any]

HEADER_MAX, TEXT_MAX, FIELD_MAX, FIELDS_MAX = 150, 3000, 2000, 10


def spp(value: float, decimals: int = 2) -> str:
    """'+37.73 pp' / '-4.18 pp': signed percentage points."""
    return f"{value:+.{decimals}f} pp"


def series_names(p: Payload) -> str:
    """'Russell 2000 (^RUT) vs S&P 500 (^GSPC)'."""
    return (f"{p['small']['name']} ({p['small']['symbol']}) vs "
            f"{p['large']['name']} ({p['large']['symbol']})")


def source_text(p: Payload) -> str:
    """'Source: Yahoo Finance (fetched 2026-11-24 21:00:00 UTC)', or for files 'Source: CSV
    files, last close 2026-08-21' (files are as fresh as their last close, not as the day
    they were read; their folder is a server path and stays out of replies)."""
    if p.get("source_kind") == "files":
        return f"Source: CSV files, {last_close_text(p)}"
    fetched = p["data_fetched_at"].replace("T", " ").replace("+00:00", " UTC")
    return f"Source: {p['source']} (fetched {fetched})"


def intraday_text(p: Payload) -> str | None:
    """'Intraday, 10:15 New York, not a close: ...' for a `live` answer (or why it is not
    intraday after all), else None."""
    intraday = p.get("intraday")
    if not intraday:
        return p.get("live_note")
    label = intraday["label"]
    return (f"{label[:1].upper()}{label[1:]}: figures end on {intraday['day']}'s last trade "
            "so far, which will change until the close.")


def basis_source_text(p: Payload) -> str:
    """'Basis: price return · Source: Yahoo Finance (fetched 2026-11-24 21:00:00 UTC)'."""
    return f"Basis: {p['basis']} · {source_text(p)}"


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_MAX)}}


def section(text: str, fields: list[str] | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, TEXT_MAX)}}
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": clip(f, FIELD_MAX)}
                           for f in fields[:FIELDS_MAX]]
    return block


def context(p: Payload, *lines: str) -> Block:
    """The footer: a stale-data warning if any, then `lines` (series, basis, dates, source)."""
    texts = [f":warning: {p['stale_note']}"] if p.get("stale_note") else []
    if intraday_text(p):
        texts.insert(0, f":clock3: {intraday_text(p)}")
    texts += lines
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, TEXT_MAX)}
                                            for t in texts[:FIELDS_MAX]]}


def summary_blocks(title: str, headline: str, fields: list[str], detail: str, p: Payload,
                   footer: list[str]) -> list[Block]:
    """Header, the bold headline with its fields, a detail section, then the context footer
    (the Slack twin of `plain_lines`)."""
    return [header(title), section(f"*{headline}*", fields), section(detail),
            context(p, *footer)]


def title_rule(title: str) -> list[str]:
    """A terminal title and its '=' underline (at most 80 wide)."""
    return [title, "=" * min(len(title), 80)]


def indented(lines: list[str]) -> list[str]:
    """Body lines indented two spaces for a terminal (blank lines stay blank)."""
    return [f"  {line}" if line else "" for line in lines]


def warning_lines(p: Payload) -> list[str]:
    """The intraday label and the stale-data warning as terminal lines, or nothing."""
    lines = [f"Warning: {p['stale_note']}"] if p.get("stale_note") else []
    return [text, *lines] if (text := intraday_text(p)) else lines


def plain_lines(title: str, headline: str, body: list[str], p: Payload,
                footer: list[str]) -> str:
    """A terminal rendering: title, rule, headline, indented body, warning, footer lines."""
    lines = [*title_rule(title), headline, "", *indented(body), ""]
    return "\n".join([*lines, *warning_lines(p), *footer])


def bold_fields_to_plain(fields: list[str]) -> list[str]:
    """'*Label*\\nvalue' Slack fields as 'Label: value' terminal lines."""
    out = []
    for field in fields:
        label, _, value = field.partition("\n")
        out.append(f"{label.strip('*')}: {value}")
    return out


def widest_since_line(adjective: str, direction: str, widest_since: str, unusual: bool,
                      note: str = "") -> str:
    """How a gap compares with the latest earlier non-overlapping window at least as wide:
    'Widest 3-year lag since D' for an unusual gap, said plainly for an ordinary one."""
    if unusual:
        return (f"Widest {adjective} {direction} since {widest_since}{note} "
                "(among windows that do not overlap this one).")
    return (f"Not unusual: a {adjective} {direction} at least this wide was last seen "
            f"in the window ending {widest_since} (not overlapping this one).")


def last_as_wide_line(last_as_wide: str) -> str:
    """'Last at least this wide: window ending D.' (any earlier window, overlapping or not)."""
    return f"Last at least this wide: window ending {last_as_wide}."
