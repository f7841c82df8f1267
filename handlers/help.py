"""`help`: usage with an example for every command, and the conventions behind the numbers.

The entries come from the registry's `Command` specs (usage, summary, example), in its order;
`help COMMAND` shows one. `help`, `?`, `--help` or nothing at all asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from analytics.errors import present
from analytics.formatting import clip
from analytics.periods import NAMED_PERIODS
from handlers.command import Blocks, Command, Conversation
from handlers.words import ParseContext


@dataclass(frozen=True)
class HelpRequest:
    """Show usage (optionally for one command)."""

    topic: str | None = None


def parse_help(args: list[str], context: ParseContext) -> HelpRequest:
    """`help [COMMAND]`: any further words are ignored."""
    return HelpRequest(args[0].lower() if args else None)


CONVENTIONS = (
    f"*Periods:* {', '.join(NAMED_PERIODS)}, any `Nd`/`Nw`/`Nm`/`Ny` (calendar days, weeks, "
    "months, years), or `YYYY-MM-DD..YYYY-MM-DD`. The end is the last common close on or "
    "before the as-of date (default: the latest); the start is the last common close on or "
    "before the same calendar date one period earlier (`ytd`: last close of the previous "
    "year).\n"
    "*Pairs:* `index` (default: Russell 2000 `^RUT` vs S&P 500 `^GSPC`, price return), `etf` "
    "(IWM vs SPY, total return from adjusted closes), or `SMALL/LARGE` with any two Yahoo "
    "symbols, e.g. `IJR/SPY`.\n"
    "*Basis:* `total` (default) or `price` after any report command: ETF and stock returns "
    "from Yahoo's adjusted close (dividends reinvested) or its unadjusted close; index levels "
    "are price return only. `gap` shows ETFs on both.\n"
    "*Numbers:* returns are last/first − 1 of the closes; the gap is large minus small in "
    "percentage points (positive = small caps lag); the relative ratio is small/large.\n"
    "*Closes:* answers end on the last NYSE close that is final (16:20 New York, 13:20 after "
    "an early close). Add `live` to any report (`gap 1y live`) for today's move so far, "
    "labelled intraday."
)


def _entries(commands: Sequence[Command], topic: str | None) -> Sequence[Command]:
    """All commands, or just the one named by `topic` (all when it names none)."""
    chosen = [c for c in commands if c.name == topic or topic in c.aliases]
    return chosen or commands


def unknown_topic(topic: str) -> str:
    """What help says first when `topic` names no command."""
    return f"`{clip(topic, 40)}` is not a command; here is every command."


def _unknown(commands: Sequence[Command], topic: str | None) -> bool:
    return bool(topic) and not any(c.name == topic or topic in c.aliases for c in commands)


def typed(invoked_as: str, words: str) -> str:
    """What a user types: `/smallcaps gap 3y`, `@smallcaps gap 3y`, or in the bot's direct
    messages (`invoked_as` empty) just `gap 3y`."""
    return f"{invoked_as} {words}".strip()


def help_text(commands: Sequence[Command], invoked_as: str = "/smallcaps",
              topic: str | None = None) -> str:
    """Plain-text usage of `commands`, for the CLI and notification fallbacks."""
    lines = [f"Usage: {typed(invoked_as, 'COMMAND')}", ""]
    if _unknown(commands, topic):
        lines[:0] = [unknown_topic(present(topic, "the topic")).replace("`", ""), ""]
    for entry in _entries(commands, topic):
        lines += [f"  {entry.usage}", f"      {entry.summary}",
                  f"      e.g. {typed(invoked_as, entry.example)}", ""]
    lines.append(CONVENTIONS.replace("*", "").replace("`", ""))
    return "\n".join(lines)


def help_blocks(commands: Sequence[Command], invoked_as: str = "/smallcaps",
                topic: str | None = None) -> Blocks:
    """Ephemeral Block Kit usage: one section per command (so no section nears Slack's
    3,000-character limit however many commands there are), then the conventions."""
    intro = (f"*smallcaps* — small vs large caps, in numbers and charts. "
             f"`{typed(invoked_as, 'help COMMAND')}` shows one command.")
    if not invoked_as:  # the bot's own direct messages
        intro += ("\nHere, just type a command on its own, e.g. `gap 3y`: only you see the "
                  "answers, and *Share to channel* under a report posts it where you choose.")
    if _unknown(commands, topic):
        intro = f":question: {unknown_topic(present(topic, 'the topic'))}\n{intro}"
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn",
                                                                 "text": intro}}]
    for entry in _entries(commands, topic):
        text = (f"*`{typed(invoked_as, entry.usage)}`*\n{entry.summary}\n"
                f"_e.g._ `{typed(invoked_as, entry.example)}`")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": CONVENTIONS}]})
    return blocks


def command(listed: Callable[[], Sequence[Command]]) -> Command:
    """The `help` command; `listed` gives the commands it describes (the registry's)."""

    def answer(conversation: Conversation, request: HelpRequest) -> None:
        conversation.tell(blocks=help_blocks(listed(), conversation.invoked_as, request.topic),
                          text=typed(conversation.invoked_as, "help"))

    return Command(
        name="help",
        usage="help [COMMAND]",
        summary="usage with an example for every command",
        example="help gap",
        parse=parse_help,
        answer=answer,
        cli="own",
        listed=False,
        aliases=("-h", "--help", "?"),
        instant=True,
    )
