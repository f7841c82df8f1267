"""Block Kit checks through slack_sdk's own models, which know Slack's limits.

`Block.parse(d)` returns None for a type slack_sdk does not know (Slack would refuse it), so
that is an error too; views go through `View(**d).validate_json()`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
logging.getLogger("slack_sdk.models").setLevel(logging.ERROR)  # parse() warns on unknown types


def block_errors(blocks: Any, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """What Slack would refuse in a message's (or a view's) blocks; [] when valid."""
    if not isinstance(blocks, list) or not 0 < len(blocks) <= max_blocks:
        return [f"blocks must be a list of 1..{max_blocks}: {str(blocks)[:80]}"]
    errors = []
    block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        errors.append(f"duplicate block_id in {block_ids}")
    for d in blocks:
        try:
            block = Block.parse(d)
            if block is None:
                errors.append(f"unknown block type {d.get('type') if isinstance(d, dict) else d}")
            else:
                block.validate_json()
        except (SlackObjectFormationError, KeyError, TypeError, ValueError) as exc:
            errors.append(f"{str(d)[:120]}: {exc}")
    return errors


def view_errors(view: Any) -> list[str]:
    """What Slack would refuse in a view (App Home, modal); [] when valid."""
    if not isinstance(view, dict):
        return [f"view is not an object: {str(view)[:80]}"]
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, KeyError, TypeError, ValueError) as exc:
        return [f"view: {exc}"]
    errors = block_errors(view.get("blocks"), MAX_VIEW_BLOCKS)
    return errors + (["view over 250 KB"] if len(json.dumps(view)) >= 250_000 else [])


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int = MAX_MESSAGE_BLOCKS) -> None:
    """AssertionError naming what Slack would refuse in `blocks`."""
    errors = block_errors(blocks, max_blocks)
    assert not errors, errors


def check_view(view: dict[str, Any]) -> None:
    """AssertionError naming what Slack would refuse in a Home tab view."""
    assert view["type"] == "home"
    errors = view_errors(view)
    assert not errors, errors


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every text a reader sees in `blocks`, one per line (for wording checks): texts, and
    the cells of table blocks."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text", "raw_text", "text") and "text" in node:
                out.append(node["text"])
            for key, value in node.items():
                if key not in ("value", "action_id", "block_id"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)


def table_cells(blocks: list[dict[str, Any]]) -> list[list[str]]:
    """The cells of the message's (only) table block as texts, row by row (a user cell as
    its user id)."""
    [table] = [b for b in blocks if b["type"] == "table"]
    return [[all_text([cell]) or json.dumps(cell) for cell in row] for row in table["rows"]]
