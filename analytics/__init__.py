"""Pure market analytics: periods, returns, the small-vs-large gap, history ranks, charts.

Nothing here does I/O, reads the environment, or knows about Slack or Redis.
"""
