"""Which two series a comparison uses, their names and the basis of their returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

KNOWN_NAMES = {
    "^RUT": "Russell 2000",
    "^GSPC": "S&P 500",
    "IWM": "iShares Russell 2000 ETF",
    "SPY": "SPDR S&P 500 ETF",
    "IJR": "iShares Core S&P Small-Cap ETF",
    "RSP": "Invesco S&P 500 Equal Weight ETF",
    "^SP600": "S&P SmallCap 600",
    "^TNX": "10-year Treasury yield",
}
SMALL_CAP_SYMBOLS = frozenset({
    "^RUT", "IWM", "VTWO", "IJR", "^SP600", "SLY", "VB", "SCHA", "IWC", "IWN", "IWO", "VBR",
    "VBK", "^RUJ", "^RUO"})
"""Series that stand for small caps: Russell 2000 / S&P 600 indexes and their ETFs."""
LARGE_CAP_SYMBOLS = frozenset({
    "^GSPC", "SPY", "IVV", "VOO", "RSP", "^SP500", "IWB", "^RUI", "IWD", "IWF", "VV",
    "^DJI", "DIA", "QQQ", "^NDX", "VTI"})
"""Series that stand for large caps: S&P 500, Russell 1000, Dow, Nasdaq-100 and their ETFs."""
_SYMBOL_RE = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,14}$")

PRICE_RETURN = "price return"
TOTAL_RETURN = "total return"
BASIS_WORDS = {"total": TOTAL_RETURN, "price": PRICE_RETURN}
"""The `basis` word of a query -> the basis it selects for ETFs and stocks."""
DEFAULT_BASIS = "total"


class PairError(ValueError):
    """The pair text is not valid; the message says what is."""


@dataclass(frozen=True)
class Instrument:
    """One Yahoo Finance symbol with the name people know it by."""

    symbol: str
    name: str

    @property
    def is_index(self) -> bool:
        """Yahoo index symbols start with `^`: their closes are levels, with no dividends."""
        return self.symbol.startswith("^")

    def basis_for(self, choice: str) -> str:
        """The basis of this series under the `basis` word `choice` ('total' or 'price').

        Index levels are always price return; an ETF or stock is total return from Yahoo's
        adjusted close ('total') or price return from its unadjusted Close ('price')."""
        return PRICE_RETURN if self.is_index else BASIS_WORDS[choice]

    @property
    def basis(self) -> str:
        """The basis under the default choice (total return where there is one)."""
        return self.basis_for(DEFAULT_BASIS)


@dataclass(frozen=True)
class Pair:
    """A small-cap series compared with a large-cap series."""

    key: str
    small: Instrument
    large: Instrument
    basis_choice: str = DEFAULT_BASIS
    """The `basis` word asked for: 'total' (default) or 'price' (see Instrument.basis_for)."""

    @property
    def basis(self) -> str:
        """The return basis of the comparison, 'mixed (...)' when the two differ."""
        small, large = (self.small.basis_for(self.basis_choice),
                        self.large.basis_for(self.basis_choice))
        if small == large:
            return small
        return f"mixed ({self.small.symbol}: {small}, {self.large.symbol}: {large})"

    @property
    def has_both_bases(self) -> bool:
        """True when a basis word changes the numbers: at least one leg is not an index."""
        return not (self.small.is_index and self.large.is_index)

    def with_basis(self, choice: str) -> Pair:
        """This pair under another `basis` word; raises PairError for an unknown word or
        'total' on two indexes (index levels have no total-return series)."""
        if choice not in BASIS_WORDS:
            raise PairError(f"`{choice}` is not a basis: use `total` or `price`.")
        if choice == "total" and not self.has_both_bases:
            raise PairError("Index levels are price return only (Yahoo has no total-return "
                            "series for them): use ETFs for total return, e.g. `etf total`.")
        return replace(self, basis_choice=choice)

    @property
    def symbols(self) -> tuple[str, str]:
        return (self.small.symbol, self.large.symbol)

    @property
    def words(self) -> RoleWords:
        """How sentences name the two sides ('small caps', or the symbols)."""
        return role_words(self.small.symbol, self.large.symbol)

    @property
    def label(self) -> str:
        """'Russell 2000 vs S&P 500'."""
        return f"{self.small.name} vs {self.large.name}"


@dataclass(frozen=True)
class RoleWords:
    """How replies name the two sides of a pair: 'small caps' / 'large caps' only when the
    pair really is small vs large caps, otherwise the symbols ('SPY' / 'IWM')."""

    small: str
    large: str
    plural: bool
    """Whether `small` takes a plural verb ('small caps lag', 'SPY lags')."""

    def verb(self, base: str) -> str:
        """'lag' -> 'lag' for small caps, 'lags' for a symbol; 'are' -> 'is'; 'have' -> 'has'."""
        if self.plural:
            return base
        return {"are": "is", "have": "has"}.get(base, f"{base}s")

    @property
    def possessive(self) -> str:
        """"small caps'" or "SPY's"."""
        return f"{self.small}'" if self.small.endswith("s") and self.plural else f"{self.small}'s"

    def capitalised(self) -> str:
        """'Small caps' or 'SPY'."""
        return self.small[:1].upper() + self.small[1:]


def role_words(small_symbol: str, large_symbol: str) -> RoleWords:
    """The words for a pair given by its (small, large) symbols: 'small caps'/'large caps'
    when the first is a known small-cap series and the second a known large-cap one."""
    if small_symbol in SMALL_CAP_SYMBOLS and large_symbol in LARGE_CAP_SYMBOLS:
        return RoleWords("small caps", "large caps", True)
    return RoleWords(small_symbol, large_symbol, False)


def instrument(symbol: str) -> Instrument:
    """An Instrument for a validated, upper-cased symbol."""
    sym = symbol.strip().upper()
    if not _SYMBOL_RE.match(sym):
        raise PairError(f"`{symbol}` is not a valid Yahoo Finance symbol (e.g. `IWM`, `^RUT`).")
    return Instrument(sym, KNOWN_NAMES.get(sym, sym))


PAIRS: dict[str, Pair] = {
    "index": Pair("index", instrument("^RUT"), instrument("^GSPC")),
    "etf": Pair("etf", instrument("IWM"), instrument("SPY")),
}
DEFAULT_PAIR = "index"


def parse_pair(text: str | None) -> Pair:
    """`index` (default), `etf`, or `SMALL/LARGE` with any two Yahoo symbols."""
    if text is None or not text.strip():
        return PAIRS[DEFAULT_PAIR]
    raw = text.strip()
    if raw.lower() in PAIRS:
        return PAIRS[raw.lower()]
    if "/" in raw:
        parts = raw.split("/")
        if len(parts) == 2 and all(parts):
            small, large = instrument(parts[0]), instrument(parts[1])
            if small.symbol == large.symbol:
                raise PairError("Compare two different symbols, e.g. `IJR/SPY`.")
            return Pair(f"{small.symbol}/{large.symbol}", small, large)
    raise PairError(
        f"`{raw}` is not a pair. Use `index` (Russell 2000 vs S&P 500), `etf` (IWM vs SPY) "
        "or `SMALL/LARGE` with two Yahoo symbols, e.g. `IJR/SPY`."
    )
