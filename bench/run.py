"""Run the benchmark: `make bench` (or `.venv/bin/python -m bench.run [--quick]`).

Offline on ../shared/market-data: the bot runs in its own process behind waitress (the
production HTTP server), its Web API calls go to a local fake Slack, and the baseline (the
obvious way: CSV, analytics and a pyplot chart on every request, no cache) runs the same
requests in the same run. Prints one table; `--json FILE` also writes every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import board, offline, slack_load
from bench.harness import ROOT, BotProcess, flush, redis_for_run
from bench.scale import measure_scale
from bench.slackproc import RemoteSlack
from bench.table import Row, median_of, median_of_runs, render_table
from bench.terminal import terminal_times
from bot.data.market import MarketData
from bot.data.sources import CsvSource
from bot.reports import Reports
from bot.runtime.cache import Cache, describe_backend
from bot.runtime.config import Settings
from handlers.prerender import prerender
from handlers.words import parse_context

DEFAULT_DATA = ROOT.parent / "shared" / "market-data"


@dataclass(frozen=True)
class Config:
    """How much work each measurement does (the issue's figures by default)."""

    sequential: int = 200
    concurrent: int = 50
    runs: int = 3
    """Repeats of each timed phase of our bot; the table shows the medians."""
    baseline_runs: int = 1
    """Repeats of the baseline's ack phases, which take minutes each (it queues 200 charts)."""
    reply_trials: int = 5
    repeats: int = 20
    renders: int = 1000
    baseline_renders: int = 300
    mixed: int = 1000
    compute_count: int = 20
    concurrent_small: int = 20
    """The smaller burst of the scale-out acks (section 5; the larger is `concurrent`)."""
    throughput: int = 40
    """Distinct new commands sent at once for the throughput figures (section 5)."""
    cli_runs: int = 10
    """Whole `smallcaps gap 3y` processes per terminal figure (section 6)."""


QUICK = Config(sequential=10, concurrent=5, runs=1, baseline_runs=1, reply_trials=1,
               repeats=3, renders=10, baseline_renders=3, mixed=10, compute_count=2,
               concurrent_small=3, throughput=4, cli_runs=2)
"""Proves the benchmark still works (tests/test_bench.py); its figures mean little."""


def measure_bots(config: Config, fake: RemoteSlack, data_dir: Path, redis_client: Any,
                 redis_url: str | None, state_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every HTTP figure of our bot and of the baseline, each in its own process, both up
    at once and measured in turns (phase by phase, trial by trial) so they share the load."""
    prefix = f"smallcaps-bench:{uuid.uuid4().hex[:10]}:"

    def cold() -> None:
        flush(redis_client, prefix)

    cache = Cache(redis_client, prefix=prefix)
    scheduler_reports = Reports(MarketData(CsvSource(data_dir), cache), cache)

    context = parse_context(Settings(), datetime.now(UTC))

    def prerender_ours(command: str) -> None:
        """What `smallcaps scheduler` does after the close, in its own process (this one)."""
        done = prerender(scheduler_reports, [command], context)
        if done.failed:
            raise RuntimeError(f"pre-rendering {command!r} failed")

    ours: dict[str, Any] = {}
    base: dict[str, Any] = {}
    with (BotProcess("ours", fake, data_dir, redis_url, state_dir, prefix) as bot,
          BotProcess("obvious", fake, data_dir, redis_url, state_dir, prefix) as obvious):
        for each in (bot, obvious):
            each.slash("help")  # Bolt's one-off auth.test
        ours["replies"], base["replies"] = slack_load.reply_times(
            [slack_load.BotUnderTest(bot, cold, prerender_ours),
             slack_load.BotUnderTest(obvious, lambda: None, lambda command: None)],
            fake, config.reply_trials, config.repeats)
        for key, phase in (
            ("sequential", lambda b: slack_load.sequential_acks(b, fake, config.sequential)),
            ("concurrent", lambda b: slack_load.concurrent_acks(b, fake, config.concurrent)),
        ):
            runs: dict[str, list[dict[str, float]]] = {"ours": [], "base": []}
            for run in range(config.runs):
                runs["ours"].append(phase(bot))
                if run < config.baseline_runs:
                    runs["base"].append(phase(obvious))
            ours[key], base[key] = (median_of(runs["ours"]), median_of(runs["base"]))

        def cold_burst() -> dict[str, float]:
            cold()
            return slack_load.concurrent_acks(bot, fake, config.concurrent)

        ours["concurrent_cold"] = median_of_runs(config.runs, cold_burst)
        base["concurrent_cold"] = base["concurrent"]  # nothing cached: the same work
        ours["board"] = board.board_times(bot, fake, cold, prerender_ours, config.reply_trials,
                                          config.repeats)
        ours["mixed"] = slack_load.mixed_traffic(bot, fake,
                                                 slack_load.mixed_commands(config.mixed))
    flush(redis_client, prefix)
    return ours, base


def render_memory(kind: str, count: int, data_dir: Path,
                  as_server: bool = False) -> dict[str, float]:
    """Renders in a fresh process, so its RSS is theirs alone."""
    cmd = [sys.executable, "-m", "bench.offline", "renders", "--kind", kind,
           "--count", str(count), "--data-dir", str(data_dir)] + (
               ["--as-server"] if as_server else [])
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_offline(config: Config, data_dir: Path, cache: Cache) -> dict[str, Any]:
    """Analytics, history loading and chart rendering alone, and the memory of renders."""
    n = config.compute_count
    base_kind = "quantstats" if offline.have_quantstats() else "pyplot"
    return {
        "analytics": median_of_runs(config.runs, lambda: offline.analytics(data_dir, n)),
        "history": median_of_runs(config.runs, lambda: offline.history_load(data_dir, cache, n)),
        "chart_3y": median_of_runs(config.runs, lambda: offline.charts(data_dir, n, "3y")),
        "chart_max": median_of_runs(config.runs, lambda: offline.charts(data_dir, n, "max")),
        "renders": render_memory("ours", config.renders, data_dir, as_server=True),
        "renders_raw": render_memory("ours", config.baseline_renders, data_dir),
        "renders_base": render_memory(base_kind, config.baseline_renders, data_dir),
        "base_kind": base_kind,
    }


def scale_rows(config: Config, scale: dict[str, Any] | None,
               cli: dict[str, float] | None) -> list[Row]:
    """Sections 5 (reply queue and workers: bench.scale) and 6 (the terminal:
    bench.terminal); None: not measured in this run."""
    rows = [] if scale is None else _scale_rows(config, scale)
    if cli is None:
        return rows
    s6 = "6 terminal: smallcaps gap 3y on a warm cache, whole process"
    return rows + [
        Row(s6, "no embedded Redis running (the command starts and stops it)", "ms",
            cli["alone"], target=1500.0, ratio_target=None),
        Row(s6, "embedded Redis already running (serve or worker on this machine)", "ms",
            cli["joined"], target=1500.0, ratio_target=None),
        Row(s6, "python -c pass (the interpreter alone)", "ms", cli["python"],
            ratio_target=None, judged=False),
        Row(s6, "no Redis running, as a multiple of python -c pass", "x",
            cli["alone"] / cli["python"], ratio_target=None, judged=False)]


def _scale_rows(config: Config, scale: dict[str, Any]) -> list[Row]:
    ours, serve, base = scale["ours"], scale["serve"], scale["base"]
    s5 = "5 scale-out: reply queue and workers (gap, warm market data)"
    web, alone = "web acks + enqueues, 1 worker process", "serve alone, 4 worker threads"
    replicas = "2 web replicas (requests alternate), 1 worker process"
    rows = []
    for clients in (config.concurrent_small, config.concurrent):
        key = f"ack_{clients}"
        rows += [Row(s5, f"ack p99, {clients} concurrent: {who}", "ms", figures[key], base[key],
                     target=50.0, ratio_target=None, show_ratio=True)
                 for who, figures in ((web, ours), (alone, serve), (replicas, scale["replicas"]))]
    for who, figures in ((web, ours), (alone, serve)):
        rows += [Row(s5, f"new command, first visible answer (the text): {who}", "ms",
                     figures["first"], base["first"], target=50.0),
                 Row(s5, f"new command, complete reply (text + chart): {who}", "ms",
                     figures["complete"], base["complete"], target=300.0, ratio_target=None,
                     show_ratio=True)]
    n = config.throughput
    rows += [Row(s5, f"{n} new commands at once, until all answered: 1 worker process", "s",
                 ours["throughput_1"], base["throughput"], ratio_target=None, show_ratio=True),
             Row(s5, f"{n} new commands at once, until all answered: 2 worker processes", "s",
                 ours["throughput_2"], base["throughput"], ratio_target=None, show_ratio=True),
             Row(s5, "2 worker processes vs 1: speed-up", "x",
                 ours["throughput_1"] / ours["throughput_2"], ratio_target=None,
                 judged=False)]
    return rows


def build_rows(config: Config, ours: dict[str, Any], base: dict[str, Any],
               work: dict[str, Any]) -> list[Row]:
    """The table: the issue's five items, ours next to the baseline."""
    rows = []
    s1 = "1 ack latency, /smallcaps gap 3y over HTTP, signed"
    for key, what in (("sequential", f"{config.sequential} sequential"),
                      ("concurrent", f"{config.concurrent} concurrent"),
                      ("concurrent_cold", f"{config.concurrent} concurrent, cold cache")):
        for q in ("p50", "p95", "p99"):
            rows.append(Row(s1, f"{what}: {q}", "ms", ours[key][q], base[key][q],
                            target=100.0 if q == "p99" else None))
        rows.append(Row(s1, f"{what}: not acked within 3 s (Slack shows an error)",
                        "requests", ours[key]["missed"], base[key]["missed"], target=1.0,
                        ratio_target=None))
    s2 = "2 request -> reply posted + PNG uploaded"
    r, b = ours["replies"], base["replies"]
    rows += [Row(s2, "cold cache", "ms", r["cold"], b["cold"]),
             Row(s2, "warm market data, new command", "ms", r["warm_new"], b["warm_new"],
                 target=300.0),
             Row(s2, "first ask of a command pre-rendered after the close (buttons, Home)",
                 "ms", r["prerendered"], b["prerendered"], target=300.0),
             Row(s2, "repeat of the same command", "ms", r["repeat"], b["repeat"], target=20.0)]
    bd = ours["board"]  # the baseline has no board: ours alone, against the targets
    rows += [Row(s2, "board (7 pairs), pre-rendered after the close: warm reply", "ms",
                 bd["prerendered"], target=300.0, ratio_target=None),
             Row(s2, "board, repeat", "ms", bd["repeat"], target=300.0, ratio_target=None),
             Row(s2, "board, warm market data, never computed", "ms", bd["warm_new"],
                 ratio_target=None, judged=False)]
    s3 = "3 work alone (full ^RUT/^GSPC history)"
    a, h = work["analytics"], work["history"]
    c3, cmax = work["chart_3y"], work["chart_max"]
    qs = "quantstats" if c3["quantstats"] is not None else "quantstats (not installed)"
    rows += [
        Row(s3, "price history: warm cache vs read CSV", "ms", h["ours"], h["csv"]),
        Row(s3, "gap 3y + history rank vs per-day loop", "ms", a["ours"], a["loop"]),
        Row(s3, f"chart 3y vs {qs}", "ms", c3["ours"], c3["quantstats"]),
        Row(s3, "chart 3y vs same chart via pyplot", "ms", c3["ours"], c3["pyplot"]),
        Row(s3, f"chart 3y, matplotlib redrawing it once built and laid out (the floor) vs "
            f"{qs}", "ms", c3["floor"], c3["quantstats"], judged=False),
        Row(s3, f"chart max (39 years) vs {qs}", "ms", cmax["ours"], cmax["quantstats"]),
        Row(s3, "chart max vs same chart via pyplot", "ms", cmax["ours"], cmax["pyplot"]),
    ]
    s4 = "4 memory (RSS, MiB)"
    rd, rb, mx = work["renders"], work["renders_base"], ours["mixed"]
    who = f"baseline: {work['base_kind']} x {config.baseline_renders:,}"
    rows += [
        Row(s4, f"renders: RSS after one of each window ({who})", "MB", rd["rss_first"],
            rb["rss_first"], ratio_target=None),
        Row(s4, f"renders: growth over {config.renders:,} ({who})", "MB", rd["growth"],
            rb["growth"], target=20.0, ratio_target=None),
        Row(s4, f"renders: peak ({who})", "MB", rd["peak"], rb["peak"], ratio_target=None),
        Row(s4, f"renders without the per-reply collection: growth over "
            f"{config.baseline_renders:,}", "MB", work["renders_raw"]["growth"],
            ratio_target=None),
        Row(s4, "bot: RSS before mixed commands", "MB", mx["rss_before"], ratio_target=None),
        Row(s4, f"bot: growth over {config.mixed:,} mixed commands", "MB", mx["growth"],
            ratio_target=None),
        Row(s4, f"bot: growth over the last {config.mixed - max(1, config.mixed // 10):,} "
            "(first uses done)", "MB", mx["growth_warm"], target=20.0, ratio_target=None),
        Row(s4, "bot: peak RSS", "MB", mx["peak"], ratio_target=None),
    ]
    return rows


def machine_line() -> str:
    load = os.getloadavg()
    return (f"{platform.node()} · {os.cpu_count()} CPUs · load {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f} · Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run that proves the benchmark works (CI)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure")
    parser.add_argument("--own-redis", action="store_true",
                        help="an embedded Redis of this run's own, never $REDIS_URL or the "
                             "machine's (the tests' smoke run)")
    parser.add_argument("--only", metavar="SECTIONS", default="1,2,3,4,5,6",
                        help="measure these sections only, e.g. 5,6 (1-4 run together)")
    for field in fields(Config):
        parser.add_argument("--" + field.name.replace("_", "-"), type=int, default=None)
    args = parser.parse_args(argv)
    if not (args.data_dir / "^GSPC.csv").is_file():
        print(f"market data not found in {args.data_dir}", file=sys.stderr)
        return 2
    config = QUICK if args.quick else Config()
    config = replace(config, **{f.name: getattr(args, f.name) for f in fields(Config)
                                if getattr(args, f.name) is not None})
    only = set(args.only.replace(" ", "").split(","))
    first_four = bool(only & {"1", "2", "3", "4"})
    state_dir = Path(tempfile.mkdtemp(prefix="smallcaps-bench-"))
    started, load_before = time.perf_counter(), machine_line()
    redis_client, redis_url = redis_for_run(state_dir, own=args.own_redis)
    try:
        with RemoteSlack() as fake:
            if first_four:
                ours, base = measure_bots(config, fake, args.data_dir, redis_client,
                                          redis_url, state_dir)
            if "5" in only:
                scale = measure_scale(config, fake, args.data_dir, redis_client, redis_url,
                                      state_dir)
        if first_four:
            cache = Cache(redis_client, prefix=f"smallcaps-bench:{uuid.uuid4().hex[:10]}:")
            work = measure_offline(config, args.data_dir, cache)
            flush(redis_client, cache.prefix)
        if "6" in only:
            cli = terminal_times(args.data_dir, config.cli_runs)
    finally:
        if redis_url is None:
            redis_client.shutdown(nosave=True)
        shutdown = getattr(redis_client, "close", None)
        if shutdown:
            shutdown()
        shutil.rmtree(state_dir, ignore_errors=True)
    rows = (build_rows(config, ours, base, work) if first_four else []) + \
        scale_rows(config, scale if "5" in only else None, cli if "6" in only else None)
    print(f"smallcaps benchmark · {'quick' if args.quick else 'full'} · "
          f"{time.perf_counter() - started:,.0f} s · Redis: {describe_backend(redis_client)}")
    print(f"before: {load_before}\nafter:  {machine_line()}")
    print(f"config: {config}\n")
    print(render_table(rows))
    if args.json:
        args.json.write_text(json.dumps({"config": config.__dict__, "rows": [
            r.as_dict() for r in rows]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
