"""The alert form: a modal that creates or edits one alert rule, and its translation to the
rule grammar.

The form is filled from a rule (`RuleSpec`): the one an answer's "Alert me on this" button
offers (its command's `alert_offer`), a stored rule (Edit), or the grammar's example (the
global shortcut and App Home's "New alert", which add a channel picker). A submission is
turned back into rule words (`alert add` words) and read by the same parser
(handlers.alert_parsing.parse_rule), so a form and a typed rule accept and refuse the same
things, in the same words; each refusal is shown on the field it is about.

Pure functions: the Slack listeners are in bot/listeners/alert_form.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analytics.alert_metric_base import Metric
from analytics.alert_metrics import METRIC_TYPES, METRICS
from analytics.alert_rules import CONDITIONS, RuleSpec
from analytics.formatting import clip
from analytics.pairs import PAIRS, PairError, parse_pair
from analytics.periods import PeriodError
from bot.slack.escape import escape
from handlers.alert_parsing import ADD_EXAMPLE, parse_rule
from handlers.command import AlertOffer
from handlers.words import CommandError, split_words

ALERT_ME_ACTION = "smallcaps_alert_me"
"""The "Alert me on this" button under a report; its value is an AlertOffer as JSON."""
NEW_ALERT_ACTION = "smallcaps_alert_new"
"""App Home's "New alert" button: the form with a channel picker."""
NEW_ALERT_SHORTCUT = "smallcaps_new_alert"
"""The global shortcut "New smallcaps alert" (manifest.yml): the same as NEW_ALERT_ACTION."""
FORM_CALLBACK = "smallcaps_alert_form"
"""The modal's callback_id: its view_submission comes back under it."""

CHANNEL, METRIC, PERIOD, AVERAGE, PAIR, CONDITION = (
    "channel", "metric", "period", "average", "pair", "condition")
THRESHOLD, HYSTERESIS, COOLDOWN, NOTE, UNTIL = (
    "threshold", "hysteresis", "cooldown", "note", "until")
"""Each input's block_id, also its element's action_id (errors are keyed by block_id)."""

PERIODS = ("1m", "3m", "6m", "ytd", "1y", "2y", "3y", "5y", "10y")
"""The windows the form offers for a gap rule (a rule's own window is added if it is not
one of them)."""
AVERAGES = (20, 50, 100, 200)
"""The moving averages (days) the form offers for a ratio-vs-average rule."""
DEFAULT_RULE = ADD_EXAMPLE.removeprefix("alert add ")
"""The rule a blank form starts from: the grammar's own example."""
NOTE_VALUE = "clear_note"
MAX_FIELD_ERROR = 300


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, 75), "emoji": False}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "optional": optional,
             "label": {"type": "plain_text", "text": clip(label, 2000)},
             "element": {"action_id": block_id, **element}}
    if hint:
        block["hint"] = {"type": "plain_text", "text": clip(hint, 2000)}
    return block


def _select(block_id: str, label: str, options: list[dict[str, Any]], chosen: str | None,
            **kw: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "options": options[:100],
                               "placeholder": _text("Choose")}
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial is not None:
        element["initial_option"] = initial
    return _input(block_id, label, element, **kw)


def _number(value: float) -> str:
    """A number as the form shows it: '12', '-2.5' (no float noise, no trailing zeros)."""
    return f"{value:.6g}" if value != int(value) else str(int(value))


def metric_label(metric: type[Metric]) -> str:
    """'Gap (pp)', 'Ratio-vs-average (%)', 'Ratio percentile', 'Ratio z-score'."""
    text = metric.kind_name if metric.head in metric.kind_name else \
        f"{metric.head} {metric.kind_name}"
    return text[:1].upper() + text[1:]


def pair_label(key: str) -> str:
    """'Russell 2000 vs S&P 500 (index)'."""
    try:
        return f"{parse_pair(key).label} ({key})"
    except PairError:
        return key


@dataclass(frozen=True)
class FormContext:
    """Where the form came from: what it keeps in `private_metadata` and shows above the
    fields."""

    channel_id: str | None = None
    """The rule's channel; None: the form asks for one (shortcut, App Home)."""
    rule_id: str | None = None
    """The rule being edited; None: a new rule."""
    seen: str | None = None
    """The value the answer showed ('the 3-year gap is 11.83 pp on 2026-08-21')."""
    basis: str | None = None
    """The answer's basis, when it came from an answer."""

    def metadata(self) -> str:
        """`private_metadata`: {"channel": ..., "rule": ...} as JSON (well under 3,000)."""
        return json.dumps({"channel": self.channel_id, "rule": self.rule_id})

    @classmethod
    def from_metadata(cls, text: str | None) -> FormContext:
        """The context a submitted view carries; an empty one for anything unreadable."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        channel, rule = data.get("channel"), data.get("rule")
        return cls(channel if isinstance(channel, str) else None,
                   rule if isinstance(rule, str) else None)


def offer_value(offer: AlertOffer) -> str:
    """The "Alert me on this" button's value (Slack allows 2,000 characters)."""
    return json.dumps({"rule": offer.rule, "seen": clip(offer.seen, 300),
                       "basis": clip(offer.basis, 200)})


def offer_from_value(value: str) -> AlertOffer:
    """The offer a button carries; ValueError when it is not one."""
    data = json.loads(value)
    if not isinstance(data, dict) or not isinstance(data.get("rule"), str):
        raise ValueError("not an alert offer")
    return AlertOffer(data["rule"], str(data.get("seen") or ""), str(data.get("basis") or ""))


def alert_me_button(offer: AlertOffer) -> dict[str, Any]:
    """The "Alert me on this" button for a report's reply."""
    return {"type": "button", "action_id": ALERT_ME_ACTION, "value": offer_value(offer),
            "text": _text("Alert me on this")}


def with_alert_button(blocks: list[dict[str, Any]], offer: AlertOffer | None
                      ) -> list[dict[str, Any]]:
    """`blocks` with the button added to their last actions block (a new one if there is
    none or it is full); unchanged when there is no offer."""
    if offer is None:
        return blocks
    last = blocks[-1] if blocks else None
    if last is not None and last.get("type") == "actions" and len(last["elements"]) < 25:
        return [*blocks[:-1], {**last, "elements": [*last["elements"],
                                                    alert_me_button(offer)]}]
    return [*blocks[:49], {"type": "actions", "elements": [alert_me_button(offer)]}]


def spec_of_offer(offer: AlertOffer) -> RuleSpec:
    """The rule an offer names (CommandError if its words no longer parse)."""
    return parse_rule(split_words(offer.rule))


def default_spec() -> RuleSpec:
    """The rule a blank form starts from."""
    return parse_rule(split_words(DEFAULT_RULE))


def alert_view(spec: RuleSpec, context: FormContext) -> dict[str, Any]:
    """The modal, filled with `spec`: metric, window or average, pair, condition, threshold,
    hysteresis, cooldown, re-arm note and expiry; a channel picker when `context` has no
    channel. Submitting it unchanged saves `spec`."""
    metric = spec.metric
    params = metric.params()
    editing = context.rule_id is not None
    blocks: list[dict[str, Any]] = []
    if context.channel_id is None:
        blocks.append(_input(CHANNEL, "Channel", {
            "type": "conversations_select", "placeholder": _text("Where it posts"),
            "filter": {"include": ["public", "private"], "exclude_bot_users": True}},
            hint="Firings are posted there; the bot must be in a private channel."))
    intro = (f"Editing rule `{context.rule_id}` in <#{context.channel_id}>: it keeps its id "
             "and, unless the condition or threshold changes, its state." if editing else
             f"A new rule for <#{context.channel_id}>." if context.channel_id else
             "A new rule for the channel you pick.")
    if context.seen:
        intro += f"\nFrom the answer: {escape(context.seen)}."
    intro += " Checked once per trading day after the US close."
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(intro, 3000)}})
    blocks.append(_select(METRIC, "Watch", [_option(metric_label(m), m.key) for m in METRICS],
                          metric.key))
    period = params.get("period")
    periods = [*PERIODS, *([period] if period and period not in PERIODS else [])]
    blocks.append(_select(PERIOD, "Gap window", [_option(p, p) for p in periods],
                          period or "3y", hint="For a gap: the rolling window it is taken over."))
    days = params.get("ma_days")
    averages = [*AVERAGES, *([days] if days and days not in AVERAGES else [])]
    blocks.append(_select(AVERAGE, "Moving average",
                          [_option(f"{d}-day average", str(d)) for d in averages],
                          str(days or 200),
                          hint="For the ratio vs its moving average: which average."))
    pairs = [*PAIRS, *([metric.pair.key] if metric.pair.key not in PAIRS else [])]
    basis = f"Basis of the answer: {context.basis}. " if context.basis else ""
    blocks.append(_select(PAIR, "Pair", [_option(pair_label(k), k) for k in pairs],
                          metric.pair.key,
                          hint=f"{basis}Alert rules use each pair's default basis: total "
                               "return for ETFs, price return for indexes."))
    blocks.append(_select(CONDITION, "Condition", [_option(c, c) for c in CONDITIONS],
                          spec.condition,
                          hint="above/below fire when the value is past the threshold; "
                               "crosses only when it moves from one side to the other."))
    blocks.append(_input(THRESHOLD, "Threshold", {
        "type": "number_input", "is_decimal_allowed": True,
        "initial_value": _number(spec.threshold)},
        hint="In the metric's unit: pp for a gap, % for the ratio vs its average."))
    blocks.append(_input(HYSTERESIS, "Hysteresis", {
        "type": "number_input", "is_decimal_allowed": True, "min_value": "0",
        **({"initial_value": _number(spec.hysteresis)} if spec.hysteresis else {})},
        optional=True, hint="Re-arm only after the value moves back by this much (default 0)."))
    blocks.append(_input(COOLDOWN, "Cooldown (days)", {
        "type": "number_input", "is_decimal_allowed": False, "min_value": "0",
        **({"initial_value": str(spec.cooldown_days)} if spec.cooldown_days else {})},
        optional=True, hint="No new firing within this many calendar days of the last."))
    note = _option("Post a short note when it re-arms", NOTE_VALUE)
    blocks.append(_input(NOTE, "Re-arm note", {
        "type": "checkboxes", "options": [note],
        **({"initial_options": [note]} if spec.clear_note else {})}, optional=True))
    blocks.append(_input(UNTIL, "Last day (optional)", {
        "type": "datepicker", "placeholder": _text("No expiry"),
        **({"initial_date": spec.until.isoformat()} if spec.until else {})}, optional=True,
        hint="After this day the rule stops and is shown as expired."))
    title = f"Edit alert {context.rule_id}" if editing else "New alert"
    return {"type": "modal", "callback_id": FORM_CALLBACK,
            "title": {"type": "plain_text", "text": clip(title, 24)},
            "submit": _text("Save" if editing else "Create alert"),
            "close": _text("Cancel"), "private_metadata": context.metadata(),
            "blocks": blocks}


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (a refusal after a click in App Home)."""
    return {"type": "modal", "title": {"type": "plain_text", "text": clip(title, 24)},
            "close": _text("Close"),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}]}


class FormErrors(Exception):
    """What is wrong with a submission: block_id -> message (for `response_action: errors`)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = {k: clip(v, MAX_FIELD_ERROR) for k, v in errors.items()}


def plain(message: str) -> str:
    """A grammar message for a plain-text field error: without mrkdwn's backticks and
    asterisks."""
    return message.replace("`", "").replace("*", "")


_FIELD_WORDS = (("ysteresis", HYSTERESIS), ("cooldown", COOLDOWN), ("until", UNTIL),
                ("moving average", AVERAGE), ("window", PERIOD), ("pair", PAIR),
                ("metric", METRIC), ("condition", CONDITION))
"""Which field a grammar error is about, by the words it uses (the threshold otherwise)."""


def field_of(message: str, default: str = THRESHOLD) -> str:
    """The block_id a grammar or rule error belongs on (by its words; else `default`)."""
    low = message.lower()
    return next((field for words, field in _FIELD_WORDS if words in low), default)


def _value(values: Mapping[str, Any], block_id: str) -> dict[str, Any]:
    """The state of the input `block_id` ({} when absent or not shaped as Slack sends it)."""
    block = values.get(block_id) if isinstance(values, Mapping) else None
    found = block.get(block_id) if isinstance(block, Mapping) else None
    return found if isinstance(found, dict) else {}


def _selected(values: Mapping[str, Any], block_id: str) -> str | None:
    option = _value(values, block_id).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Submission:
    """A submitted form read: the channel (None: take it from the context) and the rule."""

    channel_id: str | None
    spec: RuleSpec
    words: str
    """The rule words the form stood for ('gap 3y crosses 12 until 2026-12-31')."""


def form_words(values: Mapping[str, Any]) -> list[str]:
    """The `alert add` words a form's `view.state.values` stand for; FormErrors for what
    no words can say (nothing chosen, a metric that needs a window or an average)."""
    errors: dict[str, str] = {}
    key = _selected(values, METRIC)
    pair_key = _selected(values, PAIR) or "index"
    if key not in METRIC_TYPES:
        raise FormErrors({METRIC: "Choose what to watch."})
    period, average = _selected(values, PERIOD), _selected(values, AVERAGE)
    try:
        metric = METRIC_TYPES[key].from_params(parse_pair(pair_key),
                                               {"period": period, "ma_days": average})
    except PairError as exc:
        raise FormErrors({PAIR: plain(str(exc))}) from None
    except (PeriodError, KeyError, TypeError, ValueError):
        missing = {PERIOD: period, AVERAGE: average}
        errors = {b: "Choose one for this metric." for b, v in missing.items() if not v}
        raise FormErrors(errors or {METRIC: "That metric cannot be set up this way."}) from None
    words = metric.words().split()
    condition = _selected(values, CONDITION)
    if condition not in CONDITIONS:
        raise FormErrors({CONDITION: "Choose a condition."})
    words += condition.split()
    threshold = str(_value(values, THRESHOLD).get("value") or "").strip()
    if threshold:
        words.append(threshold)
    hysteresis = _value(values, HYSTERESIS).get("value")
    if hysteresis not in (None, ""):
        words += ["hysteresis", str(hysteresis)]
    cooldown = _value(values, COOLDOWN).get("value")
    if cooldown not in (None, ""):
        words += ["cooldown", f"{cooldown}d"]
    notes = _value(values, NOTE).get("selected_options") or []
    if not any(isinstance(o, dict) and o.get("value") == NOTE_VALUE for o in notes) \
            and condition != "crosses":
        words.append("no-clear-note")
    until = _value(values, UNTIL).get("selected_date")
    if until:
        words += ["until", str(until)]
    return words


def read_form(values: Mapping[str, Any]) -> Submission:
    """The rule a form's `view.state.values` describe, read by the grammar's own parser;
    FormErrors keyed by the field each problem is about, in the grammar's words."""
    words = form_words(values)
    try:
        spec = parse_rule(words)
    except CommandError as exc:
        raise FormErrors({field_of(exc.message): plain(exc.message)}) from None
    channel = _value(values, CHANNEL).get("selected_conversation")
    return Submission(channel if isinstance(channel, str) and channel else None, spec,
                      " ".join(words))
