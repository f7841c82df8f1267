"""What people type from phones and desktop clients parses like the plain command.

Examples from the issue, then a property test over the grammar: any valid command, with any
of the decorations clients and Slack add, parses to the same query as the plain command.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.normalise import command_words, normalise_text
from handlers.words import CommandError
from tests.query_helpers import parse_command

NBSP, ZWSP, EM, EN = "\u00a0", "\u200b", "\u2014", "\u2013"


@pytest.mark.parametrize("typed,plain", [
    (f"gap{NBSP}3y", "gap 3y"),
    (f"gap 3y{ZWSP}", "gap 3y"),
    (f"alert add gap 3y above{NBSP}30", "alert add gap 3y above 30"),
    (f"gap 3y {EM}as-of 2024-03-26", "gap 3y as-of 2024-03-26"),
    (f"gap 2021-01-01{EN}2022-06-30", "gap 2021-01-01..2022-06-30"),
    ("gap 2021-01-01 \u2013 2022-06-30", "gap 2021-01-01..2022-06-30"),
    ("gap 2021-01-01\u20262022-06-30", "gap 2021-01-01..2022-06-30"),
    ("\u201cgap 3y\u201d", "gap 3y"),
    ("gap 3y as of 2024-03-26", "gap 3y as-of 2024-03-26"),
    ("gap \uff13\uff59", "gap 3y"),
    ("gap \u0663y", "gap 3y"),
    ("gap \u0969y etf", "gap 3y etf"),  # Devanagari 3
    ("GAP 3Y ETF", "gap 3y etf"),
    ("`/smallcaps gap 3y`", "gap 3y"),
    ("gap 1y <http://XIC.TO|XIC.TO>/<http://XIU.TO|XIU.TO>", "gap 1y XIC.TO/XIU.TO"),
    ("<@U123> gap <#C123|markets> 3y <!here>", "gap 3y"),
    ("alert add ratio zscore crosses down \u22122", "alert add ratio zscore crosses down -2"),
])
def test_typed_forms_parse_like_the_plain_command(typed, plain):
    assert parse_command(typed) == parse_command(plain)


def test_entities_are_unescaped_after_markup_so_escaped_brackets_stay_text():
    assert normalise_text("a &amp; b &lt;@U1&gt;") == "a & b <@U1>"
    assert normalise_text("x\x00y\u00adz\ufeff") == "xyz"


def test_keywords_fold_case_but_symbols_keep_theirs():
    assert command_words("GAP 5Y IJR/spy ^rut As-Of 2024-03-26") == \
        ["gap", "5y", "IJR/spy", "^rut", "as-of", "2024-03-26"]


def test_digits_are_the_same_rule_everywhere():
    """All Unicode decimal digits are read as ASCII digits, in every parser (periods, dates,
    alert numbers, rule ids)."""
    arabic = str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667"
                           "\u0668\u0669")
    for plain in ("gap 3y as-of 2024-03-26", "gap 2021-01-01..2022-06-30",
                  "alert add gap 18m above 30.5 hysteresis 2 cooldown 5d", "alert pause A12",
                  "alert add ratio vs 200dma crosses 0"):
        assert parse_command(plain.translate(arabic)) == parse_command(plain)


def test_an_error_quotes_at_most_80_characters_of_the_input():
    with pytest.raises(CommandError) as caught:
        parse_command("gap " + "q" * 900)
    assert "q" * 80 not in caught.value.message and "q" * 70 in caught.value.message
    with pytest.raises(CommandError) as caught:
        parse_command("x" * 10_000 + "\x00")
    assert len(caught.value.message) < 200 and "\x00" not in caught.value.message


@pytest.mark.parametrize("text,needle", [
    ("alert add gap 3y above 1e308", "out of range"),
    ("alert add gap 3y above 1e999", "out of range"),
    ("alert add gap 3y above 2e3", "out of range"),
    ("alert add gap 3y above abc", "not a number"),
    ("alert add gap 3y above 30 hysteresis 1e308", "out of range"),
    ("gap 99999y", "out of range"),
    ("gap 123456789012y", "out of range"),
])
def test_numbers_too_big_are_out_of_range_not_not_a_number(text, needle):
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    assert needle in caught.value.message


# --- property: any valid command survives any decoration ------------------------------------

REPORTS = ("gap", "stats", "trend", "rates", "history")
PERIODS = ("1y", "3y", "5y", "18m", "10y", "6m", "2w", "90d")
PAIRS = ("", "etf", "index", "IJR/SPY", "XIC.TO/XIU.TO", "^SP600/^GSPC")
DATES = ("2016-02-29", "2020-03-23", "2024-03-26")


@st.composite
def report_commands(draw) -> str:
    """A valid `report [PERIOD] [PAIR] [as-of DATE]` in plain ASCII words."""
    words = [draw(st.sampled_from(REPORTS)), draw(st.sampled_from(PERIODS))]
    pair = draw(st.sampled_from(PAIRS))
    if pair:
        words.append(pair)
    if draw(st.booleans()):
        words += ["as-of", draw(st.sampled_from(DATES))]
    return " ".join(words)


ALERTS = ("alert add gap 3y above 30 hysteresis 2", "alert add ratio vs 200dma crosses 0",
          "alert add ratio percentile below 10 etf cooldown 2w", "alert list", "alert resume A3",
          "alert add ratio zscore crosses down -2 no-clear-note", "digest weekly",
          "gap 2021-01-01..2022-06-30", "table etf as-of 2024-03-26", "status", "help gap")

SPACES = (" ", NBSP, "\u2009", "\u3000", "\t", "  ", f" {ZWSP}", "\u202f", "\n")
INVISIBLE = (ZWSP, "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e")
DIGIT_SETS = ("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
              "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
              "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f")


def fullwidth(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def slack_link(word: str) -> str:
    """How Slack wraps symbols that look like domains in message text."""
    parts = word.split("/")
    return "/".join(f"<http://{p}|{p}>" if "." in p else p for p in parts)


@st.composite
def decorated(draw, plain: str) -> str:
    """`plain` as a client or Slack might deliver it."""
    words = plain.split(" ")
    out = []
    for word in words:
        if word == "as-of" and draw(st.booleans()):
            word = draw(st.sampled_from([f"{EM}as-of", f"{EN}as-of", "as of", "AS-OF",
                                         "as\u2010of"]))
        if ".." in word and draw(st.booleans()):
            word = word.replace("..", draw(st.sampled_from([EN, EM, " \u2013 ", "\u2026"])))
        case = draw(st.sampled_from(["keep", "upper", "title"]))
        word = word.upper() if case == "upper" else word.title() if case == "title" else word
        if draw(st.booleans()):
            digits = draw(st.sampled_from(DIGIT_SETS))
            word = word.translate(str.maketrans("0123456789", digits))
        if draw(st.integers(0, 4)) == 0:
            word = fullwidth(word)
        if "/" in word and "." in word and draw(st.booleans()):
            word = slack_link(word)
        if draw(st.booleans()):
            at = draw(st.integers(0, len(word)))
            word = word[:at] + draw(st.sampled_from(INVISIBLE)) + word[at:]
        out.append(word)
    text = "".join(w + draw(st.sampled_from(SPACES)) for w in out).rstrip(" \t\n")
    wrap = draw(st.sampled_from(["", "\u201c\u201d", "``", "\"\"", "\u2018\u2019"]))
    if wrap:
        text = wrap[0] + text + wrap[1]
    prefix = draw(st.sampled_from(["", "<@UBOT> ", "<@UBOT|smallcaps> ", "/smallcaps ",
                                   "<#C1|markets> "]))
    return prefix + text + draw(st.sampled_from(["", " <@U2>", ZWSP, " ", NBSP]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_decorated_report_command_parses_to_the_same_query(data):
    plain = data.draw(report_commands())
    typed = data.draw(decorated(plain))
    assert parse_command(typed) == parse_command(plain), (plain, typed)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_decorated_alert_or_other_command_parses_to_the_same_request(data):
    plain = data.draw(st.sampled_from(ALERTS))
    typed = data.draw(decorated(plain))
    assert parse_command(typed) == parse_command(plain), (plain, typed)


@given(st.text(max_size=300))
def test_normalising_never_raises_and_leaves_no_invisible_characters(text):
    out = normalise_text(text)
    assert not any(c in out for c in INVISIBLE + ("\x00", "\t", "\n", NBSP))
    assert normalise_text(out) == out  # idempotent


def test_button_values_pass_through_the_same_normaliser():
    """A click reruns the command its button value names (bot.listeners.actions): the words go
    through parse_command, so they are read exactly as typed commands are."""
    from handlers.buttons import decode_value

    value = '{"c":"GAP","e":"202611231620","k":"ETF","p":"\uff13y","a":"2024-03-26"}'
    request = decode_value(value)
    assert parse_command(request.command_text()) == parse_command("gap 3y etf as-of 2024-03-26")


def test_a_board_label_keeps_the_case_it_was_typed_in():
    """A label is the user's own text (`IWM/SPY=Russell (ETFs)`): before, every word after
    the pair was case-folded, so the board showed 'Russell (etfs)' and 'S&p smallcap', also
    when the CSV button or Share to channel re-read the pinned words."""
    words = command_words("BOARD IWM/SPY=Russell (ETFs), IJR/SPY=S&amp;P SmallCap PRICE")
    assert words == ["board", "IWM/SPY=Russell", "(ETFs),", "IJR/SPY=S&P", "SmallCap",
                     "PRICE"]
    query = parse_command("board IWM/SPY=Russell (ETFs), IJR/SPY=S&P SmallCap price")
    assert [r.label for r in query.rows] == ["Russell (ETFs)", "S&P SmallCap"]
    assert query.basis == "price"
    keyed = parse_command("board etf=Russell (ETFs), index=S&P Indexes")  # a pair key's label
    assert [r.label for r in keyed.rows] == ["Russell (ETFs)", "S&P Indexes"]
