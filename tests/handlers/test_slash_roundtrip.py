"""`/smallcaps` through the real Bolt app, signed requests and a fake Slack Web API."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from datetime import date

import pytest

from bot.serve import wsgi_app
from tests.slack_helpers import dispatch_slash, signed_headers, slash_body


def _text_of(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_gap_acks_empty_then_posts_numbers_and_uploads_a_png(app, fake, real_closes):
    started = time.monotonic()
    response = dispatch_slash(app, fake, "gap 3y as-of 2024-03-26")
    ack_s = time.monotonic() - started
    assert response.status == 200 and response.body == ""
    assert ack_s < 1.0, f"ack took {ack_s:.2f}s"
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    text = _text_of(post.params["blocks"])
    rut, gspc = real_closes["^RUT"], real_closes["^GSPC"]
    expected_small = (rut["2024-03-26"] / rut["2021-03-26"] - 1) * 100
    expected_large = (gspc["2024-03-26"] / gspc["2021-03-26"] - 1) * 100
    assert f"{expected_small:+.2f} %" in text and f"{expected_large:+.2f} %" in text
    assert "2021-03-26" in text and "price return" in text and "percentile" in text
    assert post.params["channel"] == "C1"
    [done] = fake.wait_for("files.completeUploadExternal", timeout=20)
    assert "channel_id" not in done.params  # not a second post: shown inside the message
    [update] = fake.wait_for("chat.update", timeout=20)
    assert {"id": done.params["files"][0]["id"]} in [
        b.get("slack_file") for b in update.params["blocks"]]
    [png] = fake.uploaded_files().values()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000


def test_help_and_empty_command_answer_in_the_ack_ephemerally(app, fake):
    for text in ("", "help"):
        response = dispatch_slash(app, fake, text)
        body = json.loads(response.body)
        assert response.status == 200 and body["response_type"] == "ephemeral"
        assert "/smallcaps gap" in _text_of(body["blocks"])
    assert fake.calls("chat.postMessage") == []


@pytest.mark.parametrize("text,needle", [
    ("gap 3x", "`3x`"), ("gap 3y NOPE!/SPY", "NOPE!"), ("frobnicate", "frobnicate"),
    ("gap 3y as-of 2024-13-01", "2024-13-01"),
])
def test_bad_input_gets_a_short_ephemeral_error_with_an_example(app, fake, text, needle):
    response = dispatch_slash(app, fake, text)
    body = json.loads(response.body)
    assert body["response_type"] == "ephemeral"
    assert needle in body["text"] and "Try: `/smallcaps" in body["text"]
    assert fake.calls("chat.postMessage") == []


def test_unknown_symbol_is_answered_ephemerally_via_response_url(app, fake):
    dispatch_slash(app, fake, "gap 1y ZZZZ/SPY")
    [reply] = fake.wait_for("response_url", timeout=20)
    assert reply.params["response_type"] == "ephemeral" and "ZZZZ" in reply.params["text"]
    assert fake.calls("chat.postMessage") == []


def test_bot_not_in_channel_still_answers_with_text_and_invite_hint(app, fake):
    fake.fail("chat.postMessage", "channel_not_found", channel="CPRIV")
    dispatch_slash(app, fake, "gap 1y", channel="CPRIV")
    replies = fake.wait_for("response_url", count=2, timeout=20)
    in_channel = [r for r in replies if r.params.get("response_type") == "in_channel"]
    hints = [r for r in replies if r.params.get("response_type") == "ephemeral"]
    assert in_channel and "Russell 2000" in _text_of(in_channel[0].params["blocks"])
    assert hints and "/invite <@UBOT>" in hints[0].params["text"]
    assert fake.calls("files.completeUploadExternal") == []


def test_chart_refused_in_public_channel_tells_user_to_invite(app, fake):
    fake.fail("chat.update", "not_in_channel", channel="CPUB")
    fake.fail("files.completeUploadExternal", "not_in_channel", channel="CPUB")
    dispatch_slash(app, fake, "gap 1y", channel="CPUB")
    [hint] = fake.wait_for("response_url", timeout=20)
    assert "/invite" in hint.params["text"] and hint.params["response_type"] == "ephemeral"
    assert len(fake.calls("chat.postMessage")) == 1


@pytest.mark.parametrize("secret,age_s", [("wrong-secret", 0), (None, 600)])
def test_bad_or_stale_signature_is_rejected(app, fake, secret, age_s):
    body = slash_body("gap 3y", fake)
    kwargs = {"timestamp": int(time.time()) - age_s}
    if secret:
        kwargs["secret"] = secret
    from slack_bolt import BoltRequest

    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(body, **kwargs)))
    assert response.status == 401
    time.sleep(0.2)
    assert fake.calls("chat.postMessage") == [] and fake.calls("response_url") == []


def test_http_mode_serves_signed_requests_and_rejects_unsigned(app, fake):
    import waitress

    server = waitress.create_server(wsgi_app(app), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    try:
        body = slash_body("help", fake)
        headers = {k: v[0] for k, v in signed_headers(body).items()}
        request = urllib.request.Request(url, data=body.encode(), headers=headers)
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200 and b"ephemeral" in answer.read()
        unsigned = urllib.request.Request(url, data=body.encode(), headers={
            "content-type": "application/x-www-form-urlencoded"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(unsigned, timeout=5)
        assert err.value.code == 401
    finally:
        server.close()


def test_basis_word_from_slack_headline_and_other_basis_line(app, fake, market_data_dir):
    """`price` selects price return for the ETF legs; total return is one line below, and
    the switch buttons keep the basis. Expected: the shared CSVs, plain arithmetic."""
    from tests.analytics.plain import period_returns_pct, read_closes

    def returns(suffix: str) -> tuple[float, float]:
        small, large = (read_closes(market_data_dir / f"{s}{suffix}.csv") for s in ("IWM", "SPY"))
        return period_returns_pct(small, large, 3, date(2024, 3, 26))[2:]

    iwm_pr, spy_pr = returns(".price")
    iwm_tr, spy_tr = returns("")
    dispatch_slash(app, fake, "gap 3y etf price as-of 2024-03-26")
    [post] = fake.wait_for("chat.postMessage", timeout=20)
    section = post.params["blocks"][1]["text"]["text"]
    head, below = section.split("\n")
    assert head.startswith(f"*Small caps lag by {spy_pr - iwm_pr:.2f} pp over 3 years, "
                           "price return*")
    assert below == (f"Total return: IWM {iwm_tr:+.2f} %, SPY {spy_tr:+.2f} %, "
                     f"gap {spy_tr - iwm_tr:+.2f} pp.")
    buttons = [e for b in post.params["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    switches = [json.loads(e["value"]) for e in buttons
                if e["action_id"].startswith("smallcaps_switch")]
    assert switches and all(v.get("b") == "price" for v in switches)
    [csv] = [e["value"] for e in buttons if e["action_id"] == "smallcaps_csv"]
    assert csv == "gap 3y etf price as-of 2024-03-26"  # the CSV is the price-return data


def test_as_of_before_the_data_is_a_friendly_message(app, fake):
    for _ in ("cold", "warm"):  # the second time the closes come from the cache
        fake.reset()
        dispatch_slash(app, fake, "gap 3y as-of 0001-01-01")
        [reply] = fake.wait_for("response_url", timeout=20)
        assert reply.params["response_type"] == "ephemeral"
        assert "No data before 1987-09-10" in reply.params["text"]
        assert "Something went wrong" not in reply.params["text"]
        assert fake.calls("chat.postMessage") == []
