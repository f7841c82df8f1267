"""Per-channel defaults (`/smallcaps set pair etf`): stored in Redis, validated on the way in.

Key (under the cache prefix): `channel-settings:{channel}`, a hash name -> canonical value.
Names and their valid values:
- `pair`: `index`, `etf` or `SMALL/LARGE` (analytics.pairs.parse_pair)
- `period`: any period `gap` takes (analytics.periods.parse_period)
- `basis`: `total` or `price`
- `board`: `board` rows, `PAIR` or `PAIR=Label` items (analytics.board.parse_board)

Unlike `Cache`, failures raise ChannelSettingsError when writing (a setting must not vanish
silently); reads return no defaults when Redis is down, so commands still answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis

from analytics.board import BoardError, board_text, parse_board
from analytics.pairs import PairError, parse_pair
from analytics.periods import NAMED_PERIODS, PeriodError, parse_period
from bot.runtime.cache import Cache, as_text

logger = logging.getLogger(__name__)

BASES = ("total", "price")


class ChannelSettingsError(ValueError):
    """A bad name or value, or storage failed; the message is safe to show a user."""


def _pair(value: str) -> str:
    try:
        return parse_pair(value).key
    except PairError as exc:
        raise ChannelSettingsError(f"{exc} Valid: `index`, `etf`, or SMALL/LARGE.") from None


def _period(value: str) -> str:
    try:
        return parse_period(value).label
    except PeriodError:
        raise ChannelSettingsError(
            f"`{value}` is not a period. Valid: {', '.join(NAMED_PERIODS)}, any Nd/Nw/Nm/Ny "
            "or YYYY-MM-DD..YYYY-MM-DD.") from None


def _basis(value: str) -> str:
    word = value.strip().lower()
    if word not in BASES:
        raise ChannelSettingsError(f"`{value}` is not a basis. Valid: `total`, `price`.")
    return word


def _board(value: str) -> str:
    try:
        return board_text(parse_board(value))
    except BoardError as exc:
        raise ChannelSettingsError(f"{exc} Valid: pairs separated by commas, "
                                   "e.g. `IWM/SPY, IJR/SPY, RSP/SPY`.") from None


VALIDATORS: dict[str, Callable[[str], str]] = {
    "pair": _pair, "period": _period, "basis": _basis, "board": _board,
}
"""Setting name -> function turning a typed value into its canonical text (or raising)."""


def validate(name: str, value: str) -> tuple[str, str]:
    """(name, canonical value); ChannelSettingsError names the valid settings or values."""
    key = name.strip().lower()
    if key not in VALIDATORS:
        raise ChannelSettingsError(f"`{name}` is not a setting. Valid: "
                                   + ", ".join(f"`{n}`" for n in VALIDATORS) + ".")
    if not value.strip():
        raise ChannelSettingsError(f"`set {key}` needs a value, e.g. `set {key} "
                                   f"{EXAMPLES[key]}`.")
    return key, VALIDATORS[key](value)


EXAMPLES = {"pair": "etf", "period": "5y", "basis": "price", "board": "IWM/SPY, IJR/SPY"}
HINTS = {
    "pair": "index, etf, or SMALL/LARGE (e.g. IWM/SPY).",
    "period": "e.g. 1y, 3y, 5y, ytd.",
    "basis": "Total return or price only (index pairs stay price return).",
    "board": "Pairs separated by commas, e.g. IWM/SPY, IJR/SPY, RSP/SPY.",
}
"""What each setting takes, in words (the channel-defaults form's hints)."""


class ChannelSettings:
    """Read and change one channel's defaults."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def _key(self, channel_id: str) -> str:
        return self.cache.key("channel-settings", channel_id)

    def _client(self) -> redis.Redis:
        if self.cache.client is None:
            raise ChannelSettingsError("Settings storage (Redis) is not available right now.")
        return self.cache.client

    def get(self, channel_id: str) -> dict[str, str]:
        """The channel's settings, name -> value ({} when none or Redis is down)."""
        if self.cache.client is None or not channel_id:
            return {}
        try:
            raw = self.cache.client.hgetall(self._key(channel_id))
        except (redis.exceptions.RedisError, OSError) as exc:
            logger.warning("channel settings unreadable (%s); using none", type(exc).__name__)
            return {}
        return {as_text(k): as_text(v) for k, v in raw.items() if as_text(k) in VALIDATORS}

    def set(self, channel_id: str, name: str, value: str) -> tuple[str, str]:
        """Validate and store one setting; returns (name, canonical value)."""
        key, canonical = validate(name, value)
        try:
            self._client().hset(self._key(channel_id), key, canonical)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise ChannelSettingsError("Settings storage (Redis) failed; nothing was "
                                       "changed. Try again shortly.") from exc
        return key, canonical

    def unset(self, channel_id: str, name: str) -> bool:
        """Remove one setting; False if it was not set. Unknown names raise."""
        key = name.strip().lower()
        if key not in VALIDATORS:
            raise ChannelSettingsError(f"`{name}` is not a setting. Valid: "
                                       + ", ".join(f"`{n}`" for n in VALIDATORS) + ".")
        try:
            return bool(self._client().hdel(self._key(channel_id), key))
        except (redis.exceptions.RedisError, OSError) as exc:
            raise ChannelSettingsError("Settings storage (Redis) failed; nothing was "
                                       "changed. Try again shortly.") from exc

    def all(self) -> dict[str, dict[str, str]]:
        """Every channel with settings: channel -> name -> value (for App Home)."""
        client = self._client()
        prefix = self._key("")
        found: dict[str, dict[str, str]] = {}
        for key in client.scan_iter(match=prefix + "*", count=500):
            channel = key.decode()[len(prefix):]
            settings = self.get(channel)
            if settings:
                found[channel] = settings
        return found
