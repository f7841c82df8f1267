"""A local fake of Slack's Web API for tests and benchmarks (real HTTP on 127.0.0.1).

``with FakeSlack() as fake: WebClient(token="xoxb-test", base_url=fake.base_url)``.

Every `blocks` and `view` it receives is checked with slack_sdk's models (tests.block_kit);
what Slack would refuse is kept in ``invalid`` and fails the ``with`` block that used it."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.block_kit import block_errors, view_errors

#: Form fields that slack-sdk sends as JSON strings; decoded into ``Call.params``.
JSON_FIELDS = frozenset({"blocks", "attachments", "files", "view", "metadata", "outputs"})
BOT = {"user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "smallcaps"}


@dataclass(frozen=True)
class Call:
    """One request the fake received (API method, file upload or response_url POST)."""

    method: str  # "chat.postMessage", "upload" (file bytes POST) or "response_url"
    params: dict[str, Any]  # decoded: JSON fields such as blocks/files are lists/dicts
    raw_params: dict[str, Any]  # as sent: form values are strings
    headers: dict[str, str]  # lower-case names, e.g. "authorization"
    body: bytes  # raw request body (the file bytes for "upload")
    path: str  # e.g. "/api/chat.postMessage", "/upload/F000001", "/response/cmd"
    status: int = 200  # HTTP status the fake answered with


@dataclass
class _Rule:
    method: str
    error: str
    channel: str | None = None
    times: int | None = None  # None: forever
    status: int = 200
    retry_after: int | None = None
    applied: bool = False  # the call takes effect (e.g. the message is posted) all the same
    hang_s: float = 0.0  # a hang: answer (normally if applied) only after this long
    after: int = 0  # let this many matching calls through first

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        channels = {params.get("channel"), params.get("channel_id")}
        channels.update(str(params.get("channels") or "").split(","))
        in_scope = self.channel is None or self.channel in channels
        if method == self.method and self.times != 0 and in_scope and self.after > 0:
            self.after -= 1  # called once per request, under the fake's lock
            return False
        return method == self.method and self.times != 0 and in_scope


class FakeSlack:
    """Threaded HTTP server on 127.0.0.1 that answers like Slack and records every call."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._calls: list[Call] = []
        self._files: dict[str, bytes | None] = {}  # None: upload_url issued, no bytes yet
        self._rules: list[_Rule] = []
        self._latency: dict[str, float] = {}
        self._hooks: dict[str, list[Callable[[Call], None]]] = {}
        self._before_stop: list[Callable[[], None]] = []
        self._history: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, oldest first
        self.socket_url: str | None = None  # apps.connections.open hands it out (Socket Mode)
        self.user_channels: dict[str, list[str]] = {}
        self.bot_outside: set[str] = set()
        """conversations.info: the channels the bot is not a member of (in all others)."""
        """users.conversations: the channels each user id is in (none unless set)."""
        self._ids = itertools.count(1)  # message ts, file and view ids
        self.invalid: list[str] = []
        """What Slack would refuse in the blocks and views received (method: error)."""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeSlack:
        """Bind a free port and serve in a daemon thread."""
        if self._server is None:
            self._server = server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self))
            server.daemon_threads = True
            kwargs = {"poll_interval": 0.02}  # fast shutdown()
            self._thread = threading.Thread(target=server.serve_forever, kwargs=kwargs, daemon=True)
            self._thread.start()
        return self

    def before_stop(self, hook: Callable[[], None]) -> None:
        """Run ``hook()`` when the server is asked to stop, before it stops: an app wired to
        this fake finishes the replies it is still posting (a chart is uploaded after its
        text) instead of failing them against a closed port, and logging errors into
        whichever test runs next."""
        self._before_stop.append(hook)

    def stop(self) -> None:
        """Shut the server down and free the port (after the before_stop hooks)."""
        hooks, self._before_stop = self._before_stop, []
        for hook in hooks:
            hook()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.stop()
        if exc_type is None:
            assert not self.invalid, f"Slack would refuse these blocks/views: {self.invalid}"

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start()")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """Web API base URL for ``WebClient(base_url=...)``."""
        return f"{self.root_url}/api/"

    def response_url(self, name: str) -> str:
        """A response_url whose POSTs are recorded as method ``"response_url"``."""
        return f"{self.root_url}/response/{name}"

    def fail(self, method: str, error: str, *, channel: str | None = None,
             times: int | None = None, status: int = 200, applied: bool = False) -> None:
        """Answer ``method`` with ``{"ok": false, "error": error}``: only for ``channel`` if
        given; ``times`` times, or always when None. ``applied``: the call takes effect
        anyway (a message is posted, then the answer is an error: a lost answer)."""
        with self._cond:
            self._rules.append(_Rule(method, error, channel, times, status, applied=applied))

    def hang(self, method: str, seconds: float, *, times: int | None = 1,
             applied: bool = True, after: int = 0) -> None:
        """Hold the answer to ``method`` for ``seconds`` (longer than the client waits: a hung
        request), ``times`` times (None: always), once ``after`` calls went through.
        ``applied``: the call takes effect at once and the late answer is a normal one;
        otherwise nothing happens and the late answer is ``request_timeout``."""
        with self._cond:
            self._rules.append(_Rule(method, "request_timeout", None, times, 200,
                                     applied=applied, hang_s=seconds, after=after))

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer ``method`` with HTTP 429 + ``Retry-After`` the next ``times`` calls."""
        with self._cond:
            self._rules.append(_Rule(method, "ratelimited", None, times, 429, retry_after))

    def clear_failures(self) -> None:
        """Forget every programmed failure and rate limit."""
        with self._cond:
            self._rules.clear()

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay answers to ``method`` ("*" for all) by ``seconds``."""
        with self._cond:
            self._latency[method] = seconds

    def on(self, method: str, hook: Callable[[Call], None]) -> None:
        """Run ``hook(call)`` when a call of ``method`` arrives, before it is answered (in
        the server's request thread): to look at the client's state at that instant."""
        with self._cond:
            self._hooks.setdefault(method, []).append(hook)

    def calls(self, method: str | None = None) -> list[Call]:
        """Calls received so far, oldest first, optionally only those of ``method``."""
        with self._cond:
            return list(self._calls) if method is None else self._matching(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls of ``method`` arrived; AssertionError on timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._matching(method)) >= count, timeout):
                seen = [c.method for c in self._calls]
                raise AssertionError(f"expected {count} x {method} within {timeout}s; saw {seen}")
            return self._matching(method)

    def uploaded_files(self) -> dict[str, bytes]:
        """Bytes POSTed to each upload_url, by file_id."""
        with self._cond:
            return {file_id: data for file_id, data in self._files.items() if data is not None}

    def reset(self) -> None:
        """Forget calls, files, failures and latencies (the server keeps running)."""
        with self._cond:
            for store in (self._calls, self._files, self._rules, self._latency, self._history,
                          self._hooks):
                store.clear()
            self.bot_outside.clear()

    def _matching(self, method: str) -> list[Call]:
        return [c for c in self._calls if c.method == method]

    def _handle(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        """Record ``call`` and build (status, headers, body); sleeps for latency after."""
        errors = _payload_errors(call.params)
        with self._cond:
            self.invalid.extend(f"{call.method}: {e}" for e in errors)
            rule = next((r for r in self._rules if r.matches(call.method, call.params)), None)
            if rule is None:
                (status, payload), headers = self._answer(call), {}
            elif rule.hang_s:
                rule.times = None if rule.times is None else rule.times - 1
                status, payload = self._answer(call) if rule.applied else \
                    (200, {"ok": False, "error": rule.error})
                headers = {}
            else:
                if rule.applied:
                    self._answer(call)
                rule.times = None if rule.times is None else rule.times - 1
                status = rule.status
                headers = {} if rule.retry_after is None else {"Retry-After": str(rule.retry_after)}
                payload = {"ok": False, "error": rule.error}
            self._calls.append(replace(call, status=status))
            self._cond.notify_all()
            delay = self._latency.get(call.method, self._latency.get("*", 0.0))
            delay = max(delay, rule.hang_s if rule is not None else 0.0)
            hooks = list(self._hooks.get(call.method, ()))
        for hook in hooks:
            hook(call)
        time.sleep(delay)
        if isinstance(payload, str):
            return status, {"Content-Type": "text/plain", **headers}, payload.encode()
        return status, {"Content-Type": "application/json", **headers}, json.dumps(payload).encode()

    def _answer(self, call: Call) -> tuple[int, Any]:
        """(HTTP status, JSON payload or plain-text body) for a call no rule intercepted."""
        p, method = call.params, call.method
        if method == "upload":  # raw bytes (urllib still labels them x-www-form-urlencoded)
            file_id = call.path.rsplit("/", 1)[-1]
            if file_id not in self._files:
                return 404, f"unknown file id {file_id}"
            self._files[file_id] = call.body
            return 200, f"OK - {len(call.body)}"
        if method == "response_url":
            return 200, {"ok": True}
        if method == "auth.test":
            return 200, {"ok": True, "url": "https://fake.slack.com/", "team": "T", **BOT}
        if method in ("chat.postMessage", "chat.update"):
            ts = p.get("ts") if method == "chat.update" else self._next_ts()
            message = {**p, "type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": ts}
            if method == "chat.postMessage" and not p.get("thread_ts"):
                self._history.setdefault(str(p.get("channel")), []).append(message)
            return 200, {"ok": True, "channel": p.get("channel"), "ts": ts, "message": message}
        if method == "apps.connections.open" and self.socket_url:
            return 200, {"ok": True, "url": self.socket_url}
        if method == "conversations.history":
            return 200, self._channel_history(p)
        if method == "conversations.info":
            channel = str(p.get("channel"))
            return 200, {"ok": True, "channel": {"id": channel,
                                                 "is_member": channel not in self.bot_outside}}
        if method == "users.conversations":
            ids = self.user_channels.get(str(p.get("user")), [])
            return 200, {"ok": True, "channels": [{"id": c} for c in ids],
                         "response_metadata": {"next_cursor": ""}}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": self._next_ts()}
        if method == "conversations.join":
            return 200, {"ok": True, "channel": {"id": p.get("channel"), "is_member": True}}
        if method == "views.publish":
            view_id = f"V{next(self._ids):06d}"
            return 200, {"ok": True, "view": {**(p.get("view") or {}), "id": view_id}}
        if method in ("views.open", "views.push"):  # only with a trigger, as Slack
            if not p.get("trigger_id"):
                return 200, {"ok": False, "error": "invalid_arguments"}
            view_id = f"V{next(self._ids):06d}"
            return 200, {"ok": True, "view": {**(p.get("view") or {}), "id": view_id,
                                              "hash": f"{view_id}.hash"}}
        if method == "views.update":
            view_id = str(p.get("view_id") or "")
            if not view_id:
                return 200, {"ok": False, "error": "invalid_arguments"}
            return 200, {"ok": True, "view": {**(p.get("view") or {}), "id": view_id,
                                              "hash": f"{view_id}.hash2"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):06d}"
            self._files[file_id] = None
            url = f"{self.root_url}/upload/{file_id}"
            return 200, {"ok": True, "upload_url": url, "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = [{"id": f.get("id"), "title": f.get("title")} for f in p.get("files") or []]
            return 200, {"ok": True, "files": files}
        return 200, {"ok": False, "error": "unknown_method"}

    def _channel_history(self, p: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages posted to the channel, newest first, as Slack pages them
        (``oldest`` exclusive, ``limit``, ``cursor`` = offset); metadata only with
        ``include_all_metadata``."""
        oldest = float(p.get("oldest") or 0)
        newest_first = [m for m in reversed(self._history.get(str(p.get("channel")), []))
                        if float(m["ts"]) > oldest]
        start, limit = int(p.get("cursor") or 0), int(p.get("limit") or 100)
        page = newest_first[start:start + limit]
        with_metadata = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        keep = {"type", "user", "bot_id", "ts", "text", "blocks"} | \
            ({"metadata"} if with_metadata else set())
        more = start + limit < len(newest_first)
        return {"ok": True, "messages": [{k: v for k, v in m.items() if k in keep} for m in page],
                "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _next_ts(self) -> str:
        """Message ts "1700000000.000100", then later ones (shares the id counter)."""
        seconds, micros = divmod(1_700_000_000_000_000 + 100 * next(self._ids), 1_000_000)
        return f"{seconds}.{micros:06d}"


def _payload_errors(params: dict[str, Any]) -> list[str]:
    """What Slack would refuse in a call's `blocks` and `view` (none sent: [])."""
    errors = block_errors(params["blocks"]) if params.get("blocks") is not None else []
    return errors + (view_errors(params["view"]) if params.get("view") is not None else [])


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode the fields slack-sdk sends as JSON strings in forms; invalid JSON stays raw."""
    params = dict(raw)
    for key in JSON_FIELDS & params.keys():
        with contextlib.suppress(ValueError, TypeError):  # TypeError: already a list/dict
            params[key] = json.loads(params[key])
    return params


def make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    """The request handler class serving `fake` (bench.slackproc extends it)."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            url = urlsplit(self.path)
            prefix, _, rest = url.path.lstrip("/").partition("/")
            method = {"api": rest, "upload": "upload", "response": "response_url"}.get(prefix)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            ctype, raw = headers.get("content-type", ""), dict[str, Any](parse_qsl(url.query))
            if prefix != "upload" and ctype.startswith("application/json"):
                raw.update(json.loads(body))
            elif prefix != "upload" and ctype.startswith("application/x-www-form-urlencoded"):
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            call = Call(method or "", _decode(raw), raw, headers, body, url.path)
            status, out_headers, out = fake._handle(call) if method else (404, {}, b"not found")
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
                self.send_response(status)
                for name, value in {**out_headers, "Content-Length": str(len(out))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(out)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output quiet

    return Handler
