"""Alert rules and their state in Redis, changed only by atomic scripts.

Keys (under the cache prefix):
- `alerts:rule:{id}`: hash with the rule (`spec` JSON, `description`, `channel_id`,
  `creator_id`, `created_at`, `paused`), its state machine (`state` JSON), `version`
  (bumped by every state change), `last_value`, `last_value_date`, `last_error`,
  `error_kind`.
- `alerts:channel:{channel}`: hash description -> id (the per-channel limit and duplicates).
- `alerts:rules`: set of all rule ids; `alerts:seq`: the id counter.

State transitions are compare-and-set on `version` (a Lua script that also creates the
outbox records of the transition), so two evaluators can never both advance a rule from
the same state. Unlike `Cache`, failures here raise `AlertStoreError`: a rule change must
not silently vanish.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import redis

from analytics.alert_metrics import metric_from_dict, metric_to_dict
from analytics.alert_rules import AlertState, RuleSpec
from bot.runtime.cache import Cache, as_text, raw_hash

DEFAULT_MAX_RULES = 25

_ADD = """
local existing = redis.call('hget', KEYS[1], ARGV[3])
if existing then return {0, existing} end
if redis.call('hlen', KEYS[1]) >= tonumber(ARGV[1]) then return {-1, ''} end
redis.call('hset', KEYS[3], unpack(ARGV, 4))
redis.call('hset', KEYS[1], ARGV[3], ARGV[2])
redis.call('sadd', KEYS[2], ARGV[2])
return {1, ARGV[2]}
"""
_REMOVE = """
local d = redis.call('hget', KEYS[1], 'description')
if not d then return 0 end
redis.call('del', KEYS[1])
redis.call('hdel', KEYS[2], d)
redis.call('srem', KEYS[3], ARGV[1])
return 1
"""
_UPDATE = """
if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 2))
if ARGV[1] == '1' then redis.call('hincrby', KEYS[1], 'version', 1) end
return 1
"""
_EDIT = """
if redis.call('exists', KEYS[1]) == 0 then return {-1, ''} end
if redis.call('hget', KEYS[1], 'version') ~= ARGV[1] then return {0, ''} end
local other = redis.call('hget', KEYS[2], ARGV[3])
if other and other ~= ARGV[4] then return {-2, other} end
redis.call('hdel', KEYS[2], ARGV[2])
redis.call('hset', KEYS[2], ARGV[3], ARGV[4])
redis.call('hset', KEYS[1], unpack(ARGV, 5))
redis.call('hincrby', KEYS[1], 'version', 1)
return {1, ARGV[4]}
"""
_CLEAR_ERROR = """
if redis.call('hget', KEYS[1], 'error_kind') == ARGV[1] then
  redis.call('hset', KEYS[1], 'last_error', '', 'error_kind', '')
  return 1
end
return 0
"""
_COMMIT = """
if redis.call('exists', KEYS[1]) == 0 then return -1 end
if redis.call('hget', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'state', ARGV[2], 'last_value', ARGV[3], 'last_value_date', ARGV[4])
redis.call('hincrby', KEYS[1], 'version', 1)
for i = 3, #KEYS do
  if redis.call('exists', KEYS[i]) == 0 then
    redis.call('hset', KEYS[i], 'status', 'pending', 'record', ARGV[i + 3], 'attempts', '0',
               'created_at', ARGV[5])
    redis.call('sadd', KEYS[2], KEYS[i])
  end
end
return 1
"""


class AlertStoreError(Exception):
    """Alert storage failed; the message is safe to show a user."""


def spec_to_dict(spec: RuleSpec) -> dict[str, Any]:
    """A JSON-able form of a rule: the metric (analytics.alert_metrics.metric_to_dict: key,
    pair by key, parameters such as the period by label), then the condition and options,
    and `until` (ISO date) for a rule with an expiry."""
    data = {**metric_to_dict(spec.metric), "condition": spec.condition,
            "threshold": spec.threshold, "hysteresis": spec.hysteresis,
            "cooldown_days": spec.cooldown_days, "clear_note": spec.clear_note}
    if spec.until is not None:  # only then: rules without expiry keep the layout they had
        data["until"] = spec.until.isoformat()
    return data


def spec_from_dict(data: dict[str, Any]) -> RuleSpec:
    """The rule of a stored `spec_to_dict` (every layout written so far loads)."""
    until = data.get("until")  # absent in rules stored before expiry dates existed
    return RuleSpec(metric_from_dict(data), data["condition"], float(data["threshold"]),
                    float(data["hysteresis"]), int(data["cooldown_days"]),
                    bool(data["clear_note"]), date.fromisoformat(until) if until else None)


@dataclass(frozen=True)
class AlertRule:
    """One rule as stored, with its state (what `alert list` and the App Home show)."""

    id: str
    channel_id: str
    creator_id: str
    spec: RuleSpec
    description: str
    """The canonical rule text: 'gap 3y above 30 hysteresis 2'."""
    created_at: datetime
    paused: bool
    machine: AlertState
    version: int
    last_value: float | None
    """The metric on `last_value_date`, the last trading day evaluated."""
    last_value_date: date | None
    last_error: str | None
    error_kind: str | None

    @property
    def state(self) -> str:
        """'new' (not evaluated yet), 'armed' or 'fired'."""
        return self.machine.status

    @property
    def status(self) -> str:
        """'paused', 'error: ...', 'fired since 2024-03-26', 'armed', ... for people."""
        if self.paused:
            return "paused"
        if self.last_error:
            return f"error: {self.last_error}"
        m = self.machine
        if m.status == "new":
            return "new (first evaluated after the next close)"
        if m.status == "fired" and m.since is not None and self.spec.condition == "crosses":
            return f"crossed {m.side} on {m.since.isoformat()}"
        if m.status == "fired" and m.since is not None:
            return f"fired since {m.since.isoformat()}"
        if m.status == "fired":
            level = self.spec.rearm_level()
            if level is None:
                return f"armed ({m.side} {self.spec.metric.format(self.spec.threshold)})"
            return f"waiting to re-arm ({'≤' if self.spec.fires_upward else '≥'} " \
                   f"{self.spec.metric.format(level)})"
        return "armed"


def _text(value: bytes | None) -> str:
    return value.decode() if value else ""


def rule_from_hash(fields: dict[bytes, bytes]) -> AlertRule:
    last_value = _text(fields.get(b"last_value"))
    value_date = _text(fields.get(b"last_value_date"))
    return AlertRule(
        id=_text(fields[b"id"]),
        channel_id=_text(fields[b"channel_id"]),
        creator_id=_text(fields[b"creator_id"]),
        spec=spec_from_dict(json.loads(fields[b"spec"])),
        description=_text(fields[b"description"]),
        created_at=datetime.fromisoformat(_text(fields[b"created_at"])),
        paused=fields.get(b"paused") == b"1",
        machine=AlertState.from_json(fields.get(b"state")),
        version=int(fields.get(b"version") or 0),
        last_value=float(last_value) if last_value else None,
        last_value_date=date.fromisoformat(value_date) if value_date else None,
        last_error=_text(fields.get(b"last_error")) or None,
        error_kind=_text(fields.get(b"error_kind")) or None,
    )


class AlertStore:
    """Rules and their state; every change is one atomic Redis script."""

    def __init__(self, cache: Cache, max_rules_per_channel: int = DEFAULT_MAX_RULES) -> None:
        self.cache = cache
        self.max_rules = max_rules_per_channel

    @property
    def client(self) -> redis.Redis:
        if self.cache.client is None:
            raise AlertStoreError("Alert storage (Redis) is not available right now.")
        return self.cache.client

    def key(self, *parts: str) -> str:
        return self.cache.key("alerts", *parts)

    def _call(self, script: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        try:
            return self.client.eval(script, len(keys), *keys, *args)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise AlertStoreError(f"Alert storage (Redis) failed ({type(exc).__name__}); "
                                  "nothing was changed. Try again shortly.") from exc

    def add(self, channel_id: str, creator_id: str, spec: RuleSpec,
            now: datetime | None = None) -> tuple[str, AlertRule | None]:
        """('added', rule), ('duplicate', existing rule) or ('full', None)."""
        description = spec.words()
        try:
            rule_id = f"A{int(self.client.incr(self.key('seq')))}"
        except (redis.exceptions.RedisError, OSError) as exc:
            raise AlertStoreError("Alert storage (Redis) is not available right now.") from exc
        created = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        fields = {"id": rule_id, "channel_id": channel_id, "creator_id": creator_id,
                  "spec": json.dumps(spec_to_dict(spec)), "description": description,
                  "created_at": created, "paused": "0", "version": "0",
                  "state": AlertState().to_json(), "last_value": "", "last_value_date": "",
                  "last_error": "", "error_kind": ""}
        flat = [x for kv in fields.items() for x in kv]
        code, existing = self._call(_ADD, [self.key("channel", channel_id), self.key("rules"),
                                           self.key("rule", rule_id)],
                                    [self.max_rules, rule_id, description, *flat])
        if int(code) == -1:
            return "full", None
        rule = self.get(existing.decode() if isinstance(existing, bytes) else existing)
        return ("added" if int(code) == 1 else "duplicate"), rule

    def get(self, rule_id: str) -> AlertRule | None:
        try:
            fields = self.client.hgetall(self.key("rule", rule_id))
        except (redis.exceptions.RedisError, OSError) as exc:
            raise AlertStoreError("Alert storage (Redis) is not available right now.") from exc
        return rule_from_hash(raw_hash(fields)) if fields else None

    def list_rules(self, channel_id: str | None = None) -> list[AlertRule]:
        """Rules of one channel (or all), oldest first."""
        try:
            if channel_id is None:
                ids = [as_text(i) for i in self.client.smembers(self.key("rules"))]
            else:
                ids = [as_text(i) for i in self.client.hvals(self.key("channel", channel_id))]
            pipe = self.client.pipeline(transaction=False)
            for rule_id in ids:
                pipe.hgetall(self.key("rule", rule_id))
            found = pipe.execute()
        except (redis.exceptions.RedisError, OSError) as exc:
            raise AlertStoreError("Alert storage (Redis) is not available right now.") from exc
        rules = [rule_from_hash(f) for f in found if f]
        return sorted(rules, key=lambda r: int(r.id[1:]))

    def edit(self, rule: AlertRule, spec: RuleSpec, state: AlertState,
             keep_value: bool) -> tuple[str, str]:
        """Replace `rule`'s spec (and state machine) in place, keeping its id, creator,
        channel, creation time and paused flag; compare-and-set on the version `rule` was
        read at, so an evaluation in between is never overwritten.

        ('edited', id), ('changed', '') when the rule changed since it was read (re-read and
        retry), ('removed', '') or ('duplicate', id of the channel's rule with that text).
        `keep_value`: keep the last evaluated value (False when the metric changed: the old
        value is in another unit)."""
        description = spec.words()
        fields = {"spec": json.dumps(spec_to_dict(spec)), "description": description,
                  "state": state.to_json()}
        if not keep_value:
            fields |= {"last_value": "", "last_value_date": ""}
        flat = [x for kv in fields.items() for x in kv]
        code, other = self._call(_EDIT, [self.key("rule", rule.id),
                                         self.key("channel", rule.channel_id)],
                                 [str(rule.version), rule.description, description, rule.id,
                                  *flat])
        outcome = {1: "edited", 0: "changed", -1: "removed", -2: "duplicate"}[int(code)]
        return outcome, as_text(other) if other else ""

    def remove(self, rule: AlertRule) -> bool:
        return bool(self._call(_REMOVE, [self.key("rule", rule.id),
                                         self.key("channel", rule.channel_id),
                                         self.key("rules")], [rule.id]))

    def set_paused(self, rule_id: str, paused: bool) -> bool:
        """Pause, or resume afresh (state reset: crossings during the pause are not posted)."""
        fields = ["paused", "1" if paused else "0"]
        if not paused:
            fields += ["state", AlertState().to_json(), "last_error", "", "error_kind", ""]
        return bool(self._call(_UPDATE, [self.key("rule", rule_id)], ["1", *fields]))

    def set_error(self, rule_id: str, kind: str, message: str) -> None:
        """Show `message` in `alert list` until a later success of the same `kind`."""
        self._call(_UPDATE, [self.key("rule", rule_id)],
                   ["0", "last_error", message[:300], "error_kind", kind])

    def clear_error(self, rule_id: str, kind: str) -> None:
        self._call(_CLEAR_ERROR, [self.key("rule", rule_id)], [kind])

    def commit(self, rule: AlertRule, state: AlertState, records: Sequence[tuple[str, str]],
               now: datetime) -> int:
        """Compare-and-set `rule`'s state and create its outbox records, atomically.

        1 = done; 0 = the rule changed since it was read (re-read and retry); -1 = removed.
        """
        value = state.last_value
        args = [str(rule.version), state.to_json(),
                "" if value is None or not math.isfinite(value) else repr(value),
                state.last_date.isoformat() if state.last_date else "",
                now.astimezone(UTC).isoformat(timespec="seconds"), *[r for _, r in records]]
        keys = [self.key("rule", rule.id), self.key("outbox-open"), *[k for k, _ in records]]
        return int(self._call(_COMMIT, keys, args))
