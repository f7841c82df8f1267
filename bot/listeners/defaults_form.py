"""The channel-defaults form's listeners: App Home's "Channel defaults" button opens it,
picking a channel refills it with that channel's defaults (views.update), and submitting
saves it (`set`/`unset` per field) or shows the `set` errors on the fields."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from analytics.formatting import clip
from bot.runtime.channel_settings import ChannelSettingsError
from bot.runtime.deps import Deps
from handlers.channel_defaults import check_data, settings_lines
from handlers.defaults_form import (
    block_id,
    defaults_modal,
    picked_channel,
    read_defaults,
    saved_view,
)

logger = logging.getLogger(__name__)


def on_open(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """App Home's button: the form with a channel picker."""
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=defaults_modal(None, {}))


def on_channel(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """A channel picked: refill the form with its defaults."""
    ack()
    channel = str(body["actions"][0].get("selected_conversation") or "") or None
    current = deps.stores.channels.get(channel or "")
    view = body["view"]
    client.views_update(view_id=view["id"], hash=view.get("hash"),
                        view=defaults_modal(channel, current))


def on_submit(ack: Ack, view: dict[str, Any], deps: Deps) -> None:
    """Save each field (`set`, or `unset` when emptied), or show `set`'s errors."""
    channel = picked_channel(view)
    if channel is None:
        ack(response_action="errors", errors={"channel": "Pick a channel."})
        return
    wanted, errors = read_defaults(view, channel)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    store = deps.stores.channels
    for name, value in wanted.items():
        try:
            if value is not None:
                check_data(deps, name, value)
        except ChannelSettingsError as exc:
            ack(response_action="errors", errors={block_id(name, channel): clip(
                str(exc).replace("`", ""), 150)})
            return
    try:
        for name, value in wanted.items():
            if value is None:
                store.unset(channel, name)
            else:
                store.set(channel, name, value)
    except ChannelSettingsError as exc:
        ack(response_action="errors", errors={"channel": str(exc)})
        return
    ack(response_action="update", view=saved_view(channel, settings_lines(store.get(channel))))
