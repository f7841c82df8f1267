"""Schedules and channel defaults by form, over HTTP as `smallcaps serve` runs it (waitress,
the guard, the real Bolt app) with Slack's documented payloads (tests/field/payloads/):
the global shortcut, App Home's buttons, Edit/Remove under `schedule list`, the
conversations_select of a modal, and view_submission with the view's own state."""

from __future__ import annotations

import json
import string
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.alerts.schedules import ScheduleStore
from bot.runtime.cache import Cache
from bot.runtime.channel_settings import ChannelSettings
from tests.block_kit import view_errors
from tests.handlers.test_http_requests import fake_module, post, server_url, signed
from tests.slack_helpers import slash_body

__all__ = ["fake_module", "server_url"]  # the module-scoped server these tests share

PAYLOADS = Path(__file__).resolve().parents[1] / "field" / "payloads"
PREFIX = "smallcaps-test:http-guard:"  # the module server's cache prefix


@pytest.fixture(autouse=True)
def _fresh(fake_module, redis_server):
    fake_module.reset()
    for key in redis_server.scan_iter(match=PREFIX + "*"):
        redis_server.delete(key)


@pytest.fixture
def store(redis_server) -> ScheduleStore:
    return ScheduleStore(Cache(redis_server, prefix=PREFIX))


def payload(name: str, **values: str) -> dict[str, Any]:
    """Fixture `name` with its `$placeholders` filled (fresh trigger id, user U1, C1)."""
    defaults = {"user": "U1", "channel": "C1", "trigger_id": uuid.uuid4().hex,
                "message_ts": "1700000000.000100", "view_id": "V0001", "block_id": "b1",
                "callback_id": "x", "action_id": "x", "label": "x", "value": "x",
                "response_url": "", "private_metadata": ""}
    template = string.Template((PAYLOADS / name).read_text())
    return json.loads(template.substitute({k: json.dumps(v)[1:-1]
                                           for k, v in {**defaults, **values}.items()}))


def send(server_url: str, document: dict[str, Any]) -> tuple[int, bytes]:
    """An interaction as Slack sends it: a form body whose `payload` field is the JSON."""
    body = urlencode({"payload": json.dumps(document)})
    return post(server_url, body.encode(), signed(body))


def state_of(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`view.state.values` as Slack reports a view whose inputs hold their initial values,
    then `changes` (block id prefix -> chosen value: an option value, text, or channel)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, bid = block["element"], block["block_id"]
        change = changes.get(bid.partition(":")[0], ...)
        kind = element["type"]
        if kind == "static_select":
            option = element.get("initial_option")
            if change is not ...:
                option = next(o for o in element["options"] if o["value"] == change)
            state = {"type": kind, "selected_option": option}
        elif kind == "plain_text_input":
            state = {"type": kind, "value": element.get("initial_value")
                     if change is ... else change}
        elif kind == "conversations_select":
            state = {"type": kind, "selected_conversation": element.get(
                "initial_conversation") if change is ... else change}
        else:
            raise AssertionError(f"no state for {kind}")
        values[bid] = {element["action_id"]: state}
    return values


def submit(server_url: str, view: dict[str, Any], user: str = "U1",
           **changes: Any) -> dict[str, Any]:
    """Submit `view` (as the bot opened it) with its prefilled state plus `changes`; the
    bot's ack (JSON: response_action ...), or {} for a bare 200."""
    document = payload("view_submission.json", user=user, callback_id=view["callback_id"])
    document["view"].update(blocks=view["blocks"], private_metadata=view["private_metadata"],
                            title=view["title"], state={"values": state_of(view, **changes)})
    status, body = send(server_url, document)
    assert status == 200, body
    return json.loads(body) if body else {}


def opened_view(fake, count: int = 1, method: str = "views.open") -> dict[str, Any]:
    view = fake.wait_for(method, count, timeout=10)[count - 1].params["view"]
    assert view_errors(view) == []
    return view


def schedule_list(server_url: str, fake, user: str, count: int) -> dict[str, Any]:
    body = slash_body("schedule list", fake, user=user, name=f"list{count}")
    assert post(server_url, body.encode(), signed(body))[0] == 200
    return fake.wait_for("response_url", count, timeout=20)[count - 1].params


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["text"]["text"]: {**e, "block_id": b["block_id"]} for b in blocks
            if b["type"] == "actions" for e in b["elements"]}


def click(server_url: str, fake, button: dict[str, Any], user: str, name: str) -> None:
    document = payload("block_actions_ephemeral.json", user=user, action_id=button["action_id"],
                       block_id=button["block_id"], label=button["text"]["text"],
                       value=button["value"], response_url=fake.response_url(name))
    assert send(server_url, document)[0] == 200


def test_the_shortcut_opens_the_form_and_its_submission_is_a_schedule(server_url, fake_module,
                                                                      store):
    status, _ = send(server_url, payload("shortcut_global.json",
                                         callback_id="smallcaps_new_schedule"))
    assert status == 200
    view = opened_view(fake_module)
    assert [b.get("block_id") for b in view["blocks"]] == [
        "channel", "report", "words", "frequency", "weekday", "time", None]
    assert "New York time" in view["blocks"][-1]["elements"][0]["text"]
    assert "NYSE trading days" in view["blocks"][-1]["elements"][0]["text"]
    answer = submit(server_url, view, channel="C1", words="3y etf", time="08:30")
    assert answer["response_action"] == "update" and view_errors(answer["view"]) == []
    [saved] = store.all()
    assert (saved.channel_id, saved.command, saved.frequency, saved.weekday, saved.at,
            saved.creator_id) == ("C1", "gap 3y etf", "weekly", "fri", "08:30", "U1")
    text = answer["view"]["blocks"][0]["text"]["text"]
    assert "08:30 New York time" in text and "previous session's close" in text
    # the creator's `schedule list` has Edit and Remove for it; another user's has none
    mine = schedule_list(server_url, fake_module, "U1", 1)
    assert set(buttons(mine["blocks"])) == {"Edit S1", "Remove S1", "New schedule"}
    assert "08:30" in json.dumps(mine["blocks"])
    assert set(buttons(schedule_list(server_url, fake_module, "U2", 2)["blocks"])) == {
        "New schedule"}


def test_new_schedule_under_the_list_is_the_form_for_that_channel(server_url, fake_module,
                                                                  store):
    listed = schedule_list(server_url, fake_module, "U2", 1)
    assert "None yet" in json.dumps(listed["blocks"])
    click(server_url, fake_module, buttons(listed["blocks"])["New schedule"], "U2", "new")
    view = opened_view(fake_module)
    assert json.loads(view["private_metadata"]) == {"c": "C1", "s": ""}
    assert "conversations_select" not in json.dumps(view)  # the channel is the list's
    assert submit(server_url, view, user="U2", frequency="daily")["response_action"] == "update"
    [saved] = store.all()
    assert (saved.channel_id, saved.command, saved.frequency, saved.at, saved.creator_id) == (
        "C1", "gap", "daily", None, "U2")


def test_bad_words_and_no_channel_come_back_on_their_fields(server_url, fake_module, store):
    send(server_url, payload("shortcut_global.json", callback_id="smallcaps_new_schedule"))
    view = opened_view(fake_module)
    answer = submit(server_url, view, words="3q etf")
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"channel", "words"}
    assert "3q" in answer["errors"]["words"]
    answer = submit(server_url, view, channel="C1", words="3y as-of 2024-03-26")
    assert answer["errors"] == {"words": "A scheduled report is always as of the day it is "
                                         "posted: leave out as-of."}  # the grammar's words
    assert store.all() == []
    answer = submit(server_url, view, channel="C1", words="3y XYZ/SPY")  # never postable
    assert set(answer["errors"]) == {"words"} and "XYZ" in answer["errors"]["words"]
    assert store.all() == []
    fake_module.bot_outside.add("C5")  # a channel picked that the bot is not in
    answer = submit(server_url, view, channel="C5", words="3y")
    assert set(answer["errors"]) == {"channel"} and "/invite @smallcaps" in \
        answer["errors"]["channel"]
    assert store.all() == []


def test_edit_and_remove_are_for_the_creator_only(server_url, fake_module, store):
    schedule = store.add("C1", "board", "weekly", "mon", "U1")
    listed = schedule_list(server_url, fake_module, "U1", 1)
    edit, remove = buttons(listed["blocks"])["Edit S1"], buttons(listed["blocks"])["Remove S1"]
    # U2 replays U1's buttons (an old message, a crafted request): refused, nothing opened
    click(server_url, fake_module, edit, "U2", "edit-u2")
    click(server_url, fake_module, remove, "U2", "remove-u2")
    notes = [c.params["text"] for c in fake_module.wait_for("response_url", 3, timeout=10)[1:]]
    assert notes == ["\u26d4 Only <@U1>, who set `S1`, or an admin can edit it."
                     .replace("\u26d4", ":no_entry:"),
                     ":no_entry: Only <@U1>, who set `S1`, or an admin can remove it."]
    assert fake_module.calls("views.open") == [] and store.get("S1") == schedule
    # the creator edits: the form holds the schedule; saved with its id and creator
    click(server_url, fake_module, edit, "U1", "edit-u1")
    view = opened_view(fake_module)
    assert json.loads(view["private_metadata"]) == {"c": "C1", "s": "S1"}
    assert state_of(view)["weekday"]["weekday"]["selected_option"]["value"] == "mon"
    # a submission of that view by someone else is refused on the form
    refused = submit(server_url, view, user="U2", time="07:00")
    assert refused["response_action"] == "errors" and "S1" in refused["errors"]["report"]
    answer = submit(server_url, view, time="07:00")
    assert answer["response_action"] == "update"
    edited = store.get("S1")
    assert edited is not None and (edited.id, edited.creator_id, edited.command, edited.at) \
        == ("S1", "U1", "board", "07:00")
    click(server_url, fake_module, remove, "U1", "remove-u1")
    assert "Removed S1" in fake_module.wait_for("response_url", 4, timeout=10)[3].params["text"]
    assert store.all() == []


def test_text_edit_and_times_follow_the_same_rules(server_url, fake_module, store):
    def slash(text: str, user: str, n: int) -> str:
        body = slash_body(text, fake_module, user=user, name=f"s{n}")
        status, ack = post(server_url, body.encode(), signed(body))
        assert status == 200
        if ack:
            return json.loads(ack)["text"]
        return fake_module.wait_for("response_url", n, timeout=20)[n - 1].params["text"]

    assert "during the session" in slash('schedule add "gap 3y" daily at 12:00', "U1", 1)
    added = slash('schedule add "gap 3y" weekly friday at 8:30am', "U1", 1)
    assert "S1" in added and "at 08:30 New York time" in added
    assert "previous session's close" in added
    assert "Only <@U1>" in slash('schedule edit S1 "gap 5y" daily', "U2", 2)
    assert slash('schedule edit S1 "gap 5y" daily after-close', "U1", 3).startswith(
        ":white_check_mark: S1")
    edited = store.get("S1")
    assert edited is not None and (edited.command, edited.frequency, edited.at) == (
        "gap 5y", "daily", None)


def test_app_home_buttons_open_both_forms(server_url, fake_module, redis_server):
    settings = ChannelSettings(Cache(redis_server, prefix=PREFIX))
    settings.set("C1", "pair", "etf")
    for action in ("smallcaps_schedule_new", "smallcaps_defaults_open"):
        document = payload("block_actions_view.json", action_id=action, label="Open")
        assert send(server_url, document)[0] == 200
    schedule_view, defaults_view = opened_view(fake_module, 1), opened_view(fake_module, 2)
    assert schedule_view["blocks"][0]["element"]["type"] == "conversations_select"
    assert defaults_view["callback_id"] == "smallcaps_defaults_form"
    # picking C1 refills the form with C1's defaults
    pick = payload("block_actions_modal_select.json", view_id="V777", block_id="channel",
                   action_id="smallcaps_defaults_channel", channel="C1",
                   callback_id="smallcaps_defaults_form")
    assert send(server_url, pick)[0] == 200
    update = fake_module.wait_for("views.update", 1, timeout=10)[0].params
    assert update["view_id"] == "V777"
    refilled = update["view"]
    assert view_errors(refilled) == []
    assert state_of(refilled)["pair:C1"]["pair"]["value"] == "etf"
    # set's own words come back on the field; nothing is saved
    answer = submit(server_url, refilled, period="3q")
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"period:C1": "3q is not a period. Valid: 1m, 3m, 6m, ytd, 1y, "
                                             "2y, 3y, 5y, 10y, 20y, max, any Nd/Nw/Nm/Ny or "
                                             "YYYY-MM-DD..YYYY-MM-DD."}
    assert settings.get("C1") == {"pair": "etf"}
    # a pair the data source has no closes for would break every command in the channel
    answer = submit(server_url, refilled, pair="XYZ/SPY")
    assert answer["response_action"] == "errors" and "XYZ" in answer["errors"]["pair:C1"]
    assert settings.get("C1") == {"pair": "etf"}
    answer = submit(server_url, refilled, period="5y", basis="price", pair="")
    assert answer["response_action"] == "update" and view_errors(answer["view"]) == []
    assert settings.get("C1") == {"period": "5y", "basis": "price"}  # emptied pair: unset
