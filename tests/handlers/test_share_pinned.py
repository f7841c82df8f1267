"""Every report answer can be shared with the same numbers: the words its share picker holds
(handlers.registry.pinned_text) parse, name a report, and give the same answer again."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from bot.runtime.cache import Cache
from handlers.channel_defaults import request_context
from handlers.registry import COMMANDS, parse, pinned_text, rendering_of
from handlers.share import BLOCK_ID_MAX, SHARE_BLOCK, share_block
from tests.fake_slack import FakeSlack
from tests.slack_helpers import wired_app

REPORTS = [c for c in COMMANDS if c.rendering is not None]


@pytest.fixture(scope="module")
def deps(redis_server, market_data_dir):
    prefix = f"smallcaps-test:{uuid.uuid4().hex[:10]}:"
    with FakeSlack() as fake:
        _, built = wired_app(fake, Cache(redis_server, prefix=prefix), market_data_dir)
        yield built
    keys = list(redis_server.scan_iter(match=prefix + "*", count=1000))
    if keys:
        redis_server.delete(*keys)


LATER_CLOSES_NOTE = "*Last closes on or before the as-of date*"
"""A note of the latest answer that a pinned one cannot repeat: closes after its end (of a
series the comparison could not use) are beyond its as-of date."""


def _numbers(blocks: list[dict]) -> str:
    """The blocks that carry the answer, as text (not its notes, which differ: a latest answer
    warns that newer closes exist, the pinned one does not; nor its buttons, which carry the
    date). Compared as typed: a board's row labels keep their case through its pinned words
    (handlers.normalise keeps labels as typed)."""
    kept = [b for b in blocks if b["type"] not in ("context", "actions")]
    text = json.dumps(kept, ensure_ascii=False)
    return re.sub(r'"text": "' + re.escape(LATER_CLOSES_NOTE) + r'(?:[^"\\]|\\.)*"', "",
                  text)


@pytest.mark.parametrize("command", REPORTS, ids=[c.name for c in REPORTS])
def test_a_shared_answer_has_the_same_numbers(deps, command):
    context = request_context(deps)
    report = deps.reports.run(parse(command.example, context).request)
    words = pinned_text(report.payload)
    again = parse(words, context)
    assert again.command is command
    shared = deps.reports.run(again.request)
    fmt = rendering_of(report.payload)
    assert fmt.fallback(shared.payload) == fmt.fallback(report.payload)
    assert _numbers(fmt.blocks(shared.payload)) == _numbers(fmt.blocks(report.payload))
    block_id = share_block(report.payload)["block_id"]
    assert len(block_id) <= BLOCK_ID_MAX and block_id.startswith(SHARE_BLOCK)
