"""Threshold alerts and scheduled digests: rules in Redis, a daily evaluator, once-only posts.

- `store`: rules and their state (Redis hashes), atomic add/remove/pause and
  compare-and-set state transitions.
- `outbox`: one record per (rule, event day, kind) created atomically with the state
  transition, claimed before posting and marked after: the once-only guarantee.
- `metrics`: metric series from cached market data.
- `evaluator`: one evaluation run (lock, catch-up of missed days, commit, deliver).
- `delivery`: posting to Slack with backoff and error classification.
- `digest`: the channel digests that ride on the same run and outbox.
- `schedules`: scheduled reports (`/smallcaps schedule`), on the same outbox.

The entry points that drive them: bot/scheduler.py (run once per trading day after the US
close, forever) and bot/alerts_cli.py (`smallcaps alerts ...`).
"""
