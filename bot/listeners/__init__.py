"""Slack listeners: what Slack's requests (slash commands, mentions, clicks, Home) become.

A listener acks within Slack's 3 seconds and hands everything slower to the one executor for
post-ack work, `deps.reply_queue` (bot.runtime.jobs: the Redis job queue, or this process's
reply pool when there is none); the job kinds and what runs them are in `jobs.py`. Listeners
sit between the entry points (bot/app.py registers them) and the commands (handlers/).
"""
