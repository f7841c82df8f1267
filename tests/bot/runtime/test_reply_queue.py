"""Replies on the job queue: the web side only enqueues, a worker posts, and a job run again
(re-queued after a crash) never posts twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq.registry import StartedJobRegistry

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from bot.runtime.cache import Cache, open_redis
from bot.worker import run_worker
from tests.fake_slack import FakeSlack
from tests.slack_helpers import FIXED_NOW, dispatch_slash, slack_settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def state(tmp_path):
    """An embedded Redis of this test's own (the queue's keys are not prefixed)."""
    client = open_redis(None, tmp_path / "state")
    yield tmp_path / "state", client
    client.server.close()


def queued_app(fake, client, data_dir):
    deps = build_deps(slack_settings(fake, data_dir), source=CsvSource(data_dir),
                      cache=Cache(client), clock=lambda: FIXED_NOW, use_queue=True)
    return create_app(deps), deps


def expected_gap_text(real_closes) -> str:
    """The 3-year gap to 2024-03-26 from the CSV closes (start: the last common close on or
    before 2021-03-26, which is that day)."""
    rut, gspc = real_closes["^RUT"], real_closes["^GSPC"]
    small = rut["2024-03-26"] / rut["2021-03-26"] - 1
    large = gspc["2024-03-26"] / gspc["2021-03-26"] - 1
    return f"{(large - small) * 100:.2f} pp"


def test_the_web_side_only_enqueues_and_a_worker_posts_text_then_chart(
        fake, state, market_data_dir, real_closes):
    _, client = state
    app, deps = queued_app(fake, client, market_data_dir)
    response = dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
    assert response.status == 200
    assert deps.reply_queue.depth() == 1
    assert fake.calls("chat.postMessage") == []  # the web side posts nothing itself
    assert run_worker(deps, burst=True)
    calls = [c.method for c in fake.calls() if c.method in
             ("chat.postMessage", "files.completeUploadExternal", "chat.update")]
    assert calls == ["chat.postMessage", "files.completeUploadExternal", "chat.update"]
    assert expected_gap_text(real_closes) in str(fake.calls("chat.postMessage")[0].params)
    assert deps.reply_queue.depth() == 0


def test_a_job_run_again_posts_nothing_twice(fake, state, market_data_dir):
    _, client = state
    app, deps = queued_app(fake, client, market_data_dir)
    dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
    [job_id] = deps.reply_queue.queue().job_ids
    job = deps.reply_queue.queue().fetch_job(job_id)
    run_worker(deps, burst=True)
    from bot.listeners.jobs import run_reply

    run_reply(deps, *job.args)  # the same job again, as after a crash once it had posted
    assert len(fake.calls("chat.postMessage")) == 1
    assert len(fake.calls("files.completeUploadExternal")) == 1
    assert fake.calls("response_url") == []


def test_a_worker_killed_while_posting_is_retried_without_a_duplicate(
        fake, state, market_data_dir):
    state_dir, client = state
    app, deps = queued_app(fake, client, market_data_dir)
    fake.set_latency("chat.postMessage", 60)  # Slack got the post; the answer never comes
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake.base_url,
               SMALLCAPS_STATE_DIR=str(state_dir), SMALLCAPS_DATA_DIR=str(market_data_dir))
    worker = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
        fake.wait_for("chat.postMessage", timeout=60)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    fake.set_latency("chat.postMessage", 0)
    registry = StartedJobRegistry(queue=deps.reply_queue.queue())
    registry.cleanup(timestamp=time.time() + 3600)  # its entry expires: RQ re-queues the job
    assert deps.reply_queue.depth() == 1
    run_worker(deps, burst=True)
    assert len(fake.calls("chat.postMessage")) == 1  # not posted again
    [notice] = fake.calls("response_url")
    assert "may not have arrived" in notice.params["text"]
    assert len(fake.calls("files.completeUploadExternal")) == 1  # the chart still came


class Drawing:
    """Wraps the gap chart's renderer: notes when a drawing starts, and can fail it."""

    def __init__(self, monkeypatch, crash: BaseException | None = None) -> None:
        import handlers.gap as gap

        self.real = gap.render_gap_chart
        self.started = 0
        self.crash = crash
        monkeypatch.setattr(gap, "render_gap_chart", self)

    def __call__(self, *args, **kwargs):
        self.started += 1
        if self.crash is not None:
            raise self.crash
        return self.real(*args, **kwargs)


class WorkerDied(BaseException):
    """Stands in for the worker process dying (SIGKILL, OOM): nothing in the job catches it."""


def test_the_text_is_posted_before_the_chart_is_drawn(fake, state, market_data_dir,
                                                      real_closes, monkeypatch):
    _, client = state
    app, deps = queued_app(fake, client, market_data_dir)
    drawing = Drawing(monkeypatch)
    drawn_when_text_arrived: list[int] = []
    fake.on("chat.postMessage", lambda call: drawn_when_text_arrived.append(drawing.started))
    dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
    assert run_worker(deps, burst=True)
    assert drawn_when_text_arrived == [0]  # Slack had the text before any drawing began
    assert drawing.started == 1
    methods = [c.method for c in fake.calls() if c.method != "auth.test"]
    assert methods == ["chat.postMessage", "files.getUploadURLExternal", "upload",
                       "files.completeUploadExternal", "chat.update"]  # chart into the text
    text = fake.calls("chat.postMessage")[0].params
    assert expected_gap_text(real_closes) in str(text["blocks"])
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG")


def test_a_rerun_after_a_crash_between_text_and_chart_posts_only_the_chart(
        fake, state, market_data_dir, monkeypatch):
    _, client = state
    app, deps = queued_app(fake, client, market_data_dir)
    dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
    [job_id] = deps.reply_queue.queue().job_ids
    job = deps.reply_queue.queue().fetch_job(job_id)
    from bot.listeners.jobs import run_reply

    with monkeypatch.context() as patch:
        Drawing(patch, crash=WorkerDied())
        with pytest.raises(WorkerDied):  # the worker dies while drawing the chart
            run_reply(deps, *job.args)
    assert len(fake.calls("chat.postMessage")) == 1
    assert fake.calls("files.getUploadURLExternal") == []
    fake.reset()
    drawing = Drawing(monkeypatch)
    run_reply(deps, *job.args)  # RQ runs the job again
    assert fake.calls("chat.postMessage") == []  # the text is not posted twice
    assert drawing.started == 1
    assert len(fake.calls("files.completeUploadExternal")) == 1
    [update] = fake.calls("chat.update")  # into the message the first run posted
    assert update.params["ts"] == "1700000000.000100"
    assert fake.calls("response_url") == []  # nothing uncertain: no "may be missing" note
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG")
