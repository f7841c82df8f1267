"""Words of `/smallcaps alert ...` and `/smallcaps digest ...` into request objects.

    alert add METRIC CONDITION VALUE [PAIR] [hysteresis N] [cooldown Nd] [no-clear-note]
              [until YYYY-MM-DD]
    alert list | alert remove ID | alert pause ID | alert resume ID
    digest daily | weekly | off

METRIC: one of analytics.alert_metrics.METRICS (`gap [PERIOD]` with default 3y, `ratio vs
Ndma`, `ratio percentile`, `ratio zscore`), which also says each one's range of values.
CONDITION: `above`, `below`, `crosses`, `crosses up`, `crosses down`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from analytics.alert_metric_base import MetricWordsError
from analytics.alert_metrics import parse_metric
from analytics.alert_rules import Condition, RuleSpec
from analytics.pairs import PAIRS, Pair, PairError, parse_pair
from handlers.words import CommandError, ParseContext

ADD_EXAMPLE = "alert add gap 3y above 30 hysteresis 2"
MAX_COOLDOWN_DAYS = 365
_ID_RE = re.compile(r"^#?a?(\d{1,9})$", re.ASCII)
_NUMBER_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d{1,4})?)(pp|%|σ|sd|pctile)?$",
                        re.ASCII)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_COOLDOWN_RE = re.compile(r"^(\d{1,4})(d|days?|w|weeks?)?$", re.ASCII)
"""The patterns match ASCII digits only: handlers.normalise turns Unicode digits into ASCII
before any parser runs."""
_UNTIL_WORDS = ("until", "expires")
_NO_NOTE = ("no-clear-note", "no-note", "quiet", "noclear")


class AlertRequest:
    """Base of every alert/digest request (the slash listener routes on it)."""


@dataclass(frozen=True)
class AlertAdd(AlertRequest):
    rule: RuleSpec


@dataclass(frozen=True)
class AlertEdit(AlertRequest):
    """Change rule `rule_id` to `rule`, keeping its id (the form's Edit, typed)."""

    rule_id: str
    rule: RuleSpec


@dataclass(frozen=True)
class AlertList(AlertRequest):
    pass


@dataclass(frozen=True)
class AlertAction(AlertRequest):
    """remove / pause / resume one rule by id ('A3')."""

    action: Literal["remove", "pause", "resume"]
    rule_id: str


@dataclass(frozen=True)
class DigestRequest(AlertRequest):
    """Set the channel's digest; None shows the current setting."""

    frequency: Literal["daily", "weekly", "off"] | None


def rule_id(text: str) -> str:
    """'A3' from 'A3', 'a3', '3' or '#3'."""
    match = _ID_RE.match(text.strip().lower())
    if not match:
        raise CommandError(f"`{text}` is not a rule id; `alert list` shows them (e.g. `A3`).",
                           "alert list")
    return f"A{int(match.group(1))}"


def parse_alert(args: list[str], context: ParseContext) -> AlertRequest:
    """`alert add ... | edit ID ... | list | remove ID | pause ID | resume ID`."""
    if not args:
        raise CommandError("Say what to do: `alert add`, `alert list`, `alert remove ID`, "
                           "`alert pause ID` or `alert resume ID`.", ADD_EXAMPLE)
    verb, rest = args[0].lower(), args[1:]
    if verb in ("list", "ls"):
        if rest:
            raise CommandError("`alert list` takes no arguments.", "alert list")
        return AlertList()
    if verb in ("remove", "rm", "delete", "pause", "resume"):
        action = "remove" if verb in ("rm", "delete") else verb
        if len(rest) != 1:
            raise CommandError(f"`alert {action}` needs one rule id, e.g. `A3`.",
                               f"alert {action} A3")
        return AlertAction(action, rule_id(rest[0]))  # type: ignore[arg-type]
    if verb in ("add", "new", "create"):
        return AlertAdd(parse_rule(rest))
    if verb in ("edit", "change"):
        if len(rest) < 2:
            raise CommandError("`alert edit` needs the rule id and the whole new rule, e.g. "
                               "`alert edit A3 gap 3y above 25`.", "alert edit A3 gap 3y above 25")
        return AlertEdit(rule_id(rest[0]), parse_rule(rest[1:]))
    raise CommandError(f"`alert {args[0]}` is not an alert command: use add, edit, list, "
                       "remove, pause or resume.", ADD_EXAMPLE)


def parse_digest(args: list[str], context: ParseContext) -> DigestRequest:
    """`digest daily|weekly|off`, or `digest` alone to show the setting."""
    if not args:
        return DigestRequest(None)
    if len(args) == 1 and args[0].lower() in ("daily", "weekly", "off"):
        return DigestRequest(args[0].lower())  # type: ignore[arg-type]
    raise CommandError(f"`digest {' '.join(args)}`: use `digest daily`, `digest weekly` or "
                       "`digest off`.", "digest daily")


SMALLEST_NUMBER = 1e-4
"""Below this in size (and not 0) a threshold or band is not a number anyone means: it
would be shown as 0 and behave as a hair's breadth from it (ratios show 4 decimals)."""


def parse_rule(words: list[str]) -> RuleSpec:
    """METRIC CONDITION VALUE [PAIR] [options], strictly validated."""
    rest, pair = _pop_pair(words)
    try:
        metric, low = parse_metric([w.lower() for w in rest], pair)
    except MetricWordsError as exc:
        raise CommandError(exc.message, f"alert add {exc.example}" if exc.example
                           else ADD_EXAMPLE) from None
    condition, low = _parse_condition(low)
    if not low:
        raise CommandError(f"Give a value after `{condition}`, e.g. `{condition} 30`.",
                           ADD_EXAMPLE)
    threshold = _number(low[0], "threshold")
    hysteresis, cooldown, clear_note, until = _parse_options(low[1:])
    lo, hi, max_band = metric.limits.lowest, metric.limits.highest, metric.limits.widest_band
    if not lo <= threshold <= hi:
        raise CommandError(f"`{low[0]}` is out of range: a {metric.kind_name} threshold must "
                           f"be between {lo:g} and {hi:g} {metric.unit}.", ADD_EXAMPLE)
    if hysteresis > max_band:
        raise CommandError(f"Hysteresis {hysteresis:g} is too wide: out of range for a "
                           f"{metric.kind_name} (at most {max_band:g}).", ADD_EXAMPLE)
    return RuleSpec(metric, condition, threshold, hysteresis, cooldown, clear_note, until)


def _pop_pair(words: list[str]) -> tuple[list[str], Pair]:
    """Take the optional pair (`index`, `etf`, SMALL/LARGE) from anywhere in the words."""
    dated = {i + 1 for i, w in enumerate(words) if w.lower() in _UNTIL_WORDS}
    pairs = [w for i, w in enumerate(words)
             if i not in dated and (w.lower() in PAIRS or "/" in w)]  # not `until 1/2/2027`
    if len(pairs) > 1:
        raise CommandError("Give one pair, e.g. `etf`.", f"{ADD_EXAMPLE} etf")
    try:
        pair = parse_pair(pairs[0] if pairs else None)
    except PairError as exc:
        raise CommandError(str(exc), f"{ADD_EXAMPLE} etf") from None
    return [w for w in words if w not in pairs], pair


def _parse_condition(words: list[str]) -> tuple[Condition, list[str]]:
    first = words[0] if words else ""
    if first in ("above", "below"):
        return first, words[1:]  # type: ignore[return-value]
    if first in ("crosses", "cross", "crossing"):
        nxt = words[1] if len(words) > 1 else ""
        if nxt in ("up", "above"):
            return "crosses up", words[2:]
        if nxt in ("down", "below"):
            return "crosses down", words[2:]
        return "crosses", words[1:]
    raise CommandError(f"Expected a condition (`above`, `below`, `crosses`, `crosses up`, "
                       f"`crosses down`), not `{first or '(nothing)'}`.", ADD_EXAMPLE)


def _number(word: str, what: str) -> float:
    """A decimal number (`30`, `-2.5`, `1e3`, `30pp`); 'not a number' or 'out of range'."""
    match = _NUMBER_RE.match(word.replace(",", "."))
    if not match:
        raise CommandError(f"`{word}` is not a number for the {what}.", ADD_EXAMPLE)
    value = float(match.group(1))
    if not math.isfinite(value):
        raise CommandError(f"`{word}` is out of range for the {what}.", ADD_EXAMPLE)
    if value != 0 and abs(value) < SMALLEST_NUMBER:  # 1e-320 would be shown, and act, as 0
        raise CommandError(f"`{word}` is too small to mean anything as the {what}: use 0 or "
                           f"a number of at least {SMALLEST_NUMBER:g} in size.", ADD_EXAMPLE)
    return value


def _parse_options(words: list[str]) -> tuple[float, int, bool, date | None]:
    """hysteresis N, cooldown Nd, no-clear-note, until YYYY-MM-DD; each at most once."""
    hysteresis, cooldown, clear_note, until = 0.0, 0, True, None
    seen: set[str] = set()
    i = 0
    while i < len(words):
        word = words[i]
        key = {"hysteresis": "h", "hyst": "h", "band": "h", "cooldown": "c",
               **dict.fromkeys(_UNTIL_WORDS, "u")}.get(word)
        if word in _NO_NOTE or word == "clear-note":
            key, clear_note = "n", word == "clear-note"
        if key is None:
            raise CommandError(f"`{word}` is not an option. Options: `hysteresis N`, "
                               "`cooldown Nd`, `no-clear-note`, `until YYYY-MM-DD`, a pair "
                               "(`etf`).", ADD_EXAMPLE)
        if key in seen:
            raise CommandError(f"`{word}` is given twice.", ADD_EXAMPLE)
        seen.add(key)
        if key == "n":
            i += 1
            continue
        value = words[i + 1] if i + 1 < len(words) else ""
        if key == "h":
            hysteresis = _number(value, "hysteresis") if value else math.nan
            if not hysteresis >= 0:
                raise CommandError("`hysteresis` needs a number ≥ 0 in the metric's unit, "
                                   "e.g. `hysteresis 2`.", ADD_EXAMPLE)
        elif key == "u":
            until = _until_date(value)
        else:
            cooldown = _cooldown_days(value)
        i += 2
    return hysteresis, cooldown, clear_note, until


def _until_date(word: str) -> date:
    """The expiry date of `until YYYY-MM-DD` (the last day the rule is evaluated)."""
    try:
        if not _DATE_RE.match(word):
            raise ValueError(word)
        return date.fromisoformat(word)
    except ValueError:
        raise CommandError(f"`until {word or '(nothing)'}`: give the rule's last day as "
                           "YYYY-MM-DD, e.g. `until 2026-12-31`.",
                           f"{ADD_EXAMPLE} until 2026-12-31") from None


def _cooldown_days(word: str) -> int:
    match = _COOLDOWN_RE.match(word)
    days = int(match.group(1)) * (7 if match.group(2) and match.group(2)[0] == "w" else 1) \
        if match else -1
    if not 0 <= days <= MAX_COOLDOWN_DAYS:
        raise CommandError(f"`cooldown {word}`: give calendar days from 0 to "
                           f"{MAX_COOLDOWN_DAYS}, e.g. `cooldown 5d` or `cooldown 2w`.",
                           f"{ADD_EXAMPLE} cooldown 5d")
    return days
