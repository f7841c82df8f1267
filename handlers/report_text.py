"""Block Kit and wording helpers every report reply (gap, table, stats, trend, rates, history)
shares. Pure functions.

Each helper keeps Slack's limits by construction: headers are clipped to 150 characters,
section text to 3000, fields to 2000 and at most 10 of them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from analytics.formatting import clip, percentile_rank, pp
from analytics.pairs import RoleWords, role_words
from bot.reports.common import last_close_text
from handlers.command import Block

HEADER_MAX, TEXT_MAX, FIELD_MAX, FIELDS_MAX = 150, 3000, 2000, 10
TABLE_ROWS_MAX, TABLE_CELLS_MAX = 100, 20
Cell = str | Block
"""A table cell: its text, or a ready cell (`user_cell`: a mention Slack renders)."""


def user_cell(user_id: str) -> Block:
    """A table cell showing a user (@ana), as a mention Slack renders."""
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "user", "user_id": user_id}]}]}


def literal_cell(text: str) -> Block:
    """A table cell for text a user typed (a board label): a rich-text `text` element, which
    Slack shows as typed and never reads as markup, so `<!here>` or `<@U1>` in it notify
    nobody (a mention in rich text is a `user` or `broadcast` element of its own)."""
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "text", "text": text or " "}]}]}


def _cell(value: Cell, bold: bool = False) -> Block:
    if not isinstance(value, str):
        return value
    if bold:
        return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
            {"type": "text", "text": value or " ", "style": {"bold": True}}]}]}
    return {"type": "raw_text", "text": value or " "}


def table_block(rows: Sequence[Sequence[Cell]], right: Collection[int] = ()) -> Block:
    """Slack's native table (messages only): the first row is the header (bold), the columns
    in `right` right-aligned (numbers); at most 100 rows of 20 cells, shorter rows padded.
    A screen reader reads it cell by cell, and it does not wrap like a code block on phones."""
    rows = list(rows)[:TABLE_ROWS_MAX]
    width = min(max(len(r) for r in rows), TABLE_CELLS_MAX)
    return {"type": "table",
            "column_settings": [{"align": "right" if i in right else "left"}
                                for i in range(width)],
            "rows": [[_cell(c, bold=n == 0) for c in [*r, *[""] * (width - len(r))][:width]]
                     for n, r in enumerate(rows)]}


def pair_symbols(p: Mapping[str, Any], joiner: str = " vs ") -> str:
    """'^RUT vs ^GSPC': how every title names a pair (the naming rule: tickers in titles,
    names in the first line or legends, `series_names`)."""
    return f"{p['small']['symbol']}{joiner}{p['large']['symbol']}"


def series_names(p: Mapping[str, Any]) -> str:
    """'Russell 2000 (^RUT) vs S&P 500 (^GSPC)'."""
    return (f"{p['small']['name']} ({p['small']['symbol']}) vs "
            f"{p['large']['name']} ({p['large']['symbol']})")


def source_text(p: Mapping[str, Any]) -> str:
    """'Source: Yahoo Finance (fetched 2026-11-24 21:00:00 UTC)', or for files 'Source: CSV
    files, last close 2026-08-21' (files are as fresh as their last close, not as the day
    they were read; their folder is a server path and stays out of replies)."""
    if p.get("source_kind") == "files":
        return f"Source: CSV files, {last_close_text(p)}"
    fetched = p["data_fetched_at"].replace("T", " ").replace("+00:00", " UTC")
    return f"Source: {p['source']} (fetched {fetched})"


def intraday_text(p: Mapping[str, Any]) -> str | None:
    """'Intraday, 10:15 New York, not a close: ...' for a `live` answer (or why it is not
    intraday after all), else None."""
    intraday = p.get("intraday")
    if not intraday:
        return p.get("live_note")
    label = intraday["label"]
    return (f"{label[:1].upper()}{label[1:]}: figures end on {intraday['day']}'s last trade "
            "so far, which will change until the close.")


def basis_source_text(p: Mapping[str, Any]) -> str:
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


def context(p: Mapping[str, Any], *lines: str) -> Block:
    """The footer: a stale-data warning if any, then `lines` (series, basis, dates, source)."""
    texts = [f":warning: {p['stale_note']}"] if p.get("stale_note") else []
    if intraday_text(p):
        texts.insert(0, f":clock3: {intraday_text(p)}")
    texts += lines
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, TEXT_MAX)}
                                            for t in texts[:FIELDS_MAX]]}


def summary_blocks(title: str, headline: str, fields: list[str], detail: str, p: Mapping[str, Any],
                   footer: list[str]) -> list[Block]:
    """Header, the bold headline (and for a pair, what its tickers stand for) with its
    fields, a detail section, then the context footer (the Slack twin of `plain_lines`)."""
    names = f"\n{series_names(p)}" if "small" in p and "large" in p else ""
    return [header(title), section(f"*{headline}*{names}", fields), section(detail),
            context(p, *footer)]


def title_rule(title: str) -> list[str]:
    """A terminal title and its '=' underline (at most 80 wide)."""
    return [title, "=" * min(len(title), 80)]


def indented(lines: list[str]) -> list[str]:
    """Body lines indented two spaces for a terminal (blank lines stay blank)."""
    return [f"  {line}" if line else "" for line in lines]


def warning_lines(p: Mapping[str, Any]) -> list[str]:
    """The intraday label and the stale-data warning as terminal lines, or nothing."""
    lines = [f"Warning: {p['stale_note']}"] if p.get("stale_note") else []
    return [text, *lines] if (text := intraday_text(p)) else lines


def plain_lines(title: str, headline: str, body: list[str], p: Mapping[str, Any],
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


def words(p: Mapping[str, Any]) -> RoleWords:
    """How this payload's pair is named in sentences ('small caps', or the symbols)."""
    return role_words(p["small"]["symbol"], p["large"]["symbol"])


def span_text(p: Mapping[str, Any]) -> str:
    """'3 years to 2024-03-26', or for a range '2020-12-31 to 2022-06-30' (the closes used)."""
    if p.get("period_kind") == "range":
        return f"{p['start']} to {p['end']}"
    return f"{p['period_description']} to {p['end']}"


def window_rule(p: Mapping[str, Any]) -> str:
    """How the window's two closes were chosen, for this payload's kind of period."""
    kind = p.get("period_kind")
    if kind == "ytd":
        return ("the last close of the previous year and the last common close on or before "
                "the as-of date")
    if kind == "max":
        return "the first common close and the last on or before the as-of date"
    if kind == "range":
        return "the last common closes on or before the range's two dates"
    return "the last common closes on or before the as-of date and the same date one period " \
           "earlier"


def elapsed(earlier: str, later: str) -> str:
    """'23.4 years' or '5 months' between two ISO dates."""
    days = (date.fromisoformat(later) - date.fromisoformat(earlier)).days
    if days >= 365:
        return f"{days / 365.25:.1f} years"
    months = round(days / 30.44)
    return f"{months} month{'s' if months != 1 else ''}"


def unusual_lines(rank: Mapping[str, Any], *, adjective: str, current_pp: float, end: str,
                  names: RoleWords) -> list[str]:
    """How unusual a gap is, from a `history_rank`-shaped dict (README, "How unusual"):
    percentile with the number of independent windows, widest since (everyday meaning, only
    when at least a month back), and both records, named."""
    lagging = current_pp >= 0
    direction = "lag" if lagging else "lead"
    first, windows = rank["first_window_end"], rank["windows"]
    extreme = f"100 = {names.possessive} widest lag, 0 = widest lead"
    if not rank.get("ranked", True):
        lines = [too_few_line(rank, adjective=adjective, end=end)]
    elif rank.get("comparison") == "same_date_each_year":
        lines = [f"{percentile_rank(rank['percentile'])} percentile of {windows:,} "
                 f"year-to-date windows, one per year at this date ({first} to {end}; {extreme})."]
    else:
        lines = [f"{percentile_rank(rank['percentile'])} percentile of {windows:,} overlapping "
                 f"{adjective} windows ending {first} to {end} ({extreme}); they hold about "
                 f"{independent_text(rank['independent_windows'], adjective)}."]
    if rank.get("cut_short"):
        lines.append(f"The range runs past the data (or the as-of date): the window ends "
                     f"{end}, so it is ranked against {rank['window_days']:,}-day windows, "
                     "its real length.")
    if rank["last_as_wide"] is None:
        lines.append(f"Widest {adjective} {direction} on record (windows since {first}).")
    elif rank["widest_since"]:
        lines.append(f"Widest {adjective} {direction} since {rank['widest_since']} "
                     f"({elapsed(rank['widest_since'], end)} earlier): the latest earlier "
                     "window at least this wide ended then.")
    if rank.get("episode"):
        lines.append(episode_line(rank["episode"], adjective=adjective, first=first, end=end,
                                  names=names))
    lines.append(records_line(rank["record_lag"], rank["record_lead"], names))
    return lines


def independent_text(count: int, adjective: str) -> str:
    """'12 independent (non-overlapping) 3-year periods', '1 independent ... period'."""
    return (f"{count:,} independent (non-overlapping) {adjective} "
            f"period{'s' if count != 1 else ''}")


def too_few_line(rank: Mapping[str, Any], *, adjective: str, end: str) -> str:
    """What a reply says instead of a percentile resting on too few independent windows
    (analytics.rank.MIN_INDEPENDENT_WINDOWS)."""
    if rank.get("comparison") == "same_date_each_year":
        held = f"{rank['windows']:,} year-to-date window{'s' if rank['windows'] != 1 else ''}"
    else:
        held = (f"{rank['windows']:,} overlapping {adjective} windows ending "
                f"{rank['first_window_end']} to {end} hold about "
                f"{independent_text(rank['independent_windows'], adjective)}")
    return (f"Too few independent periods to rank: {held} (a percentile needs at least "
            f"{rank['min_independent_windows']}).")


def episode_line(episode: Mapping[str, Any], *, adjective: str, first: str, end: str,
                 names: RoleWords) -> str:
    """The current run with dates (analytics.episode; README, "How unusual"): 'This run:
    small caps have lagged in every 3-year window since the one ending 2023-04-24 (233
    windows). Before it began, the lag was last this wide (37.73 pp or more) in the window
    ending 2000-11-10; the run's widest, 44.28 pp (2024-03-14), last in 2000-04-26.'"""
    side = episode["side"]
    other = "" if names.plural else f" {names.large}"
    since = (f"in every {adjective} window since the first compared ({first})"
             if episode["since_first_window"] else
             f"in every {adjective} window since the one ending {episode['start']}")
    count = episode["windows"]
    past = {"lag": "lagged", "lead": "led"}[side]
    text = (f"This run: {names.small} {names.verb('have')} {past}{other} {since} "
            f"({count:,} window{'s' if count != 1 else ''}).")
    if episode["since_first_window"]:
        return text
    peak = episode["peak"]
    wide, peak_wide = episode["before_as_wide"], episode["peak_before_as_wide"]
    text += (f" Before it began, the {side} was last this wide in the window ending "
             f"{wide['end']} ({pp(abs(wide['pp']))}, {elapsed(wide['end'], end)} before "
             f"{end})" if wide else
             f" No window before it was this wide (windows since {first})")
    peak_text = f"the run's widest, {pp(abs(peak['pp']))} (window ending {peak['end']}),"
    if peak_wide:
        text += (f"; {peak_text} was last matched before the run in the window ending "
                 f"{peak_wide['end']} ({pp(abs(peak_wide['pp']))}).")
    else:
        text += f"; {peak_text} is wider than any window before the run."
    return text


def records_line(lag: Mapping[str, Any], lead: Mapping[str, Any], names: RoleWords) -> str:
    """'Record lag: 88.88 pp (window ending 1999-04-12) · record lead: 65.95 pp (...)', both
    always named; a side never reached says so ('never led; smallest lag ...')."""
    if lag["pp"] > 0:
        lag_text = f"Record lag: {pp(lag['pp'])} (window ending {lag['end']})"
    else:
        lag_text = (f"{names.capitalised()} never lagged (smallest lead {pp(abs(lag['pp']))}, "
                    f"window ending {lag['end']})")
    if lead["pp"] < 0:
        lead_text = f"record lead: {pp(abs(lead['pp']))} (window ending {lead['end']})"
    else:
        lead_text = (f"never led (smallest lag {pp(lead['pp'])}, window ending "
                     f"{lead['end']})")
    return f"{lag_text} · {lead_text}."
