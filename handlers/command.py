"""What a command is: one `Command` spec per command module, listed in handlers/registry.py.

Words used throughout handlers/ (README, "Layout"):

- a *request* is a parsed command (`Command.parse` turns the words into one);
- a *query* is the request of a report command: what the report pipeline runs
  (bot.reports.ReportQuery);
- a *report* is the computed answer of a query: its *payload* (the JSON every rendering
  reads) and its chart;
- a *rendering* words a payload: Block Kit, notification text, terminal text, chart title;
- a *reply* is what the bot posts or sends; to *answer* a request is to send its reply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from handlers.buttons import Choice
from handlers.words import ParseContext

if TYPE_CHECKING:  # annotations only: a command module needs neither to be imported
    from datetime import date

    from slack_sdk import WebClient

    from analytics.pairs import Pair
    from analytics.periods import Period
    from bot.data.market import MarketData
    from bot.reports import Report
    from bot.runtime.deps import Deps

Block = dict[str, Any]
Blocks = list[Block]
P = TypeVar("P", bound=Mapping[str, Any])

CliMode = Literal["report", "words", "own", "none"]
"""How `smallcaps NAME` runs: `report` (the Slack words plus --pair, --basis, --as-of, --live,
--out, --json, --csv: prints the report), `words` (the Slack words only: prints `terminal`),
`own` (bot/cli.py declares the subcommand itself) or `none` (Slack only: it belongs to a
channel)."""

HomeRole = Literal["rows", "status", "claim"]
"""What App Home (bot.listeners.home) shows of a report: `rows`, its answer for each of
HOME_PERIODS (the dashboard's table; one command has it); `status`, its default answer's
one-line summary (the relative-strength line; one command); `claim`, its default answer's
one-line summary in the "March 2024 claims" section (any number)."""
HOME_PERIODS = ("1y", "3y", "5y")
"""The periods of App Home's `rows`."""

DefaultWord = Literal["pair", "period", "window", "basis", "board"]
"""A channel default (`set NAME VALUE`) a command takes when its words leave it out; `window`
is a period default that applies only when it is a length (`5y`, not `ytd`)."""


@dataclass(frozen=True)
class Rendering(Generic[P]):
    """How a report command words its payload: pure functions of the payload."""

    blocks: Callable[[P], Blocks]
    """The in-channel Block Kit reply (within Slack's limits)."""
    fallback: Callable[[P], str]
    """Notification text, and the one-line summary App Home and alt texts quote."""
    plain: Callable[[P], str]
    """The terminal rendering (`smallcaps NAME ...`)."""
    title: Callable[[P], str]
    """The chart's title."""


def pinned_suffix(p: Mapping[str, Any]) -> str:
    """The words that pin a payload's answer: its requested basis and `as-of END`."""
    end = p.get("end")
    as_of = f" as-of {end}" if end else ""
    if p.get("basis_requested"):  # `price`: the CSV holds the closes the reply used
        as_of = f" {p['basis_requested']}{as_of}"
    return as_of


def pinned_command(p: Mapping[str, Any]) -> str:
    """The command text that reproduces a payload's numbers, pinned to its end date:
    `NAME [PERIOD] PAIR [BASIS] as-of END` (a report without a period: every horizon or
    year)."""
    period = f" {p['period']}" if p.get("period") else ""
    return f"{p['command']}{period} {p['pair']}{pinned_suffix(p)}"


def unpinned(p: Mapping[str, Any]) -> str:
    """The command text of a report that takes no words (one series of annual data): its
    name alone."""
    return str(p["command"])


@dataclass(frozen=True)
class Export:
    """What `--csv` and the CSV button write for a report: the data its chart draws."""

    write: Callable[[MarketData, Any, Report], str]
    """The CSV text of a query's finished report (bot.reports.csv_export: one function per
    kind of chart); `market` gives the closes the series are recomputed from."""
    pinned: Callable[[Mapping[str, Any]], str] = pinned_command
    """The command text that reproduces a payload's numbers (the CSV button's value)."""


@dataclass(frozen=True)
class AlertOffer:
    """What an "Alert me on this" button under a report offers: a rule on the number the
    answer shows, with a threshold near its value (handlers/alert_form.py opens the form)."""

    rule: str
    """Rule words as `alert add` takes them: 'gap 3y index crosses 12'."""
    seen: str
    """The value the answer showed: 'the 3-year gap is 11.83 pp on 2026-08-21'."""
    basis: str
    """The answer's return basis ('price return', 'total return', 'mixed (...)')."""


def near(value: float, step: float) -> float:
    """`value` rounded to a multiple of `step` (a threshold near today's value: 11.83 -> 12
    with step 1), without float noise ('2.5', not '2.5000000000000004')."""
    return round(round(value / step) * step, 6) + 0.0  # + 0.0: no '-0'


@dataclass(frozen=True)
class Conversation:
    """Where and for whom a request is answered: a slash command (notes through its
    response_url, reports in the channel) or a mention (everything under it in a thread)."""

    deps: Deps
    client: WebClient
    channel_id: str
    user_id: str
    text: str
    """The command words as they arrived (for logs)."""
    respond: Callable[..., Any]
    """Sends a reply: `respond(text=..., blocks=..., response_type=...)`."""
    error_text: Callable[..., str]
    """`error_text(message, example=None)`: an error worded for this way of asking."""
    invoked_as: str = "/smallcaps"
    """How the user called the bot (`/smallcaps` or `@smallcaps`), for help's examples."""
    bot_user_id: str | None = None
    thread_ts: str | None = None
    """The thread a report goes to (a mention inside a thread), else the channel."""
    shareable: bool = False
    """Reports carry a *Share to channel* picker (answers in the bot's own direct messages,
    handlers/share.py)."""

    def tell(self, **reply: Any) -> Any:
        """A reply only the asker sees (ephemeral; under a mention, the mention's thread)."""
        return self.respond(response_type="ephemeral", **reply)


@dataclass(frozen=True)
class Command:
    """Everything the bot knows about one command, declared once in its module."""

    name: str
    usage: str
    """The grammar as help shows it: 'gap [PERIOD] [PAIR] [BASIS] [as-of DATE]'."""
    summary: str
    """What it does, for help and `smallcaps NAME --help`."""
    example: str
    """A command that works: 'gap 3y'."""
    parse: Callable[[list[str], ParseContext], Any]
    """The words after the name, read against the request's context (today, settings,
    channel defaults: handlers.words.ParseContext) -> a request (a query for report
    commands); CommandError (handlers.words) with an example for anything else."""
    rendering: Rendering[Any] | None = None
    """Report commands: how the payload is worded. The request is then a ReportQuery that
    the report pipeline runs, and the reply is posted in the channel with its chart."""
    answer: Callable[[Conversation, Any], None] | None = None
    """Other commands: how a request is answered (status, settings, schedules, alerts...)."""
    terminal: Callable[[Any], str] | None = None
    """`cli="words"` commands: the terminal text of a request."""
    choices: tuple[Choice, ...] = ()
    """The switch buttons under its replies (handlers.buttons): period and pair."""
    prerendered: bool = False
    """Its answers are computed after each close, before anyone asks (handlers.prerender):
    every answer its buttons offer, or its default answer when it has none. A command with
    `choices` must set it (a click is answered from the cache; tests/handlers/
    test_registry.py checks it)."""
    export: Export | None = None
    """What `--csv` and the CSV button under its replies write; None: no CSV (the CLI has
    no `--csv` option for it and its replies no CSV button)."""
    pinned_query: Callable[[Period | None, Pair, date], Any] | None = None
    """The query of its answer for a period (None: its default period), a pair and an end
    day, built directly, not parsed (the day comes from the data, not from a user): the
    report under an alert (analytics.alert_metric_base.ChartNeed names the command) and the
    digest's report."""
    links: bool = False
    """Its chart is a gap or a ratio of two series: replies carry 'Open in TradingView' and
    'StockCharts' buttons (handlers.chart_links)."""
    digest: bool = False
    """The report a digest posts (`digest daily|weekly`): one command has it."""
    pinned: Callable[[Mapping[str, Any]], str] | None = None
    """Report commands: the command text that reproduces a payload's numbers (what sharing
    a direct-message answer to a channel runs again, handlers/share.py); None: its
    export's `pinned`, else `pinned_command`."""
    defaults: frozenset[DefaultWord] = field(default_factory=frozenset)
    """The channel defaults it takes when its words leave them out."""
    schedulable: bool = False
    """`schedule add "NAME ..."` may post it on a schedule."""
    home: HomeRole | None = None
    """Its part of the App Home dashboard (HomeRole), if any."""
    cli: CliMode = "report"
    listed: bool = True
    """Shown in help and named in the unknown-command error (help itself is not)."""
    aliases: tuple[str, ...] = ()
    """Other first words that mean this command (`?` and `--help` for help)."""
    instant: bool = False
    """Answered in the slash command's ack (pure and fast); others are queued."""
    alert_offer: Callable[[Mapping[str, Any]], AlertOffer | None] | None = None
    """Its replies carry an "Alert me on this" button: the rule a payload offers (None: this
    payload offers none, e.g. a fixed date range)."""
    in_usage_hint: bool = True
    """Named in the slash command's usage hint (manifest.yml `usage_hint`). Slack allows 100
    characters there and today's commands fill them: a new command sets this False (help
    lists it) unless the hint is reworded."""

    def __post_init__(self) -> None:
        if (self.rendering is None) == (self.answer is None):
            raise ValueError(f"command {self.name}: give a rendering (a report) or an answer")
        if self.cli == "words" and self.terminal is None:
            raise ValueError(f"command {self.name}: cli='words' needs a terminal text")
