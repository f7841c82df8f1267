"""Alerts by form (issue 24) over HTTP as `smallcaps serve` runs it: the real Bolt app behind
waitress and the guard, Slack's documented payloads (tests/field/payloads/), signed.

"Alert me on this" on a real `gap` answer opens the form with `views.open` (the click's
trigger_id); submitting the form's own prefilled values, as Slack would, creates the rule
that `alert list` then shows; a bad threshold comes back as an inline error in the grammar's
words; only a rule's creator (or an admin) may edit, pause or remove it, by button or by
text; Edit keeps the rule's id and state; the shortcut and App Home open the form with a
channel picker."""

from __future__ import annotations

import json
import re
import string
import time
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.models.views import View

import bot.slack.slack_update
from analytics.alert_rules import AlertState
from bot.alerts.store import AlertStore
from bot.runtime.cache import Cache
from tests.block_kit import all_text
from tests.field.harness import PAYLOADS
from tests.handlers.test_http_requests import fake_module, post, server_url, signed
from tests.slack_helpers import slash_body

__all__ = ["fake_module", "server_url"]  # the module-scoped server these tests share
PREFIX = "smallcaps-test:http-guard:"  # the cache prefix of test_http_requests' server


@pytest.fixture(autouse=True)
def _fresh(fake_module, redis_server, monkeypatch):
    monkeypatch.setattr(bot.slack.slack_update, "IMAGE_RETRY_DELAYS_S", (0.01, 0.01, 0.01))
    for key in redis_server.scan_iter(match=f"{PREFIX}alerts:*"):
        redis_server.delete(key)
    fake_module.reset()


@pytest.fixture
def store(redis_server) -> AlertStore:
    return AlertStore(Cache(redis_server, prefix=PREFIX))


def fixture(name: str, **values: str) -> dict[str, Any]:
    """A documented payload (tests/field/payloads/NAME) with its `$placeholders` filled."""
    defaults = {"user": "U1", "channel": "C1", "trigger_id": new_trigger(),
                "response_url": "", "message_ts": "1700000000.000100", "label": "x",
                "action_id": "x", "value": '"v"', "view_id": "V0001", "private_metadata": "",
                "callback_id": "x"}
    values = {**defaults, **values}
    text = string.Template((PAYLOADS / name).read_text()).substitute(
        {k: v if k == "value" else json.dumps(v)[1:-1] for k, v in values.items()})
    return json.loads(text)


def new_trigger() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}"


def send(server_url: str, document: dict[str, Any]) -> tuple[int, bytes]:
    """POST an interaction as Slack does: a form with the JSON in its `payload` field."""
    body = urlencode({"payload": json.dumps(document)})
    return post(server_url, body.encode(), signed(body))


def slash(server_url: str, fake, text: str, user: str = "U1", name: str = "r") -> dict:
    """Type `/smallcaps text`; the reply sent to its response_url."""
    before = len(fake.calls("response_url"))
    body = slash_body(text, fake, user=user, name=name)
    status, answer = post(server_url, body.encode(), signed(body))
    assert status == 200
    if answer:  # answered in the ack (an error, help)
        return json.loads(answer)
    return fake.wait_for("response_url", count=before + 1, timeout=30)[before].params


def click(server_url: str, fake, button: dict, message: dict, user: str = "U1",
          channel: str = "C1") -> tuple[str, tuple[int, bytes]]:
    """Click `button` on `message` (block_actions_message.json); (trigger_id, answer)."""
    trigger = new_trigger()
    document = fixture("block_actions_message.json", user=user, channel=channel,
                       trigger_id=trigger, action_id=button["action_id"],
                       label=button["text"]["text"], value=json.dumps(button["value"]),
                       message_ts=message.get("ts", "1700000000.000100"),
                       response_url=fake.response_url(f"click-{trigger}"))
    document["message"] = {**document["message"], **message}
    return trigger, send(server_url, document)


def reply_to(fake, trigger: str, timeout: float = 10.0) -> dict[str, Any]:
    """What the bot sent to the response_url of the click with `trigger`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in fake.calls("response_url") if c.path.endswith(trigger)]
        if found:
            return found[0].params
        time.sleep(0.02)
    raise AssertionError(f"no reply to the click {trigger}")


def opened_view(fake, trigger: str) -> dict[str, Any]:
    """The view the bot opened with `trigger` (views.open), checked with slack_sdk's View."""
    [call] = [c for c in fake.wait_for("views.open", timeout=10)
              if c.params.get("trigger_id") == trigger]
    view = call.params["view"]
    View(**view).validate_json()  # raises what Slack would refuse
    assert view["type"] == "modal"
    return view


def submitted_state(view: dict[str, Any]) -> dict[str, Any]:
    """`view.state.values` as Slack sends them for a modal submitted unchanged: each input's
    initial value, in the shape its element type reports (Slack's view_submission docs)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        state: dict[str, Any] = {"type": kind}
        if kind == "static_select":
            state["selected_option"] = element.get("initial_option")
        elif kind == "number_input":
            state["value"] = element.get("initial_value")
        elif kind == "checkboxes":
            state["selected_options"] = element.get("initial_options", [])
        elif kind == "datepicker":
            state["selected_date"] = element.get("initial_date")
        elif kind == "conversations_select":
            state["selected_conversation"] = element.get("initial_conversation")
        else:
            raise AssertionError(f"no state shape for {kind}")
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def submit(server_url: str, view: dict[str, Any], values: dict[str, Any],
           user: str = "U1") -> tuple[int, dict[str, Any]]:
    """Submit `view` with `values` (view_submission.json); (status, the ack's JSON or {})."""
    document = fixture("view_submission.json", user=user, view_id="V0009",
                       private_metadata=view.get("private_metadata", ""),
                       callback_id=view["callback_id"])
    document["view"].update(blocks=view["blocks"], state={"values": values})
    status, answer = send(server_url, document)
    return status, (json.loads(answer) if answer else {})


def gap_answer(server_url: str, fake) -> tuple[dict, dict]:
    """`/smallcaps gap 3y`: (the posted message, its "Alert me on this" button)."""
    body = slash_body("gap 3y", fake)
    assert post(server_url, body.encode(), signed(body)) == (200, b"")
    [posted] = fake.wait_for("chat.postMessage", timeout=30)
    fake.wait_for("chat.update", timeout=30)  # the chart, in place
    buttons = [e for b in posted.params["blocks"] if b["type"] == "actions"
               for e in b["elements"] if e.get("action_id") == "smallcaps_alert_me"]
    assert [b["text"]["text"] for b in buttons] == ["Alert me on this"]
    message = {"ts": "1700000000.000100", "text": posted.params["text"],
               "blocks": posted.params["blocks"]}
    return message, buttons[0]


def selected(view: dict[str, Any], block_id: str) -> str:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element = block["element"]
    return element.get("initial_option", {}).get("value") or element.get("initial_value")


def list_buttons(reply: dict) -> dict[str, dict]:
    """The rule buttons of an `alert list` reply by label ('Edit A1', 'Remove A1', ...)."""
    return {e["text"]["text"]: e for b in reply.get("blocks") or [] if b["type"] == "actions"
            for e in b["elements"]}


def test_alert_me_on_a_gap_answer_opens_the_form_and_submitting_it_creates_the_rule(
        server_url, fake_module):
    message, button = gap_answer(server_url, fake_module)
    trigger, (status, _) = click(server_url, fake_module, button, message)
    assert status == 200
    view = opened_view(fake_module, trigger)
    gap = float(re.search(r"(-?\d+\.\d+) pp", message["text"]).group(1))
    assert (selected(view, "metric"), selected(view, "period"), selected(view, "pair"),
            selected(view, "condition")) == ("gap", "3y", "index", "crosses")
    assert abs(float(selected(view, "threshold")) - gap) <= 0.5  # near today's value
    assert json.loads(view["private_metadata"])["channel"] == "C1"
    shown = all_text(view["blocks"])
    assert f"{gap:.2f} pp" in shown and "price return" in shown  # what the answer showed

    started = time.monotonic()
    status, ack = submit(server_url, view, submitted_state(view))
    assert (status, ack) == (200, {})  # closes the modal
    assert time.monotonic() - started < 3  # Slack's limit for the ack
    [told] = fake_module.wait_for("chat.postEphemeral", timeout=10)
    words = f"gap 3y crosses {round(gap)}"
    assert told.params["channel"] == "C1" and told.params["user"] == "U1"
    assert told.params["text"].startswith("Alert A") and words in told.params["text"]
    # the same confirmation as `alert add` with the same words gives
    slash(server_url, fake_module, "alert remove A1", name="rm")
    typed = slash(server_url, fake_module, f"alert add {words}", name="add")
    assert all_text(typed["blocks"]).replace("A2", "A1") == all_text(told.params["blocks"])
    assert typed["text"].replace("A2", "A1") == told.params["text"]

    listed = slash(server_url, fake_module, "alert list", name="list")
    assert words in all_text(listed["blocks"])
    assert {"Edit A2", "Pause A2", "Remove A2"} <= set(list_buttons(listed))


def test_a_bad_threshold_comes_back_as_an_inline_error_in_the_grammars_words(
        server_url, fake_module, store):
    message, button = gap_answer(server_url, fake_module)
    trigger, _ = click(server_url, fake_module, button, message)
    view = opened_view(fake_module, trigger)
    values = submitted_state(view)
    values["threshold"]["threshold"]["value"] = "5000"
    status, ack = submit(server_url, view, values)
    assert status == 200 and ack["response_action"] == "errors"
    assert list(ack["errors"]) == ["threshold"]
    typed = slash(server_url, fake_module, "alert add gap 3y crosses 5000", name="bad")
    assert ack["errors"]["threshold"] in typed["text"].replace("`", "")
    values["threshold"]["threshold"]["value"] = "12"
    values["hysteresis"]["hysteresis"]["value"] = "500"
    status, ack = submit(server_url, view, values)
    assert list(ack["errors"]) == ["hysteresis"] and "too wide" in ack["errors"]["hysteresis"]
    assert store.list_rules() == [] and not fake_module.calls("chat.postEphemeral")


def test_only_the_creator_may_edit_pause_or_remove_a_rule_by_button_or_by_text(
        server_url, fake_module, store):
    slash(server_url, fake_module, "alert add gap 3y above 30", user="U1", name="add")
    listed = slash(server_url, fake_module, "alert list", user="U2", name="list")
    buttons = list_buttons(listed)
    for label in ("Edit A1", "Pause A1", "Remove A1"):
        trigger, (status, _) = click(server_url, fake_module, buttons[label], listed,
                                     user="U2")
        assert status == 200
        assert "Only <@U1>, who set `A1`, or an admin can" in reply_to(fake_module, trigger)["text"]
    assert not fake_module.calls("views.open")  # no form for someone else's rule
    typed = slash(server_url, fake_module, "alert remove A1", user="U2", name="rm")
    assert "Only <@U1>, who set `A1`, or an admin can remove it" in typed["text"]
    # a form for someone else's rule submitted anyway (a crafted or replayed view)
    from handlers.alert_form import FormContext, alert_view  # the form Edit would open

    view = alert_view(store.get("A1").spec, FormContext("C1", "A1"))
    status, ack = submit(server_url, view, submitted_state(view), user="U2")
    assert ack["response_action"] == "errors" and "Only <@U1>" in ack["errors"]["metric"]
    after = store.get("A1")
    assert after is not None and after.description == "gap 3y above 30" and not after.paused


def test_edit_keeps_the_rules_id_and_state(server_url, fake_module, store):
    slash(server_url, fake_module, "alert add gap 3y above 30", name="add")
    rule = store.get("A1")
    fired = AlertState(status="fired", since=date(2026, 8, 20), last_fired=date(2026, 8, 20),
                       last_value=31.5, last_date=date(2026, 8, 21))
    assert store.commit(rule, fired, [], rule.created_at) == 1  # as an evaluation leaves it
    listed = slash(server_url, fake_module, "alert list", name="list")
    trigger, _ = click(server_url, fake_module, list_buttons(listed)["Pause A1"], listed)
    refreshed = reply_to(fake_module, trigger)
    assert "Paused `A1`" in refreshed["text"]
    assert store.get("A1").paused
    # the list is replaced in place: its A1 row now offers Resume, not Pause
    assert refreshed["replace_original"] is True
    assert "Resume A1" in list_buttons(refreshed) and "Pause A1" not in list_buttons(refreshed)
    assert "Paused `A1`" in all_text(refreshed["blocks"][:1])

    trigger, _ = click(server_url, fake_module, list_buttons(listed)["Edit A1"], listed)
    view = opened_view(fake_module, trigger)
    assert (selected(view, "condition"), selected(view, "threshold")) == ("above", "30")
    assert json.loads(view["private_metadata"]) == {"channel": "C1", "rule": "A1"}
    values = submitted_state(view)
    values["hysteresis"]["hysteresis"]["value"] = "2"
    values["until"]["until"]["selected_date"] = "2026-12-31"
    status, ack = submit(server_url, view, values)
    assert (status, ack) == (200, {})
    edited = store.get("A1")
    assert edited.description == "gap 3y above 30 hysteresis 2 until 2026-12-31"
    assert (edited.id, edited.creator_id, edited.paused, edited.machine, edited.last_value,
            edited.created_at) == ("A1", "U1", True, fired, 31.5, rule.created_at)
    [told] = fake_module.wait_for("chat.postEphemeral", timeout=10)
    assert "`A1` changed" in told.params["text"] or "A1 changed" in told.params["text"]
    assert [r.id for r in store.list_rules()] == ["A1"]


def test_the_shortcut_opens_the_form_with_a_channel_picker(server_url, fake_module, store):
    trigger = new_trigger()
    status, _ = send(server_url, fixture("shortcut_global.json", trigger_id=trigger,
                                         callback_id="smallcaps_new_alert"))
    assert status == 200
    view = opened_view(fake_module, trigger)
    [picker] = [b for b in view["blocks"] if b.get("block_id") == "channel"]
    assert picker["type"] == "input" and picker["element"]["type"] == "conversations_select"
    values = submitted_state(view)
    status, ack = submit(server_url, view, values)  # no channel chosen
    assert ack["response_action"] == "errors" and "channel" in ack["errors"]
    values["channel"]["channel"]["selected_conversation"] = "C2"
    status, ack = submit(server_url, view, values)
    assert (status, ack) == (200, {})
    [rule] = store.list_rules()
    assert (rule.channel_id, rule.creator_id) == ("C2", "U1")


def test_alert_me_under_an_answer_in_a_direct_message_asks_for_the_channel(
        server_url, fake_module):
    message, button = gap_answer(server_url, fake_module)
    trigger, (status, _) = click(server_url, fake_module, button, message, channel="D0042")
    view = opened_view(fake_module, trigger)
    assert [b["element"]["type"] for b in view["blocks"] if b.get("block_id") == "channel"] \
        == ["conversations_select"]  # alerts post in channels, not in a direct message
    assert selected(view, "metric") == "gap" and json.loads(view["private_metadata"]) == {
        "channel": None, "rule": None}


def test_a_channel_the_bot_is_not_in_gets_the_confirmation_in_a_dm_with_the_fix(
        server_url, fake_module, store):
    """The rule is saved, but its firings could not be posted in a channel the bot is not
    in: the user is told so, with `/invite`, in their DM with the bot (never silence)."""
    message, button = gap_answer(server_url, fake_module)
    trigger, _ = click(server_url, fake_module, button, message)
    view = opened_view(fake_module, trigger)
    fake_module.fail("chat.postEphemeral", "not_in_channel", channel="C1")
    assert submit(server_url, view, submitted_state(view)) == (200, {})
    [dm] = fake_module.wait_for("chat.postMessage", count=2, timeout=10)[1:]
    assert dm.params["channel"] == "U1"
    assert dm.params["text"].startswith("Alert A1 set") and "/invite @smallcaps" in \
        dm.params["text"] and "not_in_channel" in dm.params["text"]
    assert [r.id for r in store.list_rules()] == ["A1"]


def test_a_rule_can_be_edited_by_text_too_by_its_creator_only(server_url, fake_module, store):
    """`alert edit ID RULE`: the form's Edit, typed; the same id, the same creator rule."""
    slash(server_url, fake_module, "alert add gap 3y above 30", name="add")
    refused = slash(server_url, fake_module, "alert edit A1 gap 3y above 25", user="U2",
                    name="other")
    assert "Only <@U1>, who set `A1`, or an admin can" in refused["text"]
    assert store.get("A1").description == "gap 3y above 30"
    edited = slash(server_url, fake_module, "alert edit a1 gap 3y above 25 cooldown 5d",
                   name="edit")
    assert "A1" in edited["text"] and store.get("A1").description == \
        "gap 3y above 25 cooldown 5d"
    assert [r.id for r in store.list_rules()] == ["A1"]
    bad = slash(server_url, fake_module, "alert edit A1", name="bad")
    assert "needs the rule id and the whole new rule" in bad["text"]
