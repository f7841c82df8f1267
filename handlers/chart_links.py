"""'Open in TradingView' and 'StockCharts' link buttons under the ratio and gap charts, for
people who want to zoom and draw: the same two series as a TradingView spread
(`AMEX:IWM/AMEX:SPY`) and a StockCharts ratio (`$RUT:$SPX`). Pure functions.

Yahoo's symbols are mapped to each site's: the indexes the bot knows by name, US ETFs on NYSE
Arca (TradingView lists them as `AMEX:`; Nasdaq's QQQ as `NASDAQ:`), Toronto listings
(`XIC.TO`) as `TSX:XIC`; other plain tickers are passed bare, which both sites resolve. A
symbol a site has no name for (an index it does not carry) gets no button for that site.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from handlers.command import Block
from handlers.registry import get

LINK_ACTION_PREFIX = "smallcaps_link"
"""action_id prefix of the URL buttons: Slack still sends a click to the app, which acks it."""
LINK_ACTION = re.compile(rf"^{LINK_ACTION_PREFIX}_")

TRADINGVIEW_INDEXES = {"^RUT": "TVC:RUT", "^GSPC": "SP:SPX", "^SP600": "SP:SP600",
                       "^DJI": "TVC:DJI", "^NDX": "NASDAQ:NDX", "^IXIC": "NASDAQ:IXIC",
                       "^RUI": "TVC:RUI", "^SP500": "SP:SPX"}
STOCKCHARTS_INDEXES = {"^RUT": "$RUT", "^GSPC": "$SPX", "^SP600": "$SML", "^DJI": "$INDU",
                       "^NDX": "$NDX", "^IXIC": "$COMPQ", "^RUI": "$RUI", "^SP500": "$SPX"}
NASDAQ_LISTED = frozenset({"QQQ", "VTWO", "SCHA"})
"""ETFs the bot knows that trade on Nasdaq rather than NYSE Arca."""


def tradingview_symbol(symbol: str) -> str | None:
    """TradingView's name for a Yahoo symbol ('IWM' -> 'AMEX:IWM', '^RUT' -> 'TVC:RUT')."""
    if symbol.startswith("^"):
        return TRADINGVIEW_INDEXES.get(symbol)
    if symbol.endswith(".TO"):
        return f"TSX:{symbol[:-3]}"
    if "." in symbol or "=" in symbol:
        return None
    return f"{'NASDAQ' if symbol in NASDAQ_LISTED else 'AMEX'}:{symbol}"


def stockcharts_symbol(symbol: str) -> str | None:
    """StockCharts' name for a Yahoo symbol ('IWM' -> 'IWM', '^RUT' -> '$RUT')."""
    if symbol.startswith("^"):
        return STOCKCHARTS_INDEXES.get(symbol)
    return None if "=" in symbol else symbol


def tradingview_url(small: str, large: str) -> str | None:
    """The TradingView chart of the spread small/large (None: a symbol it has no name for)."""
    a, b = tradingview_symbol(small), tradingview_symbol(large)
    if a is None or b is None:
        return None
    return f"https://www.tradingview.com/chart/?symbol={quote(f'{a}/{b}', safe='')}"


def stockcharts_url(small: str, large: str) -> str | None:
    """The StockCharts chart of the ratio small:large (None: a symbol it has no name for)."""
    a, b = stockcharts_symbol(small), stockcharts_symbol(large)
    if a is None or b is None:
        return None
    return f"https://stockcharts.com/sc3/ui/?s={quote(f'{a}:{b}', safe='')}"


def link_buttons(p: Mapping[str, Any]) -> list[Block]:
    """URL buttons for the two series of a payload whose command declares `links` ([] for
    other commands)."""
    if not get(p["command"]).links:  # its spec: a gap or ratio chart of two series
        return []
    small, large = p["small"]["symbol"], p["large"]["symbol"]
    links = [("tradingview", "Open in TradingView", tradingview_url(small, large)),
             ("stockcharts", "StockCharts", stockcharts_url(small, large))]
    return [{"type": "button", "action_id": f"{LINK_ACTION_PREFIX}_{site}", "url": url,
             "text": {"type": "plain_text", "text": label}}
            for site, label, url in links if url is not None]

