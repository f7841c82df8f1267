"""Socket Mode meets the same Redis faults (issue #21 item 3): a slash command envelope,
filled from the documented slash-command fixture, is acked and answered while Redis is a
read-only replica and while it is full under `noeviction`."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.field.harness import Processes, RedisServer, healthz, payload, wait_until


def _envelope(envelope_id: str, text: str, fake: FakeSlack) -> dict:
    body, _ = payload("slash_command.txt", text=text, channel=f"C{envelope_id}",
                      response_url=fake.response_url(envelope_id), trigger_id=envelope_id)
    return {"envelope_id": envelope_id, "type": "slash_commands",
            "accepts_response_payload": True, "payload": dict(parse_qsl(body.decode()))}


@pytest.mark.parametrize("fault", ["readonly", "full"])
def test_socket_mode_answers_while_redis_refuses_writes(
        fault: str, redis_srv: RedisServer, procs: Processes, fake: FakeSlack,
        field_port: int):
    with FakeSocketMode() as socket_mode:
        fake.socket_url = socket_mode.url
        procs.serve(field_port, SLACK_APP_TOKEN="xapp-1-field", SLACK_SIGNING_SECRET="",
                    SMALLCAPS_WEB_WORKERS="1")
        socket_mode.wait_connections(1)
        {"readonly": redis_srv.readonly,
         "full": lambda: redis_srv.maxmemory(1, "noeviction")}[fault]()
        for i in range(3):
            socket_mode.send(_envelope(f"{fault}{i}", "gap 1y as-of 2024-03-01", fake))
        for i in range(3):
            socket_mode.wait_ack(f"{fault}{i}")
        wait_until(lambda: {c.params.get("channel") for c in fake.calls("chat.postMessage")}
                   >= {f"C{fault}{i}" for i in range(3)}, 60, "every command's answer")
        posts = [c.params.get("channel") for c in fake.calls("chat.postMessage")]
        status, checks = healthz(field_port)
        print(f"\nFIELD socket mode, {fault}: 3 acked, {len(set(posts))} answered, "
              f"{len(posts) - len(set(posts))} duplicated; healthz={status} {checks}")
        assert len(posts) == len(set(posts)) == 3
        assert status == 503 and "refuses writes" in checks["redis"]
