"""`smallcaps serve` in Socket Mode against a local WebSocket server playing Slack: commands,
mentions and direct messages arrive as envelopes, a dropped connection is re-opened, a
redelivered event is answered once (however it is stopped: the redelivery middleware or the
delivery record), and a DM answer can be shared to a channel."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from urllib.parse import parse_qs

import redis
from rq import Queue
from rq.registry import StartedJobRegistry

from bot.runtime.jobs import QUEUE_NAME
from tests.bot.test_serve import free_port, start_serve
from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.field.harness import payload


def slash_envelope(envelope_id: str, text: str, fake: FakeSlack) -> dict:
    return {"envelope_id": envelope_id, "type": "slash_commands",
            "accepts_response_payload": True, "payload": {
                "token": "legacy", "team_id": "T1", "team_domain": "acme", "channel_id": "C1",
                "channel_name": "markets", "user_id": "U1", "user_name": "ana",
                "command": "/smallcaps", "text": text, "api_app_id": "A1",
                "response_url": fake.response_url(envelope_id), "trigger_id": envelope_id}}


def mention_envelope(envelope_id: str, retry: int) -> dict:
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> gap 3y as-of 2024-03-26",
             "ts": "1711111111.000100", "channel": "C1", "event_ts": "1711111111.000100"}
    return {"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": retry, "retry_reason": "timeout" if retry else "",
            "payload": {"token": "legacy", "team_id": "T1", "api_app_id": "A1",
                        "type": "event_callback", "event_id": "Ev1", "event_time": 1711111111,
                        "event": event, "authorizations": [
                            {"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}}


def _wait_for_idle_queue(state: Path, timeout: float = 60) -> None:
    """Until no reply job is queued or running on the bot's embedded Redis. A redelivered
    event is stopped twice over: the redelivery middleware acks it without running the
    listener; if a job were queued anyway, its delivery record would skip the post."""
    client = redis.Redis(unix_socket_path=str(state / "redis.sock"))
    queue = Queue(QUEUE_NAME, connection=client)
    deadline = time.monotonic() + timeout
    while queue.count or StartedJobRegistry(queue=queue).count:
        assert time.monotonic() < deadline, "reply jobs still pending"
        time.sleep(0.1)
    client.close()


def test_socket_mode_answers_reconnects_and_answers_a_redelivery_once(tmp_path,
                                                                       market_data_dir):
    port = free_port()
    with FakeSlack() as fake, FakeSocketMode() as socket_mode:
        fake.socket_url = socket_mode.url
        bot = start_serve(fake, tmp_path / "state", market_data_dir, port,
                          SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET="")
        try:
            socket_mode.wait_connections(1)
            socket_mode.send(slash_envelope("e1", "gap 3y as-of 2024-03-26", fake))
            socket_mode.wait_ack("e1")
            fake.wait_for("chat.postMessage", 1, timeout=60)

            socket_mode.drop()  # Slack closes the connection; the bot must open a new one
            socket_mode.wait_connections(2, timeout=60)
            assert len(fake.calls("apps.connections.open")) >= 2
            socket_mode.send(slash_envelope("e2", "gap 1y as-of 2024-03-26", fake))
            socket_mode.wait_ack("e2")
            fake.wait_for("chat.postMessage", 2, timeout=60)

            socket_mode.send(mention_envelope("e3", retry=0))
            socket_mode.wait_ack("e3")
            fake.wait_for("chat.postMessage", 3, timeout=60)
            socket_mode.send(mention_envelope("e4", retry=1))  # Slack thought e3 was lost
            socket_mode.wait_ack("e4")
            _wait_for_idle_queue(tmp_path / "state")  # a repeat's job, if queued, has run
            posts = fake.calls("chat.postMessage")
            assert len(posts) == 3  # the redelivered mention was not answered again
            assert "37.73 pp" in json.dumps(posts[2].params["blocks"])
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(timeout=60) == 0
        except AssertionError as exc:
            bot.kill()
            raise AssertionError(f"{exc}\nbot log:\n{bot.stdout.read().decode()}") from exc
        finally:
            if bot.poll() is None:
                bot.kill()


DM = "D0DMBOT01"


def dm_envelope(envelope_id: str, retry: int = 0, event_id: str = "EvDM1",
                **event: object) -> dict:
    """The documented message.im event_callback (tests/field/payloads/message_im.json) in a
    Socket Mode `events_api` envelope; `event` fields added (bot_id, subtype...)."""
    body, _ = payload("message_im.json", channel=DM, user="U1", ts="1711111222.000100",
                      text="gap 3y as-of 2024-03-26", event_id=event_id)
    document = json.loads(body)
    document["event"].update(event)
    return {"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": retry, "retry_reason": "timeout" if retry else "",
            "payload": document}


def share_envelope(envelope_id: str, message: dict, channel: str, fake: FakeSlack) -> dict:
    """The documented block_actions payload of a conversations_select in a DM answer
    (tests/field/payloads/block_actions_conversations_select.json), in an `interactive`
    envelope."""
    [block_id] = [b["block_id"] for b in message["blocks"]
                  if str(b.get("block_id", "")).startswith("smallcaps_share:")]
    body, _ = payload("block_actions_conversations_select.json", user="U1", channel=DM,
                      message_ts=message["ts"], message=json.dumps(message),
                      action_id="smallcaps_share", block_id=block_id, selected=channel,
                      trigger_id=envelope_id, response_url=fake.response_url(envelope_id))
    document = json.loads(parse_qs(body.decode())["payload"][0])
    return {"envelope_id": envelope_id, "type": "interactive", "accepts_response_payload": False,
            "payload": document}


def _in(fake: FakeSlack, method: str, channel: str) -> list:
    return [c for c in fake.calls(method) if c.params.get("channel") == channel]


def _wait_in(fake: FakeSlack, method: str, channel: str, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while not (found := _in(fake, method, channel)):
        assert time.monotonic() < deadline, f"no {method} in {channel}"
        time.sleep(0.05)
    return found


def test_socket_mode_answers_a_dm_once_ignores_its_own_post_and_shares_it(tmp_path,
                                                                          market_data_dir):
    port = free_port()
    with FakeSlack() as fake, FakeSocketMode() as socket_mode:
        fake.socket_url = socket_mode.url
        fake.user_channels = {"U1": ["C7"]}  # the channel U1 shares into
        bot = start_serve(fake, tmp_path / "state", market_data_dir, port,
                          SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET="")
        try:
            socket_mode.wait_connections(1)
            socket_mode.send(dm_envelope("d1"))
            socket_mode.wait_ack("d1")
            [update] = _wait_in(fake, "chat.update", DM)
            assert any(b["type"] == "image" for b in update.params["blocks"])
            socket_mode.send(dm_envelope("d2", retry=1))  # Slack thought d1 was lost
            socket_mode.wait_ack("d2")
            socket_mode.send(dm_envelope("d3", event_id="EvDM3", bot_id="BBOT", user="UBOT",
                                         text="37.73 pp"))  # the bot's own answer, echoed
            socket_mode.wait_ack("d3")
            _wait_for_idle_queue(tmp_path / "state")
            [post] = _in(fake, "chat.postMessage", DM)  # one answer, in the DM
            assert "thread_ts" not in post.params
            assert "37.73 pp" in json.dumps(update.params["blocks"])

            message = {"type": "message", "ts": update.params["ts"], "user": "UBOT",
                       "bot_id": "BBOT", "text": update.params["text"],
                       "blocks": update.params["blocks"]}
            socket_mode.send(share_envelope("s1", message, "C7", fake))
            socket_mode.wait_ack("s1")
            [shared] = _wait_in(fake, "chat.update", "C7")
            text = json.dumps(shared.params["blocks"])
            assert "Shared by <@U1> from a direct message" in text and "37.73 pp" in text
            assert any(b["type"] == "image" for b in shared.params["blocks"])
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(timeout=60) == 0
        except AssertionError as exc:
            bot.kill()
            raise AssertionError(f"{exc}\nbot log:\n{bot.stdout.read().decode()}") from exc
        finally:
            if bot.poll() is None:
                bot.kill()
