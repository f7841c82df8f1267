"""Slack listeners: functions Bolt calls with ack/body/event/client, registered in bot/app.py."""
