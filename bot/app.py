"""The Bolt app factory: one place that wires Slack to the rest of the bot."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.listeners import (
    actions,
    alert_form,
    csv,
    defaults_form,
    direct,
    home,
    mentions,
    schedule_form,
    share,
    slash,
)
from bot.listeners.jobs import run_reply
from bot.runtime.deps import Deps
from bot.slack import redelivery
from bot.slack.slack_io import reply_client_options
from handlers import defaults_form as defaults_view
from handlers import schedule as schedule_command
from handlers import schedule_form as schedule_view
from handlers.alert_form import (
    ALERT_ME_ACTION,
    FORM_CALLBACK,
    NEW_ALERT_ACTION,
    NEW_ALERT_SHORTCUT,
)
from handlers.alert_text import EDIT_ACTION, RULE_ACTIONS
from handlers.chart_links import LINK_ACTION
from handlers.csv_button import CSV_ACTION
from handlers.home_view import REFRESH_ACTION
from handlers.share import SHARE_ACTION


def create_client(deps: Deps) -> WebClient:
    """A Web API client for the configured base URL that retries rate limits (HTTP 429)."""
    return WebClient(**reply_client_options(deps.settings))


def provide_deps(deps: Deps) -> Callable[[BoltContext, Callable[[], None]], None]:
    """A middleware that hands `deps` to every listener: Bolt passes context values to a
    listener by name, so a listener declares a `deps` parameter and tests call it directly."""

    def middleware(context: BoltContext, next_: Callable[[], None]) -> None:
        context["deps"] = deps
        next_()

    return middleware


def register_forms(app: App) -> None:
    """Issue 24, schedules and channel defaults by form: the "Schedule a report" shortcut,
    App Home's New schedule and Channel defaults buttons, Edit/Remove under `schedule list`,
    the defaults form's channel picker, and both modals' submissions."""
    app.shortcut(schedule_view.SHORTCUT_ID)(schedule_form.open_new)
    app.action(schedule_command.NEW_ACTION)(schedule_form.open_new)
    app.action(schedule_command.EDIT_ACTION)(schedule_form.on_edit)
    app.action(schedule_command.REMOVE_ACTION)(schedule_form.on_remove)
    app.view(schedule_view.CALLBACK_ID)(schedule_form.on_submit)
    app.action(defaults_view.OPEN_ACTION)(defaults_form.on_open)
    app.action(defaults_view.CHANNEL_ACTION)(defaults_form.on_channel)
    app.view(defaults_view.CALLBACK_ID)(defaults_form.on_submit)


def create_app(deps: Deps) -> App:
    """A Bolt app with every listener registered, talking to `deps.settings.slack_api_url`.

    Bolt builds a per-request client from `app.client`'s base URL, so pointing the client at
    a local fake Web API is enough to test the real listeners end to end.
    """
    settings = deps.settings
    secret = settings.slack_signing_secret
    app = App(
        client=create_client(deps),
        signing_secret=secret.get_secret_value() if secret else None,
        request_verification_enabled=not settings.socket_mode or secret is not None,
        # Every listener only parses, acks and hands the work on (a queued job or the reply
        # pool), so it runs in the request's own thread and the answer goes out when it
        # returns: no hop to Bolt's listener threads and no 10 ms polling for the ack
        # (sequential acks 11 -> 1.5 ms, bench/RESULTS.md). A listener that did slow work
        # here would hold its request: hand it on instead.
        process_before_response=True,
    )
    redelivery.register(app, deps.cache)  # redeliveries and replays are answered once
    app.use(provide_deps(deps))
    app.command(slash.SLASH_COMMAND)(slash.on_smallcaps)
    app.event("app_mention")(mentions.on_mention)
    app.action(actions.SWITCH_ACTION)(actions.on_switch)
    app.action(CSV_ACTION)(csv.on_csv)
    app.action(LINK_ACTION)(actions.on_link)
    app.event("app_home_opened")(home.on_home_opened)
    app.action(REFRESH_ACTION)(home.on_refresh)

    # A private place to ask (issue 24): the bot's direct messages (Messages tab, event
    # message.im) and the Share to channel picker under their answers.
    app.event("message")(direct.on_direct_message)
    app.action(SHARE_ACTION)(share.on_share)

    # Schedules and channel defaults by form (issue 24, bot/listeners/schedule_form.py and
    # defaults_form.py): the "Schedule a report" shortcut, Home's and `schedule list`'s
    # buttons, the modals' submissions.
    register_forms(app)

    # --- Alerts by form (issue 24; bot/listeners/alert_form.py): each opens its modal with
    # the click's trigger_id before returning (within Slack's 3 s), and the submission is
    # answered in its ack (field errors, or closed).
    app.action(ALERT_ME_ACTION)(alert_form.on_alert_me)      # "Alert me on this"
    app.action(NEW_ALERT_ACTION)(alert_form.on_new_alert)    # App Home "New alert"
    app.shortcut(NEW_ALERT_SHORTCUT)(alert_form.on_new_alert)  # global shortcut
    app.action(EDIT_ACTION)(alert_form.on_edit)              # Edit (alert list, App Home)
    for rule_action in RULE_ACTIONS:                         # Pause, Resume, Remove
        app.action(rule_action)(alert_form.on_rule_action)
    app.view(FORM_CALLBACK)(alert_form.on_submit)            # the form's Save
    # --- end of alerts by form
    deps.reply_queue.run_local = partial(run_reply, deps)  # jobs run here without a queue
    return app
