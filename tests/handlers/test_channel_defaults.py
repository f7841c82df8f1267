"""`/smallcaps set`/`unset`: channel defaults in a real Redis, used by later commands."""

from __future__ import annotations

import csv
import json

import pytest

from handlers.channel_defaults import apply_defaults
from handlers.registry import get
from tests.fake_slack import FakeSlack
from tests.slack_helpers import dispatch_slash


def _ephemeral(fake: FakeSlack, count: int) -> str:
    replies = fake.wait_for("response_url", count=count, timeout=30)
    reply = replies[count - 1].params
    assert reply["response_type"] == "ephemeral"
    return reply.get("text", "") + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def _posted(fake: FakeSlack, count: int = 1) -> str:
    posts = fake.wait_for("chat.postMessage", count=count, timeout=30)
    return json.dumps(posts[count - 1].params["blocks"], ensure_ascii=False)


def _gap_pp(closes, small: str, large: str, start: str, end: str) -> float:
    s, lg = closes[small], closes[large]
    return ((lg[end] / lg[start] - 1) - (s[end] / s[start] - 1)) * 100


def test_set_pair_makes_gap_use_it_and_the_reply_says_so(app, fake, real_closes):
    dispatch_slash(app, fake, "set pair etf")
    assert "pair is now `etf`" in _ephemeral(fake, 1)
    dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
    text = _posted(fake)
    expected = _gap_pp(real_closes, "IWM", "SPY", "2021-03-26", "2024-03-26")
    assert f"{expected:+.2f} pp" in text and "(IWM)" in text and "total return" in text


def test_a_typed_pair_wins_over_the_default(app, fake, real_closes):
    dispatch_slash(app, fake, "set pair etf")
    _ephemeral(fake, 1)
    dispatch_slash(app, fake, "gap 3y index as-of 2024-03-26")
    text = _posted(fake)
    expected = _gap_pp(real_closes, "^RUT", "^GSPC", "2021-03-26", "2024-03-26")
    assert f"{expected:+.2f} pp" in text and "(^RUT)" in text


def test_set_period_is_used_and_unset_removes_it(app, fake, real_closes):
    dispatch_slash(app, fake, "set period 5y")
    _ephemeral(fake, 1)
    dispatch_slash(app, fake, "gap as-of 2024-03-26")
    expected = _gap_pp(real_closes, "^RUT", "^GSPC", "2019-03-26", "2024-03-26")
    assert f"{expected:+.2f} pp" in _posted(fake, 1)
    dispatch_slash(app, fake, "unset period")
    assert "Removed" in _ephemeral(fake, 2)
    dispatch_slash(app, fake, "gap as-of 2024-03-26")  # back to the built-in 3y
    expected = _gap_pp(real_closes, "^RUT", "^GSPC", "2021-03-26", "2024-03-26")
    assert f"{expected:+.2f} pp" in _posted(fake, 2)


def test_defaults_are_per_channel(app, fake):
    dispatch_slash(app, fake, "set pair etf", channel="C1")
    _ephemeral(fake, 1)
    dispatch_slash(app, fake, "set", channel="C2")
    assert "No channel defaults" in _ephemeral(fake, 2)
    dispatch_slash(app, fake, "set", channel="C1")
    assert "pair: `etf`" in _ephemeral(fake, 3)


def test_set_board_picks_the_board_rows(app, fake):
    dispatch_slash(app, fake, "set board IWM/SPY, RSP/SPY")
    assert "IWM/SPY=Small caps (ETFs), RSP/SPY=" in _ephemeral(fake, 1)
    dispatch_slash(app, fake, "board as-of 2024-03-26")
    text = _posted(fake)
    assert "RSP/SPY" in text and "IWM/SPY" in text and "IJR/SPY" not in text


def test_set_basis_is_stored_and_shown(app, fake):
    dispatch_slash(app, fake, "set basis price")
    assert "basis is now `price`" in _ephemeral(fake, 1)
    dispatch_slash(app, fake, "set")
    assert "basis: `price`" in _ephemeral(fake, 2)


def _price_closes(market_data_dir, symbol):
    """Unadjusted closes by day from SYMBOL.price.csv, read with the csv module."""
    with open(market_data_dir / f"{symbol}.price.csv", newline="") as handle:
        return {row["Date"]: float(row["Close"]) for row in csv.DictReader(handle)}


def test_set_basis_price_makes_etf_replies_price_return(app, fake, market_data_dir):
    dispatch_slash(app, fake, "set basis price")
    _ephemeral(fake, 1)
    dispatch_slash(app, fake, "gap 3y etf as-of 2024-03-26")
    text = _posted(fake)
    iwm, spy = _price_closes(market_data_dir, "IWM"), _price_closes(market_data_dir, "SPY")
    iwm_pct = (iwm["2024-03-26"] / iwm["2021-03-26"] - 1) * 100
    spy_pct = (spy["2024-03-26"] / spy["2021-03-26"] - 1) * 100
    headline = text.split("Price return:")[0] if "Price return:" in text else text
    assert f"{iwm_pct:+.2f} %" in headline and f"{spy_pct:+.2f} %" in headline
    assert "price return" in text


def test_a_typed_basis_wins_and_total_never_breaks_index_pairs(app, fake, real_closes):
    dispatch_slash(app, fake, "set basis total")
    _ephemeral(fake, 1)
    dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")  # index: price return only
    expected = _gap_pp(real_closes, "^RUT", "^GSPC", "2021-03-26", "2024-03-26")
    assert f"{expected:+.2f} pp" in _posted(fake, 1)
    dispatch_slash(app, fake, "unset basis")
    _ephemeral(fake, 2)
    dispatch_slash(app, fake, "set basis price")
    _ephemeral(fake, 3)
    dispatch_slash(app, fake, "gap 3y etf total as-of 2024-03-26")  # the typed word wins
    expected = _gap_pp(real_closes, "IWM", "SPY", "2021-03-26", "2024-03-26")
    headline = _posted(fake, 2).split("Price return:")[0]
    assert f"lag by {expected:.2f} pp over 3 years, total return" in headline


@pytest.mark.parametrize("text,needle", [
    ("set colour red", "Valid: `pair`, `period`, `basis`, `board`"),
    ("set basis net", "Valid: `total`, `price`"),
    ("set period 3q", "1m, 3m"),
    ("set pair IWM/IWM", "Valid: `index`, `etf`"),
    ("set board IWM/SPY, IWM/SPY", "twice"),
])
def test_bad_values_are_refused_with_the_valid_ones(app, fake, text, needle):
    body = dispatch_slash(app, fake, text).body
    reply = body if body else _ephemeral(fake, 1)
    assert needle in reply
    dispatch_slash(app, fake, "set")
    assert "No channel defaults" in _ephemeral(fake, 2 if not body else 1)


def test_status_shows_the_channels_defaults(app, fake):
    dispatch_slash(app, fake, "set pair etf")
    _ephemeral(fake, 1)
    dispatch_slash(app, fake, "status")
    text = _ephemeral(fake, 2)
    assert "This channel's defaults" in text and "pair: `etf`" in text


def test_apply_defaults_fills_only_missing_words():
    defaults = {"pair": "etf", "period": "5y", "board": "IWM/SPY"}
    assert apply_defaults(get("gap"), ["3y"], defaults) == ["3y", "etf"]
    assert apply_defaults(get("gap"), ["IJR/SPY"], defaults) == ["IJR/SPY", "5y"]
    assert apply_defaults(get("table"), [], defaults) == ["etf"]
    assert apply_defaults(get("history"), [], {"period": "ytd"}) == []
    assert apply_defaults(get("board"), ["as-of", "2024-03-26"], defaults) == \
        ["as-of", "2024-03-26", "IWM/SPY"]
    assert apply_defaults(get("status"), [], defaults) == []


@pytest.mark.parametrize("text,symbol", [("set pair XYZ/SPY", "XYZ"),
                                         ("set board banana/xyz", "BANANA")])
def test_a_default_naming_a_symbol_without_data_is_refused(app, fake, text, symbol):
    """Found by a new-user trial: such a default was saved, and then every command in the
    channel failed with an error that did not name the default."""
    dispatch_slash(app, fake, text)
    said = _ephemeral(fake, 1)
    assert symbol in said and "Nothing was set" in said
    dispatch_slash(app, fake, "set")
    assert symbol not in _ephemeral(fake, 2)
