"""What `/smallcaps alert ...` and `digest ...` do, behind the thin Slack handler.

Rules belong to the channel they were added in. Anyone in the channel may add and list;
only the rule's creator or an admin (SMALLCAPS_ADMIN_USERS) may remove, pause or resume a
rule, or change a digest someone else set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from analytics.alert_rules import RuleSpec
from analytics.errors import UserError, present
from analytics.periods import InsufficientHistoryError
from bot.alerts.digest import DigestSubscription
from bot.alerts.metrics import MetricCache
from bot.alerts.store import AlertRule
from bot.data.sources import DataUnavailableError
from bot.runtime.deps import Deps


class AlertCommandError(UserError):
    """An alert request we refuse; `message` says why, `example` what would work."""


@dataclass(frozen=True)
class RuleView:
    """A rule with the metric's current value (or why there is none)."""

    rule: AlertRule
    current: tuple[date, float] | None
    current_error: str | None = None

    @classmethod
    def last_evaluated(cls, rule: AlertRule) -> RuleView:
        """The rule with the value it had at its last evaluation (no market data read)."""
        if rule.last_value is None or rule.last_value_date is None:
            return cls(rule, None, "not evaluated yet")
        return cls(rule, (rule.last_value_date, rule.last_value))

    def current_text(self, lead: str = "now") -> str:
        """'now 37.73 pp (2026-08-21)' (`lead` 'now') or the reason there is no value."""
        if self.current is None:
            return f"no current value ({self.current_error or 'not enough history yet'})"
        day, value = self.current
        return f"{lead} {self.rule.spec.metric.format(value)} ({day.isoformat()})"


class AlertCommands:
    """Rule and digest management for one workspace."""

    def __init__(self, deps: Deps) -> None:
        settings = deps.settings
        self.deps = deps
        self.store = deps.stores.alerts
        self.digests = deps.stores.digests
        self.admins = settings.admin_user_ids

    def _view(self, rule: AlertRule, metrics: MetricCache) -> RuleView:
        try:
            return RuleView(rule, metrics.get(rule.spec.metric).latest())
        except (DataUnavailableError, InsufficientHistoryError) as exc:
            return RuleView(rule, None, str(exc))

    def add(self, channel_id: str, user_id: str, spec: RuleSpec) -> RuleView:
        """Create a rule after checking its metric can be computed."""
        metrics = MetricCache(self.deps.market)
        try:
            data = metrics.get(spec.metric)
        except (DataUnavailableError, InsufficientHistoryError) as exc:
            raise AlertCommandError(f"I can't watch that: {exc}") from None
        if data.latest() is None:
            raise AlertCommandError("That metric has no value yet: the history is too short "
                                    "for it.", "alert add ratio vs 50dma crosses 0")
        outcome, rule = self.store.add(channel_id, user_id, spec, self.deps.clock())
        if outcome == "full":
            raise AlertCommandError(
                f"This channel already has {self.store.max_rules} rules, the maximum. Remove "
                "one first (`alert list` shows them).", "alert list")
        rule = present(rule, "the stored rule")
        if outcome == "duplicate":
            raise AlertCommandError(f"This channel already has that rule: `{rule.id}` "
                                    f"`{rule.description}`.", "alert list")
        return RuleView(rule, data.latest())

    def list(self, channel_id: str) -> list[RuleView]:
        metrics = MetricCache(self.deps.market)
        return [self._view(rule, metrics) for rule in self.store.list_rules(channel_id)]

    def act(self, action: Literal["remove", "pause", "resume"], rule_id: str,
            channel_id: str, user_id: str) -> AlertRule:
        """Remove, pause or resume a rule of this channel, if `user_id` may."""
        rule = self.store.get(rule_id)
        if rule is None or rule.channel_id != channel_id:
            raise AlertCommandError(f"There is no rule `{rule_id}` in this channel.",
                                    "alert list")
        if user_id != rule.creator_id and user_id not in self.admins:
            raise AlertCommandError(
                f"Only <@{rule.creator_id}>, who set `{rule.id}`, or an admin can {action} it.")
        if action == "remove":
            done = self.store.remove(rule)
        elif rule.paused == (action == "pause"):
            raise AlertCommandError(f"`{rule.id}` is already "
                                    f"{'paused' if rule.paused else 'active'}.", "alert list")
        else:
            done = self.store.set_paused(rule.id, action == "pause")
        if not done:
            raise AlertCommandError(f"`{rule_id}` was removed meanwhile.", "alert list")
        return rule

    def digest(self, channel_id: str, user_id: str,
               frequency: Literal["daily", "weekly", "off"] | None
               ) -> tuple[DigestSubscription | None, DigestSubscription | None]:
        """(new setting, previous setting); `None` frequency only reads."""
        current = self.digests.get(channel_id)
        if frequency is None:
            return current, current
        if current is not None and current.creator_id != user_id and user_id not in self.admins:
            raise AlertCommandError(f"<@{current.creator_id}> set this channel's digest; only "
                                    "they or an admin can change it.")
        if frequency == "off":
            self.digests.remove(channel_id)
            return None, current
        return self.digests.set(channel_id, frequency, user_id, self.deps.clock()), current
