"""What `/smallcaps alert ...` and `digest ...` do, behind the thin Slack handler.

Rules belong to the channel they were added in. Anyone in the channel may add and list;
only the rule's creator or an admin (SMALLCAPS_ADMIN_USERS) may edit, remove, pause or resume
a rule, or change a digest someone else set (by text or by form: both come here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from analytics.alert_rules import AlertState, RuleSpec
from analytics.errors import UserError, present
from analytics.periods import InsufficientHistoryError
from bot.alerts.digest import DigestSubscription
from bot.alerts.metrics import MetricCache
from bot.alerts.store import AlertRule
from bot.data.market_hours import market_today
from bot.data.sources import DataUnavailableError
from bot.runtime.deps import Deps

MAX_EDIT_TRIES = 5
"""Compare-and-set tries of an edit racing evaluations of the same rule."""


class AlertCommandError(UserError):
    """An alert request we refuse; `message` says why, `example` what would work."""


@dataclass(frozen=True)
class RuleView:
    """A rule with the metric's current value (or why there is none)."""

    rule: AlertRule
    current: tuple[date, float] | None
    current_error: str | None = None
    today: date | None = None
    """New York's date when the view was made (None: unknown, expiry not shown)."""

    @classmethod
    def last_evaluated(cls, rule: AlertRule, today: date | None = None) -> RuleView:
        """The rule with the value it had at its last evaluation (no market data read)."""
        if rule.last_value is None or rule.last_value_date is None:
            return cls(rule, None, "not evaluated yet", today)
        return cls(rule, (rule.last_value_date, rule.last_value), today=today)

    @property
    def expired(self) -> bool:
        """The rule's last day (`until`) is past: it is kept but never evaluated again."""
        return self.today is not None and self.rule.spec.expired(self.today)

    @property
    def status(self) -> str:
        """The rule's status for people, 'expired on 2026-12-31 ...' once past its last day."""
        if self.expired and self.rule.spec.until is not None:
            return (f"expired after {self.rule.spec.until.isoformat()} (no longer evaluated; "
                    "edit it to extend, or remove it)")
        return self.rule.status

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

    def today(self) -> date:
        """New York's date now (the day closes are dated by)."""
        return market_today(self.deps.clock())

    def _view(self, rule: AlertRule, metrics: MetricCache) -> RuleView:
        try:
            return RuleView(rule, metrics.get(rule.spec.metric).latest(), today=self.today())
        except (DataUnavailableError, InsufficientHistoryError) as exc:
            return RuleView(rule, None, str(exc), self.today())

    def may_change(self, rule: AlertRule, user_id: str) -> bool:
        """True for the rule's creator and admins (SMALLCAPS_ADMIN_USERS)."""
        return user_id == rule.creator_id or user_id in self.admins

    def refusal(self, rule: AlertRule, action: str) -> str:
        """The friendly 'not yours' message for `action` ('edit', 'remove', ...)."""
        return (f"Only <@{rule.creator_id}>, who set `{rule.id}`, or an admin can {action} "
                "it. You can add your own rule with `/smallcaps alert add`.")

    def _check_until(self, spec: RuleSpec) -> None:
        if spec.until is not None and spec.until < self.today():
            raise AlertCommandError(f"`until {spec.until.isoformat()}` is in the past: give "
                                    "today or a later day as the rule's last day.",
                                    "alert add gap 3y above 30 until 2026-12-31")

    def _data(self, spec: RuleSpec) -> tuple[date, float]:
        """The metric's latest value, checking that it can be computed at all."""
        metrics = MetricCache(self.deps.market)
        try:
            data = metrics.get(spec.metric)
        except (DataUnavailableError, InsufficientHistoryError) as exc:
            raise AlertCommandError(f"I can't watch that: {exc}") from None
        latest = data.latest()
        if latest is None:
            raise AlertCommandError("That metric has no value yet: the history is too short "
                                    "for it.", "alert add ratio vs 50dma crosses 0")
        return latest

    def rule_for(self, rule_id: str, channel_id: str | None, user_id: str,
                 action: str) -> AlertRule:
        """The rule `user_id` may `action` ('edit', 'remove', ...); AlertCommandError when
        it does not exist (in `channel_id`, when given) or is not theirs to change."""
        rule = self.store.get(rule_id)
        if rule is None or (channel_id is not None and rule.channel_id != channel_id):
            raise AlertCommandError(f"There is no rule `{rule_id}` in this channel.",
                                    "alert list")
        if not self.may_change(rule, user_id):
            raise AlertCommandError(self.refusal(rule, action))
        return rule

    def edit(self, rule_id: str, channel_id: str | None, user_id: str,
             spec: RuleSpec) -> RuleView:
        """Change a rule in place: same id, creator, channel and paused flag.

        Its state is kept when only the options change (hysteresis, cooldown, note, expiry);
        a new condition or threshold re-arms it afresh from its last evaluated day (like
        `resume`: nothing is replayed); a new metric or pair also forgets the last value
        (another unit). AlertCommandError when it may not or cannot be done."""
        self._check_until(spec)
        latest = self._data(spec)
        for _ in range(MAX_EDIT_TRIES):
            rule = self.rule_for(rule_id, channel_id, user_id, "edit")
            same_metric = spec.metric == rule.spec.metric
            if same_metric and (spec.condition, spec.threshold) == \
                    (rule.spec.condition, rule.spec.threshold):
                state = rule.machine
            elif same_metric:
                state = AlertState(last_value=rule.machine.last_value,
                                   last_date=rule.machine.last_date,
                                   last_fired=rule.machine.last_fired)
            else:
                state = AlertState()
            outcome, other = self.store.edit(rule, spec, state, keep_value=same_metric)
            if outcome == "edited":
                edited = present(self.store.get(rule.id), "the edited rule")
                return RuleView(edited, latest, today=self.today())
            if outcome == "duplicate":
                raise AlertCommandError(f"This channel already has that rule: `{other}` "
                                        f"`{spec.words()}`.", "alert list")
            if outcome == "removed":
                raise AlertCommandError(f"`{rule_id}` was removed meanwhile.", "alert list")
        raise AlertCommandError(f"`{rule_id}` kept changing while I saved it; try again.")

    def of_user(self, user_id: str) -> list[RuleView]:
        """The rules `user_id` created, in every channel, as last evaluated (no market data
        read), oldest first."""
        today = self.today()
        return [RuleView.last_evaluated(r, today) for r in self.store.list_rules()
                if r.creator_id == user_id]

    def add(self, channel_id: str, user_id: str, spec: RuleSpec) -> RuleView:
        """Create a rule after checking its metric can be computed."""
        self._check_until(spec)
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
        return RuleView(rule, data.latest(), today=self.today())

    def list(self, channel_id: str) -> list[RuleView]:
        metrics = MetricCache(self.deps.market)
        return [self._view(rule, metrics) for rule in self.store.list_rules(channel_id)]

    def act(self, action: Literal["remove", "pause", "resume"], rule_id: str,
            channel_id: str, user_id: str) -> AlertRule:
        """Remove, pause or resume a rule of this channel, if `user_id` may."""
        rule = self.rule_for(rule_id, channel_id, user_id, action)
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
