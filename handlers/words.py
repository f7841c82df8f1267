"""The grammar every command shares: errors, `as-of`, `live`, the basis word, PERIOD and PAIR.

A command module (handlers/gap.py, ...) builds its own grammar from these pieces; the words
arrive already normalised (handlers.normalise). Errors carry a short message and a command
that would work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from analytics.errors import UserError
from analytics.pairs import BASIS_WORDS, PAIRS, Pair, PairError, parse_pair
from analytics.periods import NAMED_PERIODS, Period, PeriodError, parse_period
from bot.data.market_hours import market_today
from bot.runtime.config import Settings
from handlers.normalise import command_words

DEFAULT_GAP_PERIOD = "3y"
AS_OF_WORDS = ("as-of", "asof", "as_of", "--as-of", "--asof")
LIVE_WORDS = ("live", "--live")
"""Ask for today's move: the window ends on the session's last trade (labelled intraday)."""
MAX_QUOTED_CHARS = 80
"""At most this many characters of what the user typed are quoted back in an error."""
MAX_COMMAND_CHARS = 1000
"""Longer command text is refused without being parsed or echoed."""
_QUOTED_RE = re.compile(r"`([^`]*)`")


@dataclass(frozen=True)
class ParseContext:
    """What a command's words are read against, built once per request by the entry point
    (`parse_context`; Slack listeners: handlers.channel_defaults.request_context), never read
    from globals inside a parser, so a replay or a test can pin 'today'."""

    today: date
    """The market's date (New York, bot.data.market_hours.market_today): an `as-of` after
    it is refused as in the future."""
    risk_free_rate: float = 0.0
    """SMALLCAPS_RISK_FREE_RATE, annual %: `stats` subtracts it in its Sharpe ratios."""
    board: str = ""
    """SMALLCAPS_BOARD: the configured board's rows ('' = the default board)."""
    defaults: Mapping[str, str] = field(default_factory=dict)
    """The channel's `set` values (handlers.channel_defaults.apply_defaults); {} outside a
    channel."""


def parse_context(settings: Settings, now: datetime,
                  defaults: Mapping[str, str] | None = None) -> ParseContext:
    """The context of a request made at `now` (aware) under `settings`, in a channel with
    `defaults`."""
    return ParseContext(today=market_today(now),
                        risk_free_rate=settings.smallcaps_risk_free_rate,
                        board=settings.smallcaps_board, defaults=dict(defaults or {}))


def clip_quoted(message: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """`message` with every `quoted` part longer than `limit` characters cut to `limit`
    (ending in '…'), so an error never echoes a long input back whole."""

    def clip(match: re.Match[str]) -> str:
        inner = match.group(1)
        return f"`{inner[:limit - 1]}…`" if len(inner) > limit else match.group(0)

    return _QUOTED_RE.sub(clip, message)


class CommandError(UserError, ValueError):
    """The user typed something we cannot run; `example` is a command that would work.

    The message quotes at most MAX_QUOTED_CHARS characters of any input it shows. (Still a
    ValueError, as the parsers' own errors are, for callers that catch those.)"""

    example: str

    def __init__(self, message: str, example: str = "gap 3y") -> None:
        super().__init__(clip_quoted(message), example)


def example(command: str, rest: str, period: str = "") -> str:
    """A valid example of `command` for an error message: `command [PERIOD] REST`; a
    command that takes no period gets none (parse_period_pair's `fixed_window`), so no
    example is itself refused."""
    return " ".join(w for w in (command, period, rest) if w)


def split_words(text: str) -> list[str]:
    """Words of a command, after the one normalisation step (handlers.normalise)."""
    return command_words(text)


def parse_as_of(value: str, command: str) -> date:
    """A YYYY-MM-DD date, with a friendly error whose example uses `command`."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"`{value}` is not a date: use YYYY-MM-DD.",
                           example(command, "as-of 2024-03-26")) from None


def pop_as_of(words: list[str], command: str) -> tuple[list[str], date | None]:
    """Remove an `as-of YYYY-MM-DD` (or `as-of=YYYY-MM-DD`) option from `words`."""
    rest: list[str] = []
    as_of = None
    i = 0
    while i < len(words):
        word = words[i].lower()
        if word == "as" and i + 1 < len(words) and words[i + 1].lower().partition("=")[0] \
                == "of":  # `as of DATE`, two words
            i += 1
            word = "as-" + words[i].lower()
        key, _, inline = word.partition("=")
        if key in AS_OF_WORDS:
            value = inline or (words[i + 1] if i + 1 < len(words) else "")
            if not value:
                raise CommandError("`as-of` needs a date.", example(command, "as-of 2024-03-26"))
            as_of = parse_as_of(value, command)
            i += 1 if inline else 2
            continue
        rest.append(words[i])
        i += 1
    return rest, as_of


def is_period(word: str) -> bool:
    """True when `word` reads as a PERIOD (`3y`, `ytd`, `2020-01-01..2021-06-30`, ...)."""
    try:
        parse_period(word)
    except PeriodError:
        return False
    return True


def is_pair_word(word: str) -> bool:
    """True when `word` names a pair: `index`, `etf`, ... or SMALL/LARGE."""
    return word.lower() in PAIRS or "/" in word


@dataclass(frozen=True)
class PeriodPairArgs:
    """The common arguments of report commands: `[PERIOD] [PAIR] [as-of DATE]`."""

    period: Period
    pair: Pair
    as_of: date | None
    live: bool = False


def pop_live(words: list[str]) -> tuple[list[str], bool]:
    """Remove the `live` word from `words`; True if it was there."""
    rest = [w for w in words if w.lower() not in LIVE_WORDS]
    return rest, len(rest) != len(words)


def pop_basis(words: list[str], command: str) -> tuple[list[str], str | None]:
    """Remove a `basis` word (`total` or `price`, also as `basis=price` or `basis price`)."""
    rest: list[str] = []
    basis = None
    i = 0
    while i < len(words):
        word = words[i].lower()
        key, _, inline = word.partition("=")
        if key in ("basis", "--basis"):
            word = inline or (words[i + 1].lower() if i + 1 < len(words) else "")
            if word not in BASIS_WORDS:
                raise CommandError("`basis` is `total` or `price`.", example(command, "etf price"))
            i += 1 if inline else 2
        elif word in BASIS_WORDS:
            i += 1
        else:
            rest.append(words[i])
            i += 1
            continue
        if basis is not None and basis != word:
            raise CommandError("Give one basis: `total` or `price`.", example(command, "etf price"))
        basis = word
    return rest, basis


def pop_end_basis(words: list[str], command: str) -> tuple[list[str], str | None]:
    """A basis word (`total`, `price`, `basis=price`) first or last among `words`, removed;
    never one inside the list (`board`'s `PAIR=label` may hold any word)."""
    for position in (-1, 0):
        if words:
            rest, basis = pop_basis([words[position]], command)
            if basis is not None and not rest:
                return [w for i, w in enumerate(words) if i != position % len(words)], basis
    return words, None


def parse_period_pair(args: list[str], command: str, context: ParseContext,
                      default_period: str = DEFAULT_GAP_PERIOD, *,
                      fixed_window: str | None = None) -> PeriodPairArgs:
    """`[PERIOD] [PAIR] [BASIS] [as-of DATE] [live]` in any order; errors name a valid
    `command` example. BASIS (`total` or `price`) selects the basis of ETF and stock closes;
    `live` ends the window on today's unfinished session and cannot be pinned.

    A command whose window is fixed (`table`, `years`, `cuts`) gives `fixed_window`: the
    CommandError for a period word (it may use `{word}`, example `COMMAND etf`), and its
    error examples carry no period."""
    takes_period = fixed_window is None
    shown = "3y" if takes_period else ""
    args, live = pop_live(args)
    args, as_of = pop_as_of(args, command)
    if fixed_window is not None:
        for word in args:
            if not is_pair_word(word) and (is_period(word) or word[:1].isdigit()):
                raise CommandError(fixed_window.format(word=word), example(command, "etf"))
    if live and as_of is not None:
        raise CommandError("`live` shows today's move so far, so it cannot go with `as-of`: "
                           "give one or the other.",
                           example(command, "live", "1y" if takes_period else ""))
    args, basis = pop_basis(args, command)
    if len(args) > 2:
        raise CommandError(f"Too many words: `{' '.join(args)}`.",
                           example(command, "etf", "5y" if takes_period else ""))
    period_text, pair_text = None, None
    for word in args:
        if is_pair_word(word):
            if pair_text is not None:
                raise CommandError("Give one pair, e.g. `etf`.", example(command, "etf", shown))
            pair_text = word
        elif is_period(word) or word[:1].isdigit():  # digits: let parse_period explain
            if period_text is not None:
                raise CommandError("Give one period, e.g. `3y`.", example(command, "etf", shown))
            period_text = word
        else:
            raise CommandError(
                f"`{word}` is neither a period ({', '.join(NAMED_PERIODS)}, any Nd/Nw/Nm/Ny, "
                "or YYYY-MM-DD..YYYY-MM-DD), a pair (`index`, `etf` or SMALL/LARGE) nor a "
                "basis (`total` or `price`).",
                example(command, "IJR/SPY", shown),
            )
    try:
        period = parse_period(period_text or default_period)
        pair = parse_pair(pair_text)
    except (PeriodError, PairError) as exc:
        raise CommandError(str(exc), example(command, "IJR/SPY", shown)) from None
    if basis is not None:
        try:
            pair = pair.with_basis(basis)
        except PairError as exc:
            raise CommandError(str(exc), example(command, f"etf {basis}", shown)) from None
    if as_of is not None and as_of > context.today:
        raise CommandError(f"`{as_of}` is in the future.",
                           example(command, "as-of 2024-03-26", shown))
    return PeriodPairArgs(period, pair, as_of, live)


def no_arguments(args: list[str], command: str, why: str = "") -> None:
    """CommandError unless `args` is empty: '`status` takes no arguments (got `x`).'"""
    if args:
        raise CommandError(f"`{command}` takes no arguments (got `{' '.join(args)}`){why}.",
                           command)
