"""One chart style that reads on light and dark Slack clients: a neutral card, not white, and
no white label boxes or marker rims (they glare on a dark client)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from analytics.chart_base import BACKGROUND, INK, to_png
from tests.analytics.test_chart_layout import _figure

WHITE = to_rgba("white")
CLIENTS = {"light": (255, 255, 255), "dark": (0x1A, 0x1D, 0x21)}


def _luminance(rgb: tuple[float, ...]) -> float:
    channels = [c / 255 if c > 1 else c for c in rgb[:3]]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("kind,period", [("gap", "3y"), ("table", "-"), ("stats", "3y"),
                                         ("trend", "2y"), ("rates", "10y"), ("history", "3y")])
def test_charts_are_a_neutral_card_without_white_boxes(real_closes, kind, period):
    fig = _figure(kind, real_closes, period, "index", date(2024, 3, 26))
    png = to_png(fig)
    pixels = np.asarray(Image.open(BytesIO(png)).convert("RGB"))
    corner = tuple(int(c) for c in pixels[2, 2])
    assert corner == tuple(round(c * 255) for c in to_rgba(BACKGROUND)[:3])
    for client in CLIENTS.values():  # the card stands out from both clients' backgrounds
        assert _contrast(corner, client) > 1.15
    assert _contrast(to_rgba(INK), to_rgba(BACKGROUND)) >= 7  # text reads on the card
    for artist in fig.findobj():
        if isinstance(artist, Text) and artist.get_bbox_patch() is not None:
            assert to_rgba(artist.get_bbox_patch().get_facecolor())[:3] != WHITE[:3], artist
        if isinstance(artist, Line2D):
            for colour in (artist.get_markerfacecolor(), artist.get_markeredgecolor()):
                assert colour == "none" or to_rgba(colour)[:3] != WHITE[:3], artist
