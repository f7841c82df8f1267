"""A local HTTP server playing FRED's CSV download and French's data library, from the
shared files' own bytes, for testing the real download and parse code offline.

FRED: `GET /fred/graph/fredgraph.csv?id=DFEDTAR` and `?id=DFEDTARU` answer in FRED's layout
(`observation_date,SERIES`), built from rates/FEDTARGET.csv: DFEDTAR is its Target up to
2008-12-15, DFEDTARU its TargetUpper from 2008-12-16 (as FRED publishes them).
French: `GET /french/25_Portfolios_5x5_CSV.zip` answers a zip holding the shared CSV.
`mode` switches every answer to `down` (HTTP 503) or `html` (a web page, not data).
"""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def fred_csvs(target_file: Path) -> dict[str, bytes]:
    """FRED's two downloads, rebuilt from the shared target file."""
    single, upper = ["observation_date,DFEDTAR"], ["observation_date,DFEDTARU"]
    with open(target_file, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Date"] < "2008-12-16":
                single.append(f"{row['Date']},{row['Target']}")
            else:
                upper.append(f"{row['Date']},{row['TargetUpper']}")
    return {"DFEDTAR": ("\n".join(single) + "\n").encode(),
            "DFEDTARU": ("\n".join(upper) + "\n").encode()}


def french_zip(csv_file: Path, member: str = "25_Portfolios_5x5.csv") -> bytes:
    """A zip like the library's, holding `csv_file`'s bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, csv_file.read_bytes())
    return buffer.getvalue()


class FakeReference:
    """The server; use as a context manager. `requests` lists the paths asked for."""

    def __init__(self, fred: dict[str, bytes], french: bytes) -> None:
        self.fred, self.french = fred, french
        self.mode = "ok"
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fake.requests.append(self.path)
                status, body = fake.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.fred_url = f"{self.base}/fred/graph/fredgraph.csv"
        self.french_url = f"{self.base}/french/25_Portfolios_5x5_CSV.zip"

    def answer(self, path: str) -> tuple[int, bytes]:
        if self.mode == "down":
            return 503, b"Service Unavailable"
        if self.mode == "html":
            return 200, b"<html><body>We are updating the site.</body></html>"
        url = urlsplit(path)
        if url.path == "/fred/graph/fredgraph.csv":
            series = parse_qs(url.query).get("id", [""])[0]
            return (200, self.fred[series]) if series in self.fred else (404, b"no series")
        if url.path == "/french/25_Portfolios_5x5_CSV.zip":
            return 200, self.french
        return 404, b"not found"

    def __enter__(self) -> FakeReference:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
