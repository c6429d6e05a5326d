"""Self-contained HTML animations of a pooling window walking over its input.

:func:`pooling_animation` draws one frame per output cell (the explorer's own drawing,
see :mod:`pooling_lib.widgets`) and turns them into matplotlib's JavaScript player
(``FuncAnimation`` saved with ``HTMLWriter``, what ``to_jshtml`` does) with a play button,
a slider and a loop mode. The result needs no kernel and no CDN:

* the frames are embedded as palette PNGs (a few kB each);
* the Font Awesome stylesheet that matplotlib links from a CDN is removed and the button
  icons are replaced by plain characters;
* the random ids matplotlib gives every animation are replaced by ids derived from the
  content and a per-process counter, so re-running a notebook gives the same HTML (nbval
  compares it) and two animations on one page never share an id.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import torch
from IPython.display import HTML
from matplotlib.animation import FuncAnimation, HTMLWriter

from pooling_lib.widgets.captions import call_html, status_html
from pooling_lib.widgets.drawing import draw_scene, encode_png, new_figure
from pooling_lib.widgets.frames import MAX_FRAMES, common_size, frame_scenes
from pooling_lib.widgets.scene import Scene
from pooling_lib.widgets.settings import PoolSettings

__all__ = ["animation_html", "pooling_animation", "PaletteHTMLWriter"]

_COUNTER = itertools.count()

# matplotlib's Font Awesome icons -> characters every font has.
_ICONS = {
    "fa fa-minus": "−",
    "fa fa-fast-backward": "|◀◀",
    "fa fa-step-backward": "|◀",
    "fa fa-play fa-flip-horizontal": "◀",
    "fa fa-pause": "❚❚",
    "fa fa-play": "▶",
    "fa fa-step-forward": "▶|",
    "fa fa-fast-forward": "▶▶|",
    "fa fa-plus": "+",
}
_CDN_LINK = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*>\s*", re.IGNORECASE)
_MPL_ID = re.compile(r"(?<=_anim_img)[0-9a-f]{32}\b")


class PaletteHTMLWriter(HTMLWriter):
    """``HTMLWriter`` that embeds each frame as a 32-colour PNG (about a fifth of the
    size of matplotlib's RGBA PNG for these flat drawings)."""

    def grab_frame(self, **savefig_kwargs) -> None:
        if not self.embed_frames:
            super().grab_frame(**savefig_kwargs)
            return
        self.fig.set_dpi(self.dpi)
        self.fig.canvas.draw()
        self._saved_frames.append(base64.encodebytes(encode_png(self.fig)).decode("ascii"))


def _clean(raw: str) -> str:
    """No CDN, no icon font, deterministic ids (see the module docstring)."""
    text = _CDN_LINK.sub("", raw)
    for icon, chars in _ICONS.items():
        text = text.replace(f'<i class="{icon}"></i>', f"<span aria-hidden='true'>{chars}</span>")
    found = _MPL_ID.search(text)
    if found is None:
        raise RuntimeError("matplotlib's HTMLWriter output changed: no animation id found")
    digest = hashlib.sha1(text.replace(found.group(0), "").encode()).hexdigest()[:12]
    return text.replace(found.group(0), f"pool{digest}n{next(_COUNTER)}")


def animation_html(scenes: Sequence[Scene], dpi: float = 80, interval: int = 900) -> str:
    """The HTML of a player stepping through ``scenes`` (one frame each), looping."""
    if not scenes:
        raise ValueError("scenes must hold at least one scene, got none")
    size = common_size(scenes)
    fig = new_figure(dpi)
    fig.set_size_inches(*size)

    def draw(k: int) -> list:
        draw_scene(fig, scenes[k], size)
        return []

    animation = FuncAnimation(
        fig, draw, frames=len(scenes), init_func=lambda: [], interval=interval, repeat=True
    )
    fps = 1000 / interval
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "animation.html"
        writer = PaletteHTMLWriter(fps=fps, embed_frames=True, default_mode="loop")
        animation.save(str(path), writer=writer, dpi=dpi)
        raw = path.read_text()
    caption = call_html(scenes[0], "Animation of every window of") + status_html(scenes[0])
    return f"<div class='pooling-animation'>{caption}{_clean(raw)}</div>"


def pooling_animation(
    X: torch.Tensor,
    *,
    mode: str = "max",
    kernel_size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    norm_type: float = 2,
    channels: Sequence[int] | None = None,
    dpi: float = 80,
    interval: int = 900,
    max_frames: int = MAX_FRAMES,
) -> HTML:
    """A self-contained animation of every window of one pooling of ``X``.

    ``X`` has shape ``(H, W)``, ``(C, H, W)`` or ``(1, C, H, W)``; the pooled output has
    shape ``(C, H_out, W_out)`` and there is one frame per output cell of each channel in
    ``channels`` (default: all). Settings are ``torch.nn.MaxPool2d``/``AvgPool2d``/
    ``LPPool2d``'s, with ``mode`` choosing the layer. Returns an ``IPython.display.HTML``
    (its ``.data`` is the HTML text).
    """
    settings = PoolSettings.create(
        mode, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, norm_type
    )
    scenes = frame_scenes(X, settings, channels, max_frames)
    return HTML(animation_html(scenes, dpi=dpi, interval=interval))
