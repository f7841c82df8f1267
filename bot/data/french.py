"""Kenneth French's 25 portfolios formed on size and book-to-market: download and parse.

Production downloads the data library's zip over HTTPS (no key); offline the same CSV is read
from `french/25_Portfolios_5x5.CSV` in the data folder. The file holds several sections one
after another, each under a title line, with a header row of the 25 portfolio names and one
row per month (`YYYYMM`) or year; `-99.99` / `-999` mark missing values. We keep the July
rows (the month after the end-of-June formation) of three sections:

- "Number of Firms in Portfolios",
- "Average Market Cap" ($ millions),
- "Value Weight Average of BE_FYt-1/ME_June t" (book equity of the fiscal year ending in t-1
  over market equity at the end of June t);
- and, when the file has it, "Value Weight Average of OP" (operating profitability of the
  fiscal year t-1 over its book equity, from 1963), which `profitability` reads; its years
  are its own, so `valuation` keeps every year since 1926.
"""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bot.data.sources import DataUnavailableError, files_identity

FRENCH_ZIP_URL = ("https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/"
                  "25_Portfolios_5x5_CSV.zip")
SHARED_FILE = Path("french") / "25_Portfolios_5x5.CSV"
SECTIONS = {
    "firms": "Number of Firms in Portfolios",
    "avg_cap": "Average Market Cap",
    "beme": "Value Weight Average of BE_FYt-1/ME_June t",
}
OP_SECTION = "Value Weight Average of OP"
MISSING = (-99.99, -999.0)
_EDITION_RE = re.compile(r"using the (\d{6}) CRSP database")
_ROW_RE = re.compile(r"^\s*(\d{6}),")


class FrenchFormatError(DataUnavailableError):
    """The file is not the 25 size x book-to-market layout; the message says what is missing."""


@dataclass(frozen=True)
class SizeValuePortfolios:
    """The July rows of one edition of the 25-portfolio file.

    `firms`, `avg_cap` and `beme` are DataFrames indexed by formation year (int), with the 25
    portfolio columns in the file's order (`SMALL LoBM`, `ME1 BM2`, ... `BIG HiBM`: size
    quintile major, book-to-market minor); missing values are NaN. `edition` is the CRSP
    build named in the file's first line ('202412')."""

    edition: str
    firms: pd.DataFrame
    avg_cap: pd.DataFrame
    beme: pd.DataFrame
    op: pd.DataFrame | None = None
    """The July rows of "Value Weight Average of OP" (OP / BE, a fraction; from 1963), same
    columns, its own years; None when the file has no such section."""


def _section_rows(lines: list[str], title: str) -> tuple[list[str], dict[str, list[str]]]:
    """The header and the `YYYYMM` rows of the section whose title line contains `title`."""
    start = next((i for i, line in enumerate(lines) if title in line), None)
    if start is None:
        raise FrenchFormatError(f"The size x book-to-market file has no section '{title}'.")
    i = start + 1
    while i < len(lines) and not lines[i].startswith(","):
        i += 1
    if i >= len(lines):
        raise FrenchFormatError(f"The section '{title}' has no header row.")
    header = [name.strip() for name in lines[i].split(",")[1:] if name.strip()]
    rows: dict[str, list[str]] = {}
    for line in lines[i + 1:]:
        match = _ROW_RE.match(line)
        if match is None:
            break
        rows[match.group(1)] = [v.strip() for v in line.split(",")[1:] if v.strip()]
    return header, rows


def _july_frame(lines: list[str], title: str) -> pd.DataFrame:
    header, rows = _section_rows(lines, title)
    if len(header) != 25:
        raise FrenchFormatError(f"The section '{title}' has {len(header)} portfolios, not 25 "
                                "(is this the 25 size x book-to-market file?).")
    july = {int(k[:4]): v for k, v in rows.items() if k.endswith("07")}
    if not july or any(len(v) != 25 for v in july.values()):
        raise FrenchFormatError(f"The section '{title}' has no complete July rows.")
    try:
        frame = pd.DataFrame.from_dict(july, orient="index", columns=header).astype("float64")
    except ValueError:
        raise FrenchFormatError(f"The section '{title}' has values that are not numbers.") \
            from None
    return frame.mask(frame.isin(MISSING)).sort_index()


def parse_size_value_file(text: str) -> SizeValuePortfolios:
    """Parse the 25-portfolio CSV text; FrenchFormatError names what is not as expected."""
    lines = text.splitlines()
    match = _EDITION_RE.search(lines[0]) if lines else None
    if match is None:
        raise FrenchFormatError("The file does not start with French's 'created ... using the "
                                "YYYYMM CRSP database' line.")
    frames = {key: _july_frame(lines, title) for key, title in SECTIONS.items()}
    years = frames["firms"].index.intersection(frames["avg_cap"].index) \
        .intersection(frames["beme"].index)
    op = _july_frame(lines, OP_SECTION) if any(OP_SECTION in line for line in lines) else None
    return SizeValuePortfolios(match.group(1), frames["firms"].loc[years],
                               frames["avg_cap"].loc[years], frames["beme"].loc[years], op)


def csv_from_zip(data: bytes) -> bytes:
    """The one CSV member of a French data-library zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise FrenchFormatError(f"The zip holds {len(names)} CSV files, not one.")
            return archive.read(names[0])
    except zipfile.BadZipFile:
        raise FrenchFormatError("The download is not a zip file.") from None


class FrenchWebSource:
    """The 25-portfolio file from Kenneth French's data library (zip over HTTPS)."""

    kind = "live"

    def __init__(self, url: str = FRENCH_ZIP_URL, timeout_s: float = 30.0) -> None:
        self.url = url
        self.timeout_s = timeout_s

    @property
    def name(self) -> str:
        return "Kenneth R. French Data Library (25 Portfolios 5x5)"

    @property
    def cache_id(self) -> str:
        return self.name

    def fetch(self) -> bytes:
        """The CSV bytes inside the zip; DataUnavailableError when the library cannot be
        reached, FrenchFormatError when the zip or CSV is not what we expect."""
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout_s) as response:  # noqa: S310
                data = response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "code", None) or type(exc).__name__
            raise DataUnavailableError(f"French's data library did not answer ({reason}).") \
                from None
        body = csv_from_zip(data)
        parse_size_value_file(body.decode("latin-1"))  # refuse a bad file before caching it
        return body


class FrenchFileSource:
    """The 25-portfolio file from `french/25_Portfolios_5x5.CSV` in a data folder (offline)."""

    kind = "files"

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / SHARED_FILE

    @property
    def name(self) -> str:
        return f"Kenneth R. French Data Library, file {SHARED_FILE}"

    @property
    def cache_id(self) -> str:
        """The file's resolved path, size and mtime (files_identity): never shown."""
        return "file-" + files_identity(self.path.parent, [self.path])

    def fetch(self) -> bytes:
        if not self.path.is_file():
            raise DataUnavailableError(f"The data folder has no {SHARED_FILE}.")
        body = self.path.read_bytes()
        parse_size_value_file(body.decode("latin-1"))
        return body
