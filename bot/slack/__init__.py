"""Slack I/O services: posting and updating messages, once-only delivery, redelivery and
request guards."""
