"""The registry: one list of Command specs from which parsing, help, the CLI, buttons,
pre-rendering, channel defaults, scheduling, CSV buttons and App Home derive."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import pytest

from bot.cli import build_parser
from handlers import registry
from handlers.buttons import DEFAULT_CHOICES
from handlers.channel_defaults import apply_defaults
from handlers.command import Command, Conversation, Rendering
from handlers.help import HelpRequest, help_text
from handlers.registry import get, listed, parse
from handlers.words import CommandError
from tests.query_helpers import context, parse_command

REPORTS = ["gap", "table", "years", "stats", "trend", "rates", "history", "board", "cuts",
           "valuation", "profitability"]


@dataclass(frozen=True)
class ToyRequest:
    words: tuple[str, ...]


TOY = "zz-echo-test"
"""The made-up command's name: one no real command can have (commands are one word)."""


def _toy(**spec) -> Command:
    return Command(name=TOY, usage=f"{TOY} WORDS", summary="Says the words back.",
                   example=f"{TOY} hello",
                   parse=lambda words, context: ToyRequest(tuple(words)),
                   answer=lambda conversation, request: None, **spec)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _in_order(names: list[str], among: list[str]) -> list[str]:
    """`names` that are in `among`, in `among`'s order (a new command may join the list)."""
    return [n for n in among if n in names]


def test_help_order_and_what_each_command_is():
    """The commands there are today, in help order; a new command may join them anywhere
    without editing this test."""
    known = [*REPORTS, "alert", "digest", "set", "unset", "schedule", "status"]
    assert _in_order(known, [c.name for c in listed()]) == known
    assert _in_order(REPORTS, [c.name for c in registry.COMMANDS if c.rendering]) == REPORTS
    assert len({c.name for c in registry.COMMANDS}) == len(registry.COMMANDS)
    assert registry.find(TOY) is None


def test_every_derived_list_follows_the_specs_and_keeps_todays_commands():
    """Each derived list is what the specs' fields say (computed here from the fields, not
    from the registry's helpers), and still holds what today's commands declare."""
    commands = registry.COMMANDS
    assert registry.schedulable() == tuple(c.name for c in commands if c.schedulable)
    assert {"gap", "table", "years", "stats", "trend", "rates", "history", "board"} <= set(
        registry.schedulable())
    assert {"cuts", "valuation", "profitability"}.isdisjoint(c.name for c in commands
                                                             if c.export)  # no CSV
    assert {"cuts", "valuation", "profitability"} <= set(registry.home_commands())
    assert {"gap", "years", "stats", "trend", "history"} <= {c.name for c in commands
                                                             if c.choices}
    for command in commands:  # a report with buttons has its answers ready after the close
        assert not command.choices or command.prerendered, command.name
    offered = registry.offered_commands()
    assert len(offered) == len(set(offered)) == sum(
        len([1 for _ in _offered(c)]) for c in commands)
    # 4 periods x 2 pairs for each of gap, stats and history; `years`' pair buttons
    assert {f"{c} {p} {k}" for c in ("gap", "stats", "history")
            for p in ("1y", "3y", "5y", "10y") for k in ("index", "etf")} <= set(offered)
    assert ("years index", "years etf") == tuple(c for c in offered if c.startswith("years"))


def _offered(command: Command) -> tuple[str, ...]:
    from handlers.buttons import offered

    return offered(command.name, command.choices)


def test_unknown_command_names_every_listed_command_in_help_order():
    with pytest.raises(CommandError) as err:
        parse_command("nonsense 3y")
    names = [c.name for c in listed()]
    assert err.value.message.endswith(", ".join(f"`{n}`" for n in names) + ".")
    assert "`help`" not in err.value.message and err.value.example == "gap 3y"


@pytest.mark.parametrize("text", ["", "help", "HELP", "?", "-h", "--help"])
def test_help_its_aliases_and_nothing_at_all_ask_for_help(text):
    found = parse(text, context())
    assert found.command is get("help") and found.request == HelpRequest()


def test_cli_subcommands_follow_each_specs_cli_mode():
    subcommands = _subcommands()
    for command in registry.COMMANDS:
        assert (command.name in subcommands) == (command.cli != "none"), command.name
    assert {"serve", "worker", "prerender", "alerts", "scheduler"} <= set(subcommands)
    assert "--json" in subcommands["gap"].format_help()
    assert "--json" in subcommands["status"].format_help()  # its own, from bot/cli.py


def test_channel_defaults_apply_only_where_the_spec_takes_them():
    defaults = {"pair": "etf", "period": "5y", "basis": "price", "board": "IWM/SPY"}
    assert apply_defaults(get("cuts"), [], defaults) == []
    assert apply_defaults(get("table"), [], defaults) == ["etf", "price"]
    assert apply_defaults(get("history"), [], {"period": "5y"}) == ["5y"]
    assert apply_defaults(get("history"), [], {"period": "ytd"}) == []
    assert apply_defaults(get("trend"), [], {"period": "ytd"}) == ["ytd"]
    assert apply_defaults(get("board"), [], defaults) == ["IWM/SPY"]


def test_a_spec_is_a_report_or_answers_itself_never_both():
    with pytest.raises(ValueError, match="rendering"):
        Command(name="x", usage="x", summary="x", example="x", parse=list)
    with pytest.raises(ValueError, match="rendering"):
        _toy(rendering=Rendering(list, str, str, str))
    with pytest.raises(ValueError, match="terminal"):
        _toy(cli="words")


def test_a_new_spec_is_parsed_helped_and_offered_from_the_list_alone(monkeypatch):
    toy = _toy(terminal=lambda request: " ".join(request.words), cli="words",
               choices=DEFAULT_CHOICES)
    monkeypatch.setattr(registry, "COMMANDS", (*registry.COMMANDS, toy))
    assert parse_command(f"{TOY.upper()} hello world") == ToyRequest(("hello", "world"))
    assert f"{TOY} WORDS" in help_text(listed())
    assert f"/smallcaps {TOY} hello" in help_text(listed())
    assert TOY in _subcommands()
    assert f"{TOY} 10y etf" in registry.offered_commands()
    with pytest.raises(CommandError) as err:
        parse_command("nonsense")
    assert err.value.message.endswith(", ".join(f"`{c.name}`" for c in listed()) + ".")
    assert err.value.message.endswith(f"`{TOY}`.")


def test_a_conversation_tells_only_the_asker():
    said = []
    asked = Conversation(deps=None, client=None, channel_id="C1", user_id="U1",  # type: ignore[arg-type]
                         text="status", respond=lambda **reply: said.append(reply),
                         error_text=str)
    asked.tell(text="hi")
    assert said == [{"response_type": "ephemeral", "text": "hi"}]
