"""Request shapes checked before Bolt sees them: 413, 401 and 400 instead of a 500.

Bolt parses a request's body while building its `BoltRequest`, before its signature check
runs, so a correctly signed but malformed body (`{` alone, a JSON list, `payload=not-json`)
raised inside the WSGI adapter and waitress answered 500 with a traceback in the log; a
timestamp header of `abc` did the same (`int('abc')` in the verifier). Bodies had no size
limit. This WSGI middleware, in front of Bolt's adapter, answers:

- **413** when the body is larger than `max_body_bytes` (`SMALLCAPS_MAX_BODY_BYTES`, default
  1 MiB; Slack's own payloads are a few KB): the body is not read past the limit;
- **401** for anything that fails Slack's verification (missing or non-numeric timestamp,
  timestamp more than 5 minutes off, wrong or missing signature), as Bolt would;
- **400** for a verified request whose body Bolt cannot parse into an object (invalid JSON,
  a JSON array or string, a `payload` field that is not a JSON object, bytes that are not
  UTF-8);

and passes everything else to Bolt with the body it read (a form body holding the text
`payload` is re-encoded and re-signed first: see `bolt_safe_form`). Nothing is logged at error level
and nothing with a traceback: a malformed request is the sender's problem, logged in one
line at INFO. Verification follows Slack's "Verifying requests from Slack": HMAC-SHA256 of
`v0:{timestamp}:{raw body}` with the signing secret, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltRequest

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 1_048_576
"""1 MiB: far above any payload Slack sends (events, commands, interactions are KB)."""

MAX_CLOCK_SKEW_S = 300
"""Slack's rule (and Bolt's): a timestamp more than 5 minutes from now is refused."""

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _answer(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


def _read_body(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request body, or None when it is longer than `limit` (reads at most limit + 1)."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    raw = environ.get("CONTENT_LENGTH") or ""
    length = int(raw) if raw.isdigit() else None
    if length is not None and length > limit:
        return None
    body = stream.read(length if length is not None else limit + 1)
    return None if len(body) > limit else body


def signature_ok(secret: str, timestamp: str, signature: str, body: bytes,
                 now: float | None = None) -> bool:
    """Slack's request signature check on the raw bytes; False (never an exception) for any
    malformed header or body. Not slack_sdk's `SignatureVerifier`: it decodes the body as
    UTF-8 (raising on other bytes) and calls `int()` on the timestamp header (raising on
    `abc`), and this check must answer 401, not 500, for both."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW_S:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _headers(environ: dict[str, Any]) -> dict[str, list[str]]:
    """Request headers as Bolt expects them (lower-case names, list values)."""
    headers = {key[5:].replace("_", "-").lower(): [str(value)]
               for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = [str(environ[key])]
    return headers


TEXT = (str,)
OBJECT = (dict,)
TEXT_OR_OBJECT = (str, dict)
FIELD_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("type", "event_id", "trigger_id", "command", "team_id",
                     "user_id", "channel_id", "api_app_id", "response_url", "token",
                     "challenge", "callback_id", "enterprise_id", "action_ts", "ts",
                     "thread_ts", "event_ts", "bot_id", "subtype", "message_ts", "id",
                     "action_id", "block_id", "value", "view_id"), TEXT),
    **dict.fromkeys(("event", "view", "container", "message", "state", "original_message"),
                    OBJECT),
    **dict.fromkeys(("user", "team", "channel", "enterprise", "text"), TEXT_OR_OBJECT),
    **dict.fromkeys(("actions", "authorizations", "blocks"), (list,)),
}
"""The type each payload field must have where it appears (in the payload, its `event`,
`message`, `container`, `view` and `actions` items): Bolt's built-in middleware and matchers
read these fields without checking (`req.body.get("event", {}).get(...)`). A name's types are
the union over every payload Slack documents: `text` is a string in a slash command, event or
message and a `plain_text` object in a button of `actions` (tests/field/payloads/ holds
the documented shapes; every one must pass)."""
NEVER_NULL = frozenset({"event", "view", "container", "message", "actions", "authorizations"})
"""Fields Bolt reads as `body.get(name, {}).get(...)`: present as null, they crash it."""
_NESTED = ("event", "message", "container", "view", "user", "team", "channel")


def shape_problem(payload: dict[str, Any], depth: int = 0) -> str | None:
    """The first field of `payload` whose type Slack never sends (FIELD_TYPES), or None."""
    for name, value in payload.items():
        allowed = FIELD_TYPES.get(name)
        if value is None and name in NEVER_NULL:
            return f"`{name}` is null"
        if allowed is not None and value is not None and not isinstance(value, allowed):
            return f"`{name}` is a {type(value).__name__}"
        if name in ("actions", "authorizations") and isinstance(value, list) and \
                not all(isinstance(item, dict) for item in value):
            return f"`{name}` holds a non-object"
    if depth < 2:
        for name in _NESTED:
            nested = payload.get(name)
            problem = shape_problem(nested, depth + 1) if isinstance(nested, dict) else None
            if problem is not None:
                return f"{name}.{problem}"
        for item in payload.get("actions") or []:
            problem = shape_problem(item, depth + 1) if isinstance(item, dict) else None
            if problem is not None:
                return f"actions[].{problem}"
    return None


def missing_field(payload: dict[str, Any]) -> str | None:
    """The first field Slack always sends with this kind of payload that is absent, or None:
    slash commands (`channel_id`, `user_id`), events (`event` with its `type`; a mention's
    `channel` and `ts`), button clicks (`actions` and `user`)."""
    required: tuple[str, ...] = ()
    where = payload
    if "command" in payload:
        required = ("channel_id", "user_id")
    elif payload.get("type") == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict) or not event.get("type"):
            return "event.type"
        where, required = event, ("channel", "ts") if event["type"] == "app_mention" else ()
    elif payload.get("type") == "block_actions":
        if not payload.get("actions") or not isinstance(payload.get("user"), dict):
            return "actions or user"
        where, required = payload["user"], ("id",)
    return next((f for f in required if not where.get(f)), None)


def malformed(body: bytes, headers: dict[str, list[str]]) -> str | None:
    """Why Bolt could not parse this body into an object, or None when it can."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    try:
        request = BoltRequest(body=text, headers=dict[str, str | Sequence[str]](headers))
    except Exception as exc:  # noqa: BLE001 - any parse failure is the sender's problem
        return f"body does not parse ({type(exc).__name__})"
    if not isinstance(request.body, dict):
        return f"body is a JSON {type(request.body).__name__}, not an object"
    problem = shape_problem(request.body)
    if problem is None and (absent := missing_field(request.body)) is not None:
        problem = f"`{absent}` is missing"
    return problem


def bolt_safe_form(body: bytes, content_type: str) -> bytes:
    """A form body Bolt parses as it is: Bolt (slack_bolt.request.internals.parse_body)
    treats any form body containing the text `payload` as an interaction and, finding no
    `payload` field, returns nothing, so `/smallcaps help payload` or a command from a
    channel named #payload-team went unanswered (404). Here each literal `payload` is written
    `%70ayload`, which decodes to the same text; other bodies are returned unchanged."""
    if not content_type.startswith("application/x-www-form-urlencoded") or \
            b"payload" not in body:
        return body
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    if any(name == "payload" for name, _ in fields):
        return body
    return body.replace(b"payload", b"%70ayload")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's `v0=` signature of `body` at `timestamp` (hex HMAC-SHA256)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def guard(inner: WSGIApp, signing_secret: str | None,
          max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> WSGIApp:
    """`inner` (Bolt's WSGI adapter) behind the size, signature and shape checks above.
    Without a signing secret (Socket Mode never serves HTTP) only the size is checked."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]
                    ) -> Iterable[bytes]:
        body = _read_body(environ, max_body_bytes)
        if body is None:
            logger.info("Refused a request body over %d bytes (413)", max_body_bytes)
            return _answer(start_response, "413 Payload Too Large",
                           f"request body over {max_body_bytes} bytes")
        headers = _headers(environ)
        if signing_secret is not None:
            timestamp = (headers.get("x-slack-request-timestamp") or [""])[0]
            signature = (headers.get("x-slack-signature") or [""])[0]
            if not signature_ok(signing_secret, timestamp, signature, body):
                logger.info("Refused a request that failed Slack's verification (401)")
                return _answer(start_response, "401 Unauthorized", "invalid request")
            safe = bolt_safe_form(body, (headers.get("content-type") or [""])[0])
            if safe is not body:  # verified above; Bolt checks the signature of what it gets
                body = safe
                signature = sign(signing_secret, timestamp, body)
                headers["x-slack-signature"] = [signature]
                environ["HTTP_X_SLACK_SIGNATURE"] = signature
            problem = malformed(body, headers)
            if problem is not None:
                logger.info("Refused a verified but malformed request: %s (400)", problem)
                return _answer(start_response, "400 Bad Request", "malformed request")
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return inner(environ, start_response)

    return application
