"""The fake Slack Web API answers the real slack-sdk clients the way Slack does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from tests.fake_slack import FakeSlack

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.base_url)


def test_auth_test_answers_bot_identity_and_records_token(
    fake: FakeSlack, client: WebClient
) -> None:
    resp = client.auth_test()

    assert (resp["user_id"], resp["bot_id"], resp["team_id"]) == ("UBOT", "BBOT", "T1")
    [call] = fake.calls("auth.test")
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_post_message_records_decoded_blocks_and_increments_ts(
    fake: FakeSlack, client: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*IWM* -1.2 pp"}}]

    first = client.chat_postMessage(channel="C1", text="gap", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again")

    calls = fake.calls("chat.postMessage")
    assert calls[0].params["blocks"] == blocks
    assert calls[0].params["channel"] == "C1"
    assert calls[0].headers["content-type"].startswith("application/json")
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == blocks


def test_files_upload_v2_runs_all_three_steps_and_keeps_exact_bytes(
    fake: FakeSlack, client: WebClient
) -> None:
    resp = client.files_upload_v2(
        channel="C1", file=PNG, filename="x.png", title="t", initial_comment="hi"
    )

    assert [c.method for c in fake.calls()] == [
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal",
    ]
    get_url, upload, complete = fake.calls()
    assert get_url.params == {"filename": "x.png", "length": str(len(PNG))}
    file_id = resp["file"]["id"]
    assert upload.path == f"/upload/{file_id}"
    assert "authorization" not in upload.headers  # the sdk POSTs the bytes without the token
    assert fake.uploaded_files() == {file_id: PNG}
    assert complete.params["files"] == [{"id": file_id, "title": "t"}]
    assert complete.raw_params["files"] == f'[{{"id": "{file_id}", "title": "t"}}]'
    assert (complete.params["channel_id"], complete.params["initial_comment"]) == ("C1", "hi")


def test_other_bot_methods_answer_ok_with_slack_shaped_fields(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel="C1", text="loading")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="done")
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    joined = client.conversations_join(channel="C7")
    view = {"type": "home", "blocks": [{"type": "divider"}]}
    published = client.views_publish(user_id="U1", view=view)

    assert (updated["ts"], updated["message"]["text"]) == (posted["ts"], "done")
    assert float(ephemeral["message_ts"]) > float(posted["ts"])
    assert joined["channel"] == {"id": "C7", "is_member": True}
    assert published["view"]["blocks"] == view["blocks"]
    assert fake.calls("views.publish")[0].params["view"] == view
    assert fake.calls("conversations.join")[0].raw_params == {"channel": "C7"}


def test_each_upload_gets_its_own_file_id(fake: FakeSlack, client: WebClient) -> None:
    a = client.files_upload_v2(channel="C1", file=b"a", filename="a.png", title="a")
    b = client.files_upload_v2(channel="C1", file=b"bb", filename="b.png", title="b")

    assert fake.uploaded_files() == {a["file"]["id"]: b"a", b["file"]["id"]: b"bb"}


def test_programmed_not_in_channel_applies_only_to_that_channel(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail("files.completeUploadExternal", "not_in_channel", channel="C2")

    with pytest.raises(SlackApiError) as err:
        client.files_upload_v2(channel="C2", file=PNG, filename="x.png", title="t")
    ok = client.files_upload_v2(channel="C1", file=PNG, filename="x.png", title="t")

    assert err.value.response["error"] == "not_in_channel"
    assert ok["ok"] is True
    fake.clear_failures()
    assert client.files_upload_v2(channel="C2", file=b"x", filename="x.png", title="t")["ok"]


def test_rate_limit_is_retried_with_rate_limit_handler(fake: FakeSlack) -> None:
    client = WebClient(
        token="xoxb-test",
        base_url=fake.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.rate_limit("chat.postMessage", times=1, retry_after=0)

    resp = client.chat_postMessage(channel="C1", text="hi")

    assert resp["ok"] is True
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]


def test_rate_limit_surfaces_without_retry_handler(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit("chat.postMessage", times=1, retry_after=7)

    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")

    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["Retry-After"] == "7"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True


def test_response_url_post_is_recorded(fake: FakeSlack) -> None:
    url = fake.response_url("cmd-1")

    resp = WebhookClient(url).send(text="IWM lags by 3.1 pp", response_type="in_channel")

    assert resp.status_code == 200
    [call] = fake.calls("response_url")
    assert call.path == "/response/cmd-1"
    assert call.params == {"text": "IWM lags by 3.1 pp", "response_type": "in_channel"}


def test_unknown_method_answers_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("no.such.method")

    assert err.value.response["error"] == "unknown_method"


def test_wait_for_sees_calls_from_another_thread(fake: FakeSlack, client: WebClient) -> None:
    sender = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C9", text="late"))
    sender.start()

    [call] = fake.wait_for("chat.postMessage", timeout=5)

    sender.join()
    assert call.params["channel"] == "C9"


def test_wait_for_times_out_listing_what_arrived(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.2)


def test_latency_delays_the_answer(fake: FakeSlack, client: WebClient) -> None:
    fake.set_latency("chat.postMessage", 0.3)

    start = time.perf_counter()
    client.chat_postMessage(channel="C1", text="slow")

    assert time.perf_counter() - start >= 0.3


def test_reset_forgets_calls_files_and_failures(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("auth.test", "invalid_auth")
    client.files_upload_v2(channel="C1", file=b"x", filename="x.png", title="t")

    fake.reset()

    assert fake.calls() == [] and fake.uploaded_files() == {}
    assert client.auth_test()["ok"] is True


def test_stop_frees_the_server() -> None:
    fake = FakeSlack().start()
    url = fake.base_url
    fake.stop()

    with pytest.raises(RuntimeError):
        _ = fake.base_url
    with pytest.raises(OSError):
        WebClient(token="xoxb-test", base_url=url, retry_handlers=[]).auth_test()


def test_conversations_history_lists_what_was_posted_newest_first():
    from slack_sdk import WebClient

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        meta = {"event_type": "smallcaps_alert", "event_payload": {"rule_id": "A1"}}
        first = client.chat_postMessage(channel="C1", text="one", metadata=meta)["ts"]
        client.chat_postMessage(channel="C2", text="elsewhere")
        second = client.chat_postMessage(channel="C1", text="two")["ts"]
        client.chat_postMessage(channel="C1", text="in a thread", thread_ts=first)
        plain = client.conversations_history(channel="C1")["messages"]
        assert [m["ts"] for m in plain] == [second, first]
        assert all("metadata" not in m for m in plain)
        full = client.conversations_history(channel="C1", include_all_metadata=True)
        assert full["messages"][1]["metadata"] == meta
        paged = client.conversations_history(channel="C1", limit=1)
        assert [m["text"] for m in paged["messages"]] == ["two"]
        assert paged["response_metadata"]["next_cursor"]


def test_blocks_slack_would_refuse_are_recorded_and_fail_the_with_block():
    with pytest.raises(AssertionError, match="unknown block type"), FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="t", blocks=[{"type": "no_such_block"}])
        client.chat_postMessage(channel="C1", text="t", blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]})
        assert [e.split(":")[0] for e in fake.invalid] == [
            "chat.postMessage", "chat.postMessage", "views.publish"]


def test_modals_are_answered_with_a_view_id_and_checked_like_every_view():
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "New alert"},
             "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    with pytest.raises(AssertionError, match="views.push"), FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        opened = client.views_open(trigger_id="1.2.3", view=modal)
        assert opened["view"]["id"].startswith("V") and opened["view"]["type"] == "modal"
        updated = client.views_update(view_id=opened["view"]["id"], view=modal)
        assert updated["view"]["id"] == opened["view"]["id"]
        client.views_push(trigger_id="1.2.4", view={**modal, "title": {
            "type": "plain_text", "text": "t" * 25}})  # a modal title holds 24 characters
        assert [e.split(":")[0] for e in fake.invalid] == ["views.push"]
