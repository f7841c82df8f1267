"""The channel-defaults form (App Home's "Channel defaults" button): pick a channel, then
its pair, period, basis and board defaults, the ones `set`/`unset` manage.

Pure builders and the submission's reading; bot/listeners/defaults_form.py opens, refills
(when a channel is picked) and saves it. Every value is checked with the same validators as
`set NAME VALUE` (bot.runtime.channel_settings.validate), so the errors use its words; an
empty field removes that default (`unset`). Block ids carry the channel (`pair:C123`) so
Slack shows the picked channel's values when the view is refilled (it keeps what was typed
in an input whose block id did not change).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from analytics.formatting import clip
from bot.runtime.channel_settings import (
    BASES,
    EXAMPLES,
    HINTS,
    VALIDATORS,
    ChannelSettingsError,
    validate,
)
from handlers.command import Block, Blocks

OPEN_ACTION = "smallcaps_defaults_open"
"""App Home's "Channel defaults" button."""
CHANNEL_ACTION = "smallcaps_defaults_channel"
"""The channel picker: choosing one refills the form with that channel's defaults."""
CALLBACK_ID = "smallcaps_defaults_form"
NO_BASIS = "none"
NOTE = ("A command that names its own pair, period or basis always wins. An empty field "
        "removes that default (the built-in one applies). Same as `/smallcaps set` in the "
        "channel.")


def _text(text: str, limit: int = 75) -> dict[str, Any]:
    """Plain text within `limit` characters (75: an option's or a title's limit)."""
    return {"type": "plain_text", "text": clip(text, limit)}


def block_id(name: str, channel_id: str | None) -> str:
    """`pair:C123` (`pair:-` before a channel is picked)."""
    return f"{name}:{channel_id or '-'}"


def _field(name: str, channel_id: str | None, current: str | None) -> Block:
    if name == "basis":
        options = [{"text": _text("Built-in (no default)"), "value": NO_BASIS},
                   *({"text": _text(b.capitalize() + (" return" if b == "total" else
                                                       " only")), "value": b} for b in BASES)]
        chosen = next(o for o in options if o["value"] == (current or NO_BASIS))
        element: dict[str, Any] = {"type": "static_select", "action_id": name,
                                   "options": options, "initial_option": chosen}
    else:
        element = {"type": "plain_text_input", "action_id": name,
                   "placeholder": _text(f"e.g. {EXAMPLES[name]}"),
                   **({"initial_value": current} if current else {})}
    return {"type": "input", "block_id": block_id(name, channel_id), "optional": True,
            "label": _text(name.capitalize()), "element": element,
            "hint": _text(HINTS[name], 2000)}


def defaults_modal(channel_id: str | None, current: Mapping[str, str]) -> dict[str, Any]:
    """The form for `channel_id` (None: nothing picked yet) filled with its `current`
    defaults (name -> value)."""
    picker: dict[str, Any] = {"type": "conversations_select", "action_id": CHANNEL_ACTION,
                              "filter": {"include": ["public", "private"],
                                         "exclude_bot_users": True},
                              "placeholder": _text("Pick a channel")}
    if channel_id:
        picker["initial_conversation"] = channel_id
    blocks: Blocks = [{"type": "input", "block_id": "channel", "dispatch_action": True,
                       "label": _text("Channel"), "element": picker,
                       "hint": _text("Its current defaults fill the fields below.", 2000)}]
    blocks += [_field(name, channel_id, current.get(name)) for name in VALIDATORS]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": NOTE}]})
    return {"type": "modal", "callback_id": CALLBACK_ID, "title": _text("Channel defaults"),
            "submit": _text("Save"), "close": _text("Cancel"), "blocks": blocks,
            "private_metadata": json.dumps({"c": channel_id or ""})}


def picked_channel(view: Mapping[str, Any]) -> str | None:
    """The channel of the form: the picker's choice, else the one it was filled for."""
    values = (view.get("state") or {}).get("values") or {}
    chosen = ((values.get("channel") or {}).get(CHANNEL_ACTION) or {}).get(
        "selected_conversation")
    if chosen:
        return str(chosen)
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    return str(data.get("c") or "") or None if isinstance(data, dict) else None


def read_defaults(view: Mapping[str, Any], channel_id: str
                  ) -> tuple[dict[str, str | None], dict[str, str]]:
    """({name: canonical value, or None to remove}, {}) or ({}, errors by block id): each
    value checked as `set NAME VALUE` checks it. An empty field removes a default only when
    the form showed `channel_id`'s values (its block id names it): one submitted before the
    refill changes what was typed and removes nothing."""
    values = (view.get("state") or {}).get("values") or {}
    wanted: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for bid, actions in values.items():
        name = bid.partition(":")[0]
        if name not in VALIDATORS:
            continue
        state = (actions or {}).get(name) or {}
        raw = ((state.get("selected_option") or {}).get("value") if name == "basis"
               else state.get("value")) or ""
        if not raw.strip() or raw == NO_BASIS:
            if bid == block_id(name, channel_id):
                wanted[name] = None
            continue
        try:
            wanted[name] = validate(name, raw)[1]
        except ChannelSettingsError as exc:
            errors[bid] = clip(str(exc).replace("`", ""), 150)
    return ({}, errors) if errors else (wanted, {})


def saved_view(channel_id: str, lines: list[str]) -> dict[str, Any]:
    """The modal after saving: the channel's defaults now."""
    return {"type": "modal", "title": _text("Channel defaults"), "close": _text("Done"),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": clip(
                f":white_check_mark: Saved. <#{channel_id}>'s defaults now:\n"
                + "\n".join(lines), 3000)}}]}
