"""The real alert processes (`alerts run`, `scheduler`) against a real redis-server and the
recording fake Slack; optionally as pid 1 in their own pid namespace, as a container runs
them (`unshare --pid --fork --mount-proc`, which needs root or user namespaces).

Self-contained: a redis-server on a free port in a temp dir, the processes' environment,
spawning and killing, and what the channel shows (as a person would read it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from tests.fake_slack import FakeSlack
from tests.field.harness import ROOT, RedisServer, wait_until

UNSHARE = shutil.which("unshare")


def settle(condition: Callable[[], Any], timeout: float) -> bool:
    """Poll `condition` every 0.1 s for up to `timeout` s; whether it came true."""
    try:
        wait_until(condition, timeout, "")
    except AssertionError:
        return False
    return True


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A throw-away redis-server of the harness on a free port; yields its URL."""
    server = RedisServer(workdir).start()
    try:
        yield server.url
    finally:
        server.kill()


def alert_env(fake: FakeSlack, redis_url: str, data_dir: Path, state_dir: Path) -> dict[str, str]:
    """The environment of an alert process: fake Slack, this Redis, CSV market data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMALLCAPS_", "SLACK_"))}
    env.update({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake.base_url,
                "REDIS_URL": redis_url, "SMALLCAPS_DATA_DIR": str(data_dir),
                "SMALLCAPS_STATE_DIR": str(state_dir), "SMALLCAPS_PRERENDER": "off"})
    return env


class Procs:
    """Processes started by a test; `kill_all()` (the finalizer) kills what still runs."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def spawn(self, args: list[str], env: dict[str, str], *,
              pid1: bool = False) -> subprocess.Popen[bytes]:
        """`python -m bot.cli ARGS`, cwd the project; as pid 1 of a new pid namespace with
        `pid1` (`--kill-child`: the namespace dies with the unshare process)."""
        command = [sys.executable, "-m", "bot.cli", *args]
        if pid1:
            assert UNSHARE, "unshare(1) is needed for pid-namespace tests"
            command = [UNSHARE, "--pid", "--fork", "--mount-proc", "--kill-child", *command]
        log = (self.logs / f"{len(self.started)}-{args[0]}.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def output(self, process: subprocess.Popen[bytes]) -> str:
        """What `process` printed so far (stdout and stderr)."""
        index = self.started.index(process)
        return next(self.logs.glob(f"{index}-*.log")).read_text(errors="replace")

    def kill_all(self) -> None:
        """SIGKILL every process still running (and so its pid namespace), then reap."""
        for process in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        for process in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)


def namespace_init(process: subprocess.Popen[bytes]) -> int:
    """The host pid of the pid-1 process that `unshare --fork` started."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    wait_until(lambda: children.read_text().split(), 10, "unshare's child")
    return int(children.read_text().split()[0])


def kill9_pid1(process: subprocess.Popen[bytes]) -> None:
    """kill -9 the namespace's pid 1 from outside (a crash; inside, pid 1 ignores it)."""
    os.kill(namespace_init(process), signal.SIGKILL)
    process.wait(timeout=10)


def channel_posts(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    """The bot's top-level messages in `channel` as Slack holds them (posts whose answer was
    lost included), newest first, with their metadata."""
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    return list(client.conversations_history(channel=channel, limit=1000,
                                              include_all_metadata=True)["messages"])


def alert_events(messages: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(rule id, 'DAY:KIND') of every alert event in `messages`, counted."""
    found: Counter[tuple[str, str]] = Counter()
    for message in messages:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == "smallcaps_alert":
            payload = meta["event_payload"]
            found.update((payload["rule_id"], e) for e in payload["events"].split(","))
    return found


def of_type(messages: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    """The messages whose metadata says `event_type` (smallcaps_schedule, _digest, _alert)."""
    return [m for m in messages if (m.get("metadata") or {}).get("event_type") == event_type]


def schedule_posts(messages: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(schedule id, period) of every scheduled report in `messages`, counted."""
    return Counter((m["metadata"]["event_payload"]["schedule_id"],
                    m["metadata"]["event_payload"]["period"])
                   for m in of_type(messages, "smallcaps_schedule"))


def tally(expected: int, posted: Counter[Any]) -> dict[str, int]:
    """Expected, posted (distinct), lost and duplicated, for a report."""
    return {"expected": expected, "posted": len(posted), "lost": expected - len(posted),
            "duplicated": sum(n - 1 for n in posted.values() if n > 1)}
