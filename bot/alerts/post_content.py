"""What each outbox record posts: the blocks and text (in the commands' words), the metadata
that names the post in the channel (its identity, bot.alerts.reconcile.post_metadata), and
the chart shared after it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from analytics.alert_metric_base import Metric
from bot.alerts.posting import refusal_hint
from bot.alerts.reconcile import post_metadata
from bot.reports import Report, ReportQuery, Reports
from bot.runtime.deps import Stores
from bot.slack.slack_io import ChannelReply, slack_error
from bot.slack.slack_update import MessageRef, show_chart, with_chart

logger = logging.getLogger(__name__)

Record = dict[str, Any]
Blocks = list[dict[str, Any]]
Prepared = tuple[str, Blocks, str, dict[str, Any], Callable[[str], None] | None]
"""(channel, blocks, text, metadata, add the chart to the posted message (its ts) or None)."""


@dataclass(frozen=True)
class AlertMessages:
    """The words of what the delivery posts. They belong to the commands (handlers/), which
    services do not import: the composition root passes them in."""

    firing: Callable[[list[Record]], tuple[Blocks, str]]
    """One rule's outbox records (one event, or a catch-up) -> (blocks, notification text)."""
    digest: Callable[[Record, Report], tuple[Blocks, str]]
    """A digest record and the report it shows -> (blocks, notification text)."""
    scheduled: Callable[[Reports, Stores, Record], tuple[Blocks, str, Report] | None]
    """A scheduled report's record -> (blocks, text, report), None if it was removed."""
    chart_labels: Callable[[Report], tuple[str, str]]
    """A report -> (title, alt text) of its uploaded chart."""
    chart_query: Callable[[Metric, date], ReportQuery]
    """A firing rule's metric and day -> the report whose chart follows the firing."""
    digest_query: Callable[[str], ReportQuery]
    """A digest's day (ISO) -> the report it shows."""


@dataclass(frozen=True)
class Posted:
    """A post's content, and once it is in the channel its ts ('' until then, or when
    Slack's answer gave none), to add its chart to it."""

    channel: str
    blocks: Blocks
    text: str
    metadata: dict[str, Any]
    ts: str = ""


class PostContent:
    """Builds the post of one rule's records, a digest or a scheduled report."""

    def __init__(self, stores: Stores, reports: Reports, client: WebClient,
                 messages: AlertMessages) -> None:
        self.stores = stores
        self.store = stores.alerts
        self.reports = reports
        self.client = client
        self.messages = messages

    def prepare(self, records: list[Record]) -> Prepared | None:
        """The post of `records` (one rule's events, or one digest or schedule), or None
        when its rule was paused or removed, or its schedule removed, meanwhile."""
        record = records[0]
        if record.get("rule_id"):
            return self._alert(records)
        if record.get("type") == "schedule":
            return self._schedule(record)
        return self._digest(record)

    def _alert(self, records: list[Record]) -> Prepared | None:
        rule = self.store.get(records[0]["rule_id"])
        if rule is None or rule.paused:
            return None
        blocks, text = self.messages.firing(records)
        metadata = post_metadata(records)
        fires = [r for r in records if r["kind"] == "fire"]
        post = Posted(rule.channel_id, blocks, text, metadata)
        chart = (lambda ts: self._share_chart(replace(post, ts=ts), rule.spec.metric, fires[-1],
                                              rule.id)) if fires else None
        return rule.channel_id, blocks, text, metadata, chart

    def _digest(self, record: Record) -> Prepared:
        report = self.reports.run(self.messages.digest_query(record["as_of"]))
        blocks, text = self.messages.digest(record, report)
        return self._with_chart(record["channel_id"], blocks, text, [record], report)

    def _schedule(self, record: Record) -> Prepared | None:
        prepared = self.messages.scheduled(self.reports, self.stores, record)
        if prepared is None:
            return None
        blocks, text, report = prepared
        return self._with_chart(record["channel_id"], blocks, text, [record], report)

    def _with_chart(self, channel: str, blocks: Blocks, text: str, records: list[Record],
                    report: Report) -> Prepared:
        """A digest's or schedule's post, its chart added to it once posted."""
        metadata = post_metadata(records)
        post = Posted(channel, blocks, text, metadata)
        return (channel, blocks, text, metadata,
                lambda ts: self._upload(replace(post, ts=ts), report, None))

    def _share_chart(self, post: Posted, metric: Metric, record: dict[str, Any],
                     rule_id: str) -> None:
        """The chart after a firing; failures are logged, the alert stands."""
        try:
            report = self.reports.run(self.messages.chart_query(metric, date.fromisoformat(
                record["day"])))
        except Exception:  # noqa: BLE001 - the alert is posted; the chart is a bonus
            logger.exception("chart for %s on %s failed", rule_id, record.get("day"))
            return
        self._upload(post, report, rule_id)

    def _upload(self, post: Posted, report: Report, rule_id: str | None) -> None:
        """Add the report's chart to the posted message (an unshared upload shown by an image
        block, bot.slack.slack_update: one message per post); the chart goes to the message's
        thread when the image cannot be shown, and to the channel only when the post's ts is
        unknown. Failures are logged and shown on the rule: the post stands."""
        title, alt = self.messages.chart_labels(report)
        channel = post.channel
        try:
            png = report.chart_png  # drawn now, after the message is posted
        except Exception:  # noqa: BLE001 - the message is posted; the chart is a bonus
            logger.exception("drawing the chart for %s failed", rule_id or channel)
            return
        reply = ChannelReply(post.blocks, post.text, None, report.chart_filename, title, alt)
        try:
            code = self._show(post, reply, png, alt)
        except (SlackApiError, URLError, OSError) as exc:
            code = slack_error(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
        if code is not None:
            logger.warning("chart upload to %s failed: %s", channel, code)
            if rule_id:
                self.store.set_error(rule_id, "delivery",
                                     f"alert posted but the chart was not shared ({code})"
                                     f"{refusal_hint(code)}")

    def _show(self, post: Posted, reply: ChannelReply, png: bytes, alt: str) -> str | None:
        """Show the chart in (or under) the posted message; None when it is shown, else why
        not (Slack's error code)."""
        if not post.ts:  # Slack's answer gave no ts: the chart can only follow the post
            self.client.files_upload_v2(channel=post.channel, file=png,
                                        filename=reply.chart_filename, title=reply.chart_title,
                                        alt_txt=alt)
            return None
        outcome = show_chart(self.client, MessageRef(post.channel, post.ts,
                                                     metadata=post.metadata), reply, png,
                             lambda file_id, in_thread: with_chart(post.blocks, file_id, alt,
                                                                   in_thread),
                             tell=None, replace=None)
        return None if outcome in ("updated", "updated_in_thread") else "not_in_channel"
