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


def _toy(**spec) -> Command:
    return Command(name="toy", usage="toy WORDS", summary="Says the words back.",
                   example="toy hello", parse=lambda words, context: ToyRequest(tuple(words)),
                   answer=lambda conversation, request: None, **spec)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_help_order_and_what_each_command_is():
    """The commands there are today, in help order (a new command may join them)."""
    known = [*REPORTS, "alert", "digest", "set", "unset", "schedule", "status"]
    assert [c.name for c in listed() if c.name in known] == known
    assert [c.name for c in registry.COMMANDS if c.rendering] == REPORTS
    assert len({c.name for c in registry.COMMANDS}) == len(registry.COMMANDS)


def test_every_derived_list_matches_the_commands_as_they_were():
    assert [c.name for c in registry.COMMANDS if c.choices] == ["gap", "years", "stats",
                                                               "trend", "history"]
    assert registry.schedulable() == ("gap", "table", "years", "stats", "trend", "rates",
                                      "history", "board")
    assert [c.name for c in registry.COMMANDS if c.export] == REPORTS[:8]  # not cuts, valuation..
    assert registry.home_commands() == ("cuts", "valuation", "profitability")
    assert registry.prerendered_commands()[-6:] == ("table", "rates", "board", "cuts",
                                                    "valuation", "profitability")
    # 4 periods x 2 pairs for 4 commands, and `years`' two pair buttons alone
    assert len(registry.offered_commands()) == 4 * 4 * 2 + 2
    assert ("years index", "years etf") == tuple(
        c for c in registry.offered_commands() if c.startswith("years"))


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
    assert parse_command("TOY hello world") == ToyRequest(("hello", "world"))
    assert "toy WORDS" in help_text(listed()) and "/smallcaps toy hello" in help_text(listed())
    assert "toy" in _subcommands()
    assert "toy 10y etf" in registry.offered_commands()
    with pytest.raises(CommandError) as err:
        parse_command("nonsense")
    assert err.value.message.endswith(", ".join(f"`{c.name}`" for c in listed()) + ".")
    assert err.value.message.endswith("`toy`.")


def test_a_conversation_tells_only_the_asker():
    said = []
    asked = Conversation(deps=None, client=None, channel_id="C1", user_id="U1",  # type: ignore[arg-type]
                         text="status", respond=lambda **reply: said.append(reply),
                         error_text=str)
    asked.tell(text="hi")
    assert said == [{"response_type": "ephemeral", "text": "hi"}]
