"""Fixtures for Slack round trips: a fake Web API and the real app wired to it."""

from __future__ import annotations

import pytest

from tests.fake_slack import FakeSlack
from tests.slack_helpers import wired_app


@pytest.fixture
def fake():
    """A local fake of Slack's Web API that records every call."""
    with FakeSlack() as server:
        yield server


@pytest.fixture
def app(fake, cache, market_data_dir):
    """The real Bolt app on the real data, a real Redis and the fake Web API."""
    bolt_app, _ = wired_app(fake, cache, market_data_dir)
    return bolt_app
