"""The smaller field faults of issue #21 (item 10): credentials in logs, an answer said to be
lost although it was posted, a CSV file in a missing folder, someone else's schedule, live
markup in a board label, formulas in CSV cells."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from tests.fake_slack import FakeSlack
from tests.field.harness import (
    ROOT,
    VERIFICATION_TOKEN,
    Processes,
    payload,
    signed_post,
    wait_until,
)
from tests.field.traffic import Traffic

REPORT = "gap 1y as-of 2024-03-01"


def _said(fake: FakeSlack, name: str) -> list[str]:
    """Texts POSTed to the response_url `name`."""
    return [str(c.params.get("text")) for c in fake.calls("response_url")
            if c.path.endswith(f"/{name}")]


def _command(port: int, fake: FakeSlack, text: str, name: str, user: str = "U1",
             channel: str = "C1") -> int:
    body = payload("slash_command.txt", text=text, user=user, channel=channel,
                   response_url=fake.response_url(name))
    return signed_post(port, *body)[0]


def test_the_verification_token_never_reaches_a_log(procs: Processes, fake: FakeSlack,
                                                    field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="0")
    procs.spawn("worker", name="worker")
    traffic = Traffic(fake, field_port)
    traffic.send(REPORT, 2, tag="tok")
    traffic.send("gap 3y nonsense", 1, tag="bad")
    traffic.wait_answered(90)
    assert "smallcaps-replies" in procs.logs()  # the worker did log its jobs
    assert VERIFICATION_TOKEN not in procs.logs()


def test_an_answer_posted_despite_slacks_error_is_not_called_lost(
        procs: Processes, fake: FakeSlack, field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="1")
    fake.fail("chat.postMessage", "internal_error", status=500, times=1, applied=True)
    assert _command(field_port, fake, REPORT, "lost-answer", channel="CLOST") == 200
    wait_until(lambda: fake.calls("files.completeUploadExternal"), 60,
               "the chart after the text")
    posted = [c for c in fake.calls("chat.postMessage") if c.params.get("channel") == "CLOST"]
    assert len(posted) == 1
    assert not any("could not post" in t for t in _said(fake, "lost-answer"))


def test_a_csv_file_in_a_missing_folder_is_a_friendly_error(market_data_dir: Path):
    done = subprocess.run([sys.executable, "-m", "bot.cli", "gap", "1y", "--csv",
                           "/no/such/dir/x.csv", "--data-dir", str(market_data_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "not an existing folder" in done.stderr and "Traceback" not in done.stderr


def test_only_a_schedules_creator_or_an_admin_removes_it(procs: Processes, fake: FakeSlack,
                                                         field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="1", SMALLCAPS_ADMIN_USERS="UADMIN")
    assert _command(field_port, fake, 'schedule add "board" weekly fri', "add") == 200
    wait_until(lambda: _said(fake, "add"), 60, "the schedule's id")
    assert "S1" in _said(fake, "add")[0]
    _command(field_port, fake, "schedule remove S1", "other", user="U2")
    wait_until(lambda: _said(fake, "other"), 60, "the refusal")
    assert "Only <@U1>" in _said(fake, "other")[0]
    _command(field_port, fake, "schedule list", "list")
    wait_until(lambda: _said(fake, "list"), 60, "the list")
    assert "S1" in _said(fake, "list")[0]
    _command(field_port, fake, "schedule remove S1", "admin", user="UADMIN")
    wait_until(lambda: _said(fake, "admin"), 60, "the admin's removal")
    assert "Removed S1" in _said(fake, "admin")[0]


def test_a_board_label_never_becomes_live_markup(procs: Processes, fake: FakeSlack,
                                                 field_port: int):
    procs.serve(field_port, SMALLCAPS_WEB_WORKERS="1")
    # Slack escapes what a user types: `<!here>` arrives as `&lt;!here&gt;`
    _command(field_port, fake, "set board IWM/SPY=&lt;!here&gt; &amp; &lt;@U9&gt;", "set",
             channel="CBOARD")
    wait_until(lambda: _said(fake, "set"), 60, "the setting's confirmation")
    _command(field_port, fake, "board as-of 2024-03-01", "board", channel="CBOARD")
    post = wait_until(lambda: [c for c in fake.calls("chat.postMessage")
                               if c.params.get("channel") == "CBOARD"], 90, "the board")[0]
    shown = str(post.params.get("text")) + " ".join(_texts(post.params.get("blocks")))
    assert "<!here>" not in shown and "<@U9>" not in shown
    assert "&lt;!here&gt;" in shown
    literal = [e["text"] for b in post.params.get("blocks") or [] if b["type"] == "table"
               for row in b["rows"] for cell in row if cell["type"] == "rich_text"
               for s in cell["elements"] for e in s["elements"] if e["type"] == "text"]
    assert any("<!here>" in text for text in literal)  # shown as typed, in a literal cell
    assert "<!here>" not in " ".join(_said(fake, "set"))


def test_csv_cells_never_start_a_formula(tmp_path: Path, market_data_dir: Path):
    out = tmp_path / "board.csv"
    labels = ["IWM/SPY==HYPERLINK(1)", "IJR/SPY=+1", "RSP/SPY=@SUM(1)", "IWD/IWF=-2"]
    done = subprocess.run([sys.executable, "-m", "bot.cli", "board", ", ".join(labels),
                           "--csv", str(out), "--data-dir", str(market_data_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(out.read_text().splitlines()[1:]))
    cells = [cell for row in rows[1:] for cell in row]
    assert {row[0] for row in rows[1:]} == {"'=HYPERLINK(1)", "'+1", "'@SUM(1)", "'-2"}
    assert not [c for c in cells if c and c[0] in "=+@\t\r" or
                (c.startswith("-") and not _is_number(c))]


def _texts(node: object) -> list[str]:
    """Every `text` string of a Block Kit structure that Slack reads as markup (mrkdwn, plain
    and raw text; not button values, nor rich-text `text` elements, which Slack shows as
    typed: a mention there is an element of its own)."""
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if isinstance(node, dict):
        if node.get("type") == "rich_text_section":
            return [t for e in node.get("elements", []) if e.get("type") != "text"
                    for t in _texts(e)]
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for k, v in node.items() if k != "value" for t in _texts(v)]
    return []


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
