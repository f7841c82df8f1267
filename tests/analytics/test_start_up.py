"""Start-up cost: importing the chart modules (and every command module, which reach them
through the reports) must not import matplotlib; the first chart drawn does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_ALL = """
import importlib, pkgutil, sys
import analytics, handlers
for package in (analytics, handlers):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
print(sorted(name for name in sys.modules if name.split(".")[0] in ("matplotlib", "PIL")))
from analytics import charts_gap
print(sorted(module.name for module in pkgutil.iter_modules(analytics.__path__)
             if module.name.startswith("chart")))
from analytics.chart_base import mpl
mpl()
print("matplotlib" in sys.modules)
"""


def test_importing_chart_and_command_modules_leaves_matplotlib_out() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded, chart_modules, after_first_chart = done.stdout.strip().splitlines()
    assert loaded == "[]"
    assert "'charts_gap'" in chart_modules and "'chart_base'" in chart_modules  # were imported
    assert after_first_chart == "True"  # the check would see matplotlib if it were there
