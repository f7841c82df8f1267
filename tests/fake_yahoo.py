"""An in-process fake of Yahoo Finance's chart API, served from ../shared/market-data CSVs.

yfinance 1.7 accepts either a curl_cffi Session or a plain `requests.Session`
(`yfinance._http.is_supported_session`), so the fake is a requests transport adapter
mounted on a `requests.Session` for every http(s) URL: yfinance's real code path runs,
and nothing leaves the process. Use `FakeYahoo(...).session()` as `session=`.

It answers what yfinance calls: the cookie page (fc.yahoo.com: 404 plus Yahoo's `A3`
cookie, which yfinance caches so it stops asking), the crumb
(`/v1/test/getcrumb` on query1/query2), consent pages (with no form, so yfinance falls
back to the basic cookie strategy), and `GET /v8/finance/chart/{SYMBOL}` with
`period1`/`period2` or `range`. Anything else gets a Yahoo-style 404. Every request is
recorded in `requests` so tests can count chart calls and see which `period1` was asked.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, unquote, urlsplit

import pandas as pd
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "market-data"
CRUMB = "fakeCrumb123"
EXCHANGE_TZ = "America/New_York"
VALID_RANGES = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]
_RANGE_ROWS = {"1d": 1, "5d": 5}  # enough for yfinance's timezone probe (range=1d)
NOT_FOUND = {"code": "Not Found", "description": "No data found, symbol may be delisted"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    url: str
    host: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def chart_symbol(self) -> str | None:
        """The symbol of a `/v8/finance/chart/{SYMBOL}` request, else None."""
        prefix = "/v8/finance/chart/"
        return unquote(self.path[len(prefix) :]) if self.path.startswith(prefix) else None


class FakeYahoo(BaseAdapter):
    """Transport adapter answering Yahoo's endpoints from `<SYMBOL>.csv` files.

    data_dir: folder of `Date,Open,High,Low,Close,Volume` files (closes already adjusted,
        so `adjclose` = Close), or with an `Adj Close` column (Yahoo's download layout:
        `close` = Close, `adjclose` = Adj Close).
    `publish(symbol, frame)` replaces what the fake serves for a symbol from then on (a
    live-days replay: the test moves its clock and publishes what Yahoo shows that day).
    missing_status: HTTP status for an unknown symbol: 404 (what Yahoo does) or 200, both
        with `chart.error` set.
    rate_limit: True answers HTTP 429 to every request (crumb included); a collection of
        symbols answers 429 to chart requests for those only. Mutable between calls.
    unreachable: symbols whose chart requests raise `requests.ConnectionError`, as with a
        network failure.
    """

    def __init__(
        self,
        data_dir: Path = DEFAULT_DATA_DIR,
        *,
        missing_status: int = 404,
        rate_limit: bool | Collection[str] = False,
        unreachable: Collection[str] = (),
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.missing_status = missing_status
        self.rate_limit = rate_limit
        self.unreachable = set(unreachable)
        self.requests: list[RecordedRequest] = []
        self._frames: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()

    def publish(self, symbol: str, frame: pd.DataFrame) -> None:
        """Serve `frame` for `symbol` from now on, in place of its CSV: what Yahoo publishes
        at one moment of a simulated day (a `Date` column or index, `Close`, optional
        `Adj Close`, `Open`, `High`, `Low`, `Volume`; a NaN Close is a row Yahoo lists with
        empty values, e.g. a close that has not come in yet)."""
        data = frame.reset_index() if "Date" not in frame.columns else frame.copy()
        data["Date"] = pd.to_datetime(data["Date"])
        with self._lock:
            self._frames[symbol] = self._stamped(data.sort_values("Date", kind="stable"))

    def session(self) -> requests.Session:
        """A requests.Session whose every http(s) request is answered by this fake."""
        session = requests.Session()
        session.mount("https://", self)
        session.mount("http://", self)
        return session

    def chart_requests(self, symbol: str | None = None) -> list[RecordedRequest]:
        """Chart requests received, optionally for one symbol only."""
        return [
            r for r in self.requests
            if r.chart_symbol is not None and (symbol is None or r.chart_symbol == symbol)
        ]

    def history_requests(self, symbol: str | None = None) -> list[RecordedRequest]:
        """Chart requests for a date range (`period1`), i.e. not yfinance's `range=1d` tz probe."""
        return [r for r in self.chart_requests(symbol) if "period1" in r.params]

    # -- requests' adapter interface ---------------------------------------------------

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        parts = urlsplit(request.url)
        recorded = RecordedRequest(
            method=request.method,
            url=request.url,
            host=parts.hostname or "",
            path=parts.path,
            params=dict(parse_qsl(parts.query)),
        )
        with self._lock:
            self.requests.append(recorded)
        status, content_type, body = self._answer(recorded)
        return self._response(request, status, content_type, body, recorded.host)

    def close(self) -> None:
        pass

    # -- endpoints ----------------------------------------------------------------------

    def _answer(self, req: RecordedRequest) -> tuple[int, str, bytes]:
        symbol = req.chart_symbol
        if self.rate_limit is True or (
            symbol is not None and self.rate_limit and symbol in self.rate_limit
        ):
            return 429, "text/plain", b"Edge: Too Many Requests"
        if req.host == "fc.yahoo.com":
            return 404, "text/html", b"<html><body>fc</body></html>"
        if req.path == "/v1/test/getcrumb":
            return 200, "text/plain", CRUMB.encode()
        if "consent" in req.host:
            return 200, "text/html", b"<html><body>no consent form here</body></html>"
        if symbol is not None:
            if symbol in self.unreachable:
                raise requests.ConnectionError(f"fake network failure for {symbol}")
            return self._chart(symbol, req.params)
        error = {"finance": {"result": None, "error": {"code": "Not Found",
                                                        "description": "fake: not served"}}}
        return 404, "application/json", json.dumps(error).encode()

    def _chart(self, symbol: str, params: Mapping[str, str]) -> tuple[int, str, bytes]:
        frame = self._load(symbol)
        if frame is None:
            body = {"chart": {"result": None, "error": NOT_FOUND}}
            return self.missing_status, "application/json", json.dumps(body).encode()
        if params.get("interval", "1d") != "1d":
            error = {"code": "Bad Request", "description": "fake serves interval=1d only"}
            return 400, "application/json", json.dumps({"chart": {"result": None,
                                                                  "error": error}}).encode()
        if "period1" in params:
            p1, p2 = int(params["period1"]), int(params.get("period2", 2**40))
            rows = frame[(frame["ts"] >= p1) & (frame["ts"] < p2)]
        else:
            rows = frame.tail(_RANGE_ROWS.get(params.get("range", "1d"), len(frame)))
        body = {"chart": {"result": [self._result(symbol, frame, rows)], "error": None}}
        return 200, "application/json", json.dumps(body, allow_nan=False).encode()

    @staticmethod
    def _result(symbol: str, frame: pd.DataFrame, rows: pd.DataFrame) -> dict:
        meta = {
            "currency": "USD",
            "symbol": symbol,
            "exchangeTimezoneName": EXCHANGE_TZ,
            "timezone": "EST",
            "instrumentType": "INDEX" if symbol.startswith("^") else "ETF",
            "firstTradeDate": int(frame["ts"].iloc[0]),
            "regularMarketTime": int(frame["ts"].iloc[-1]),
            "dataGranularity": "1d",
            "validRanges": VALID_RANGES,
        }
        if rows.empty:  # what Yahoo sends for a range without trading days
            return {"meta": meta, "indicators": {"quote": [{}], "adjclose": [{}]}}

        def column(name: str) -> list:
            if name not in rows.columns:
                return [None] * len(rows)
            return [None if pd.isna(v) else float(v) for v in rows[name]]

        volume = [None if pd.isna(v) else int(v) for v in rows.get("Volume", [None] * len(rows))]
        quote = {"open": column("Open"), "high": column("High"), "low": column("Low"),
                 "close": column("Close"), "volume": volume}
        adjusted = column("Adj Close" if "Adj Close" in rows.columns else "Close")
        return {
            "meta": meta,
            "timestamp": [int(t) for t in rows["ts"]],
            "indicators": {"quote": [quote], "adjclose": [{"adjclose": adjusted}]},
        }

    def _load(self, symbol: str) -> pd.DataFrame | None:
        """The CSV for symbol with a `ts` column: 09:30 New York (market open) as epoch
        seconds, i.e. 14:30 UTC in winter and 13:30 UTC in summer, as Yahoo stamps daily bars."""
        with self._lock:
            if symbol in self._frames:
                return self._frames[symbol]
            path = self.data_dir / f"{symbol}.csv"
            if not path.is_file():
                return None
            frame = self._stamped(pd.read_csv(path, parse_dates=["Date"]).sort_values("Date"))
            self._frames[symbol] = frame
            return frame

    @staticmethod
    def _stamped(frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with its `ts` column (see _load)."""
        opens = (frame["Date"] + pd.Timedelta(hours=9, minutes=30)).dt.tz_localize(EXCHANGE_TZ)
        frame["ts"] = (opens - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
        return frame

    @staticmethod
    def _response(
        request, status: int, content_type: str, body: bytes, host: str
    ) -> requests.Response:
        headers = http.client.HTTPMessage()
        headers["Content-Type"] = content_type
        if host == "fc.yahoo.com":  # Yahoo's anonymous cookie, which yfinance caches
            expires = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3e7))
            headers["Set-Cookie"] = (f"A3=d=AQABBfake&S=AQAAAfake; Expires={expires}; "
                                     "Domain=.yahoo.com; Path=/; Secure; HttpOnly")
        response = requests.Response()
        # requests' Session reads Set-Cookie from raw._original_response.msg
        response.raw = SimpleNamespace(_original_response=SimpleNamespace(msg=headers))
        response.status_code = status
        response.reason = {200: "OK", 400: "Bad Request", 404: "Not Found",
                           429: "Too Many Requests"}.get(status, "")
        response.headers = CaseInsensitiveDict(headers.items())
        response._content = body
        response._content_consumed = True  # so close() never touches the fake raw
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response
