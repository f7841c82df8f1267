"""The `smallcaps` command: every report in a terminal, and `serve` for the bot.

Exit status: 0 on success, 2 on bad input, 3 when market data cannot be had, 4 on a
configuration problem.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from analytics.periods import InsufficientHistoryError
from bot.alerts import cli as alert_cli
from bot.config import ConfigError, Settings
from bot.data.sources import DataUnavailableError
from handlers.help import COMMANDS
from handlers.parsing import PARSERS, CommandError

EXIT_BAD_INPUT, EXIT_NO_DATA, EXIT_CONFIG = 2, 3, 4


def _add_report_command(commands: argparse._SubParsersAction, name: str, usage: str,
                        what: str, example: str) -> None:
    """A subcommand taking the same words as `/smallcaps NAME ...`, plus CLI options."""
    what = what.replace("%", "%%")  # argparse %-formats help strings; help text says "10 %"
    parser = commands.add_parser(name, help=what, description=f"{what}\n\ne.g. smallcaps "
                                 f"{example}", formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("words", nargs="*", metavar="ARG", help=f"as in Slack: {usage}")
    parser.add_argument("--pair", help="index (default), etf, or SMALL/LARGE Yahoo symbols")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="end the window on or before this date")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="folder of <SYMBOL>.csv files instead of Yahoo Finance "
                             "(default: $SMALLCAPS_DATA_DIR)")
    parser.add_argument("--live", action="store_true",
                        help="end on today's unfinished session (labelled intraday, not a close)")
    parser.add_argument("--out", type=Path, metavar="FILE.png", help="write the chart here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


OWN_SUBPARSER = {"status"}
"""Commands whose CLI options differ from the report words/options, added separately."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smallcaps", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, usage, what, example in COMMANDS:
        if name in PARSERS and name not in OWN_SUBPARSER:
            _add_report_command(commands, name, usage, what, example)
    commands.add_parser("serve", help="run the Slack bot (Socket Mode or HTTP)")
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
    """Environment settings, with --data-dir taking precedence."""
    settings = Settings()
    if getattr(args, "data_dir", None) is not None:
        settings = settings.model_copy(update={"smallcaps_data_dir": args.data_dir})
    return settings


def command_words(args: argparse.Namespace) -> list[str]:
    """The Slack-style words for a report subcommand's arguments and options."""
    words = list(args.words)
    if args.pair:
        words.append(args.pair)
    if args.as_of:
        words += ["as-of", args.as_of]
    if getattr(args, "live", False):
        words.append("live")
    return words


def run_report(args: argparse.Namespace) -> int:
    """Print a report's summary (or JSON) and write its chart."""
    from bot.deps import build_deps
    from handlers.replies import plain_text

    query = PARSERS[args.command](command_words(args))
    report = build_deps(settings_for(args)).reports.run(query)
    if args.out:
        args.out.write_bytes(report.chart_png)
    if args.json:
        print(json.dumps(report.payload, indent=2))
    else:
        print(plain_text(report))
        if args.out:
            print(f"\nChart written to {args.out}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from bot.workers import limit_malloc_arenas

    limit_malloc_arenas()  # before any thread exists (bot.workers says why)
    from bot.app import create_app
    from bot.deps import build_deps
    from bot.serve import serve

    settings = settings_for(args)
    settings.require_slack()
    serve(create_app(build_deps(settings)), settings)
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Print what `/smallcaps status` shows (read-only: fetches nothing)."""
    from bot.deps import build_deps
    from bot.status import collect_status
    from handlers.status import status_text

    info = collect_status(build_deps(settings_for(args)))
    print(json.dumps(info, indent=2) if args.json else status_text(info))
    return 0


def run_prerender(args: argparse.Namespace) -> int:
    """Compute SMALLCAPS_PRERENDER's reports into the cache once; exit 3 if any failed."""
    from bot.alerts.scheduler import record_prerender
    from bot.deps import build_deps
    from bot.prerender import commands_for, prerender

    deps = build_deps(settings_for(args))
    done = prerender(deps.reports, commands_for(deps.settings.smallcaps_prerender))
    record_prerender(deps, done)  # `status` shows it, as after the scheduler's passes
    print(f"{done.computed} reports ready in {done.seconds:.1f} s"
          + (f"; failed: {', '.join(done.failed)}" if done.failed else ""))
    return EXIT_NO_DATA if done.failed else 0


RUNNERS = {"serve": run_serve, "status": run_status, "prerender": run_prerender}
"""Non-report subcommands; every command in handlers.parsing.PARSERS runs as a report."""
RUNNERS["alerts"] = alert_cli.run_alerts
RUNNERS["scheduler"] = alert_cli.run_scheduler
RUNNERS["alert"] = alert_cli.run_alert_admin  # operators: every channel's rules
RUNNERS["digest"] = alert_cli.run_digest_preview  # prints what a digest posts


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `smallcaps` console script."""
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else \
        logging.INFO if args.command in ("serve", "scheduler") \
        else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return RUNNERS.get(args.command, run_report)(args)
    except CommandError as exc:
        print(f"smallcaps: {exc.message}\n  e.g. smallcaps {exc.example}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (InsufficientHistoryError, DataUnavailableError) as exc:
        print(f"smallcaps: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except (ConfigError, ValueError) as exc:
        print(f"smallcaps: configuration problem: {exc}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
