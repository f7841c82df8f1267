"""One normalisation step in front of every parser: slash text, mentions, buttons, CLI words.

People type commands on phones and desktop clients that change what they typed, and Slack
adds its own markup to message text. Before any grammar looks at a command, `command_words`
turns what arrived into the plain words the grammar expects:

1. Slack markup: links become their label (`<http://XIC.TO|XIC.TO>` -> `XIC.TO`; a link
   without a label becomes its address without the scheme), user, channel, group and
   special mentions (`<@U123>`, `<#C123|name>`, `<!here>`, `<!subteam^S1>`) are dropped,
   then HTML entities are unescaped (`&amp;` -> `&`; Slack escapes `&`, `<` and `>`).
   Markup is replaced before entities are unescaped, so an escaped `&lt;@U1&gt;` typed by
   a user stays text.
2. Unicode NFKC (fullwidth `３ｙ` -> `3y`, ligatures, superscripts), then every Unicode
   decimal digit (category Nd: Arabic-Indic `٣`, Devanagari `३`, ...) as its ASCII digit.
   **Digits: all Unicode decimal digits are accepted, as ASCII**, here and therefore in
   every parser (the grammars themselves match ASCII only).
3. Invisible characters removed: format characters (Unicode category Cf: zero-width space
   and joiners, word joiner, BOM, soft hyphen, bidi marks) and control characters
   (category Cc, NUL included) other than whitespace.
4. Every Unicode space (NBSP, thin, ideographic, tab, newline, ...) is a plain space.
5. Dashes (hyphen U+2010 to horizontal bar U+2015, minus U+2212, small and fullwidth
   hyphen-minus) stand for what was meant: between two dates, `..` (`2021-01-01–2022-06-30`,
   also with spaces around it, and `...` or `…` there); at the start of a word followed by a
   letter, `--` (a client turned `--as-of` into `—as-of`); anywhere else `-` (`−2`).
6. Quotes are dropped: straight, curly (`“gap 3y”`), guillemets and backticks (people
   paste `` `/smallcaps gap 3y` `` from the help text). Nothing in the grammar is quoted.
7. A leading `/smallcaps` (pasted into a mention or the terminal) is dropped.
8. Words are split on spaces; each word is case-folded (`str.lower`) unless it holds a
   symbol marker (`/` of a SMALL/LARGE pair or `^` of an index), which keeps it as typed:
   keywords are case-insensitive, symbols are upper-cased later by `analytics.pairs`. A
   label (`IWM/SPY=Russell (ETFs)`, `etf=S&P (ETFs)`: the words after a pair's `=`, up to
   a word that ends in `,` or the end) is the user's own text and keeps its case too.

The function is generic on purpose: a new command's words pass through the same steps.
Sources: Slack's message formatting reference ("Escaping text", "Linking to URLs",
"Mentioning users"); Unicode UAX #15 (NFKC) and the Unicode character database categories.
"""

from __future__ import annotations

import html
import re
import unicodedata

from analytics.pairs import PAIRS

SLASH_COMMAND_WORD = "/smallcaps"

_LINK_RE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
"""Slack markup `<target>` or `<target|label>` (links, mentions, channels, specials)."""
_MENTION_TARGET = ("@", "#", "!")
_SCHEME_RE = re.compile(r"^(?:https?://|mailto:|tel:)", re.IGNORECASE)

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
"""Unicode dashes and minus signs that stand for an ASCII hyphen-minus in what people type."""
QUOTES = "\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a" \
    "\u2032\u2033\u301d\u301e"
"""Quote characters dropped from commands (straight, curly, low, guillemets, primes)."""
_QUOTE_TABLE = str.maketrans("", "", QUOTES)
_DASH_CLASS = f"[{DASHES}]"
_DATE = r"\d{4}-\d{2}-\d{2}"
_RANGE_RE = re.compile(rf"({_DATE})\s*(?:{_DASH_CLASS}+|\.{{2,}})\s*({_DATE})", re.ASCII)
_OPTION_RE = re.compile(rf"(^|\s){_DASH_CLASS}+(?=[A-Za-z])")
_SPACES_RE = re.compile(r"\s+")
SYMBOL_MARKERS = ("/", "^")
"""A word holding one of these is a symbol or pair: it is not case-folded."""


def _replace_markup(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(_MENTION_TARGET):
        return " "  # <@U123>, <#C123|name>, <!here>: not part of the command
    if label:
        return label
    return _SCHEME_RE.sub("", target)


def _ascii_digit(char: str) -> str:
    """The ASCII digit of a Unicode decimal digit (category Nd), else the character."""
    if char.isdigit() and not char.isascii():
        value = unicodedata.decimal(char, None)
        if value is not None:
            return str(value)
    return char


def _visible(char: str) -> str:
    """'' for format and control characters, ' ' for any space, else the character."""
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category in ("Cf", "Cc"):
        return ""
    return char


def normalise_text(text: str) -> str:
    """`text` as the grammar expects it: steps 1 to 7 of the module docstring, spaces
    collapsed and trimmed. Case is kept (see `command_words`). Never raises."""
    text = _LINK_RE.sub(_replace_markup, text or "")
    text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_visible(_ascii_digit(c)) for c in text)
    text = text.translate(_QUOTE_TABLE)
    text = _RANGE_RE.sub(r"\1..\2", text)
    text = _OPTION_RE.sub(r"\1--", text)
    text = re.sub(_DASH_CLASS, "-", text)
    text = _SPACES_RE.sub(" ", text).strip()
    if text.lower() == SLASH_COMMAND_WORD or text.lower().startswith(SLASH_COMMAND_WORD + " "):
        text = text[len(SLASH_COMMAND_WORD):].strip()
    return text


def fold_word(word: str) -> str:
    """A keyword case-folded; a symbol or pair (holding `/` or `^`) kept as typed."""
    return word if any(m in word for m in SYMBOL_MARKERS) else word.lower()


def command_words(text: str) -> list[str]:
    """The words of a command after `normalise_text`, keywords case-folded, symbols and
    labels (the words after a pair's `=` up to a `,`) as typed. Never raises."""
    words, in_label = [], False
    for word in normalise_text(text).split(" "):
        if not word:
            continue
        pair, equals, label = word.partition("=")
        if in_label:
            words.append(word)
        elif equals and _is_pair(pair):  # a pair's label begins: `etf=Small caps`
            words.append(f"{fold_word(pair)}={label}")
            in_label = True
        else:
            words.append(fold_word(word))
        if word.endswith(","):
            in_label = False
    return words


def _is_pair(word: str) -> bool:
    """A pair as the grammar names one: SMALL/LARGE, an index symbol, or a pair key (`etf`)."""
    return any(m in word for m in SYMBOL_MARKERS) or word.lower() in PAIRS
