"""Are the charts still the same? Every chart kind over several windows, drawn by the code at a
git revision and by the working tree, compared pixel by pixel.

    python -m bench.same_charts --base 368bdd9 [--data-dir ../shared/market-data]

For a refactoring that must not change what users see. Both sides are driven through the
public report path, the `smallcaps` console script's entry point (`smallcaps gap 3y --as-of
2024-03-26 --out x.png`), so modules can move freely underneath. Each side runs in its own
Python process whose `sys.path` starts with its own source tree (the revision is exported
with `git archive` into a temporary folder), and checks that the modules it imported came
from that tree.

Both sides render under the same conditions, so identical code gives identical pixels:
- the same CSV data folder (footers then say 'CSV files, last close ...', never a fetch time);
- a fixed as-of date on every chart but one (`LATEST`), which ends on the data's last close;
- no cache: Redis points at a socket that does not exist, so every report is computed
  (a shared cache would hand the second side the first side's PNG);
- no SMALLCAPS_* or REDIS_URL settings from the caller's environment (board rows, risk-free
  rate), a fresh matplotlib config folder, TZ=UTC;
- both sides at once, and the run fails if the New York date changes while they render
  (answers end on the last *final* NYSE close, which depends on the clock).

The PNGs are decoded (Pillow) and compared as RGB arrays, not as bytes: one line per chart
says `same` or `DIFFERENT (N pixels)`. Exit status 0 when every chart is the same, 1 on any
difference, 2 when a chart could not be drawn on either side (or the set-up failed).
`--keep DIR` keeps both sides' PNGs (DIR/base, DIR/work) to look at.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "market-data"
PACKAGES = ("bot", "handlers", "analytics")
"""Top-level packages of the project: each side must import these from its own tree."""

A, B, C = "2024-03-26", "2020-03-23", "2008-10-10"
"""As-of dates: after a long small-cap lag, the Covid low, the 2008 crash."""
LATEST = "gap-3y-latest"
"""The one chart without an as-of date: it ends on the data's last close."""


def _as_of(day: str) -> list[str]:
    return ["--as-of", day]


CHARTS: dict[str, list[str]] = {
    # gap: named periods, a date range, short windows (day / week ticks), log scale, bases
    "gap-1y": ["gap", "1y", *_as_of(A)],
    "gap-3y": ["gap", "3y", *_as_of(A)],
    "gap-10y": ["gap", "10y", *_as_of(A)],
    "gap-ytd": ["gap", "ytd", *_as_of(A)],
    "gap-max": ["gap", "max", *_as_of(A)],
    "gap-2w": ["gap", "2w", *_as_of(A)],
    "gap-3m": ["gap", "3m", *_as_of(A)],
    "gap-range": ["gap", "2021-01-04..2023-06-30"],
    "gap-3y-covid": ["gap", "3y", *_as_of(B)],
    "gap-1y-2008": ["gap", "1y", *_as_of(C)],
    "gap-3y-etf": ["gap", "3y", "etf", *_as_of(A)],
    "gap-3y-etf-price": ["gap", "3y", "etf", "price", *_as_of(A)],
    "gap-5y-etf-2008": ["gap", "5y", "etf", *_as_of(C)],
    "gap-1y-ijr-spy": ["gap", "1y", "IJR/SPY", *_as_of(A)],
    LATEST: ["gap", "3y"],
    # table
    "table-index": ["table", *_as_of(A)],
    "table-etf": ["table", "etf", *_as_of(A)],
    "table-etf-price": ["table", "etf", "price", *_as_of(A)],
    "table-index-2008": ["table", *_as_of(C)],
    "table-ijr-spy": ["table", "IJR/SPY", *_as_of(B)],
    # stats
    "stats-3y": ["stats", "3y", *_as_of(A)],
    "stats-5y-etf": ["stats", "5y", "etf", *_as_of(A)],
    "stats-1y-covid": ["stats", "1y", *_as_of(B)],
    "stats-10y-2008": ["stats", "10y", *_as_of(C)],
    "stats-3y-ijr-spy": ["stats", "3y", "IJR/SPY", *_as_of(A)],
    # trend (also the chart an alert on the ratio shares; gap rules share the gap chart)
    "trend-2y": ["trend", "2y", *_as_of(A)],
    "trend-10y": ["trend", "10y", *_as_of(A)],
    "trend-5y-covid": ["trend", "5y", *_as_of(B)],
    "trend-1y-etf-2008": ["trend", "1y", "etf", *_as_of(C)],
    "trend-2y-ijr-spy": ["trend", "2y", "IJR/SPY", *_as_of(A)],
    # rates
    "rates-10y": ["rates", "10y", *_as_of(A)],
    "rates-5y-covid": ["rates", "5y", *_as_of(B)],
    "rates-3y-etf": ["rates", "3y", "etf", *_as_of(A)],
    "rates-5y-2008": ["rates", "5y", *_as_of(C)],
    # history
    "history-3y": ["history", "3y", *_as_of(A)],
    "history-1y-covid": ["history", "1y", *_as_of(B)],
    "history-5y-etf": ["history", "5y", "etf", *_as_of(A)],
    "history-10y-2008": ["history", "10y", *_as_of(C)],
    # board
    "board": ["board", *_as_of(A)],
    "board-covid": ["board", *_as_of(B)],
    "board-two-pairs": ["board", "IWM/SPY,", "IJR/SPY", *_as_of(A)],
    # cuts
    "cuts": ["cuts", *_as_of(A)],
    "cuts-etf": ["cuts", "etf", *_as_of(A)],
    "cuts-2008": ["cuts", *_as_of(C)],
    # valuation (takes no words: every year of French's portfolios)
    "valuation": ["valuation"],
    # years: every calendar year to the end date, index and ETF legs
    "years": ["years", *_as_of(A)],
    "years-etf": ["years", "etf", *_as_of(A)],
    "years-latest": ["years"],
    # profitability (takes no words: every year of French's portfolios)
    "profitability": ["profitability"],
}
"""Chart name -> the `smallcaps` arguments that draw it (without `--out`)."""

DRIVER = r"""
import contextlib, io, json, sys, tomllib
from importlib import import_module
from pathlib import Path

root, out_dir, charts = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
sys.path.insert(0, str(root))
script = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]["smallcaps"]
module_name, function_name = script.split(":")
main = getattr(import_module(module_name), function_name)
results = {}
for name, argv in charts.items():
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main([*argv, "--out", str(out_dir / f"{name}.png")])
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:
        code = f"{type(exc).__name__}: {exc}"
    results[name] = code
foreign = sorted({m.__file__ for n, m in sys.modules.items()
                  if n.split(".")[0] in sys.argv[4].split(",") and getattr(m, "__file__", None)
                  and not Path(m.__file__).resolve().is_relative_to(root.resolve())})
print(json.dumps({"results": results, "foreign": foreign}))
"""
"""Runs in each side's own process: calls the console script's entry point (as named in
that side's pyproject.toml) once per chart, and lists modules imported from another tree."""


@dataclass(frozen=True)
class Comparison:
    """One chart's verdict: `differing` pixels (None when it could not be compared)."""

    name: str
    differing: int | None
    note: str = ""

    def line(self, width: int) -> str:
        if self.differing is None:
            return f"{self.name:<{width}}  FAILED ({self.note})"
        if self.differing == 0:
            return f"{self.name:<{width}}  same"
        return f"{self.name:<{width}}  DIFFERENT ({self.differing:,} pixels{self.note})"


def export_revision(rev: str, into: Path) -> None:
    """The tree of git revision `rev` as plain files in `into` (no worktree left behind)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def side_environment(data_dir: Path, scratch: Path) -> dict[str, str]:
    """The caller's environment without the bot's own settings, plus fixed ones."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("SMALLCAPS_", "SLACK_", "REDIS_", "MPL", "PYTHON"))}
    env.update({
        "SMALLCAPS_DATA_DIR": str(data_dir),
        "SMALLCAPS_STATE_DIR": str(scratch / "state"),
        "REDIS_URL": f"unix://{scratch / 'no-redis.sock'}",  # nothing listens: uncached
        "MPLCONFIGDIR": str(scratch / "matplotlib"),
        "MPLBACKEND": "Agg",
        "TZ": "UTC",
        "PYTHONHASHSEED": "0",
    })
    return env


def start_side(root: Path, out_dir: Path, charts: dict[str, list[str]], env: dict[str, str],
               log: Path) -> subprocess.Popen[str]:
    """Render `charts` with the source tree at `root` into `out_dir`, in a new process."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(root), str(out_dir), json.dumps(charts),
         ",".join(PACKAGES)],
        cwd=out_dir, env=env, stdout=subprocess.PIPE, stderr=log.open("w"), text=True)


def finish_side(process: subprocess.Popen[str], label: str, log: Path) -> dict[str, object]:
    """The side's exit code per chart; SystemExit(2) if it crashed or imported foreign code."""
    stdout, _ = process.communicate()
    if process.returncode != 0 or not stdout.strip():
        tail = log.read_text()[-2000:]
        raise SystemExit(f"same_charts: the {label} side failed:\n{tail}")
    report = json.loads(stdout.strip().splitlines()[-1])
    if report["foreign"]:
        raise SystemExit(f"same_charts: the {label} side imported project modules from "
                         f"another tree: {report['foreign'][:5]}")
    return report["results"]


def pixels(path: Path) -> np.ndarray:
    """The decoded image as an (height, width, 3) uint8 RGB array."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def compare(name: str, base: Path, work: Path, codes: tuple[object, object]) -> Comparison:
    """Decode both PNGs and count the pixels whose colour differs in any channel."""
    failed = [f"{side} exit {code}" for side, code in zip(("base", "work"), codes, strict=True)
              if code != 0]
    if failed:
        return Comparison(name, None, ", ".join(failed))
    a, b = pixels(base), pixels(work)
    if a.shape != b.shape:
        return Comparison(name, max(a.shape[0] * a.shape[1], b.shape[0] * b.shape[1]),
                          f"; size {a.shape[1]}x{a.shape[0]} vs {b.shape[1]}x{b.shape[0]}")
    return Comparison(name, int(np.any(a != b, axis=2).sum()))


def new_york_day() -> str:
    return datetime.now(ZoneInfo("America/New_York")).date().isoformat()


def run(base_rev: str, data_dir: Path, work_root: Path, charts: dict[str, list[str]],
        keep: Path | None) -> list[Comparison]:
    """Render `charts` at `base_rev` and in `work_root`, and compare them pairwise."""
    with tempfile.TemporaryDirectory(prefix="same-charts-") as tmp:
        scratch = Path(tmp)
        base_root = scratch / "base-tree"
        base_root.mkdir()
        export_revision(base_rev, base_root)
        out = keep or scratch / "png"
        env = side_environment(data_dir, scratch)
        day = new_york_day()
        sides = {label: start_side(root, out / label, charts, env, scratch / f"{label}.log")
                 for label, root in (("base", base_root), ("work", work_root))}
        codes = {label: finish_side(process, label, scratch / f"{label}.log")
                 for label, process in sides.items()}
        if new_york_day() != day:
            raise SystemExit("same_charts: the New York date changed during the run; run again")
        return [compare(name, out / "base" / f"{name}.png", out / "work" / f"{name}.png",
                        (codes["base"][name], codes["work"][name]))
                for name in charts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_charts",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, metavar="REV",
                        help="git revision to compare against (e.g. main, 368bdd9)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, metavar="DIR",
                        help="folder of <SYMBOL>.csv files (default: ../shared/market-data)")
    parser.add_argument("--work", type=Path, default=ROOT, metavar="DIR",
                        help="source tree to check (default: this checkout)")
    parser.add_argument("--only", metavar="TEXT",
                        help="only the charts whose name contains TEXT (e.g. gap-, board)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the PNGs in DIR/base and DIR/work")
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    if not data_dir.is_dir():
        print(f"same_charts: no data folder at {data_dir} (--data-dir)", file=sys.stderr)
        return 2
    charts = {n: a for n, a in CHARTS.items() if args.only is None or args.only in n}
    if not charts:
        print(f"same_charts: no chart name contains {args.only!r}", file=sys.stderr)
        return 2
    keep = args.keep.resolve() if args.keep else None
    if keep:
        for label in ("base", "work"):
            shutil.rmtree(keep / label, ignore_errors=True)
    try:
        results = run(args.base, data_dir, args.work.resolve(), charts, keep)
    except subprocess.CalledProcessError as exc:
        print(f"same_charts: {' '.join(exc.cmd[:4])} failed: {exc.stderr or ''}",
              file=sys.stderr)
        return 2
    width = max(len(r.name) for r in results)
    for result in results:
        print(result.line(width))
    differing = sum(1 for r in results if r.differing)
    failed = sum(1 for r in results if r.differing is None)
    print(f"\n{len(results)} charts: {len(results) - differing - failed} same, "
          f"{differing} different, {failed} failed (base {args.base})")
    return 2 if failed else 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
