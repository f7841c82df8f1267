"""The benchmark still runs: its quick mode prints every row of the table (no timings are
checked here; speed belongs in `make bench`). Slow (tests/conftest.py): `make test` runs it,
`make test-fast` does not. It runs on an embedded Redis of its own (`--own-redis`), so the
reply queue it fills is never a shared database's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("1 ack latency", "2 request -> reply", "3 work alone", "4 memory", "5 scale-out",
            "6 terminal")


def test_quick_benchmark_reports_every_figure(market_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--data-dir", str(market_data_dir),
         "--json", str(out), "--own-redis"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(out.read_text())["rows"]
    labels = " | ".join(f"{r['section']}: {r['label']}" for r in rows)
    for section in SECTIONS:
        assert any(r["section"].startswith(section) for r in rows), section
    for needle in ("sequential: p50", "sequential: p99", "concurrent: p95", "concurrent: p99",
                   "cold cache", "new command", "pre-rendered", "repeat of the same command",
                   "history rank", "chart 3y vs", "chart max", "growth over",
                   "mixed commands", "peak", "ack p99, 3 concurrent", "first visible answer",
                   "complete reply", "1 worker process", "2 worker processes",
                   "python -c pass", "already running"):
        assert needle in labels, needle
    assert all(r["ours"] is not None for r in rows)
    comparable = [r for r in rows if r["ratio_target"] is not None]
    assert comparable and all(r["baseline"] is not None for r in comparable
                              if "quantstats (not installed)" not in r["label"])
    assert "measurement" in done.stdout and "x better" in done.stdout
