"""Block Kit limits, checked the way Slack would before answering `invalid_blocks`.

Sources: Slack's Block Kit reference (blocks, elements, composition objects).
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int = MAX_MESSAGE_BLOCKS) -> None:
    """AssertionError naming the first Block Kit limit `blocks` break."""
    assert 0 < len(blocks) <= max_blocks, f"{len(blocks)} blocks (max {max_blocks})"
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), f"duplicate block_id in {block_ids}"
    for block in blocks:
        kind = block["type"]
        assert len(block.get("block_id", "")) <= 255
        if kind == "header":
            text = block["text"]
            assert text["type"] == "plain_text" and 0 < len(text["text"]) <= 150, text
        elif kind == "section":
            assert "text" in block or "fields" in block, block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000, len(block["text"]["text"])
            fields = block.get("fields", [])
            assert len(fields) <= 10, f"{len(fields)} fields"
            assert all(0 < len(f["text"]) <= 2000 for f in fields)
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(len(e.get("text", "")) <= 3000 for e in block["elements"])
        elif kind == "actions":
            _check_actions(block)
        elif kind == "image":
            assert ("image_url" in block) != ("slack_file" in block), block
            assert 0 < len(block["alt_text"]) <= 2000
        else:
            assert kind == "divider", f"unexpected block type {kind}"


def _check_actions(block: dict[str, Any]) -> None:
    elements = block["elements"]
    assert 0 < len(elements) <= 25
    action_ids = [e["action_id"] for e in elements]
    assert len(action_ids) == len(set(action_ids)), f"action_id repeated: {action_ids}"
    for element in elements:
        assert len(element["action_id"]) <= 255
        if element["type"] == "button":
            assert element["text"]["type"] == "plain_text"
            assert 0 < len(element["text"]["text"]) <= 75
            assert len(element.get("value", "")) <= 2000
            assert element.get("style") in (None, "primary", "danger")


def check_view(view: dict[str, Any]) -> None:
    """A Home tab view: type, blocks within the 100-block limit, JSON size sane."""
    assert view["type"] == "home"
    check_blocks(view["blocks"], MAX_VIEW_BLOCKS)
    assert len(json.dumps(view)) < 250_000


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every text a reader sees in `blocks`, one per line (for wording checks)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                out.append(node["text"])
            for key, value in node.items():
                if key not in ("value", "action_id", "block_id"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)
