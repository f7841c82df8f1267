"""Every example the bot suggests can be typed as is (issue #20: `table index total`
suggested `table 3y etf total`, itself refused): the examples of error messages met on a
corpus of bad inputs for every command, the literal examples in the source, and the
registry's own (help)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.cli import build_parser
from handlers.registry import COMMANDS
from handlers.words import CommandError
from tests.query_helpers import parse_command

ROOT = Path(__file__).resolve().parents[2]
BAD = ["xyz", "3x", "1y", "5y etf", "total", "index total", "price total", "price foo",
       "as-of", "as-of 2024-13-01", "as-of 1600-01-01", "as-of 2999-01-01", "etf etf",
       "3y 5y", "1y live as-of 2024-03-26", "a b c d", "basis=dividends", "ytd", "max",
       "IJR/SPY IJR/SPY", "2020-01-01..2019-01-01", "1600-01-01..1700-01-01", "0d"]


def _example_parses(example: str) -> None:
    text = example.removeprefix("/smallcaps ").removeprefix("smallcaps ")
    try:
        parse_command(text)
    except CommandError as exc:
        pytest.fail(f"the example `{example}` is refused: {exc}")


def _met_examples() -> set[str]:
    found = set()
    for command in COMMANDS:
        for words in BAD:
            try:
                parse_command(f"{command.name} {words}")
            except CommandError as exc:
                found.add(exc.example)
    return found


@pytest.mark.parametrize("example", sorted(_met_examples()))
def test_every_example_an_error_gives_parses(example):
    _example_parses(example)


def _literal_examples() -> set[str]:
    """The second argument of every `CommandError(message, "literal")` in the code."""
    found = set()
    for folder in ("handlers", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == \
                        "CommandError" and len(node.args) > 1 \
                        and isinstance(node.args[1], ast.Constant):
                    found.add(node.args[1].value)
    return found


@pytest.mark.parametrize("example", sorted(_literal_examples()))
def test_every_literal_example_in_the_code_parses(example):
    if example.startswith("alerts "):  # the terminal-only `smallcaps alerts run`
        return
    if " --" in example:  # a terminal example: argparse takes its options, the words parse
        try:
            build_parser().parse_args(example.removeprefix("smallcaps ").split())
        except SystemExit:
            pytest.fail(f"the terminal example `{example}` is refused by the CLI")
        example = example.split(" --")[0]
    _example_parses(example)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.example], ids=lambda c: c.name)
def test_every_help_example_parses(command):
    _example_parses(command.example)
