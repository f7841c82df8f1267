"""Words shared by command grammars: the error every parser raises and the options many
commands take (`as-of DATE`, `live`, a basis word), each removed from a word list.

Moved out of handlers.parsing (which re-exports them) so that command modules can share them
without importing the command table.
"""

from __future__ import annotations

import re
from datetime import date

from analytics.pairs import BASIS_WORDS

AS_OF_WORDS = ("as-of", "asof", "as_of", "--as-of", "--asof")
LIVE_WORDS = ("live", "--live")
"""Ask for today's move: the window ends on the session's last trade (labelled intraday)."""
MAX_QUOTED_CHARS = 80
"""At most this many characters of what the user typed are quoted back in an error."""
_QUOTED_RE = re.compile(r"`([^`]*)`")


def clip_quoted(message: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """`message` with every `quoted` part longer than `limit` characters cut to `limit`
    (ending in '…'), so an error never echoes a long input back whole."""

    def clip(match: re.Match[str]) -> str:
        inner = match.group(1)
        return f"`{inner[:limit - 1]}…`" if len(inner) > limit else match.group(0)

    return _QUOTED_RE.sub(clip, message)


class CommandError(ValueError):
    """The user typed something we cannot run; `example` is a command that would work.

    The message quotes at most MAX_QUOTED_CHARS characters of any input it shows."""

    def __init__(self, message: str, example: str = "gap 3y") -> None:
        message = clip_quoted(message)
        super().__init__(message)
        self.message = message
        self.example = example


def parse_as_of(value: str, command: str = "gap") -> date:
    """A YYYY-MM-DD date, with a friendly error whose example uses `command`."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"`{value}` is not a date: use YYYY-MM-DD.",
                           f"{command} 3y as-of 2024-03-26") from None


def pop_as_of(words: list[str], command: str = "gap") -> tuple[list[str], date | None]:
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
                raise CommandError("`as-of` needs a date.", f"{command} 3y as-of 2024-03-26")
            as_of = parse_as_of(value, command)
            i += 1 if inline else 2
            continue
        rest.append(words[i])
        i += 1
    return rest, as_of


def pop_live(words: list[str]) -> tuple[list[str], bool]:
    """Remove the `live` word from `words`; True if it was there."""
    rest = [w for w in words if w.lower() not in LIVE_WORDS]
    return rest, len(rest) != len(words)


def pop_basis(words: list[str], command: str = "gap") -> tuple[list[str], str | None]:
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
                raise CommandError("`basis` is `total` or `price`.", f"{command} 3y etf price")
            i += 1 if inline else 2
        elif word in BASIS_WORDS:
            i += 1
        else:
            rest.append(words[i])
            i += 1
            continue
        if basis is not None and basis != word:
            raise CommandError("Give one basis: `total` or `price`.", f"{command} 3y etf price")
        basis = word
    return rest, basis
