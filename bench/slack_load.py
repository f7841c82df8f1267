"""Load on the bot over HTTP: ack latency, time to the complete reply, and mixed traffic.

A complete reply is the Block Kit message posted and the PNG uploaded; its time is when the
fake Slack received `files.completeUploadExternal`, measured from when the request was sent.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bench.harness import DONE, BotProcess, burst_across
from bench.slackproc import RemoteSlack
from bench.table import latency_stats
from handlers.registry import offered_commands

FAILED = "response_url"
"""Reports that fail are answered ephemerally through the response_url."""
REPLY_TIMEOUT_S = 600.0


def _finished(fake: RemoteSlack) -> int:
    return fake.count(DONE) + fake.count(FAILED)


def drain(fake: RemoteSlack, expected: int) -> None:
    """Wait until `expected` replies (complete or failed) arrived since the last clear."""
    fake.wait_count((DONE, FAILED), expected, REPLY_TIMEOUT_S)


def one_reply(bot: BotProcess, fake: RemoteSlack, text: str) -> float:
    """Seconds from sending `text` to its complete reply (the only request in flight)."""
    before = fake.count(DONE)
    failed = fake.count(FAILED)
    sent, _, _ = bot.slash(text)
    fake.wait_count((DONE, FAILED), before + failed + 1, REPLY_TIMEOUT_S)
    if fake.count(FAILED) > failed:
        raise RuntimeError(f"{bot.mode}: {text!r} was answered with an error")
    return fake.arrivals(DONE)[before] - sent


def new_commands() -> Callable[[], str]:
    """A different gap command each call (periods of 6 months to 5 years, older as-of dates),
    never asked before in this run: the market data is cached, the answer is not."""
    periods = ("3y", "1y", "5y", "2y", "18m", "6m")
    state = {"n": 0}

    def next_command() -> str:
        n = state["n"]
        state["n"] += 1
        as_of = date(2026, 8, 14) - timedelta(days=7 * n)
        return f"gap {periods[n % len(periods)]} as-of {as_of.isoformat()}"

    return next_command


def prerendered_commands() -> list[str]:
    """Gap answers the buttons offer (so the scheduler pre-renders them), except `gap 3y`,
    which the repeat case asks."""
    return [c for c in offered_commands() if c.startswith("gap ") and c != "gap 3y index"]


@dataclass(frozen=True)
class BotUnderTest:
    """A bot and what the harness does to it between trials."""

    bot: BotProcess
    flush: Callable[[], None]
    """Empties its cache."""
    prerender: Callable[[str], None]
    """What its scheduler does after the close for `command` (nothing for the baseline)."""


def reply_times(bots: list[BotUnderTest], fake: RemoteSlack, trials: int,
                repeats: int) -> list[dict[str, float]]:
    """Median ms to the complete reply for each bot: cold cache, warm data + new command, the
    first ask of a command pre-rendered after the close, and a repeat. Bots take turns trial
    by trial, so a load spike on the machine hits all of them."""
    times: list[dict[str, list[float]]] = [
        {"cold": [], "warm_new": [], "prerendered": [], "repeat": []} for _ in bots]
    fresh = [new_commands() for _ in bots]
    for _ in range(trials):
        for each, acc in zip(bots, times, strict=True):
            each.flush()
            acc["cold"].append(one_reply(each.bot, fake, "gap 3y"))
    for _ in range(trials):
        for each, acc, next_command in zip(bots, times, fresh, strict=True):
            acc["warm_new"].append(one_reply(each.bot, fake, next_command()))
    ready = prerendered_commands()
    for trial in range(trials):
        command = ready[trial % len(ready)]
        for each, acc in zip(bots, times, strict=True):
            each.flush()
            each.prerender(command)
            acc["prerendered"].append(one_reply(each.bot, fake, command))
    for each in bots:
        one_reply(each.bot, fake, "gap 3y")  # make sure this exact answer is cached
    for _ in range(repeats):
        for each, acc in zip(bots, times, strict=True):
            acc["repeat"].append(one_reply(each.bot, fake, "gap 3y"))
    fake.clear()
    return [{key: statistics.median(values) * 1000 for key, values in acc.items()}
            for acc in times]


def sequential_acks(bot: BotProcess, fake: RemoteSlack, count: int) -> dict[str, float]:
    """`count` requests back to back (each sent when the previous one is acked)."""
    fake.clear()
    acks, missed = [], bot.missed_acks
    for _ in range(count):
        sent, acked, _ = bot.slash("gap 3y")
        acks.append(acked - sent)
    drain(fake, count)
    fake.clear()
    return {**latency_stats(acks), "missed": bot.missed_acks - missed}


def concurrent_acks(bot: BotProcess | list[BotProcess], fake: RemoteSlack,
                    clients: int) -> dict[str, float]:
    """`clients` identical requests at the same instant (to several replicas: alternately)."""
    bots = bot if isinstance(bot, list) else [bot]
    fake.clear()
    missed = sum(each.missed_acks for each in bots)
    results = burst_across(bots, ["gap 3y"] * clients)
    drain(fake, clients)
    fake.clear()
    return {**latency_stats(acked - sent for sent, acked, _ in results),
            "missed": sum(each.missed_acks for each in bots) - missed}


def mixed_commands(count: int, seed: int = 5) -> list[str]:
    """A day of channel traffic: popular reports, many variants, help and typos."""
    rng = random.Random(seed)
    periods = ("1m", "3m", "6m", "ytd", "1y", "2y", "3y", "5y", "10y", "20y", "max", "18m",
               "90d", "26w", "2020-01-01..2022-12-31")
    pairs = ("", "index", "etf", "IWM/SPY")
    as_ofs = ("", "as-of 2024-03-26", "as-of 2022-06-30", "as-of 2025-12-31")
    rare = ["help", "", "gap 3x", "frobnicate", "gap 3y NOPE!/SPY", "help gap"]
    commands = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            commands.append(rng.choice(rare))
        elif roll < 0.35:
            commands.append(rng.choice(("gap", "gap 3y", "gap 1y", "gap etf 5y")))
        else:
            words = ["gap", rng.choice(periods), rng.choice(pairs), rng.choice(as_ofs)]
            commands.append(" ".join(w for w in words if w))
    return commands


def mixed_traffic(bot: BotProcess, fake: RemoteSlack, commands: list[str]) -> dict[str, float]:
    """Send `commands` one after another, each once the previous one is answered; the bot's
    RSS (MiB) before, after the first tenth (first use of each window size and pair: caches
    that fill once), after all, and its peak."""
    fake.clear()
    before = bot.memory()
    warmed = before
    started = time.perf_counter()
    for n, text in enumerate(commands, start=1):
        done = _finished(fake)
        _, _, body = bot.slash(text)
        if not body:  # acked empty: a report follows (or an error via response_url)
            fake.wait_count((DONE, FAILED), done + 1, REPLY_TIMEOUT_S)
        if fake.count(DONE) >= 200:
            fake.clear()
        if n == max(1, len(commands) // 10):
            warmed = bot.memory()
    elapsed = time.perf_counter() - started
    after = bot.memory()
    fake.clear()
    return {"rss_before": before.rss_mb, "rss_after": after.rss_mb, "peak": after.peak_mb,
            "growth": after.rss_mb - before.rss_mb, "growth_warm": after.rss_mb - warmed.rss_mb,
            "seconds": elapsed}
