"""No import hides inside a function to dodge a cycle (docs/architecture.md, "Layout").

An import inside a function is allowed only for start-up time (the CLI and the web process
load a subcommand's or a chart's libraries when they are used), and says so on its line with
a `# lazy:` comment giving the reason (on the import's line, or on a comment line just above a
group of imports). A cycle is fixed by moving code to the layer it belongs
to, not by deferring the import; the import contract (tests/test_layers.py) keeps it fixed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "analytics")


def deferred_imports(path: Path) -> list[tuple[int, str]]:
    """(line, source line) of every import statement inside a function body of `path`."""
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    found.append((inner.lineno, lines[inner.lineno - 1]))
    return sorted(set(found))


def says_why(lines: list[str], line: int) -> bool:
    """The import on `line` (1-based) carries `# lazy`, or the run of comment and import
    lines directly above it does."""
    i = line - 1
    while i >= 0:
        text = lines[i].strip()
        if "# lazy" in text:
            return True
        if not (text.startswith(("#", "import ", "from ")) or i == line - 1):
            return False
        i -= 1
    return False


def test_every_deferred_import_says_it_is_for_start_up_time() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = path.read_text().splitlines()
            offenders += [f"{path.relative_to(ROOT)}:{line}: {text.strip()}"
                          for line, text in deferred_imports(path)
                          if not says_why(lines, line)]
    assert not offenders, "imports inside functions without a `# lazy:` reason:\n" + \
        "\n".join(offenders)


def test_the_check_finds_an_import_inside_a_function(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from bot import cli\n    import json  # lazy: probe\n"
                     "    x = 1\n    # lazy: a group\n    import os\n    import re\n"
                     "    y = 2\n    import sys\n")
    lines = probe.read_text().splitlines()
    found = {line: says_why(lines, line) for line, _ in deferred_imports(probe)}
    assert found == {2: False, 3: True, 6: True, 7: True, 9: False}
