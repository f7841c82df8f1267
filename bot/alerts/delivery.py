"""Posting outbox records to Slack: claim, post, mark; settle what Slack left unclear.

What Slack's answer means is classified in bot.alerts.posting: posted -> `sent`; rate
limited or refused -> `failed`, retried at later runs (up to outbox.MAX_ATTEMPTS; the rule
shows the error). No clear answer (5xx, timeout, reset): Slack may have posted, so the
channel's history is searched for the post's metadata (bot.alerts.reconcile): found, it
counts as sent; absent, it is posted again once; when that answer is unclear too and the
post is still absent, or the history is unavailable just now, the record waits for the next
run (`failed` with `check`), which looks in the history again before posting: Slack down
for a whole run loses nothing and duplicates nothing. Only when the bot may not read the
history (no channels:history / groups:history scope) is the record left `uncertain` and not
re-sent (at most once); the rule shows it, saying why.

When Slack keeps failing (SLACK_DOWN_AFTER unclear posts in a row), the run stops posting
and leaves the rest pending for the next run instead of knocking on a closed door.
A post claimed by a process that is gone (killed; its claim token names it, see
bot.alerts.run_lock) is settled at once, any other after STALE_SENDING.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.alerts.outbox import MAX_ATTEMPTS, OutboxEntry
from bot.alerts.post_content import AlertMessages, PostContent
from bot.alerts.posting import PostOutcome, alerts_client, post_message, refusal_hint
from bot.alerts.reconcile import find_post, post_matcher
from bot.alerts.run_lock import owner_is_dead, owner_value
from bot.reports import Reports
from bot.runtime.deps import Stores

__all__ = ["AlertMessages", "Delivery", "PostOutcome", "alerts_client", "post_message"]

logger = logging.getLogger(__name__)

STALE_SENDING = timedelta(minutes=15)
"""A record claimed this long ago and still `sending` belongs to a crashed process."""
RECONCILE_WAIT_S = 2.0
"""Before reading the history after an unclear answer, let Slack finish what it received."""
RECONCILE_TRIES = 2
SLACK_DOWN_AFTER = 2
"""After this many posts in a row end unclear, the run leaves the rest for the next run."""


class Delivery:
    """Delivers open outbox records, grouped one message per rule (or digest)."""

    def __init__(self, stores: Stores, reports: Reports, client: WebClient,
                 clock: Callable[[], datetime], sleep: Callable[[float], None],
                 messages: AlertMessages) -> None:
        self.store = stores.alerts
        self.outbox = stores.outbox
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self.content = PostContent(stores, reports, client, messages)
        self._interrupted: list[OutboxEntry] = []

    def deliver_open(self, summary: Any, renew: Callable[[], None]) -> None:
        """Post every open record this process can claim; settle stale and spent ones.
        `summary.left` counts the posts left for the next run because Slack failed; after
        SLACK_DOWN_AFTER unclear posts in a row the rest are not tried in this run."""
        now = self.clock()
        groups: dict[str, list[OutboxEntry]] = defaultdict(list)
        for entry in self.outbox.open_entries():
            if entry.status == "sending":
                self._settle_stale(entry, now)
            elif entry.status == "failed" and entry.attempts >= MAX_ATTEMPTS:
                self.outbox.finish(entry.key, entry.token, "abandoned", expect="failed")
            else:  # one message per rule; each digest on its own
                groups[entry.record.get("rule_id") or entry.key].append(entry)
        for entry in self._interrupted:
            groups[entry.record.get("rule_id") or entry.key].append(entry)
        self._interrupted = []
        token = owner_value()  # names this process: a successor knows when it is gone
        unclear = 0
        for entries in groups.values():
            if unclear >= SLACK_DOWN_AFTER:
                summary.left += 1
                continue
            claimed = [e for e in entries if self.outbox.claim(e, token, self.clock())]
            if claimed:
                try:
                    status = self._deliver(claimed, token, summary)
                except Exception as exc:  # noqa: BLE001 - the other posts still go out
                    logger.exception("delivering %s failed", claimed[0].key)
                    summary.errors.append(f"{claimed[0].key}: {type(exc).__name__}")
                    status = "failed"
                unclear = unclear + 1 if status == "recheck" else 0
                renew()
        if unclear >= SLACK_DOWN_AFTER and summary.left:
            summary.errors.append(f"Slack is failing: {summary.left} post(s) left for the "
                                  "next run")

    def _settle_stale(self, entry: OutboxEntry, now: datetime) -> None:
        """A post claimed by a process that never finished it: settled by the channel's
        history once its process is gone (or after STALE_SENDING): found -> sent; absent ->
        posted in this run; history unavailable -> checked at the next run; unreadable ->
        not resent (at most once), saying so."""
        if entry.claimed_at is None:
            return
        dead = owner_is_dead(entry.token)
        if not dead and now - entry.claimed_at < STALE_SENDING:
            return
        if dead:
            self.sleep(RECONCILE_WAIT_S)  # a request it sent just before dying may land
        found, detail = find_post(self.client, entry.record.get("channel_id", ""),
                                  post_matcher(entry.record), entry.claimed_at)
        if found == "found":
            self.outbox.finish(entry.key, entry.token, "sent", ts=detail,
                               error="interrupted; found in the channel's history")
            return
        if found == "absent":  # never reached the channel: post it in this run
            if self.outbox.finish(entry.key, entry.token, "failed", check="0",
                                  error="interrupted before Slack had it; posting again"):
                self._interrupted.append(entry)
            return
        if found == "unknown":  # Slack cannot say now: look again at the next run
            self.outbox.finish(entry.key, entry.token, "failed", check="1",
                               error=f"interrupted; {detail}; checked at the next run")
            return
        if self.outbox.finish(entry.key, entry.token, "uncertain",
                              error=f"claimed but never confirmed (process stopped); {detail}"):
            rule_id = entry.record.get("rule_id")
            logger.warning("Outbox %s was interrupted while posting; not resent", entry.key)
            if rule_id:
                self.store.set_error(rule_id, "delivery",
                                     f"the {entry.record.get('day')} post may not have "
                                     f"reached Slack (interrupted) and {detail}; not "
                                     "resent, to avoid a duplicate")

    def _already_posted(self, entries: list[OutboxEntry], token: str,
                        summary: Any) -> list[OutboxEntry] | None:
        """Entries whose last post had an unclear answer (`check`) are looked up first:
        found -> sent. The entries still to post, or None when Slack cannot tell yet (the
        entries are settled then)."""
        left, found_ones = [], []
        for entry in entries:
            if not entry.check:
                left.append(entry)
                continue
            found, detail = find_post(self.client, entry.record.get("channel_id", ""),
                                      post_matcher(entry.record), entry.claimed_at)
            if found == "found":
                found_ones.append(entry)
                self._finish([entry], token, PostOutcome("sent", ts=detail),
                             entry.record.get("rule_id"), summary)
            elif found == "absent":
                left.append(entry)
            else:
                outcome = PostOutcome("recheck" if found == "unknown" else "uncertain",
                                      error=detail)
                self._finish([e for e in entries if e not in found_ones], token, outcome,
                             entry.record.get("rule_id"), summary)
                return None
        return left

    def _deliver(self, entries: list[OutboxEntry], token: str, summary: Any) -> str:
        """Prepare, post, mark; the outcome's status. Anything failing before the post
        leaves it `failed` (it surely was not posted, so the next run may try again)."""
        left = self._already_posted(entries, token, summary)
        if not left:
            return "recheck" if left is None else "sent"
        entries = left
        rule_id = entries[0].record.get("rule_id")
        prepared: Any
        try:
            prepared = self.content.prepare([e.record for e in entries])
        except Exception as exc:  # noqa: BLE001 - reported on the rule, retried next run
            logger.exception("preparing %s failed", entries[0].key)
            prepared = PostOutcome("failed", error=f"not posted: {type(exc).__name__}: {exc}")
        if prepared is None:  # rule removed or paused meanwhile
            for entry in entries:
                self.outbox.finish(entry.key, token, "dropped", error="rule removed or paused")
            return "dropped"
        if isinstance(prepared, PostOutcome):
            self._finish(entries, token, prepared, rule_id, summary)
            return prepared.status
        channel, blocks, text, metadata, chart = prepared
        outcome = post_message(self.client, channel, blocks, text, metadata, self.sleep)
        if outcome.status == "uncertain":
            outcome = self._reconcile(channel, blocks, text, metadata, outcome, entries[0])
        self._finish(entries, token, outcome, rule_id, summary)
        if outcome.status == "sent" and chart is not None:
            chart(outcome.ts)
        return outcome.status

    def _reconcile(self, channel: str, blocks: list[dict[str, Any]], text: str,
                   metadata: dict[str, Any], outcome: PostOutcome,
                   entry: OutboxEntry) -> PostOutcome:
        """After an unclear answer: found in the history -> sent; absent -> post again
        (once; absent again after an unclear answer -> `recheck`, for the next run);
        history unavailable -> `recheck`; unreadable -> uncertain, saying why."""
        since = self.clock()
        for attempt in range(RECONCILE_TRIES):
            self.sleep(RECONCILE_WAIT_S)
            found, detail = find_post(self.client, channel, post_matcher(entry.record), since)
            if found == "found":
                logger.info("%s: unclear answer, but the post is in the channel", entry.key)
                return PostOutcome("sent", ts=detail)
            if found != "absent":
                return PostOutcome("uncertain" if found == "no_access" else "recheck",
                                   error=f"{outcome.error}; {detail}")
            if attempt + 1 == RECONCILE_TRIES:
                break
            logger.warning("%s: not in the channel after %s; posting again", entry.key,
                           outcome.error)
            outcome = post_message(self.client, channel, blocks, text, metadata, self.sleep)
            if outcome.status != "uncertain":
                return outcome
        logger.warning("%s: Slack keeps failing (%s); left for the next run", entry.key,
                       outcome.error)
        return PostOutcome("recheck", error=f"{outcome.error}; not in the channel")

    def _finish(self, entries: list[OutboxEntry], token: str, outcome: PostOutcome,
                rule_id: str | None, summary: Any) -> None:
        """Mark `entries` with `outcome` (`recheck` is stored as `failed` with `check`), count
        a post, and show a problem on the rule."""
        stored = "failed" if outcome.status == "recheck" else outcome.status
        check = "1" if outcome.status == "recheck" else "0"
        for entry in entries:
            self.outbox.finish(entry.key, token, stored, ts=outcome.ts, error=outcome.error,
                               check=check)
        if outcome.status == "sent":
            summary.posts += 1
            if rule_id:
                self.store.clear_error(rule_id, "delivery")
            return
        days = ", ".join(sorted({e.record.get("day", "?") for e in entries}))
        if outcome.status == "failed":
            message = (f"Slack refused the {days} post ({outcome.error})"
                       f"{refusal_hint(outcome.error)}; retried at the next evaluation")
        elif outcome.status == "recheck":
            summary.left += 1
            message = (f"Slack did not take the {days} post ({outcome.error}); checked and "
                       "posted at the next evaluation")
        else:
            message = f"the {days} post may not have reached Slack ({outcome.error}); " \
                      "not resent, to avoid a duplicate"
        summary.errors.append(f"{rule_id or entries[0].record.get('channel_id')}: {message}")
        if rule_id:
            self.store.set_error(rule_id, "delivery", message)
