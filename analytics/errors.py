"""The errors every layer shares: what a user is told, and what should never happen.

`UserError` is the one base of every refusal worded for the person who typed the command
(the CLI exits 2 on it, Slack shows it with its example); anything else that escapes a
command is a bug, reported as an internal error with a reference, never relabelled as bad
input or a configuration problem. It lives in analytics, the lowest layer, so the grammar of
alert metrics (analytics), the services (bot/<area>/) and the commands (handlers/) can all
raise it. `present` replaces `assert x is not None` (gone under `python -O`).
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class UserError(Exception):
    """A request we refuse: `message` says why (safe to show the user, Slack mrkdwn),
    `example` is a command that would work (None: no example fits)."""

    def __init__(self, message: str, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


class InvariantError(RuntimeError):
    """A value the code relies on is missing: a bug, never the user's input."""


def present(value: T | None, what: str) -> T:
    """`value`, which the caller's logic guarantees is set; InvariantError naming `what`
    when it is None (an explicit check that `python -O` keeps, unlike `assert`)."""
    if value is None:
        raise InvariantError(f"{what} is missing")
    return value
