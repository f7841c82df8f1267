"""`set`, `unset` and how a channel's defaults fill in the words a command leaves out.

`set pair etf` makes `gap 3y` mean `gap 3y etf` in that channel; a word typed in the command
always wins. Replies state the pair, period and basis they used, as they always do. Which
defaults a command takes is part of its `Command` spec (`defaults`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from analytics.board import parse_board
from analytics.errors import present
from analytics.pairs import PAIRS, PairError, parse_pair
from analytics.periods import PeriodError, parse_period
from bot.data.sources import DataUnavailableError, SymbolNotFoundError
from bot.runtime.channel_settings import EXAMPLES, VALIDATORS, ChannelSettingsError, validate
from bot.runtime.deps import Deps
from bot.slack.escape import escape
from handlers.command import Command, Conversation
from handlers.words import CommandError, ParseContext, parse_context, pop_as_of, pop_basis

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SettingsRequest:
    """`set` (show), `set NAME VALUE` or `unset NAME`."""

    action: str
    """'show', 'set' or 'unset'."""
    name: str | None = None
    value: str | None = None


def parse_set(args: list[str], context: ParseContext) -> SettingsRequest:
    """`set` shows the channel's settings; `set NAME VALUE...` changes one."""
    if not args:
        return SettingsRequest("show")
    name = args[0].lower()
    if name not in VALIDATORS:
        raise CommandError(f"`{args[0]}` is not a setting. Valid: "
                           + ", ".join(f"`{n}`" for n in VALIDATORS) + ".", "set pair etf")
    if len(args) < 2:
        raise CommandError(f"`set {name}` needs a value.", f"set {name} {EXAMPLES[name]}")
    return SettingsRequest("set", name, " ".join(args[1:]))


def parse_unset(args: list[str], context: ParseContext) -> SettingsRequest:
    """`unset NAME`."""
    if len(args) != 1 or args[0].lower() not in VALIDATORS:
        raise CommandError("Name one setting to remove: "
                           + ", ".join(f"`{n}`" for n in VALIDATORS) + ".", "unset pair")
    return SettingsRequest("unset", args[0].lower())


def _is_pair_word(word: str) -> bool:
    return word.lower() in PAIRS or "/" in word


def _is_period_word(word: str) -> bool:
    try:
        parse_period(word)
    except PeriodError:
        return word[:1].isdigit()
    return True


def apply_defaults(command: Command, args: list[str], defaults: Mapping[str, str]) -> list[str]:
    """`args` plus the channel's default pair, period or board where the user gave none, for
    the defaults `command` takes (`Command.defaults`).

    Words typed win. A `window` command (`history`) takes only a length default (`5y`, not
    `ytd`). A `basis` default applies when no basis word was typed, except `total` on an
    index pair (index levels are price return only, so the default cannot apply there).
    """
    takes, name = command.defaults, command.name
    if not defaults or not takes:
        return args
    try:
        words, _ = pop_as_of(list(args), name)
        words, typed_basis = pop_basis(words, name)
    except CommandError:
        return args  # let the command's own parser explain
    out = list(args)
    if "pair" in takes and "pair" in defaults and not any(map(_is_pair_word, words)):
        out.append(defaults["pair"])
    if takes & {"period", "window"} and "period" in defaults \
            and not any(_is_period_word(w) for w in words if not _is_pair_word(w)):
        period = parse_period(defaults["period"])
        if "period" in takes or period.kind == "offset":
            out.append(defaults["period"])
    if "basis" in takes and "basis" in defaults and typed_basis is None:
        try:
            pair = parse_pair(next((w for w in out if _is_pair_word(w)), None))
        except PairError:
            return out  # let the command's own parser explain the pair
        if pair.has_both_bases or defaults["basis"] != "total":
            out.append(defaults["basis"])
    if "board" in takes and "board" in defaults and not words:
        out.append(defaults["board"])
    return out


def settings_lines(settings: Mapping[str, str]) -> list[str]:
    """'pair: etf' lines in a fixed order, or a line saying there are none."""
    if not settings:
        return ["No channel defaults: commands use the built-in ones (pair `index`, "
                "period per command, the default board)."]
    return [f"{name}: `{escape(settings[name])}`" for name in VALIDATORS if name in settings]


def answer_settings(deps: Deps, request: SettingsRequest, channel_id: str,
                    send: Callable[..., Any]) -> None:
    """Show or change the channel's settings; `send(text=...)` the outcome (ephemeral)."""
    store = deps.stores.channels
    try:
        if request.action == "show":
            lines = settings_lines(store.get(channel_id))
            send(text="*This channel's defaults*\n" + "\n".join(lines)
                 + "\nChange with `/smallcaps set NAME VALUE`, remove with "
                   "`/smallcaps unset NAME`.")
        elif request.action == "set":
            name, value = validate(present(request.name, "the default's name"),
                                   present(request.value, "the default's value"))
            check_data(deps, name, value)
            name, value = store.set(channel_id, present(request.name, "the default's name"),
                                    present(request.value, "the default's value"))
            note = (" (index pairs stay price return: they have no total-return series)"
                    if name == "basis" else "")
            send(text=f":white_check_mark: Channel default {name} is now `{escape(value)}`"
                      f"{note}. A command that names its own wins.")
        else:
            removed = store.unset(channel_id, present(request.name, "the default's name"))
            send(text=f":white_check_mark: Removed the channel default {request.name}."
                 if removed else f"No channel default {request.name} was set.")
    except ChannelSettingsError as exc:
        send(text=f":warning: {exc}")
    except Exception:
        logger.exception("channel settings %s failed", request.action)
        send(text=":warning: Something went wrong on our side; it is logged.")


def check_data(deps: Deps, name: str, canonical: str) -> None:
    """ChannelSettingsError when a `pair` or `board` default (already valid as words) names a
    symbol the data source has no closes for: every command in the channel that takes it
    would then fail. Other defaults, and a source that cannot be reached, pass (the commands
    say so when they run)."""
    symbols: tuple[str, ...]
    if name == "pair":
        symbols = parse_pair(canonical).symbols
    elif name == "board":
        symbols = tuple(s for row in parse_board(canonical) for s in row.pair.symbols)
    else:
        return
    try:
        deps.market.history(symbols)
    except SymbolNotFoundError as exc:
        raise ChannelSettingsError(f"{exc} Nothing was set: every command in this channel "
                                   f"that takes a {name} would fail with it.") from None
    except DataUnavailableError:
        logger.warning("could not check the %s default %r against the data", name, canonical)


def channel_defaults(deps: Deps, channel_id: str | None) -> dict[str, str]:
    """The channel's stored defaults ({} without a channel or when Redis is down)."""
    return deps.stores.channels.get(channel_id or "")


def request_context(deps: Deps, channel_id: str | None = None) -> ParseContext:
    """The context a Slack request's words are read against: today (deps.clock, New York's
    date), the settings, and `channel_id`'s stored defaults ({} without a channel or when
    Redis is down). Built once per request by the listener that parses it."""
    return parse_context(deps.settings, deps.clock(), channel_defaults(deps, channel_id))


def with_settings_block(deps: Deps, channel_id: str, send: Callable[..., Any]
                        ) -> Callable[..., Any]:
    """`send` that appends the channel's defaults to a Block Kit reply (for `status`)."""
    lines = settings_lines(channel_defaults(deps, channel_id))
    block = {"type": "section", "text": {"type": "mrkdwn", "text":
                                         "*This channel's defaults*\n" + "\n".join(lines)}}

    def wrapped(blocks: list[dict[str, Any]] | None = None, **reply: Any) -> Any:
        return send(blocks=[*blocks, block] if blocks else blocks, **reply)

    return wrapped


def home_settings_lines(deps: Deps, channel_ids: set[str] | None, admin: bool) -> list[str]:
    """App Home lines, one per channel with defaults: the user's channels (every channel for
    an admin); none when the user's channels are unknown or storage fails."""
    try:
        found = deps.stores.channels.all()
    except Exception:  # noqa: BLE001 - Home still shows everything else
        logger.exception("Home: channel defaults could not be loaded")
        return []
    shown = sorted(c for c in found if admin or (channel_ids is not None and c in channel_ids))
    return [f"<#{c}>: " + " · ".join(f"{n} `{escape(v)}`" for n, v in
                                      ((n, found[c][n]) for n in VALIDATORS if n in found[c]))
            for c in shown[:20]]


def answer_set(conversation: Conversation, request: SettingsRequest) -> None:
    """`set` / `unset`, answered only to the asker."""
    answer_settings(conversation.deps, request, conversation.channel_id, conversation.tell)


SET = Command(
    name="set",
    usage="set [pair|period|basis|board VALUE]",
    summary="This channel's defaults: `set pair etf`, `set period 5y`, `set basis price`, "
            "`set board IWM/SPY, IJR/SPY, RSP/SPY`; `set` alone shows them. A command without "
            "the word uses the default; replies still say what they used.",
    example="set pair etf",
    parse=parse_set,
    answer=answer_set,
    cli="none",
)
UNSET = Command(
    name="unset",
    usage="unset pair|period|basis|board",
    summary="Remove one of this channel's defaults.",
    example="unset pair",
    parse=parse_unset,
    answer=answer_set,
    cli="none",
)
