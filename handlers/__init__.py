"""Slack listeners: parse the command, run the report, format and deliver the reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.runtime.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Attach every listener of the bot to `app`."""
    from handlers import slash

    slash.register(app, deps)

    from handlers import actions, csv_button, home, mentions

    actions.register(app, deps)
    home.register(app, deps)
    mentions.register(app, deps)
    csv_button.register(app, deps)
