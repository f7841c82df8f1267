"""App Home: a dashboard published whenever a user opens the bot's Home tab (or refreshes),
by a `home` job of the one executor (bot.listeners.jobs).

Everything comes from the report cache (`Reports.run`, valid until the next US close), so
opening Home is cheap. Whatever goes wrong, the user sees a friendly view, never a trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from analytics.errors import present
from analytics.formatting import pct
from analytics.periods import InsufficientHistoryError
from bot.alerts.commands import AlertCommands, RuleView
from bot.alerts.store import AlertRule
from bot.data.sources import DataUnavailableError
from bot.runtime.deps import Deps
from handlers.channel_defaults import home_settings_lines, request_context
from handlers.command import HOME_PERIODS
from handlers.home_thesis import thesis_lines
from handlers.home_view import (
    AlertsPanel,
    Dashboard,
    GapRow,
    dashboard_view,
    error_view,
)
from handlers.registry import home_command

logger = logging.getLogger(__name__)
MAX_CHANNEL_PAGES = 10


def gap_rows(deps: Deps) -> list[GapRow]:
    """The index-pair gap for each HOME_PERIODS entry; a row says why when data is missing."""
    rows, command, context = [], home_command("rows"), request_context(deps)
    for period in HOME_PERIODS:
        try:
            rows.append(GapRow(period, deps.reports.run(command.parse([period], context)).payload))
        except (DataUnavailableError, InsufficientHistoryError) as exc:
            rows.append(GapRow(period, error=str(exc)))
    return rows


def ratio_change_lines(one_year: Mapping[str, Any] | None) -> list[str]:
    """The relative ratio's move over the 1-year window (when the trend report fails)."""
    if one_year is None:
        return ["Not available right now."]
    ratio = one_year["relative_ratio"]
    change = ratio["change_pct"]
    way = "gained ground on" if change > 0 else "lost ground to" if change < 0 else "kept pace with"
    return [f"The ratio moved {pct(change)} over {one_year['period_description']} "
            f"({ratio['start']:.4f} → {ratio['end']:.4f}, {one_year['start']} → "
            f"{one_year['end']}): small caps {way} large caps."]


def trend_status_lines(deps: Deps, rows: list[GapRow]) -> list[str]:
    """Relative-strength status for Home: the default `trend` report's one-line summary, or
    the 1-year ratio change if that report fails."""
    try:
        status = home_command("status")
        report = deps.reports.run(status.parse([], request_context(deps)))
        return [present(status.rendering, "the status report's rendering")
                .fallback(report.payload)]
    except Exception:  # noqa: BLE001 - the dashboard falls back to the ratio change
        logger.warning("trend status for Home failed; showing the ratio change", exc_info=True)
    one_year = next((r.payload for r in rows if r.period == "1y" and r.payload), None)
    return ratio_change_lines(one_year)


def home_alert_rules(deps: Deps, user_id: str,
                     channel_ids: Collection[str] | None = None) -> list[AlertRule]:
    """Alert rules `user_id` may see on Home, by channel, oldest first.

    Admins (SMALLCAPS_ADMIN_USERS) see every rule; others the rules of `channel_ids` (the
    channels they are in; None = unknown, so none).
    """
    rules = deps.stores.alerts.list_rules(channel_id=None)  # oldest first
    if user_id not in deps.settings.admin_user_ids:
        allowed = set(channel_ids or ())
        rules = [r for r in rules if r.channel_id in allowed]
    return sorted(rules, key=lambda r: r.channel_id)  # stable: oldest first per channel


def user_channel_ids(client: WebClient, user_id: str) -> set[str] | None:
    """Public and private channels the user is in (private ones only where the bot is too,
    which is where alerts post); None when Slack will not say (e.g. a missing scope)."""
    channels: set[str] = set()
    cursor = None
    for _ in range(MAX_CHANNEL_PAGES):
        try:
            page = client.users_conversations(user=user_id, types="public_channel,private_channel",
                                              exclude_archived=True, limit=200, cursor=cursor)
        except SlackApiError as exc:
            logger.warning("users.conversations failed (%s)", exc.response.get("error"))
            return None
        channels.update(c["id"] for c in page.get("channels") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return channels


def alerts_panel(deps: Deps, client: WebClient, user_id: str,
                 channel_ids: set[str] | None = None) -> AlertsPanel:
    """The alert rules section for this user, with a note when there is nothing to list;
    a failure here costs only this section, not the dashboard. `channel_ids`: the user's
    channels when already looked up."""
    try:
        return _alerts_panel(deps, client, user_id, channel_ids)
    except Exception:
        logger.exception("Home: alert rules could not be loaded")
        return AlertsPanel("Alert rules", note="Alert rules could not be loaded just now; "
                                               "try Refresh in a minute.")


def _alerts_panel(deps: Deps, client: WebClient, user_id: str,
                  channel_ids: set[str] | None) -> AlertsPanel:
    """Other people's rules: the viewer's own are listed above them, with Edit (own_rules)."""
    if user_id in deps.settings.admin_user_ids:
        rules = _others(home_alert_rules(deps, user_id), user_id)
        return AlertsPanel("Everyone else's alert rules (you are an admin)", rules,
                           None if rules else "No one else has set an alert rule yet.")
    if channel_ids is None:
        channel_ids = user_channel_ids(client, user_id)
    if channel_ids is None:
        return AlertsPanel("Other alert rules in your channels",
                           note="I could not check which channels you are in, so no rules "
                                "are listed.")
    rules = _others(home_alert_rules(deps, user_id, channel_ids), user_id)
    return AlertsPanel("Other alert rules in your channels", rules,
                       None if rules else "No one else has alert rules in the channels you "
                                          "are in.")


def _others(rules: list[AlertRule], user_id: str) -> list[AlertRule]:
    return [r for r in rules if r.creator_id != user_id]


def own_rules(deps: Deps, user_id: str) -> list[RuleView] | None:
    """The user's own alert rules in every channel (None when they cannot be read: only
    that section says so)."""
    try:
        return AlertCommands(deps).of_user(user_id)
    except Exception:
        logger.exception("Home: the user's own alert rules could not be loaded")
        return None


def build_dashboard(deps: Deps, client: WebClient, user_id: str) -> Dashboard:
    rows = gap_rows(deps)
    admin = user_id in deps.settings.admin_user_ids
    channel_ids = None if admin else user_channel_ids(client, user_id)
    return Dashboard(rows=rows, trend_lines=trend_status_lines(deps, rows),
                     alerts=alerts_panel(deps, client, user_id, channel_ids),
                     updated_at=deps.clock(),
                     channel_settings=home_settings_lines(deps, channel_ids, admin),
                     thesis_lines=thesis_lines(deps), own_rules=own_rules(deps, user_id))


def publish_home(deps: Deps, client: WebClient, user_id: str) -> None:
    """Publish the dashboard to `user_id`'s Home tab, or a friendly error view."""
    try:
        client.views_publish(user_id=user_id,
                             view=dashboard_view(build_dashboard(deps, client, user_id)))
        return
    except Exception:
        ref = uuid.uuid4().hex[:8]
        logger.exception("Home dashboard failed (ref %s)", ref)
    try:
        client.views_publish(user_id=user_id, view=error_view(ref))
    except Exception:
        logger.exception("Could not publish the Home error view either (ref %s)", ref)


def on_home_opened(event: dict[str, Any], deps: Deps) -> None:
    """The Home tab was opened: the dashboard is queued (job kind `home`,
    bot.listeners.jobs) and published after the event is acknowledged. An event without a
    user (Slack always names one) is logged and dropped: there is no Home to publish to."""
    user_id = event.get("user")
    if event.get("tab", "home") == "home" and isinstance(user_id, str) and user_id:
        deps.reply_queue.enqueue("home", {"user_id": user_id})
    elif event.get("tab", "home") == "home":
        logger.info("Ignored an app_home_opened event without a user")


def on_refresh(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """Home's Refresh button: the dashboard is queued again for the clicker, then acked."""
    user_id = (body.get("user") or {}).get("id")
    if isinstance(user_id, str) and user_id:
        deps.reply_queue.enqueue("home", {"user_id": user_id})
    ack()
