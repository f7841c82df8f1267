"""Slack listeners: functions Bolt calls with ack/body/client/view, registered in bot/app.py."""
