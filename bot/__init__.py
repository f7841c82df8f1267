"""smallcaps: the Slack app, its configuration, data providers, cache and entry points."""

__version__ = "0.1.0"
