"""Link buttons to TradingView and StockCharts under gap and ratio (trend) charts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from handlers.chart_links import link_buttons, stockcharts_url, tradingview_url
from tests.slack_helpers import dispatch_slash
from tests.slack_native_helpers import dispatch_block_action, message_click


def _query(url: str, key: str) -> str:
    [value] = parse_qs(urlsplit(url).query)[key]
    return value


@pytest.mark.parametrize("small,large,tv,sc", [
    ("IWM", "SPY", "AMEX:IWM/AMEX:SPY", "IWM:SPY"),
    ("^RUT", "^GSPC", "TVC:RUT/SP:SPX", "$RUT:$SPX"),
    ("IJR", "QQQ", "AMEX:IJR/NASDAQ:QQQ", "IJR:QQQ"),
    ("XIC.TO", "XIU.TO", "TSX:XIC/TSX:XIU", "XIC.TO:XIU.TO"),
])
def test_each_site_gets_its_own_symbols_url_encoded(small, large, tv, sc):
    tv_url, sc_url = tradingview_url(small, large), stockcharts_url(small, large)
    assert tv_url.startswith("https://www.tradingview.com/chart/?symbol=")
    assert sc_url.startswith("https://stockcharts.com/sc3/ui/?s=")
    assert _query(tv_url, "symbol") == tv and _query(sc_url, "s") == sc
    assert "/" not in tv_url.split("?", 1)[1] and "$" not in sc_url  # encoded


def test_an_index_a_site_does_not_carry_gets_no_button():
    assert tradingview_url("^RUJ", "^GSPC") is None
    p = {"command": "gap", "small": {"symbol": "^RUJ"}, "large": {"symbol": "^GSPC"}}
    assert [b["action_id"] for b in link_buttons(p)] == []
    assert link_buttons({"command": "table", "small": {"symbol": "IWM"},
                         "large": {"symbol": "SPY"}}) == []


@pytest.mark.parametrize("text,tv", [("gap 3y etf", "AMEX:IWM/AMEX:SPY"),
                                     ("trend 2y", "TVC:RUT/SP:SPX")])
def test_gap_and_trend_replies_carry_the_links_under_the_chart(app, fake, text, tv):
    dispatch_slash(app, fake, text)
    [update] = fake.wait_for("chat.update", timeout=30)
    blocks = update.params["blocks"]
    image_at = next(i for i, b in enumerate(blocks) if b["type"] == "image")
    urls = {e["text"]["text"]: e["url"] for b in blocks[image_at:] if b["type"] == "actions"
            for e in b["elements"] if "url" in e}
    assert _query(urls["Open in TradingView"], "symbol") == tv
    assert "StockCharts" in urls


def test_a_click_on_a_link_is_acknowledged_and_nothing_is_posted(app, fake):
    button = {"action_id": "smallcaps_link_tradingview",
              "text": {"type": "plain_text", "text": "Open in TradingView"}, "value": ""}
    message = {"type": "message", "ts": "1700000000.000100", "text": "t", "blocks": []}
    response = dispatch_block_action(app, message_click(button, message, fake))
    assert response.status == 200
    assert fake.calls("chat.postMessage") == [] and fake.calls("response_url") == []
