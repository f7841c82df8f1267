"""One chat.postMessage for the alert run, and what Slack's answer means for the outbox.

- Posted: `sent`, with its ts.
- Rate limited (HTTP 429): Slack did not post. The client waits `Retry-After` (slack-sdk's
  RateLimitErrorRetryHandler); if still limited, we back off and try again; if it never
  works, `failed` (retried at the next run).
- Refused (not_in_channel, is_archived, channel_not_found, ...): nothing was posted: `failed`.
- No clear answer (HTTP 5xx, timeout, connection reset, internal_error): Slack may have
  posted: `uncertain`, for the caller to settle against the channel's history
  (bot.alerts.reconcile).

The client used here has no connection-error retry handler on purpose: retrying a request
whose answer was lost is exactly how duplicates happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.runtime.config import Settings
from bot.slack.slack_io import slack_error

BACKOFF_S = (2.0, 8.0)
"""Extra waits after the client's own Retry-After handling gives up on a 429."""
AMBIGUOUS = frozenset({"internal_error", "fatal_error", "service_unavailable",
                       "request_timeout"})
MEMBERSHIP = frozenset({"not_in_channel", "channel_not_found", "is_archived",
                        "access_denied"})


@dataclass(frozen=True)
class PostOutcome:
    """What became of a post. `recheck`: Slack may or may not have it and it was not found
    (or the history could not be read just now): look again, then post, at the next run."""

    status: Literal["sent", "failed", "uncertain", "recheck"]
    ts: str = ""
    error: str = ""


def alerts_client(settings: Settings) -> WebClient:
    """A Web API client for scheduled posts: retries 429s only (see module docstring)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=30,
                     retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])


def post_message(client: WebClient, channel: str, blocks: list[dict[str, Any]], text: str,
                 metadata: dict[str, Any] | None, sleep: Callable[[float], None]) -> PostOutcome:
    """chat.postMessage with backoff on rate limits; never retries an ambiguous failure."""
    for attempt in range(len(BACKOFF_S) + 1):
        try:
            response = client.chat_postMessage(channel=channel, blocks=blocks, text=text,
                                               metadata=metadata, unfurl_links=False,
                                               unfurl_media=False)
            return PostOutcome("sent", ts=str(response.get("ts", "")))
        except SlackApiError as exc:
            code = slack_error(exc)
            status = getattr(exc.response, "status_code", 200)
            if code == "ratelimited" or status == 429:
                if attempt < len(BACKOFF_S):
                    sleep(BACKOFF_S[attempt])
                    continue
                return PostOutcome("failed", error="ratelimited")
            if code in AMBIGUOUS or status >= 500:
                return PostOutcome("uncertain", error=code)
            return PostOutcome("failed", error=code)
        except URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError):  # never reached Slack
                if attempt < len(BACKOFF_S):
                    sleep(BACKOFF_S[attempt])
                    continue
                return PostOutcome("failed", error="connection refused")
            return PostOutcome("uncertain", error=f"network error ({exc.reason})")
        except OSError as exc:  # timeouts, resets: the request may have reached Slack
            return PostOutcome("uncertain", error=f"no answer from Slack ({type(exc).__name__})")
    return PostOutcome("failed", error="ratelimited")  # pragma: no cover - loop returns


def refusal_hint(code: str) -> str:
    """What to do about a refusal, for the rule's status."""
    if code in MEMBERSHIP:
        return " - /invite the bot to the channel (or remove the rule)"
    return ""
