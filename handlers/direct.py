"""A private place to ask: direct messages to the bot (its *Messages* tab) are answered there;
which messages are questions and how its answers are worded.

A DM (event `message`, `channel_type: "im"`, subscription `message.im`, scope `im:history`;
the listener and its job are in bot/listeners/direct.py) is read like a mention: the same
words, parser, channel defaults (the DM's own) and replies, the chart inside the answer.
Nobody needs a prefix there: `gap 3y` is enough, and help and errors say so. A message in a
thread of the DM is answered in that thread; anything else at the top of the DM. Report
answers carry a *Share to channel* picker (handlers/share.py).

Only what a person typed is answered: the bot's own posts (Slack echoes them as `message.im`
events), other apps' posts (`bot_id`) and message subtypes (`message_changed` when the chart
is added to an answer, `message_deleted`, joins...) are not; a reply the user also sent to the
conversation (`thread_broadcast`) is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.help import typed

DM_INVOKED_AS = ""
"""In the bot's DM the words are typed bare: `gap 3y`."""
ANSWERED_SUBTYPES = frozenset({"thread_broadcast"})
"""Message subtypes a person types (a thread reply also sent to the conversation); every
other subtype (edits, deletions, joins, bot messages...) is not a question."""


def dm_error_text(message: str, example: str | None = None) -> str:
    """An input error with a valid example, worded for the bot's DM (no prefix)."""
    if example is None:
        return f":warning: {message}"
    return (f":warning: {message}\nTry: `{typed(DM_INVOKED_AS, example)}` · `help` lists "
            "everything.")


def is_question(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
    """True when a `message` event is a person's message in a direct message with the bot
    (channel_type `im`), to be answered; False for the bot's own posts, other apps' posts,
    subtypes other than ANSWERED_SUBTYPES, and events without a channel, user or ts."""
    if event.get("channel_type") != "im":
        return False
    if event.get("bot_id") or event.get("bot_profile"):
        return False
    subtype = event.get("subtype")
    if subtype is not None and subtype not in ANSWERED_SUBTYPES:
        return False
    user = event.get("user")
    if not user or (bot_user_id and user == bot_user_id):
        return False
    return bool(event.get("channel") and event.get("ts"))


def request_id(event: Mapping[str, Any]) -> str:
    """The reply job's id for a DM: its channel and ts, the same on every redelivery."""
    return f"dm-{event['channel']}-{event['ts']}"
