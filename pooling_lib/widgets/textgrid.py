"""A matplotlib artist that draws many short strings fast.

One :class:`matplotlib.text.Text` per grid cell costs about 0.3 ms to lay out and draw, so
an 8x8 explorer (about 150 strings) would spend most of its redraw budget on text.
:class:`TextGrid` draws all its strings in one ``draw`` call and, on the Agg renderer,
keeps each rendered string's bitmap, so a string is rasterized once per size and reused
by every later frame. On other renderers it falls back to ``renderer.draw_text``.
"""

from __future__ import annotations

from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties

__all__ = ["Label", "TextGrid", "clear_cache"]


class Label(NamedTuple):
    """One string at ``(x, y)`` (in the artist's transform), vertically centred there."""

    x: float
    y: float
    text: str
    colour: str
    prop: FontProperties
    ha: str = "center"


class _Bitmap(NamedTuple):
    image: np.ndarray
    xo: float
    yo: float
    descent: float
    width: float
    height: float


_BITMAPS: dict[tuple[str, int, float, bool], _Bitmap] = {}
_MAX_CACHE = 4096


def clear_cache() -> None:
    """Forget every cached string bitmap."""
    _BITMAPS.clear()


def _bitmap(renderer: RendererAgg, text: str, prop: FontProperties) -> _Bitmap:
    """The string rasterized exactly as ``RendererAgg.draw_text`` would, cached."""
    antialiased = bool(mpl.rcParams["text.antialiased"])
    key = (text, hash(prop), renderer.dpi, antialiased)
    found = _BITMAPS.get(key)
    if found is not None:
        return found
    width, height, descent = renderer.get_text_width_height_descent(text, prop, ismath=False)
    font = renderer._prepare_font(prop)  # noqa: SLF001 - same steps as RendererAgg.draw_text
    font.set_text(text, 0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=antialiased)
    xo, yo = font.get_bitmap_offset()
    bitmap = _Bitmap(
        np.array(font.get_image(), dtype=np.uint8),
        xo / 64.0,
        yo / 64.0,
        font.get_descent() / 64.0,
        width,
        height,
    )
    if len(_BITMAPS) >= _MAX_CACHE:
        _BITMAPS.clear()
    _BITMAPS[key] = bitmap
    return bitmap


class TextGrid(Artist):
    """Draw a list of :class:`Label` in one artist (drawn above patches: zorder 3)."""

    def __init__(self, labels: list[Label], transform) -> None:
        super().__init__()
        self.set_zorder(3)
        self.labels = labels
        self.set_transform(transform)

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self.labels:
            return
        transform = self.get_transform()
        points = transform.transform(np.array([(lb.x, lb.y) for lb in self.labels], dtype=float))
        gc = renderer.new_gc()
        fast = type(renderer) is RendererAgg
        for label, (px, py) in zip(self.labels, points, strict=True):
            gc.set_foreground(label.colour)
            if fast:
                bm = _bitmap(renderer, label.text, label.prop)
                width, height, descent = bm.width, bm.height, bm.descent
            else:
                width, height, descent = renderer.get_text_width_height_descent(
                    label.text, label.prop, ismath=False
                )
            x = {"center": px - width / 2, "left": px, "right": px - width}[label.ha]
            baseline = py - height / 2 + descent
            y = renderer.height - baseline if renderer.flipy() else baseline
            if fast:
                renderer._renderer.draw_text_image(  # noqa: SLF001
                    bm.image, round(x + bm.xo), round(y + bm.yo + bm.descent) + 1, 0, gc
                )
            else:
                renderer.draw_text(gc, x, y, label.text, label.prop, 0)
        gc.restore()
