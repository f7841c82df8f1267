"""The `smallcaps` command: every report in a terminal, and `serve` for the bot.

The words go through the same normalisation as Slack's (handlers.normalise): `smallcaps GAP
3Y`, `smallcaps help` and a bare `smallcaps` behave as in Slack. Exit status: 0 on success,
1 when alert storage (Redis) is unavailable, 2 on bad input (including a bad `--out` file),
3 when market data cannot be had, 4 on a configuration problem (a missing data folder too),
70 on an internal error (a bug: logged with a reference, never called bad input or
configuration).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from analytics.errors import UserError, present
from analytics.periods import InsufficientHistoryError
from bot import alerts_cli as alert_cli
from bot.alerts.store import AlertStoreError
from bot.bootstrap import build_deps
from bot.data.sources import DataUnavailableError
from bot.reports.chart_file import ChartFileError, chart_format, write_chart
from bot.reports.status import collect_status
from bot.runtime.config import ConfigError, Settings, settings_with_data_dir
from bot.runtime.metrics import start_metrics_server
from bot.runtime.workers import limit_malloc_arenas
from handlers import registry
from handlers.channel_defaults import request_context
from handlers.command import Command
from handlers.help import help_text, unknown_topic
from handlers.normalise import command_words as normalised_words
from handlers.prerender import commands_for, prerender
from handlers.status import status_text
from handlers.words import CommandError, parse_context

EXIT_STORE, EXIT_BAD_INPUT, EXIT_NO_DATA, EXIT_CONFIG = 1, 2, 3, 4
EXIT_INTERNAL = 70
"""An unexpected error (a bug): sysexits.h's EX_SOFTWARE, "internal software error"."""
logger = logging.getLogger(__name__)
VERBATIM_OPTIONS = ("--out", "--data-dir")
"""Options whose value is a file or folder name: passed on exactly as typed."""


def _add_command(commands: argparse._SubParsersAction, command: Command
                 ) -> argparse.ArgumentParser:
    """A subcommand taking the same words as `/smallcaps NAME ...`."""
    what = command.summary.replace("%", "%%")  # argparse %-formats help; help says "10 %"
    parser = commands.add_parser(command.name, help=what, description=f"{what}\n\ne.g. "
                                 f"smallcaps {command.example}",
                                 formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("words", nargs="*", metavar="ARG", help=f"as in Slack: {command.usage}")
    return parser


def _add_report_command(commands: argparse._SubParsersAction, command: Command) -> None:
    """A subcommand taking the same words as `/smallcaps NAME ...`, plus CLI options."""
    parser = _add_command(commands, command)
    parser.add_argument("--pair", help="index (default), etf, or SMALL/LARGE Yahoo symbols")
    parser.add_argument("--basis", choices=("total", "price"),
                        help="ETF/stock closes: total (adjusted, default) or price return "
                             "(unadjusted); index levels are price return either way")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="end the window on or before this date")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="folder of <SYMBOL>.csv files instead of Yahoo Finance "
                             "(default: $SMALLCAPS_DATA_DIR)")
    parser.add_argument("--live", action="store_true",
                        help="end on today's unfinished session (labelled intraday, not a close)")
    parser.add_argument("--out", type=Path, metavar="FILE.png",
                        help="write the chart here: .png, .svg or .pdf")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    if command.export is not None:
        parser.add_argument("--csv", type=Path, metavar="FILE.csv",
                            help="write the data behind the chart here (dates, closes, "
                                 "series)")
    else:  # no export: not in its help, and argparse refuses it (exit 2) saying why
        parser.add_argument("--csv", action=_NoExport, help=argparse.SUPPRESS)


class _NoExport(argparse.Action):
    """`--csv` on a report whose spec declares no export: a usage error before any work."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        parser.error(f"{parser.prog.split()[-1]} has no CSV export (its chart's data is not "
                     "exported); --json prints every number of its answer")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smallcaps", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in registry.listed():  # `cli` in each spec (handlers/command.py)
        if command.cli == "report":
            _add_report_command(commands, command)
        elif command.cli == "words":
            _add_command(commands, command)
    topic = commands.add_parser("help", help="usage with an example for every command")
    topic.add_argument("topic", nargs="?", help="one command, e.g. gap")
    commands.add_parser("serve", help="run the Slack bot (Socket Mode or HTTP)")
    worker = commands.add_parser("worker", help="compute and post replies from the queue "
                                 "(any number, on any machine sharing REDIS_URL)")
    worker.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    worker.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="CSV files instead of Yahoo Finance (default: $SMALLCAPS_DATA_DIR)")
    status = commands.add_parser("status", help="data freshness, cache, scheduler, version")
    status.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="report on the CSV source in DIR (default: $SMALLCAPS_DATA_DIR)")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    warm = commands.add_parser("prerender", help="compute the common reports into the cache "
                               "now (the scheduler does it after each alert run)")
    warm.add_argument("--data-dir", type=Path, metavar="DIR",
                      help="CSV files instead of Yahoo Finance (default: $SMALLCAPS_DATA_DIR)")
    alert_cli.add_commands(commands)
    return parser


def settings_for(args: argparse.Namespace) -> Settings:
    """Environment settings, with --data-dir taking precedence; ConfigError (exit 4) when
    the data folder does not exist."""
    return settings_with_data_dir(getattr(args, "data_dir", None))


def normalise_argv(argv: Sequence[str]) -> list[str]:
    """`argv` with the words normalised as Slack's are (handlers.normalise: spaces, dashes,
    quotes, digits, case of keywords), file and folder names kept as typed; nothing at all
    means `help`."""
    out: list[str] = []
    verbatim_next = False
    for arg in argv:
        if verbatim_next:
            out.append(arg)
            verbatim_next = False
            continue
        head, equals, value = arg.partition("=")
        option = normalised_words(head) if equals else []
        if len(option) == 1 and option[0] in VERBATIM_OPTIONS:
            out.append(f"{option[0]}={value}")  # `--out=My Chart.png`: the name as typed
            continue
        words = normalised_words(arg)
        verbatim_next = bool(words) and words[-1] in VERBATIM_OPTIONS
        out += words
    return out or ["help"]


def command_words(args: argparse.Namespace) -> list[str]:
    """The Slack-style words for a report subcommand's arguments and options."""
    words = list(args.words)
    if args.pair:
        words.append(args.pair)
    if args.basis:
        words.append(args.basis)
    if args.as_of:
        words += ["as-of", args.as_of]
    if getattr(args, "live", False):
        words.append("live")
    return words


def run_report(args: argparse.Namespace) -> int:
    """Print a report's summary (or JSON) and write its chart."""
    from handlers.replies import plain_text  # lazy for start-up: it loads slack_sdk

    command = registry.get(args.command)
    csv_file: Path | None = getattr(args, "csv", None)  # only with an export (_add_report...)
    settings = settings_for(args)
    query = command.parse(command_words(args), parse_context(settings, datetime.now(UTC)))
    if args.out:
        check_out(args.out)
    if csv_file:
        check_csv(csv_file)
    deps = build_deps(settings)
    report = deps.reports.run(query)
    if args.out:
        try:
            write_chart(report.chart_png, args.out)
        except ChartFileError as exc:
            raise CommandError(str(exc), "gap 3y --out gap.png") from None
    if csv_file and command.export:
        try:
            csv_file.write_text(command.export.write(deps.market, query, report))
        except OSError as exc:
            raise CommandError(f"`{csv_file.name}` could not be written ({exc.strerror}).",
                               f"{args.command} --csv data.csv") from None
    if args.json:
        print(json.dumps(report.payload, indent=2))
    else:
        print(plain_text(report))
        if args.out:
            print(f"\nChart written to {args.out}")
    return 0


def check_out(path: Path) -> None:
    """Refuse a `--out` file before any work: a suffix other than .png/.svg/.pdf or a
    folder that does not exist is bad input (exit 2)."""
    try:
        chart_format(path)
    except ChartFileError as exc:
        raise CommandError(str(exc), "gap 3y --out gap.png") from None


def check_csv(path: Path) -> None:
    """Refuse a `--csv` file before any work when its folder does not exist (exit 2), as
    `--out` is refused."""
    if not path.parent.is_dir():
        raise CommandError(f"`{path.parent}` is not an existing folder, so `{path.name}` "
                           "cannot be written there.", "gap 3y --csv gap.csv")


def run_words(args: argparse.Namespace) -> int:
    """A `cli="words"` command: print the terminal text of its request."""
    command = registry.get(args.command)
    terminal = present(command.terminal, f"`{command.name}`'s terminal text")  # Command checks
    print(terminal(command.parse(list(args.words),
                                 parse_context(settings_for(args), datetime.now(UTC)))))
    return 0


def run_help(args: argparse.Namespace) -> int:
    """`smallcaps help [COMMAND]` (and a bare `smallcaps`): the usage Slack's help shows;
    a topic that names no command is said so (exit 2) before the whole usage."""
    print(help_text(registry.listed(), "smallcaps", args.topic))  # all when it names none
    if args.topic and registry.find(args.topic) is None:
        print(f"smallcaps: {unknown_topic(args.topic)}", file=sys.stderr)
        return 2
    return 0


def run_serve(args: argparse.Namespace) -> int:
    limit_malloc_arenas()  # before any thread exists (bot.runtime.workers says why)
    from bot.app import create_app  # lazy for start-up: the Slack app and server, for `serve`
    from bot.serve import serve  # lazy: as above

    settings = settings_for(args)
    settings.require_slack()
    settings.require_shared_state(os.environ)
    deps = build_deps(settings, use_queue=True)
    app = create_app(deps)
    workers = None
    if deps.reply_queue.use_queue and settings.smallcaps_web_workers:
        from bot.worker import WorkerThreads  # lazy: as above

        workers = WorkerThreads(deps, settings.smallcaps_web_workers).start()
    serve(app, settings, deps, workers)
    return 0


def run_worker_command(args: argparse.Namespace) -> int:
    """`worker`: take reply jobs from the queue until SIGTERM (or, --burst, until empty)."""
    from bot.worker import run_worker  # lazy for start-up: the queue worker loads RQ, Slack

    settings = settings_for(args)
    if settings.slack_bot_token is None:
        raise ConfigError("Set SLACK_BOT_TOKEN (xoxb-...) so workers can post replies.")
    settings.require_shared_state(os.environ)
    deps = build_deps(settings, use_queue=True)
    start_metrics_server(settings.smallcaps_metrics_port)
    if not deps.reply_queue.use_queue:
        print("smallcaps: the reply queue needs Redis, and none answers", file=sys.stderr)
        return 1
    run_worker(deps, burst=args.burst)
    return 0


def configure_logging(level: int) -> None:
    """Text lines, or one JSON object per line with SMALLCAPS_LOG_FORMAT=json (for log
    pipelines: fields time, level, logger, message, and exc_info when there is one)."""
    if os.environ.get("SMALLCAPS_LOG_FORMAT", "text").strip().lower() != "json":
        logging.basicConfig(level=level,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return
    from pythonjsonlogger.json import JsonFormatter  # lazy: only for SMALLCAPS_LOG_FORMAT=json

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                       rename_fields={"asctime": "time", "levelname": "level",
                                                      "name": "logger"}))
    logging.basicConfig(level=level, handlers=[handler])


def run_status(args: argparse.Namespace) -> int:
    """Print what `/smallcaps status` shows (read-only: fetches nothing)."""

    info = collect_status(build_deps(settings_for(args)))
    print(json.dumps(info, indent=2) if args.json else status_text(info))
    return 0


def run_prerender(args: argparse.Namespace) -> int:
    """Compute SMALLCAPS_PRERENDER's reports into the cache once; exit 3 if any failed."""
    from bot.scheduler import record_prerender  # lazy for start-up: it loads alert delivery

    deps = build_deps(settings_for(args))
    context = request_context(deps)
    done = prerender(deps.reports, commands_for(deps.settings.smallcaps_prerender, context),
                     context)
    record_prerender(deps, done)  # `status` shows it, as after the scheduler's passes
    print(f"{done.computed} reports ready in {done.seconds:.1f} s"
          + (f"; failed: {', '.join(done.failed)}" if done.failed else ""))
    return EXIT_NO_DATA if done.failed else 0


RUNNERS = {"help": run_help, "serve": run_serve, "worker": run_worker_command,
           "status": run_status, "prerender": run_prerender}
"""Subcommands that are not a registry command's own `report` or `words` run."""
RUNNERS["alerts"] = alert_cli.run_alerts
RUNNERS["scheduler"] = alert_cli.run_scheduler
RUNNERS["alert"] = alert_cli.run_alert_admin  # operators: every channel's rules
RUNNERS["digest"] = alert_cli.run_digest_preview  # prints what a digest posts


def _runner(name: str) -> Callable[[argparse.Namespace], int]:
    """How a registry command runs in the terminal (its spec's `cli`)."""
    return run_words if registry.get(name).cli == "words" else run_report


EXIT_READER_GONE = 141
"""128 + SIGPIPE: what a shell reports for a Unix tool whose reader closed the pipe."""


def _reader_gone() -> int:
    """The output's reader closed the pipe (`smallcaps help | head`): write nothing more and
    exit quietly. Python's own recipe: point stdout at /dev/null so the interpreter's final
    flush does not raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_READER_GONE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `smallcaps` console script."""
    args = build_parser().parse_args(normalise_argv(sys.argv[1:] if argv is None else argv))
    level = logging.DEBUG if args.verbose else \
        logging.INFO if args.command in ("serve", "scheduler", "worker") \
        else logging.WARNING
    configure_logging(level)
    try:
        return (RUNNERS.get(args.command) or _runner(args.command))(args)
    except BrokenPipeError:
        return _reader_gone()
    except UserError as exc:
        example = f"\n  e.g. smallcaps {exc.example}" if exc.example else ""
        print(f"smallcaps: {exc.message}{example}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (InsufficientHistoryError, DataUnavailableError) as exc:
        print(f"smallcaps: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except AlertStoreError as exc:
        print(f"smallcaps: {exc}", file=sys.stderr)
        return EXIT_STORE
    except (ConfigError, ValidationError) as exc:  # pydantic's: a setting that is not valid
        print(f"smallcaps: configuration problem: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception:  # a bug: never relabelled as bad input or configuration
        ref = uuid.uuid4().hex[:8]
        logger.exception("internal error (ref %s) in `smallcaps %s`", ref, args.command)
        print(f"smallcaps: internal error, ref {ref} (the log above has the details)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
