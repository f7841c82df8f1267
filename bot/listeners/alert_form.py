"""Alerts by form: the "Alert me on this" button under answers, the rule buttons of
`alert list` and App Home, the "New smallcaps alert" shortcut, and the form's submission.

A modal must be opened with the click's `trigger_id` within 3 seconds of the click; the app
runs with process_before_response=True, so each listener acks first and then calls
`views.open` before it returns (building the form reads no market data). The submission is
answered in its ack: `response_action: "errors"` with a message on each field at fault, or
an empty ack that closes the modal, after which the user is told in the channel, only to
them (chat.postEphemeral), with the same words as `alert add`.

The form itself and its translation to rule words are in handlers/alert_form.py; the rules
in bot/alerts/commands.py (which also decides who may change a rule).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.alerts.commands import AlertCommandError, AlertCommands
from bot.alerts.store import AlertStoreError
from bot.listeners.slash import error_text
from bot.runtime.deps import Deps
from handlers import alert_text
from handlers.alert_form import (
    CHANNEL,
    METRIC,
    FormContext,
    FormErrors,
    alert_view,
    default_spec,
    field_of,
    notice_view,
    offer_from_value,
    plain,
    read_form,
    spec_of_offer,
)
from handlers.alert_parsing import AlertAction
from handlers.alerts import answer_alert
from handlers.words import CommandError

logger = logging.getLogger(__name__)


def _schedule(deps: Deps) -> str:
    settings = deps.settings
    return f"{settings.smallcaps_alert_time} {settings.smallcaps_alert_tz}"


def _clicked_channel(body: dict[str, Any]) -> str | None:
    """The channel of the message clicked (None for a click in App Home)."""
    container = body.get("container") or {}
    return container.get("channel_id") or (body.get("channel") or {}).get("id")


def _tell_clicker(client: WebClient, body: dict[str, Any], respond: Callable[..., Any] | None,
                  text: str) -> None:
    """A note only the clicking user sees: through the click's response_url on a message,
    as a small modal in App Home (which has no response_url)."""
    try:
        if body.get("response_url") and respond is not None:
            respond(response_type="ephemeral", replace_original=False, text=text)
        elif body.get("trigger_id"):
            client.views_open(trigger_id=body["trigger_id"],
                              view=notice_view("smallcaps alerts", text))
    except Exception:  # noqa: BLE001 - nothing more to do than log it
        logger.exception("could not tell the clicking user %r", text[:80])


def _open(client: WebClient, body: dict[str, Any], view: dict[str, Any],
          respond: Callable[..., Any] | None) -> None:
    """views.open with the click's trigger_id (valid 3 s); a failure is told to the user."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        logger.warning("a click without a trigger_id: no form can be opened")
        return
    try:
        client.views_open(trigger_id=trigger, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error")
        logger.warning("views.open failed: %s", error)
        _tell_clicker(client, body, respond,
                      ":warning: Slack did not open the alert form "
                      f"(`{error}`); click again, or type "
                      "`/smallcaps alert add ...` instead.")


def on_alert_me(ack: Ack, body: dict[str, Any], client: WebClient, respond: Any,
                deps: Deps) -> None:
    """"Alert me on this" under an answer: the form filled from the answer, for its
    channel (with a channel picker when the answer is in a direct message)."""
    ack()
    channel = _clicked_channel(body)
    try:
        offer = offer_from_value(body["actions"][0].get("value") or "")
        spec = spec_of_offer(offer)
    except (ValueError, KeyError, CommandError):
        _tell_clicker(client, body, respond, ":warning: This button is from an older version "
                      "of smallcaps; `/smallcaps alert add ...` sets a rule by text.")
        return
    if channel is not None and channel.startswith("D"):
        channel = None  # a direct message: alerts post in channels, so the form asks which
    _open(client, body, alert_view(spec, FormContext(channel, seen=offer.seen,
                                                     basis=offer.basis)), respond)


def on_new_alert(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """The "New smallcaps alert" shortcut and App Home's "New alert": a blank form (the
    grammar's example) with a channel picker, as there is no channel to take."""
    ack()
    _open(client, body, alert_view(default_spec(), FormContext()), None)


def on_edit(ack: Ack, body: dict[str, Any], client: WebClient, respond: Any,
            deps: Deps) -> None:
    """Edit on a rule (`alert list`, App Home): the form filled with the rule, if the user
    may change it (its creator or an admin), else a friendly refusal."""
    ack()
    rule_id = str(body["actions"][0].get("value") or "")
    user = str((body.get("user") or {}).get("id") or "")
    if not user:
        logger.info("Ignored an Edit click without a user")
        return
    try:
        rule = AlertCommands(deps).rule_for(rule_id, _clicked_channel(body), user, "edit")
    except AlertCommandError as exc:
        _tell_clicker(client, body, respond, f":no_entry: {exc.message}")
        return
    except AlertStoreError as exc:
        _tell_clicker(client, body, respond, f":warning: {exc}")
        return
    _open(client, body, alert_view(rule.spec, FormContext(rule.channel_id, rule.id)), respond)


def on_rule_action(ack: Ack, body: dict[str, Any], client: WebClient, respond: Any,
                   deps: Deps) -> None:
    """Pause, Resume or Remove on a rule in `alert list`: the same checks and words as
    `/smallcaps alert pause|resume|remove ID`, only to the clicking user. Done from the list
    message, the list is replaced in place by the channel's list as it now stands, with the
    outcome on top (the clicked buttons would otherwise offer what no longer applies)."""
    ack()
    user = str((body.get("user") or {}).get("id") or "")
    if not user:
        logger.info("Ignored a rule button without a user")
        return
    action = body["actions"][0]
    verb = {alert_text.PAUSE_ACTION: "pause", alert_text.RESUME_ACTION: "resume",
            alert_text.REMOVE_ACTION: "remove"}[action["action_id"]]
    channel = _clicked_channel(body) or ""
    command = {"channel_id": channel, "user_id": user,
               "text": f"alert {verb} {action.get('value')}"}
    replies: list[dict[str, Any]] = []
    answer_alert(deps, AlertAction(verb, action.get("value") or ""),  # type: ignore[arg-type]
                 command, lambda **reply: replies.append(reply), error_text)
    outcome = str((replies or [{}])[0].get("text") or "")
    done = not outcome.startswith(":warning:") and not outcome.startswith(":no_entry:")
    if done and channel and body.get("response_url") and respond is not None:
        try:
            commands = AlertCommands(deps)
            blocks, _ = alert_text.list_blocks(commands.list(channel),
                                               commands.store.max_rules, _schedule(deps))
            respond(response_type="ephemeral", replace_original=True, text=outcome,
                    blocks=[alert_text.note_block(outcome), *blocks][:50])
            return
        except Exception:  # noqa: BLE001 - the outcome is still told below
            logger.exception("could not refresh the alert list after %s", verb)
    _tell_clicker(client, body, respond, outcome)


def _first_field(context: FormContext) -> str:
    return CHANNEL if context.channel_id is None and context.rule_id is None else METRIC


def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
              deps: Deps) -> None:
    """The form was submitted: read it as rule words, then create or edit the rule. Errors
    go back on their fields in the ack (the modal stays open); success closes the modal
    and tells the user in the rule's channel."""
    context = FormContext.from_metadata(view.get("private_metadata"))
    user = str((body.get("user") or {}).get("id") or "")
    if not user:
        logger.info("Ignored a form submission without a user")
        ack()
        return
    first = _first_field(context)
    commands = AlertCommands(deps)
    try:
        submitted = read_form((view.get("state") or {}).get("values") or {})
        channel = context.channel_id or submitted.channel_id
        if channel is None:
            raise FormErrors({CHANNEL: "Choose the channel the alert posts in."})
        if context.rule_id is not None:
            result = commands.edit(context.rule_id, channel, user, submitted.spec)
            blocks, text = alert_text.edited_blocks(result, _schedule(deps))
        else:
            result = commands.add(channel, user, submitted.spec)
            blocks, text = alert_text.added_blocks(result, _schedule(deps))
    except FormErrors as exc:
        ack(response_action="errors", errors=exc.errors)
        return
    except AlertCommandError as exc:
        field = field_of(exc.message, default=first)
        ack(response_action="errors", errors={field: plain(exc.message)[:300]})
        return
    except AlertStoreError as exc:
        ack(response_action="errors", errors={first: str(exc)[:300]})
        return
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("alert form failed (ref %s)", ref)
        ack(response_action="errors",
            errors={first: f"Something went wrong on our side (ref {ref}); it is logged."})
        return
    ack()
    confirm(client, channel, user, text, blocks)


def confirm(client: WebClient, channel: str, user: str, text: str,
            blocks: list[dict[str, Any]]) -> None:
    """Tell `user` the rule is saved: only to them in `channel`, or, when Slack refuses that
    (the bot is not in the channel: its firings could not be posted there either), in the
    user's direct message with the bot, with how to fix it. Never silence."""
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
        return
    except SlackApiError as exc:  # the rule is saved; the channel refused the note
        error = str(exc.response.get("error") or "refused")
        logger.warning("alert form: confirmation not posted in %s (%s)", channel, error)
    note = (f":warning: I could not post in <#{channel}> (`{error}`), so the alert's firings "
            "could not be posted there either: run `/invite @smallcaps` in that channel.")
    try:
        client.chat_postMessage(channel=user, text=f"{text}\n{note}", blocks=[
            *blocks[:48], {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}])
    except SlackApiError as exc:
        logger.warning("alert form: no confirmation reached %s (%s)", user,
                       exc.response.get("error"))
