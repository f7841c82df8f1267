"""HTTP mode as `smallcaps serve` runs it (waitress, the guard, the real Bolt app): every
request shape gets 401, 400, 413 or an answer, never a 500 or a traceback."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.serve import http_server
from tests.fake_slack import FakeSlack
from tests.slack_helpers import SIGNING_SECRET, signed_headers, slack_settings, slash_body
from tests.slack_helpers import wired_app as wire

LIMIT = 65_536


@pytest.fixture(scope="module")
def fake_module():
    with FakeSlack() as server:
        yield server


@pytest.fixture(scope="module")
def server_url(fake_module, redis_server, market_data_dir):
    """The real app served by waitress, as `smallcaps serve` builds it, with a 64 KB limit."""
    from bot.runtime.cache import Cache

    cache = Cache(redis_server, prefix="smallcaps-test:http-guard:")
    app, _ = wire(fake_module, cache, market_data_dir)
    config = slack_settings(fake_module, market_data_dir).model_copy(
        update={"smallcaps_max_body_bytes": LIMIT})
    server = http_server(app, "127.0.0.1", 0, config)

    def run() -> None:
        with contextlib.suppress(OSError):  # close() from the test thread ends the loop so
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/slack/events"
    server.close()
    thread.join(timeout=5)
    for key in redis_server.scan_iter(match="smallcaps-test:http-guard:*"):
        redis_server.delete(key)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def signed(body: bytes | str, content_type: str = "application/x-www-form-urlencoded",
           timestamp: int | None = None) -> dict[str, str]:
    text = body.decode("latin-1") if isinstance(body, bytes) else body
    headers = {k: v[0] for k, v in signed_headers(text, timestamp=timestamp).items()}
    headers["content-type"] = content_type
    return headers


def raw_signed(body: bytes, content_type: str) -> dict[str, str]:
    """Signed over the raw bytes (also when they are not UTF-8), as Slack signs."""
    import hashlib
    import hmac

    ts = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {"content-type": content_type, "x-slack-request-timestamp": ts,
            "x-slack-signature": "v0=" + mac.hexdigest()}


@pytest.mark.parametrize("headers", [
    {"x-slack-request-timestamp": "abc", "x-slack-signature": "v0=00"},
    {"x-slack-request-timestamp": "\u00b2\u00b3", "x-slack-signature": "v0=00"},  # isdigit()
    {"x-slack-request-timestamp": "-5", "x-slack-signature": "v0=00"},
    {"x-slack-request-timestamp": "9" * 40, "x-slack-signature": "v0=00"},
    {},
])
def test_unverifiable_requests_get_401(server_url, fake_module, headers):
    body = slash_body("gap 3y", fake_module).encode()
    status, _ = post(server_url, body, {"content-type": "application/x-www-form-urlencoded",
                                        **headers})
    assert status == 401


def test_a_stale_or_wrongly_signed_timestamp_abc_style_replay_gets_401(server_url, fake_module):
    body = slash_body("gap 3y", fake_module)
    headers = signed(body, timestamp=int(time.time()) - 600)
    assert post(server_url, body.encode(), headers)[0] == 401


@pytest.mark.parametrize("body,content_type", [
    (b"{", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b'"just a string"', "application/json"),
    (b"payload=not-json", "application/x-www-form-urlencoded"),
    (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    (b"{\"type\": \"event_callback\", \"event\": \xff\xfe}", "application/json"),
])
def test_verified_but_malformed_payloads_get_400(server_url, body, content_type):
    status, _ = post(server_url, body, raw_signed(body, content_type))
    assert status == 400


def post_declared(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST over a raw socket, sending the body only as far as the server reads it (a server
    that refuses a large body answers and closes the connection before reading it all)."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n{head}"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(request)
        try:
            for start in range(0, len(body), 65_536):
                sock.sendall(body[start:start + 65_536])
        except OSError:  # refused mid-body: the answer is already waiting
            pass
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65_536):
                answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_bodies_over_the_limit_get_413_unread(server_url, fake_module):
    padding = "x" * (LIMIT + 10)
    body = slash_body("gap 3y", fake_module) + "&pad=" + padding
    assert post_declared(server_url, body.encode(), signed(body)) == 413
    big = b"a" * (10 * 1024 * 1024)  # the 10 MB body
    assert post_declared(server_url, big, raw_signed(big, "application/json")) == 413


def test_a_good_request_still_works_behind_the_guard(server_url, fake_module):
    body = slash_body("help", fake_module)
    status, answer = post(server_url, body.encode(), signed(body))
    assert status == 200 and b"ephemeral" in answer


def test_the_word_payload_in_a_command_or_channel_name_is_understood(server_url, fake_module):
    """Bolt reads any form body containing 'payload' as an interaction without one (404:
    Slack shows 'dispatch_failed'); the guard re-encodes such bodies before Bolt sees them."""
    body = slash_body("help payload", fake_module)
    status, answer = post(server_url, body.encode(), signed(body))
    assert status == 200 and b"ephemeral" in answer and b"/smallcaps gap" in answer
    body = slash_body("gap 3y as-of 2099-01-01", fake_module).replace("markets", "payload-team")
    status, answer = post(server_url, body.encode(), signed(body))
    assert status == 200 and b"in the future" in answer


# --- bounded fuzz: no 5xx, no traceback --------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12)
SLACK_KEYS = ("type", "event", "event_id", "actions", "user", "channel", "view", "team",
              "command", "text", "trigger_id", "container", "message", "api_app_id",
              "authorizations", "channel_id", "user_id", "team_id", "token", "challenge")
SLACK_TYPES = ("event_callback", "block_actions", "view_submission", "url_verification",
               "app_mention", "shortcut", "message_action", "interactive_message", "nope")


@st.composite
def slack_like(draw) -> dict:
    """Objects shaped like Slack's payloads, with wrong types and values in any field."""
    payload = draw(st.dictionaries(st.sampled_from(SLACK_KEYS), JSON, max_size=6))
    payload["type"] = draw(st.sampled_from(SLACK_TYPES) | JSON)
    if draw(st.booleans()):
        payload["event"] = draw(st.dictionaries(st.sampled_from(SLACK_KEYS), JSON, max_size=5)
                                | JSON)
        if isinstance(payload["event"], dict):
            payload["event"]["type"] = draw(st.sampled_from(("app_mention", "app_home_opened",
                                                             "message")) | JSON)
    return payload


@st.composite
def requests_(draw) -> tuple[bytes, dict[str, str]]:
    kind = draw(st.sampled_from(["json", "payload", "form", "bytes"]))
    if kind == "json":
        body = json.dumps(draw(slack_like() | JSON)).encode()
        ctype = "application/json"
    elif kind == "payload":
        body = urlencode({"payload": json.dumps(draw(slack_like() | JSON))}).encode()
        ctype = "application/x-www-form-urlencoded"
    elif kind == "form":
        fields = draw(st.dictionaries(st.sampled_from(SLACK_KEYS), st.text(max_size=30),
                                      max_size=6))
        if draw(st.booleans()):
            fields["command"] = "/smallcaps"
        body = urlencode(fields).encode()
        ctype = "application/x-www-form-urlencoded"
    else:
        body = draw(st.binary(max_size=200))
        ctype = draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                      "text/plain"]))
    headers = raw_signed(body, ctype)
    how = draw(st.sampled_from(["signed", "signed", "bad-ts", "no-sig", "bad-sig"]))
    if how == "bad-ts":
        headers["x-slack-request-timestamp"] = draw(st.text(max_size=12).filter(
            lambda t: t.isascii() and t.isprintable() and t.strip() == t)) or "x"
    elif how == "no-sig":
        del headers["x-slack-signature"]
    elif how == "bad-sig":
        headers["x-slack-signature"] = "v0=" + "0" * 64
    return body, headers


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(request=requests_())
def test_fuzzed_requests_never_get_a_5xx_or_a_traceback(server_url, request, caplog):
    body, headers = request
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        status, _ = post(server_url, body, headers)
    assert status < 500, (status, body[:200], headers)
    for record in caplog.records:
        assert record.exc_info is None and "Traceback" not in record.getMessage(), record
        assert record.levelno < logging.ERROR, record.getMessage()
