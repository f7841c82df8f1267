"""The layer contract holds: imports only go down (docs/architecture.md, "Layout")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports() -> subprocess.CompletedProcess[str]:
    """Run import-linter on the project's contracts (pyproject.toml [tool.importlinter])."""
    command = Path(sys.executable).with_name("lint-imports")  # installed by the test extra
    return subprocess.run([str(command)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_import_contracts_are_kept() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in result.stdout, result.stdout[-3000:]
