"""Report queries for tests that must prove an answer came from the cache."""

from __future__ import annotations

from handlers.registry import parse_command


class MustNotCompute:
    """A query that refuses to be computed: only a cached answer can come through."""

    def __init__(self, text: str) -> None:
        self.query = parse_command(text)
        self.command = self.query.command

    def symbols(self):
        return self.query.symbols()

    def describe(self) -> str:
        return self.query.describe()

    def build(self, history):
        raise AssertionError(f"{self.describe()} was computed")
