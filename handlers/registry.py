"""The commands, in help order, and everything that derives from their specs.

One `Command` per command module (handlers/command.py says what a spec holds). From this list
come: parsing (`parse`, `parse_command`), help, the CLI subcommands (bot/cli.py), the switch
buttons and the answers they offer, pre-rendering (handlers/prerender.py), which channel
defaults apply, which reports can be scheduled, which replies carry a CSV button and App
Home's claims section. A new command is a module and one line below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers import (
    alert,
    board,
    channel_defaults,
    cuts,
    gap,
    help,
    history,
    profitability,
    rates,
    schedule,
    stats,
    status,
    table,
    trend,
    valuation,
    years,
)
from handlers.buttons import offered
from handlers.command import Command, HomeRole, Rendering, pinned_command
from handlers.words import MAX_COMMAND_CHARS, CommandError, ParseContext, split_words


@dataclass(frozen=True)
class Parsed:
    """A command line read: which command, and its request."""

    command: Command
    request: Any


def parse(text: str, context: ParseContext) -> Parsed:
    """The command named by `text` (the words after `/smallcaps`) and its request, read
    against `context` (today, settings, channel defaults: handlers.words.ParseContext);
    `help`, `?` or nothing at all asks for help. `context.defaults` (a channel's `set`
    values) fill in what the command takes and the words leave out
    (handlers.channel_defaults.apply_defaults). CommandError (message and example) for
    anything that does not parse."""
    if len(text or "") > MAX_COMMAND_CHARS:
        raise CommandError(f"That command is {len(text):,} characters long; commands are a "
                           "few words.", "gap 3y")
    words = split_words(text or "") or ["help"]
    command = find(words[0])
    if command is None:
        known = ", ".join(f"`{c.name}`" for c in listed())
        raise CommandError(f"I don't know the command `{words[0]}`. Commands: {known}.",
                           "gap 3y")
    args = words[1:]
    if context.defaults:
        args = channel_defaults.apply_defaults(command, args, context.defaults)
    return Parsed(command, command.parse(args, context))


def parse_command(text: str, context: ParseContext) -> Any:
    """The request named by `text` (see `parse`): a report query, a HelpRequest, ..."""
    return parse(text, context).request


def find(word: str) -> Command | None:
    """The command `word` names (its name or an alias, any case), or None."""
    word = word.lower()
    return next((c for c in COMMANDS if word == c.name or word in c.aliases), None)


def get(name: str) -> Command:
    """The command called `name`; KeyError for any other."""
    found = next((c for c in COMMANDS if c.name == name), None)
    if found is None:
        raise KeyError(name)
    return found


def listed() -> tuple[Command, ...]:
    """The commands help describes, in its order."""
    return tuple(c for c in COMMANDS if c.listed)


def rendering_of(payload: Mapping[str, Any]) -> Rendering[Any]:
    """How the report `payload` is worded (by its `command`); KeyError if no report has it."""
    rendering = get(payload["command"]).rendering
    if rendering is None:
        raise KeyError(payload["command"])
    return rendering


def pinned_text(payload: Mapping[str, Any]) -> str:
    """The command text that reproduces a report payload's numbers, pinned to its end date
    when it has one (its command's `pinned`, else its export's, else `pinned_command`)."""
    command = get(payload["command"])
    if command.pinned is not None:
        return command.pinned(payload)
    return (command.export.pinned if command.export else pinned_command)(payload)


def schedulable() -> tuple[str, ...]:
    """The reports `schedule add` accepts."""
    return tuple(c.name for c in COMMANDS if c.schedulable)


def offered_commands() -> tuple[str, ...]:
    """Every answer the switch buttons lead to, command by command ('gap 1y index', ...)."""
    return tuple(text for c in COMMANDS for text in offered(c.name, c.choices))


def prerendered_commands() -> tuple[str, ...]:
    """What pre-rendering computes by default: every answer the buttons offer, then the
    default answer of each pre-rendered report without buttons."""
    return (*(text for c in COMMANDS if c.prerendered for text in offered(c.name, c.choices)),
            *(c.name for c in COMMANDS if c.prerendered and not c.choices))


def home_commands() -> tuple[str, ...]:
    """The reports App Home quotes in its claims section."""
    return tuple(c.name for c in COMMANDS if c.home == "claim")


def digest_command() -> Command:
    """The report a digest posts (the one spec with `digest`)."""
    found = [c for c in COMMANDS if c.digest]
    if len(found) != 1:
        raise KeyError(f"{len(found)} commands declare digest")
    return found[0]


def home_command(role: HomeRole) -> Command:
    """The command whose answer fills App Home's `role` ("rows" or "status": one command
    each, checked by tests/handlers/test_registry.py); KeyError if none has it."""
    found = [c for c in COMMANDS if c.home == role]
    if len(found) != 1:
        raise KeyError(f"{len(found)} commands have the App Home role {role!r}")
    return found[0]


COMMANDS: tuple[Command, ...] = (
    gap.COMMAND,
    table.COMMAND,
    years.COMMAND,
    stats.COMMAND,
    trend.COMMAND,
    rates.COMMAND,
    history.COMMAND,
    board.COMMAND,
    cuts.COMMAND,
    valuation.COMMAND,
    profitability.COMMAND,
    alert.ALERT,
    alert.DIGEST,
    channel_defaults.SET,
    channel_defaults.UNSET,
    schedule.command(parse_command, schedulable),
    status.COMMAND,
    help.command(listed),
)
"""Every command, in help order."""
