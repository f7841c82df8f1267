"""One executor for every piece of post-ack work (issue #22): a switch click, a CSV click,
App Home opened and its Refresh button are queued like slash commands and mentions, so a web
replica only acks and enqueues, and a worker (on any machine) does the work."""

from __future__ import annotations

import pytest

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.data.sources import CsvSource
from bot.runtime.cache import Cache, open_redis
from bot.runtime.jobs import JOB_FUNCTION
from bot.worker import run_worker
from handlers.csv_button import CSV_ACTION
from handlers.home_view import REFRESH_ACTION
from tests.slack_helpers import FIXED_NOW, dispatch_slash, slack_settings
from tests.slack_native_helpers import (
    ChannelsFakeSlack,
    buttons_of,
    dispatch_block_action,
    dispatch_event,
    home_click,
    message_click,
)


@pytest.fixture
def fake():
    with ChannelsFakeSlack() as server:
        yield server


@pytest.fixture
def queued(tmp_path, fake, market_data_dir):
    """The real app with the Redis job queue on an embedded Redis of this test's own."""
    client = open_redis(None, tmp_path / "state")
    deps = build_deps(slack_settings(fake, market_data_dir), source=CsvSource(market_data_dir),
                      cache=Cache(client), clock=lambda: FIXED_NOW, use_queue=True)
    yield create_app(deps), deps
    client.server.close()


def queued_kinds(deps) -> list[str]:
    queue = deps.reply_queue.queue()
    return [queue.fetch_job(i).args[0] for i in queue.job_ids]


def posted_report(app, deps, fake) -> dict:
    dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
    assert run_worker(deps, burst=True)
    shown = fake.calls("chat.update")[-1].params  # the message with its chart, as Slack shows it
    return {"type": "message", "ts": shown["ts"], "user": "UBOT", "text": shown["text"],
            "blocks": shown["blocks"]}


def test_a_switch_click_is_queued_and_a_worker_updates_the_message(queued, fake):
    app, deps = queued
    message = posted_report(app, deps, fake)
    updates = len(fake.calls("chat.update"))
    button = buttons_of(message["blocks"])["5y"]
    dispatch_block_action(app, message_click(button, message, fake))
    assert queued_kinds(deps) == ["switch"]
    assert len(fake.calls("chat.update")) == updates  # the web side did no work
    assert run_worker(deps, burst=True)
    assert "5 years" in str(fake.calls("chat.update")[-1].params["blocks"])


def test_a_csv_click_is_queued_and_a_worker_posts_the_file(queued, fake):
    app, deps = queued
    message = posted_report(app, deps, fake)
    uploads = len(fake.calls("files.completeUploadExternal"))
    csv = next(e for b in message["blocks"] if b["type"] == "actions"
               for e in b["elements"] if e.get("action_id") == CSV_ACTION)
    dispatch_block_action(app, message_click(csv, message, fake))
    assert queued_kinds(deps) == ["csv"]
    assert len(fake.calls("files.completeUploadExternal")) == uploads
    assert run_worker(deps, burst=True)
    assert len(fake.calls("files.completeUploadExternal")) == uploads + 1
    csv_text = [v for v in fake.uploaded_files().values() if not v.startswith(b"\x89PNG")]
    assert csv_text and b"2024-03-26" in csv_text[-1]


def test_app_home_and_its_refresh_are_queued_and_a_worker_publishes(queued, fake):
    app, deps = queued
    dispatch_event(app, {"type": "app_home_opened", "user": "U2", "channel": "D1",
                         "tab": "home", "event_ts": "1.0"})
    dispatch_block_action(app, home_click(REFRESH_ACTION))
    assert queued_kinds(deps) == ["home", "home"]
    assert fake.calls("views.publish") == []
    assert run_worker(deps, burst=True)
    published = fake.calls("views.publish")
    assert [c.params["user_id"] for c in published] == ["U2", "U2"]
    assert "could not be loaded" not in str(published[0].params["view"])  # the dashboard


def test_a_job_queued_by_the_previous_release_still_runs(queued, fake):
    """Jobs name their function; releases before bot/listeners/ queued
    `handlers.reply_jobs.run_queued`: a worker of this release runs such a job."""
    app, deps = queued
    assert JOB_FUNCTION == "bot.listeners.jobs.run_queued"
    deps.reply_queue.queue().enqueue_call(
        "handlers.reply_jobs.run_queued",
        args=("home", {"user_id": "U3", "request_id": "legacy-1"}))
    assert run_worker(deps, burst=True)
    assert [c.params["user_id"] for c in fake.calls("views.publish")] == ["U3"]


def test_events_without_a_user_or_channel_are_acked_and_dropped(queued, fake):
    """Found by the fuzzer once the listeners enqueue in the request's own thread: a Home
    event without a user (or a mention without a channel) was a 500."""
    app, deps = queued
    assert dispatch_event(app, {"type": "app_home_opened", "tab": "home"}).status == 200
    assert dispatch_event(app, {"type": "app_mention", "text": "<@UBOT> gap"}).status == 200
    click = home_click(REFRESH_ACTION)
    del click["user"]
    assert dispatch_block_action(app, click).status == 200
    assert queued_kinds(deps) == []
