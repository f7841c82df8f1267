"""Writing a report's chart to a file in the format its name asks for (`--out FILE`).

The bot draws each chart once, as PNG bytes (cached with the report). For `.svg` and `.pdf`
the same image is placed, pixel for pixel at the chart's DPI, on a matplotlib figure of the
same size and saved with matplotlib's own `savefig` writers: the file is a real SVG or PDF
(a vector container holding the chart as an embedded image), not PNG bytes under another
name. Other suffixes are refused before any work is done.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

CHART_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""File suffix (lower case) -> matplotlib savefig format."""
EMBED_DPI = 100
"""Pixels per inch of the page an SVG/PDF holds the chart image on (any value keeps every
pixel: the page is sized to the image)."""


class ChartFileError(ValueError):
    """The chart cannot be written there; the message says why and what works."""


def chart_format(path: Path) -> str:
    """The savefig format `path`'s suffix names ('png', 'svg', 'pdf'); ChartFileError for
    another suffix or a folder that does not exist."""
    fmt = CHART_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ChartFileError(f"`{path.name}`: charts can be written as "
                             f"{', '.join(CHART_FORMATS)} files; name the file e.g. chart.png.")
    if not path.parent.is_dir():
        raise ChartFileError(f"`{path.parent}` is not an existing folder, so `{path.name}` "
                             "cannot be written there.")
    return fmt


def chart_bytes(png: bytes, fmt: str) -> bytes:
    """The chart `png` (PNG bytes) as a file of format `fmt` ('png', 'svg' or 'pdf')."""
    if fmt == "png":
        return png
    from matplotlib.figure import Figure  # lazy: ~0.2 s a terminal command without
    from matplotlib.image import imread  # --out FILE.svg/.pdf must not pay

    pixels = imread(BytesIO(png), format="png")
    height, width = pixels.shape[:2]
    fig = Figure(figsize=(width / EMBED_DPI, height / EMBED_DPI), dpi=EMBED_DPI)
    fig.figimage(pixels, xo=0, yo=0, origin="upper")
    buffer = BytesIO()
    fig.savefig(buffer, format=fmt, dpi=EMBED_DPI)
    return buffer.getvalue()


def write_chart(png: bytes, path: Path) -> str:
    """Write the chart to `path` in the format its suffix names; returns the format.
    ChartFileError when the suffix or folder is wrong or the file cannot be written."""
    fmt = chart_format(path)
    try:
        path.write_bytes(chart_bytes(png, fmt))
    except OSError as exc:
        raise ChartFileError(f"`{path}` could not be written ({exc.strerror or exc}).") from None
    return fmt
