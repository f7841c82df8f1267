"""Terminal entry points for alerts: `alerts run`, `scheduler`, and operator views.

- `smallcaps alerts run [--as-of YYYY-MM-DD] [--data-dir DIR]`: evaluate once and exit.
- `smallcaps scheduler [--data-dir DIR]`: the `clock:` process (see bot.scheduler).
- `smallcaps alert list|remove ID|pause ID|resume ID`: every channel's rules, for operators
  (rules are added from Slack: a rule belongs to a channel).
- `smallcaps digest [--as-of DATE]`: print what a channel digest posts.

`smallcaps` loads this module for every command, so the evaluator, the Slack client and the
reply words are imported by the commands that use them, not at the top.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bot.alerts.store import AlertStoreError
from bot.bootstrap import build_deps
from bot.runtime.config import ConfigError, Settings, settings_with_data_dir
from bot.runtime.deps import Deps
from bot.runtime.health import warn_if_evictable
from bot.runtime.metrics import start_metrics_server
from handlers.alert_parsing import AlertAction, AlertList, parse_alert
from handlers.channel_defaults import request_context
from handlers.prerender import commands_for
from handlers.words import CommandError, parse_context

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.alerts.delivery import AlertMessages

EXIT_FAILED = 1
EXIT_SKIPPED = 5
"""`alerts run` did nothing because another evaluation of that day holds its lock (a live
process; a dead one's lock is taken over). Cron wrappers should retry later."""


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The `alerts` and `scheduler` subcommands (`alert`/`digest` come from handlers.help)."""
    alerts = commands.add_parser("alerts", help="evaluate alert rules once and post results")
    actions = alerts.add_subparsers(dest="alerts_action", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="evaluate every rule up to a day, post, exit")
    run.add_argument("--as-of", metavar="YYYY-MM-DD",
                     help="evaluate up to this day (default: today in SMALLCAPS_ALERT_TZ)")
    run.add_argument("--data-dir", type=Path, metavar="DIR",
                     help="folder of <SYMBOL>.csv files instead of Yahoo Finance")
    clock = commands.add_parser("scheduler", help="evaluate alerts every trading day after "
                                "the US close (runs until stopped)")
    clock.add_argument("--data-dir", type=Path, metavar="DIR",
                       help="folder of <SYMBOL>.csv files instead of Yahoo Finance")


def alert_messages(settings: Settings) -> AlertMessages:
    """What the delivery posts, in the commands' words (handlers/): services do not import
    the commands, so the entry points hand these over (scheduled reports are parsed with
    `settings`: the risk-free rate, the board)."""
    from bot.alerts.delivery import AlertMessages  # lazy for start-up: delivery loads Slack
    from handlers import alert_text, report_posts  # lazy: report_posts loads Slack too

    return AlertMessages(firing=alert_text.firing_message, digest=report_posts.digest_message,
                         scheduled=partial(report_posts.scheduled_message, settings=settings),
                         chart_labels=report_posts.chart_labels,
                         chart_query=report_posts.alert_chart_query,
                         digest_query=report_posts.digest_query)


def _settings(args: argparse.Namespace) -> Settings:
    return settings_with_data_dir(getattr(args, "data_dir", None))


def _deps_and_client(args: argparse.Namespace) -> tuple[Deps, WebClient]:
    from bot.alerts.delivery import alerts_client  # lazy for start-up: delivery loads Slack

    settings = _settings(args)
    if settings.slack_bot_token is None:
        raise ConfigError("Set SLACK_BOT_TOKEN (xoxb-...) so alerts can be posted.")
    settings.require_shared_state(os.environ)
    return build_deps(settings), alerts_client(settings)


def _as_of(text: str | None, settings: Settings) -> date:
    if not text:
        return datetime.now(settings.alert_zone).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"`{text}` is not a date: use YYYY-MM-DD.",
                           "alerts run --as-of 2024-03-26") from None


def run_alerts(args: argparse.Namespace) -> int:
    """`alerts run`: one evaluation, a summary on stdout, problems on stderr."""
    from bot.alerts.evaluator import Evaluator  # lazy for start-up: it loads delivery
    from bot.scheduler import record_run  # lazy: as above

    deps, client = _deps_and_client(args)
    as_of = _as_of(args.as_of, deps.settings)
    try:
        summary = Evaluator(deps, client, alert_messages(deps.settings)).run(as_of)
    except AlertStoreError as exc:
        print(f"smallcaps: {exc}", file=sys.stderr)
        return EXIT_FAILED
    record_run(deps, summary)
    if summary.skipped:
        print(f"smallcaps: nothing done: {summary.skipped}; try again once it has finished.",
              file=sys.stderr)
        return EXIT_SKIPPED
    print(f"Alerts evaluated up to {as_of}: {summary.rules_evaluated} rule(s), "
          f"{summary.events} event(s), {summary.posts} post(s).")
    for error in summary.errors:
        print(f"  problem: {error}", file=sys.stderr)
    if summary.left:
        print(f"  {summary.left} post(s) not taken by Slack: checked and posted at the next "
              "run.", file=sys.stderr)
    return 0


def run_scheduler(args: argparse.Namespace) -> int:
    """`scheduler`: run forever (Ctrl-C or SIGTERM to stop)."""
    from bot.alerts.evaluator import Evaluator  # lazy for start-up: it loads delivery
    from bot.scheduler import Scheduler  # lazy: as above

    deps, client = _deps_and_client(args)
    start_metrics_server(deps.settings.smallcaps_metrics_port)
    warn_if_evictable(deps.cache.client)  # the scheduler writes the outbox and run records
    prerender_commands = commands_for(deps.settings.smallcaps_prerender, request_context(deps))
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger(__name__).info(
        "Scheduler: alerts at %s %s on NYSE trading days", deps.settings.smallcaps_alert_time,
        deps.settings.smallcaps_alert_tz)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # finish the current run, then exit
    try:
        Scheduler(deps, Evaluator(deps, client, alert_messages(deps.settings)), stop=stop,
                  prerender_commands=prerender_commands).run_forever()
    except KeyboardInterrupt:
        pass
    return 0


def run_alert_admin(args: argparse.Namespace) -> int:
    """`alert list|remove|pause|resume` across all channels (operators)."""
    settings = _settings(args)
    request = parse_alert(list(args.words), parse_context(settings, datetime.now(UTC)))
    if not isinstance(request, AlertList | AlertAction):
        raise CommandError("Add and edit rules from Slack (`/smallcaps alert add ...`, "
                           "`alert edit ID ...`): a rule belongs to the channel it is added "
                           "in.", "alert list")
    store = build_deps(settings).stores.alerts
    if isinstance(request, AlertList):
        rules = store.list_rules()
        for rule in rules:
            value = "" if rule.last_value is None else \
                f" · {rule.spec.metric.format(rule.last_value)} on {rule.last_value_date}"
            print(f"{rule.id:>5}  {rule.channel_id:<12} {rule.description}  "
                  f"[{rule.status}{value}] by {rule.creator_id}")
        print(f"{len(rules)} rule(s).")
        return 0
    found = store.get(request.rule_id)
    if found is None:  # bad input (exit 2); 1 is for alert storage that cannot be reached
        raise CommandError(f"There is no rule `{request.rule_id}`.", "alert list")
    done = store.remove(found) if request.action == "remove" else \
        store.set_paused(found.id, request.action == "pause")
    print(f"{request.action}: {found.id} {found.description}" if done else
          f"nothing changed: {found.id} is already {'paused' if found.paused else 'running'}")
    return 0


def run_digest_preview(args: argparse.Namespace) -> int:
    """`digest`: print the view a digest posts (the `table`)."""
    from handlers.replies import plain_text  # lazy for start-up: it loads Slack
    from handlers.report_posts import digest_query  # lazy: as above

    if args.words:
        raise CommandError("Digests are set per channel in Slack (`/smallcaps digest daily`);"
                           " here `smallcaps digest` prints what one posts.", "digest")
    settings = _settings(args)
    report = build_deps(settings).reports.run(
        digest_query(_as_of(args.as_of, settings).isoformat()))
    print(plain_text(report))
    return 0
