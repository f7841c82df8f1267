"""The pixel comparison of bench.same_charts: decoded pixels, not bytes; and every chart
module of analytics has charts in its list."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image

from bench.same_charts import CHARTS, compare

ROOT = Path(__file__).resolve().parents[1]


def _write_png(path: Path, pixels: np.ndarray, level: int = 6) -> Path:
    buffer = BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="png", compress_level=level)
    path.write_bytes(buffer.getvalue())
    return path


def _picture() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, size=(40, 60, 3), dtype=np.uint8)


def test_same_pixels_in_different_bytes_are_the_same(tmp_path: Path) -> None:
    a = _write_png(tmp_path / "a.png", _picture(), level=1)
    b = _write_png(tmp_path / "b.png", _picture(), level=9)
    assert a.read_bytes() != b.read_bytes()
    assert compare("x", a, b, (0, 0)).differing == 0


def test_one_channel_of_one_pixel_off_by_one_is_one_different_pixel(tmp_path: Path) -> None:
    changed = _picture()
    changed[5, 9, 2] ^= 1
    a = _write_png(tmp_path / "a.png", _picture())
    b = _write_png(tmp_path / "b.png", changed)
    result = compare("x", a, b, (0, 0))
    assert result.differing == 1
    assert "DIFFERENT (1 pixels)" in result.line(4)


def test_a_chart_that_failed_on_one_side_is_not_compared(tmp_path: Path) -> None:
    a = _write_png(tmp_path / "a.png", _picture())
    result = compare("x", a, tmp_path / "missing.png", (0, 3))
    assert result.differing is None
    assert "work exit 3" in result.line(4)


def test_every_chart_module_has_charts_to_compare() -> None:
    commands = {argv[0] for argv in CHARTS.values()}
    modules = sorted((ROOT / "analytics").glob("charts*.py"))
    assert modules
    for module in modules:
        kind = module.stem.partition("_")[2] or "gap"  # charts_table.py draws `table`
        assert kind in commands, module.name
