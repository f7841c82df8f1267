"""Posting outbox records to Slack: claim, post, mark; classify what Slack says.

- Rate limited (HTTP 429): Slack did not post. The client waits `Retry-After` (slack-sdk's
  RateLimitErrorRetryHandler); if still limited, we back off and try again; if it never
  works, the record is `failed` and retried at the next run.
- Slack refused (not_in_channel, is_archived, channel_not_found, ...): nothing was posted,
  so the record is `failed` (retried at later runs, up to outbox.MAX_ATTEMPTS) and the rule
  shows the error in `alert list`.
- No clear answer (timeout, connection reset, internal_error): Slack may have posted. The
  channel's history is searched for the post's metadata (bot.alerts.reconcile): found, it
  counts as sent; absent, it is posted again. Only when the history cannot be read (no
  channels:history / groups:history scope) is the record left `uncertain` and not re-sent
  (at most once); the rule shows it, saying why.

The client used here has no connection-error retry handler on purpose: retrying a request
whose answer was lost is exactly how duplicates happen.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from analytics.alert_metric_base import Metric
from bot.alerts.outbox import MAX_ATTEMPTS, Outbox, OutboxEntry
from bot.alerts.reconcile import find_post, post_matcher
from bot.alerts.store import AlertStore
from bot.reports import Report, ReportQuery, Reports
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from bot.slack.slack_io import slack_error

logger = logging.getLogger(__name__)

BACKOFF_S = (2.0, 8.0)
"""Extra waits after the client's own Retry-After handling gives up on a 429."""
STALE_SENDING = timedelta(minutes=15)
"""A record claimed this long ago and still `sending` belongs to a crashed process."""
AMBIGUOUS = frozenset({"internal_error", "fatal_error", "service_unavailable",
                       "request_timeout"})
RECONCILE_WAIT_S = 2.0
"""Before reading the history after an unclear answer, let Slack finish what it received."""
RECONCILE_TRIES = 2
MEMBERSHIP = frozenset({"not_in_channel", "channel_not_found", "is_archived",
                        "access_denied"})


Record = dict[str, Any]
Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class AlertMessages:
    """The words of what the delivery posts. They belong to the commands (handlers/), which
    services do not import: the composition root passes them in."""

    firing: Callable[[list[Record]], tuple[Blocks, str]]
    """One rule's outbox records (one event, or a catch-up) -> (blocks, notification text)."""
    digest: Callable[[Record, Report], tuple[Blocks, str]]
    """A digest record and the report it shows -> (blocks, notification text)."""
    scheduled: Callable[[Reports, Cache, Record], tuple[Blocks, str, Report] | None]
    """A scheduled report's record -> (blocks, text, report), None if it was removed."""
    chart_labels: Callable[[Report], tuple[str, str]]
    """A report -> (title, alt text) of its uploaded chart."""
    chart_query: Callable[[Metric, date], ReportQuery]
    """A firing rule's metric and day -> the report whose chart follows the firing."""
    digest_query: Callable[[str], ReportQuery]
    """A digest's day (ISO) -> the report it shows."""


@dataclass(frozen=True)
class PostOutcome:
    status: Literal["sent", "failed", "uncertain"]
    ts: str = ""
    error: str = ""


def alerts_client(settings: Settings) -> WebClient:
    """A Web API client for scheduled posts: retries 429s only (see module docstring)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=30,
                     retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])


def post_message(client: WebClient, channel: str, blocks: list[dict[str, Any]], text: str,
                 metadata: dict[str, Any] | None, sleep: Callable[[float], None]) -> PostOutcome:
    """chat.postMessage with backoff on rate limits; never retries an ambiguous failure."""
    for attempt in range(len(BACKOFF_S) + 1):
        try:
            response = client.chat_postMessage(channel=channel, blocks=blocks, text=text,
                                               metadata=metadata, unfurl_links=False,
                                               unfurl_media=False)
            return PostOutcome("sent", ts=str(response.get("ts", "")))
        except SlackApiError as exc:
            code = slack_error(exc)
            status = getattr(exc.response, "status_code", 200)
            if code == "ratelimited" or status == 429:
                if attempt < len(BACKOFF_S):
                    sleep(BACKOFF_S[attempt])
                    continue
                return PostOutcome("failed", error="ratelimited")
            if code in AMBIGUOUS or status >= 500:
                return PostOutcome("uncertain", error=code)
            return PostOutcome("failed", error=code)
        except URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError):  # never reached Slack
                if attempt < len(BACKOFF_S):
                    sleep(BACKOFF_S[attempt])
                    continue
                return PostOutcome("failed", error="connection refused")
            return PostOutcome("uncertain", error=f"network error ({exc.reason})")
        except OSError as exc:  # timeouts, resets: the request may have reached Slack
            return PostOutcome("uncertain", error=f"no answer from Slack ({type(exc).__name__})")
    return PostOutcome("failed", error="ratelimited")  # pragma: no cover - loop returns


def refusal_hint(code: str) -> str:
    if code in MEMBERSHIP:
        return " - /invite the bot to the channel (or remove the rule)"
    return ""


class Delivery:
    """Delivers open outbox records, grouped one message per rule (or digest)."""

    def __init__(self, store: AlertStore, outbox: Outbox, reports: Reports, client: WebClient,
                 clock: Callable[[], datetime], sleep: Callable[[float], None],
                 messages: AlertMessages) -> None:
        self.store = store
        self.outbox = outbox
        self.reports = reports
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self.messages = messages
        self._interrupted: list[OutboxEntry] = []

    def deliver_open(self, summary: Any, renew: Callable[[], None]) -> None:
        """Post every open record this process can claim; settle stale and spent ones."""
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
        token = uuid.uuid4().hex
        for entries in groups.values():
            claimed = [e for e in entries if self.outbox.claim(e, token, self.clock())]
            if claimed:
                try:
                    self._deliver(claimed, token, summary)
                except Exception as exc:  # noqa: BLE001 - the other posts still go out
                    logger.exception("delivering %s failed", claimed[0].key)
                    summary.errors.append(f"{claimed[0].key}: {type(exc).__name__}")
                renew()

    def _settle_stale(self, entry: OutboxEntry, now: datetime) -> None:
        """A post claimed by a process that never finished: do not resend; say so."""
        if entry.claimed_at is None or now - entry.claimed_at < STALE_SENDING:
            return
        found, detail = find_post(self.client, entry.record.get("channel_id", ""),
                                  post_matcher(entry.record), entry.claimed_at)
        if found == "found":
            self.outbox.finish(entry.key, entry.token, "sent", ts=detail,
                               error="interrupted; found in the channel's history")
            return
        if found == "absent":  # never reached the channel: post it in this run
            if self.outbox.finish(entry.key, entry.token, "failed",
                                  error="interrupted before Slack had it; posting again"):
                self._interrupted.append(entry)
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

    def _deliver(self, entries: list[OutboxEntry], token: str, summary: Any) -> None:
        """Prepare, post, mark. Anything failing before the post leaves it `failed` (it
        surely was not posted, so the next run may try again)."""
        record = entries[0].record
        rule_id = record.get("rule_id")
        try:
            prepared = (self._prepare_alert(entries) if rule_id
                        else self._prepare_schedule(record) if record.get("type") == "schedule"
                        else self._prepare_digest(record))
        except Exception as exc:  # noqa: BLE001 - reported on the rule, retried next run
            logger.exception("preparing %s failed", entries[0].key)
            prepared = PostOutcome("failed", error=f"not posted: {type(exc).__name__}: {exc}")
        if prepared is None:  # rule removed or paused meanwhile
            for entry in entries:
                self.outbox.finish(entry.key, token, "dropped", error="rule removed or paused")
            return
        if isinstance(prepared, PostOutcome):
            self._finish(entries, token, prepared, rule_id, summary)
            return
        channel, blocks, text, metadata, chart = prepared
        outcome = post_message(self.client, channel, blocks, text, metadata, self.sleep)
        if outcome.status == "uncertain":
            outcome = self._reconcile(channel, blocks, text, metadata, outcome, entries[0])
        self._finish(entries, token, outcome, rule_id, summary)
        if outcome.status == "sent" and chart is not None:
            chart()

    def _reconcile(self, channel: str, blocks: list[dict[str, Any]], text: str,
                   metadata: dict[str, Any], outcome: PostOutcome,
                   entry: OutboxEntry) -> PostOutcome:
        """After an unclear answer: found in the history -> sent; absent -> post again;
        history unreadable -> uncertain, saying why (bot.alerts.reconcile)."""
        since = self.clock()
        for _ in range(RECONCILE_TRIES):
            self.sleep(RECONCILE_WAIT_S)
            found, detail = find_post(self.client, channel, post_matcher(entry.record), since)
            if found == "found":
                logger.info("%s: unclear answer, but the post is in the channel", entry.key)
                return PostOutcome("sent", ts=detail)
            if found == "unknown":
                return PostOutcome("uncertain", error=f"{outcome.error}; {detail}")
            logger.warning("%s: not in the channel after %s; posting again", entry.key,
                           outcome.error)
            outcome = post_message(self.client, channel, blocks, text, metadata, self.sleep)
            if outcome.status != "uncertain":
                return outcome
        return outcome

    def _prepare_alert(self, entries: list[OutboxEntry]) -> Any:
        records = [e.record for e in entries]
        rule = self.store.get(records[0]["rule_id"])
        if rule is None or rule.paused:
            return None
        blocks, text = self.messages.firing(records)
        metadata = {"event_type": "smallcaps_alert", "event_payload": {
            "rule_id": rule.id, "events": ",".join(f"{r['day']}:{r['kind']}" for r in records)}}
        fires = [r for r in records if r["kind"] == "fire"]
        chart = (lambda: self._share_chart(rule.channel_id, rule.spec.metric, fires[-1],
                                           rule.id)) if fires else None
        return rule.channel_id, blocks, text, metadata, chart

    def _prepare_digest(self, record: dict[str, Any]) -> Any:
        report = self.reports.run(self.messages.digest_query(record["as_of"]))
        blocks, text = self.messages.digest(record, report)
        metadata = {"event_type": "smallcaps_digest", "event_payload": {
            "period": record["period"]}}
        channel = record["channel_id"]
        return channel, blocks, text, metadata, lambda: self._upload(channel, report, None)

    def _prepare_schedule(self, record: dict[str, Any]) -> Any:
        """A scheduled report (None if the schedule was removed meanwhile)."""
        prepared = self.messages.scheduled(self.reports, self.store.cache, record)
        if prepared is None:
            return None
        blocks, text, report = prepared
        metadata = {"event_type": "smallcaps_schedule", "event_payload": {
            "schedule_id": record["schedule_id"], "period": record["period"]}}
        channel = record["channel_id"]
        return channel, blocks, text, metadata, lambda: self._upload(channel, report, None)

    def _finish(self, entries: list[OutboxEntry], token: str, outcome: PostOutcome,
                rule_id: str | None, summary: Any) -> None:
        for entry in entries:
            self.outbox.finish(entry.key, token, outcome.status, ts=outcome.ts,
                               error=outcome.error)
        if outcome.status == "sent":
            summary.posts += 1
            if rule_id:
                self.store.clear_error(rule_id, "delivery")
            return
        days = ", ".join(sorted({e.record.get("day", "?") for e in entries}))
        if outcome.status == "failed":
            message = (f"Slack refused the {days} post ({outcome.error})"
                       f"{refusal_hint(outcome.error)}; retried at the next evaluation")
        else:
            message = f"the {days} post may not have reached Slack ({outcome.error}); " \
                      "not resent, to avoid a duplicate"
        summary.errors.append(f"{rule_id or entries[0].record.get('channel_id')}: {message}")
        if rule_id:
            self.store.set_error(rule_id, "delivery", message)

    def _share_chart(self, channel: str, metric: Metric, record: dict[str, Any],
                     rule_id: str) -> None:
        """The chart after a firing; failures are logged, the alert stands."""
        try:
            report = self.reports.run(self.messages.chart_query(metric, date.fromisoformat(
                record["day"])))
        except Exception:  # noqa: BLE001 - the alert is posted; the chart is a bonus
            logger.exception("chart for %s on %s failed", rule_id, record.get("day"))
            return
        self._upload(channel, report, rule_id)

    def _upload(self, channel: str, report: Report, rule_id: str | None) -> None:
        title, alt = self.messages.chart_labels(report)
        try:
            png = report.chart_png  # drawn now, after the message is posted
        except Exception:  # noqa: BLE001 - the message is posted; the chart is a bonus
            logger.exception("drawing the chart for %s failed", rule_id or channel)
            return
        try:
            self.client.files_upload_v2(channel=channel, file=png,
                                        filename=report.chart_filename, title=title,
                                        alt_txt=alt)
        except (SlackApiError, URLError, OSError) as exc:
            code = slack_error(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
            logger.warning("chart upload to %s failed: %s", channel, code)
            if rule_id:
                self.store.set_error(rule_id, "delivery",
                                     f"alert posted but the chart was not shared ({code})"
                                     f"{refusal_hint(code)}")
