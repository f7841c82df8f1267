"""Production code checks at run time with explicit raises, never `assert`: `python -O`
strips every assert statement, so a check written as one silently stops happening."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ("bot", "handlers", "analytics")


def assert_statements(source: str, name: str) -> list[int]:
    """The line of every `assert` statement in `source`."""
    return [node.lineno for node in ast.walk(ast.parse(source, name))
            if isinstance(node, ast.Assert)]


def test_the_scanner_finds_an_assert():
    assert assert_statements("def f(x):\n    assert x is not None\n    return x\n", "f") == [2]


def test_no_assert_statement_in_production_code():
    found = [f"{path.relative_to(ROOT)}:{line}"
             for package in PRODUCTION for path in sorted((ROOT / package).rglob("*.py"))
             for line in assert_statements(path.read_text(), str(path))]
    assert not found, "use an explicit check (analytics.errors.present) instead: " + \
        ", ".join(found)
