"""The CSV button under a report posts the chart's data in the thread; `--csv` in the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date

from bot.cli import main
from tests.analytics.plain import read_closes
from tests.slack_helpers import dispatch_slash
from tests.slack_native_helpers import dispatch_block_action, message_click


def _posted_message(app, fake, text: str) -> dict:
    dispatch_slash(app, fake, text)
    [post] = fake.wait_for("chat.postMessage", timeout=30)
    fake.wait_for("chat.update", timeout=30)
    fake.reset()
    return {"type": "message", "ts": "1700000000.000100", "user": "UBOT",
            "text": post.params["text"], "blocks": post.params["blocks"]}


def _csv_button(blocks: list[dict]) -> dict:
    [button] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]
                if e.get("action_id") == "smallcaps_csv"]
    return button


def _rows(text: str) -> tuple[str, list[dict]]:
    header, _, body = text.partition("\n")
    return header, list(csv.DictReader(io.StringIO(body)))


def test_csv_button_posts_the_gap_series_in_the_thread(app, fake, market_data_dir):
    message = _posted_message(app, fake, "gap 3y etf as-of 2024-03-26")
    button = _csv_button(message["blocks"])
    assert button["value"] == "gap 3y etf as-of 2024-03-26"
    response = dispatch_block_action(app, message_click(button, message, fake))
    assert response.status == 200
    [done] = fake.wait_for("files.completeUploadExternal", timeout=30)
    assert done.params["channel_id"] == "C1" and done.params["thread_ts"] == message["ts"]
    [data] = fake.uploaded_files().values()
    header, rows = _rows(data.decode())
    assert header.startswith("# smallcaps gap 3y etf") and "basis: total return" in header
    assert "window: 2021-03-26..2024-03-26" in header and "source:" in header
    iwm = read_closes(market_data_dir / "IWM.csv")
    spy = read_closes(market_data_dir / "SPY.csv")
    common = sorted(d for d in set(iwm) & set(spy)
                    if date(2021, 3, 26) <= d <= date(2024, 3, 26))
    assert [r["date"] for r in rows] == [d.isoformat() for d in common]
    last = rows[-1]
    assert float(last["IWM_close"]) == iwm[date(2024, 3, 26)]
    expected_ratio = (iwm[date(2024, 3, 26)] / spy[date(2024, 3, 26)]) / \
        (iwm[date(2021, 3, 26)] / spy[date(2021, 3, 26)])
    assert abs(float(last["relative_ratio_start_1"]) - expected_ratio) < 1e-8


def test_board_message_has_a_csv_button_with_its_rows(app, fake):
    message = _posted_message(app, fake, "board IWM/SPY, RSP/SPY as-of 2024-03-26")
    button = _csv_button(message["blocks"])
    dispatch_block_action(app, message_click(button, message, fake))
    fake.wait_for("files.completeUploadExternal", timeout=30)
    [data] = fake.uploaded_files().values()
    header, rows = _rows(data.decode())
    assert "smallcaps board" in header
    assert {r["pair"] for r in rows} == {"IWM/SPY", "RSP/SPY"}
    assert all(r["gap_1y_pp"] for r in rows)


def test_cli_csv_writes_the_trend_series(market_data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    out = tmp_path / "trend.csv"
    assert main(["trend", "1y", "etf", "--as-of", "2024-03-26", "--csv", str(out),
                 "--data-dir", str(market_data_dir)]) == 0
    header, rows = _rows(out.read_text())
    assert "basis: total return" in header and "2024-03-26" in header
    iwm = read_closes(market_data_dir / "IWM.csv")
    spy = read_closes(market_data_dir / "SPY.csv")
    days = sorted(d for d in set(iwm) & set(spy) if d.isoformat() <= "2024-03-26")
    ratios = [iwm[d] / spy[d] for d in days[-200:]]
    assert rows[-1]["date"] == "2024-03-26"
    assert abs(float(rows[-1]["ratio_ma200"]) - sum(ratios) / 200) < 1e-10


def test_cli_csv_writes_the_rolling_history_gap(market_data_dir, tmp_path, monkeypatch):
    from tests.analytics.plain import rolling_gaps

    monkeypatch.setenv("SMALLCAPS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    out = tmp_path / "history.csv"
    assert main(["history", "3y", "--as-of", "2024-03-26", "--csv", str(out),
                 "--data-dir", str(market_data_dir)]) == 0
    header, rows = _rows(out.read_text())
    expected = rolling_gaps(read_closes(market_data_dir / "^RUT.csv"),
                            read_closes(market_data_dir / "^GSPC.csv"), 3,
                            until=date(2024, 3, 26))
    assert [r["date"] for r in rows] == [d.isoformat() for d, _ in expected]
    assert abs(float(rows[-1]["gap_3y_pp"]) - expected[-1][1]) < 1e-8
    assert "basis: price return" in header
