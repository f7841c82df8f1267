"""The `smallcaps` command: `gap` (and friends) in a terminal, and `serve` for the bot.

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
from bot.config import ConfigError, Settings
from bot.data.sources import DataUnavailableError
from handlers.gap_reply import gap_plain_text
from handlers.parsing import CommandError, parse_gap

EXIT_BAD_INPUT, EXIT_NO_DATA, EXIT_CONFIG = 2, 3, 4


def _report_options(parser: argparse.ArgumentParser) -> None:
    """Options every report command shares."""
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="end the window on or before this date")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="folder of <SYMBOL>.csv files instead of Yahoo Finance "
                             "(default: $SMALLCAPS_DATA_DIR)")
    parser.add_argument("--out", type=Path, metavar="FILE.png", help="write the chart here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smallcaps", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    gap = commands.add_parser("gap", help="small vs large caps over a period, with history rank")
    gap.add_argument("period", nargs="?", default="3y",
                     help="1m 3m 6m ytd 1y 2y 3y 5y 10y 20y max, Nd/Nw/Nm/Ny, or "
                          "YYYY-MM-DD..YYYY-MM-DD (default 3y)")
    gap.add_argument("pair_word", nargs="?", metavar="PAIR", help="same as --pair")
    gap.add_argument("--pair", help="index (default), etf, or SMALL/LARGE Yahoo symbols")
    _report_options(gap)
    commands.add_parser("serve", help="run the Slack bot (Socket Mode or HTTP)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "data_dir", None) is not None:
        settings = settings.model_copy(update={"smallcaps_data_dir": args.data_dir})
    return settings


def run_gap(args: argparse.Namespace) -> int:
    """Print the gap summary (or JSON) and write the chart."""
    from bot.deps import build_deps

    if args.pair and args.pair_word:
        raise CommandError("Give the pair once: as a word or with --pair.", "gap 3y --pair etf")
    words = [args.period] + [w for w in (args.pair_word or args.pair,) if w]
    if args.as_of:
        words += ["as-of", args.as_of]
    query = parse_gap(words)
    deps = build_deps(_settings(args))
    report = deps.reports.gap(query)
    if args.out:
        args.out.write_bytes(report.chart_png)
    if args.json:
        print(json.dumps(report.payload, indent=2))
    else:
        print(gap_plain_text(report.payload))
        if args.out:
            print(f"\nChart written to {args.out}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from bot.app import create_app
    from bot.deps import build_deps
    from bot.serve import serve

    settings = _settings(args)
    settings.require_slack()
    serve(create_app(build_deps(settings)), settings)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `smallcaps` console script."""
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.INFO if args.command == "serve" \
        else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runners = {"gap": run_gap, "serve": run_serve}
    try:
        return runners[args.command](args)
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
