"""manifest.yml asks for exactly the scopes and events the listeners and API calls need."""

from __future__ import annotations

import re
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"
ROOT = MANIFEST.parent


def _list_under(key: str) -> list[str]:
    """The `- item` entries of a YAML list under `key:` (enough YAML for our manifest)."""
    lines = MANIFEST.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    items = []
    for line in lines[start + 1:]:
        stripped = line.strip()
        if not stripped.startswith("- ") or len(line) - len(line.lstrip()) <= indent:
            break
        items.append(stripped[2:].split("#")[0].strip())
    return items


def _code() -> str:
    return "\n".join(p.read_text() for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py"))


def test_scopes_are_exactly_what_the_code_calls_for():
    code = _code()
    needed = {"commands", "chat:write", "chat:write.public", "files:write"}  # slash + replies
    if "app_mention" in code:
        needed.add("app_mentions:read")
    if "users_conversations" in code:  # types=public_channel,private_channel
        needed |= {"channels:read", "groups:read"}
    if "conversations_history" in code:  # reconciling alert posts, public and private
        needed |= {"channels:history", "groups:history"}
    if 'app.event("message")' in code:  # direct messages to the bot (message.im)
        needed.add("im:history")
    assert set(_list_under("bot")) == needed


MESSAGE_EVENTS = {"message": "message.im"}
"""Bolt listens to `message`; Slack subscribes to it by conversation type, and the bot reads
only its own direct messages (handlers/direct.py answers `channel_type: im` alone)."""


def test_events_match_the_listeners():
    listened = {MESSAGE_EVENTS.get(e, e)
                for e in re.findall(r'app\.event\("([a-z_]+)"\)', _code())}
    assert set(_list_under("bot_events")) == listened == {"app_home_opened", "app_mention",
                                                          "message.im"}


def test_the_messages_tab_is_on_and_writable():
    """A DM to the bot is answered (issue 24): the Messages tab must let users type."""
    text = MANIFEST.read_text()
    assert re.search(r"messages_tab_enabled: true", text)
    assert re.search(r"messages_tab_read_only_enabled: false", text)


def test_shortcuts_match_the_listeners():
    """Every declared shortcut has a listener (its callback_id is in the code) and every
    `app.shortcut` listener is declared (Slack sends only declared shortcuts)."""
    code = _code()
    declared = re.findall(r"callback_id: (\w+)", MANIFEST.read_text())
    assert "smallcaps_new_alert" in declared
    assert all(f'"{callback_id}"' in code for callback_id in declared)
    assert len(re.findall(r"app\.shortcut\(", code)) == len(declared)


def test_home_tab_and_interactivity_are_on():
    text = MANIFEST.read_text()
    assert re.search(r"home_tab_enabled: true", text)
    assert re.search(r"interactivity:.*\n\s+is_enabled: true", text)


def _slash_command_field(key: str) -> str:
    """The (quoted or bare) value of `key:` in the (only) slash command entry."""
    text = MANIFEST.read_text().split("slash_commands:", 1)[1].split("oauth_config:", 1)[0]
    [line] = [ln for ln in text.splitlines() if ln.strip().startswith(f"{key}:")]
    return line.split(":", 1)[1].strip().strip('"')


def test_usage_hint_names_every_command_within_slacks_100_characters():
    from handlers.registry import COMMANDS

    hint = _slash_command_field("usage_hint")
    assert 0 < len(hint) <= 100, f"{len(hint)} characters"
    named = set(re.findall(r"[a-z]+", hint))
    assert {c.name for c in COMMANDS if c.in_usage_hint} <= named  # every one, help too
    assert named <= {c.name for c in COMMANDS}  # and nothing else


def test_slash_command_description_is_short():
    assert 0 < len(_slash_command_field("description")) <= 100


def test_the_global_shortcut_is_the_one_the_app_listens_to():
    """Slack allows a shortcut a name of 24 characters and a description of 150."""
    from handlers.schedule_form import SHORTCUT_ID

    text = MANIFEST.read_text().split("shortcuts:", 1)[1].split("slash_commands:", 1)[0]
    fields = dict(re.findall(r"^\s+-?\s*(name|type|callback_id|description): (.+)$", text,
                             re.MULTILINE))
    assert fields["callback_id"] == SHORTCUT_ID and fields["type"] == "global"
    assert len(fields["name"]) <= 24 and len(fields["description"]) <= 150
    assert "app.shortcut(schedule_view.SHORTCUT_ID)" in (ROOT / "bot" / "app.py").read_text()
