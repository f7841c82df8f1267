"""`/smallcaps alert ...` and `/smallcaps digest ...`: manage rules, answer only to the user.

Called after the ack (listing reads market data, which may take a moment); every outcome
ends in an ephemeral message through the command's response_url.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from bot.alerts.commands import AlertCommandError, AlertCommands
from bot.alerts.store import AlertStoreError
from bot.runtime.deps import Deps
from handlers import alert_text as replies
from handlers.alert_parsing import (
    AlertAction,
    AlertAdd,
    AlertEdit,
    AlertList,
    AlertRequest,
    DigestRequest,
)

logger = logging.getLogger(__name__)


def answer_alert(deps: Deps, request: AlertRequest, command: dict[str, Any],
                 respond: Callable[..., Any], error_text: Callable[..., str]) -> None:
    """Run one alert/digest request for the command's user and channel; reply ephemerally."""
    commands, settings = AlertCommands(deps), deps.settings
    channel, user = command["channel_id"], command["user_id"]
    schedule = f"{settings.smallcaps_alert_time} {settings.smallcaps_alert_tz}"
    try:
        if isinstance(request, AlertAdd):
            blocks, text = replies.added_blocks(commands.add(channel, user, request.rule),
                                                schedule)
        elif isinstance(request, AlertEdit):
            blocks, text = replies.edited_blocks(
                commands.edit(request.rule_id, channel, user, request.rule), schedule)
        elif isinstance(request, AlertList):
            blocks, text = replies.list_blocks(commands.list(channel),
                                               commands.store.max_rules, schedule)
        elif isinstance(request, AlertAction):
            rule = commands.act(request.action, request.rule_id, channel, user)
            blocks, text = [], replies.action_text(request.action, rule)
        else:
            if not isinstance(request, DigestRequest):
                raise TypeError(f"not an alert request: {request!r}")
            new, old = commands.digest(channel, user, request.frequency)
            blocks, text = [], replies.digest_text(new, old, request.frequency, schedule)
    except AlertCommandError as exc:
        respond(response_type="ephemeral", text=error_text(exc.message, exc.example))
        return
    except AlertStoreError as exc:
        respond(response_type="ephemeral", text=error_text(str(exc)))
        return
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("alert command failed (ref %s) for %r", ref, command.get("text"))
        respond(response_type="ephemeral",
                text=error_text(f"Something went wrong on our side (ref `{ref}`); it is logged."))
        return
    respond(response_type="ephemeral", text=text, **({"blocks": blocks} if blocks else {}))
