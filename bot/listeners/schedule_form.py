"""The schedule form's listeners: the global shortcut "Schedule a report", App Home's "New
schedule" button, Edit and Remove under `schedule list`, and the form's submission.

Each opens its modal with the click's `trigger_id` before anything slow (Slack allows 3
seconds), and answers a submission in its ack: field errors (`response_action: "errors"`,
keyed by block id, the text grammar's words) or the saved schedule (`"update"`). Only a
schedule's creator or an admin may edit or remove it, checked at the click and again at the
submission.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from analytics.formatting import clip
from bot.alerts.store import AlertStoreError
from bot.runtime.deps import Deps
from bot.slack.escape import escape
from handlers.channel_defaults import request_context
from handlers.registry import parse_command, schedulable
from handlers.schedule import may_change, refusal, report_problem, saved_words
from handlers.schedule_form import (
    CHANNEL,
    REPORT,
    WORDS,
    message_view,
    metadata,
    picked_channel,
    read_form,
    saved_view,
    schedule_modal,
)

logger = logging.getLogger(__name__)


def _channel_of(body: dict[str, Any]) -> str | None:
    """The channel a click came from (a message's), None from App Home or a shortcut."""
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    return channel.get("id") or container.get("channel_id") or None


def open_new(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The shortcut or App Home's button: the form with a channel picker; New schedule
    under `schedule list`: the form for that channel (kept in private_metadata)."""
    ack()
    client.views_open(trigger_id=body["trigger_id"],
                      view=schedule_modal(schedulable(), channel_id=_channel_of(body)))


def _say(body: dict[str, Any], client: WebClient, respond: Respond, text: str) -> None:
    """Tell the clicker: under the message they clicked (ephemeral), else in a modal."""
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=message_view(text))


def on_edit(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
            deps: Deps) -> None:
    """Edit under `schedule list`: the form filled with the schedule (creator or admin)."""
    ack()
    schedule_id = str(body["actions"][0].get("value") or "")
    try:
        found = deps.stores.schedules.get(schedule_id)
    except AlertStoreError as exc:
        _say(body, client, respond, f":warning: {exc}")
        return
    if found is None:
        _say(body, client, respond, f":warning: Schedule `{escape(schedule_id)}` no longer "
                                    "exists (`schedule list` shows them).")
    elif not may_change(found, body["user"]["id"], deps.settings.admin_user_ids):
        _say(body, client, respond, refusal(found, "edit"))
    else:
        client.views_open(trigger_id=body["trigger_id"],
                          view=schedule_modal(schedulable(), schedule=found))


def on_remove(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
              deps: Deps) -> None:
    """Remove under `schedule list` (after Slack's confirm dialog): creator or admin."""
    ack()
    schedule_id = str(body["actions"][0].get("value") or "")
    store = deps.stores.schedules
    try:
        found = store.get(schedule_id)
        if found is None:
            text = f":warning: Schedule `{escape(schedule_id)}` no longer exists."
        elif not may_change(found, body["user"]["id"], deps.settings.admin_user_ids):
            text = refusal(found, "remove")
        else:
            store.remove(found.id)
            text = f":white_check_mark: Removed {found.id}: {escape(found.describe())}."
    except AlertStoreError as exc:
        text = f":warning: {exc}"
    _say(body, client, respond, text)


def bot_is_out_of(client: WebClient, channel: str) -> bool:
    """True when Slack says the bot is not a member of `channel` (conversations.info): a
    scheduled report's chart could not be posted there. False when Slack will not say (the
    post will say so then)."""
    try:
        info = client.conversations_info(channel=channel)
    except SlackApiError:
        return False
    return (info.get("channel") or {}).get("is_member") is False


def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
              deps: Deps) -> None:
    """The form's submission: field errors, or the schedule saved and shown."""
    channel_id, schedule_id = metadata(view)
    values = (view.get("state") or {}).get("values") or {}
    picked = channel_id or picked_channel(values)
    user_id = str((body.get("user") or {}).get("id") or "")
    if not user_id:
        logger.info("Ignored a schedule form submission without a user")
        ack()
        return
    if channel_id is None and picked and bot_is_out_of(client, picked):
        ack(response_action="errors", errors={CHANNEL: (
            "I'm not in that channel, so I could not post the report's chart there: run "
            "/invite @smallcaps in it first, or pick another.")})
        return
    context = request_context(deps, picked)  # today, settings, that channel's defaults
    form, errors = read_form(values, channel_id, lambda text: parse_command(text, context),
                             schedulable())
    if form is None:
        ack(response_action="errors", errors=errors)
        return
    problem = report_problem(deps, parse_command(form.command, context))
    if problem:  # a report that could never be posted (an unknown symbol, too little data)
        ack(response_action="errors", errors={WORDS: clip(problem.replace("`", ""), 150)})
        return
    store = deps.stores.schedules
    try:
        if schedule_id:
            found = store.get(schedule_id)
            if found is None:
                ack(response_action="errors", errors={
                    REPORT: f"Schedule {schedule_id} no longer exists."})
                return
            if not may_change(found, user_id, deps.settings.admin_user_ids):
                ack(response_action="errors", errors={
                    REPORT: f"Only the creator of {found.id} or an admin can change it."})
                return
            saved = store.update(replace(found, command=form.command,
                                         frequency=form.frequency, weekday=form.weekday,
                                         at=form.at), deps.clock())
        else:
            saved = store.add(form.channel_id, form.command, form.frequency, form.weekday,
                              user_id, deps.clock(), form.at)
    except AlertStoreError as exc:
        ack(response_action="errors", errors={REPORT: str(exc)})
        return
    logger.info("schedule %s saved by form: %s", saved.id, form.words())
    ack(response_action="update", view=saved_view(
        f":white_check_mark: {saved_words(deps, saved)}\nIn text: `/smallcaps schedule edit "
        f"{saved.id} {escape(saved.grammar())}`"))
