"""Are the answers still the same? Every report of bench.same_charts, answered by the code at a
git revision and by the working tree, compared as `--json` payload, terminal text, Slack
Block Kit and notification text.

    python -m bench.same_answers --base 061e532 [--data-dir ../shared/market-data]

The companion of bench.same_charts (which compares the pixels) for a refactoring that must
not change what users read. Both sides run the `smallcaps` console script's entry point in
their own process under the same fixed conditions (same_charts.side_environment: the same
CSV folder, no cache, no caller settings, TZ=UTC); the Block Kit and notification text are
each side's own rendering (`handlers.registry.rendering_of`) of its own payload. One line per
report says `same` or which renderings differ; exit status 0 when all are the same, 1 on any
difference, 2 when a side could not answer.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.same_charts import (
    CHARTS,
    DEFAULT_DATA_DIR,
    PACKAGES,
    ROOT,
    export_revision,
    new_york_day,
    side_environment,
)

DRIVER = r"""
import contextlib, io, json, sys, tomllib
from importlib import import_module
from pathlib import Path

root, reports = Path(sys.argv[1]), json.loads(sys.argv[2])
sys.path.insert(0, str(root))
script = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]["smallcaps"]
module_name, function_name = script.split(":")
main = getattr(import_module(module_name), function_name)
rendering_of = import_module("handlers.registry").rendering_of


def run(argv):
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(argv)
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:
        code = f"{type(exc).__name__}: {exc}"
    return code, out.getvalue()


answers = {}
for name, argv in reports.items():
    code, text = run(argv)
    code_json, raw = run([*argv, "--json"])
    answer = {"code": [code, code_json], "text": text}
    if code_json == 0:
        payload = json.loads(raw)
        fmt = rendering_of(payload)
        answer.update(payload=payload, blocks=fmt.blocks(payload), fallback=fmt.fallback(payload),
                      title=fmt.title(payload))
    answers[name] = answer
foreign = sorted({m.__file__ for n, m in sys.modules.items()
                  if n.split(".")[0] in sys.argv[3].split(",") and getattr(m, "__file__", None)
                  and not Path(m.__file__).resolve().is_relative_to(root.resolve())})
print(json.dumps({"answers": answers, "foreign": foreign}))
"""
"""Runs in each side's own process: every report's text, JSON, Block Kit and fallback."""

PARTS = ("code", "text", "payload", "blocks", "fallback", "title")


def answer_side(root: Path, reports: dict[str, list[str]], env: dict[str, str],
                log: Path) -> subprocess.Popen[str]:
    """Answer `reports` with the source tree at `root`, in a new process."""
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(root), json.dumps(reports),
                             ",".join(PACKAGES)], cwd=log.parent, env=env,
                            stdout=subprocess.PIPE, stderr=log.open("w"), text=True)


def collect(process: subprocess.Popen[str], label: str, log: Path) -> dict[str, dict]:
    stdout, _ = process.communicate()
    if process.returncode != 0 or not stdout.strip():
        raise SystemExit(f"same_answers: the {label} side failed:\n{log.read_text()[-2000:]}")
    report = json.loads(stdout.strip().splitlines()[-1])
    if report["foreign"]:
        raise SystemExit(f"same_answers: the {label} side imported project modules from "
                         f"another tree: {report['foreign'][:5]}")
    return report["answers"]


def differing_parts(base: dict, work: dict) -> list[str]:
    """The renderings of one report that differ between the sides."""
    return [part for part in PARTS if base.get(part) != work.get(part)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_answers",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, metavar="REV",
                        help="git revision to compare against (e.g. main, 061e532)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, metavar="DIR",
                        help="folder of <SYMBOL>.csv files (default: ../shared/market-data)")
    parser.add_argument("--work", type=Path, default=ROOT, metavar="DIR",
                        help="source tree to check (default: this checkout)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    if not data_dir.is_dir():
        print(f"same_answers: no data folder at {data_dir} (--data-dir)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="same-answers-") as tmp:
        scratch = Path(tmp)
        base_root = scratch / "base-tree"
        base_root.mkdir()
        export_revision(args.base, base_root)
        env = side_environment(data_dir, scratch)
        day = new_york_day()
        sides = {label: answer_side(root, CHARTS, env, scratch / f"{label}.log")
                 for label, root in (("base", base_root), ("work", args.work.resolve()))}
        answers = {label: collect(p, label, scratch / f"{label}.log")
                   for label, p in sides.items()}
        if new_york_day() != day:
            raise SystemExit("same_answers: the New York date changed during the run")
    width = max(map(len, CHARTS))
    different = failed = 0
    for name in CHARTS:
        base, work = answers["base"][name], answers["work"][name]
        parts = differing_parts(base, work)
        if base["code"] != [0, 0] or work["code"] != [0, 0]:
            failed += 1
            print(f"{name:<{width}}  FAILED (base {base['code']}, work {work['code']})")
        elif parts:
            different += 1
            print(f"{name:<{width}}  DIFFERENT: {', '.join(parts)}")
        else:
            print(f"{name:<{width}}  same")
    print(f"\n{len(CHARTS)} reports: {len(CHARTS) - different - failed} same, {different} "
          f"different, {failed} failed (base {args.base}; text, --json, Block Kit, fallback, "
          "chart title)")
    return 2 if failed else 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main())
