"""Nothing outside a report command's own module names it (issue #22): the CSV export, chart
links, App Home, alert charts and digests read what they need from each spec through the
registry, so a new report is its module and a registry line, and renaming one breaks nothing
silently. Each string literal that equals a report command's name is found with `ast`;
the few that mean something else are listed with the reason."""

from __future__ import annotations

import ast
from pathlib import Path

from handlers.registry import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
REPORTS = {c.name for c in COMMANDS if c.rendering is not None}
OTHER_MEANINGS = {
    ("handlers/cuts.py", "stats"): "its payload's `stats` field",
    ("handlers/gap.py", "years"): "its payload's `years` field",
    ("handlers/profitability.py", "years"): "its payload's `years` field",
    ("handlers/valuation.py", "years"): "its payload's `years` field",
    ("handlers/rates.py", "gap"): "its payload's `gap` field",
    ("bot/data/fred.py", "rates"): "the rates/ folder of the reference data",
    ("bot/runtime/channel_settings.py", "board"): "the `board` channel default",
    ("handlers/channel_defaults.py", "board"): "the `board` channel default",
    ("handlers/command.py", "board"): "the `board` channel default (DefaultWord)",
    ("handlers/report_text.py", "table"): "Block Kit's table block type",
}


def literals(path: Path) -> set[str]:
    """The string constants of `path` that equal a report's name, left out: docstrings and
    subscripts (`p["years"]` reads a payload's field, not a command)."""
    tree = ast.parse(path.read_text())
    skip = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)}
    skip |= {id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript)}
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and n.value in REPORTS and id(n) not in skip}


def test_no_module_but_its_own_names_a_report_command() -> None:
    found = []
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        for name in literals(path) - {f"{relative.removeprefix('handlers/')[:-3]}"}:
            if (relative, name) not in OTHER_MEANINGS:
                found.append(f"{relative}: {name!r}")
    assert found == [], "declare it on the command's spec instead: " + ", ".join(found)


def test_the_search_finds_a_command_named_outside_its_module(tmp_path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text('"""Docstrings may say gap."""\nCHARTS = {"gap": 1}\n'
                     'if p["command"] in ("trend",) and p["table"]: pass\n')
    assert literals(stray) == {"gap", "trend"}  # p["table"] reads a field
