"""Running the CLI in tests: an isolated state folder, and one call that returns the JSON
or the text a command prints (exit 0 asserted)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli import main


@pytest.fixture
def isolated_state(tmp_path, monkeypatch):
    """A fresh SMALLCAPS_STATE_DIR and no REDIS_URL: the embedded Redis of this test."""
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def run(argv: list[str], market_data_dir, capsys, *, as_json: bool = True) -> Any:
    """`smallcaps ARGV [--json] --data-dir DIR`: the parsed JSON, or the printed text."""
    code = main([*argv, *(["--json"] if as_json else []), "--data-dir", str(market_data_dir)])
    assert code == 0
    out = capsys.readouterr().out
    return json.loads(out) if as_json else out
