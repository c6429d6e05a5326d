"""``explore(X, ...)``: one call that gives a chapter its explorer.

It shows three things, one after another:

1. the live :class:`~pooling_lib.widgets.explorer.PoolingExplorer` (every control; needs a
   running kernel to redraw);
2. a :class:`~pooling_lib.widgets.player.KernelFreePlayer` of the same setting, which plays
   on the static site from the saved widget state;
3. a self-contained HTML animation (:mod:`pooling_lib.animation`) of every window step.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import torch
from IPython.display import HTML, display

from pooling_lib.widgets.explorer import PoolingExplorer
from pooling_lib.widgets.frames import MAX_FRAMES, frame_scenes
from pooling_lib.widgets.player import KernelFreePlayer

__all__ = ["Exploration", "explore"]

_LIVE_NOTE = (
    "<div style='font-size:85%;color:#555'>The controls above redraw in a running notebook "
    "(Jupyter, Colab, Binder). Without a kernel, as on this website, they cannot recompute; "
    "the player and the animation below work anywhere.</div>"
)


class Exploration:
    """The three views :func:`explore` returns; display it (last expression of a cell)."""

    def __init__(
        self, explorer: PoolingExplorer, player: KernelFreePlayer | None, animation: str | None
    ) -> None:
        self.explorer = explorer
        self.player = player
        self.animation = animation

    def _ipython_display_(self) -> None:
        plain = self.explorer.layout  # shared: every model is saved in the notebook
        note = widgets.HTML(_LIVE_NOTE, layout=plain, style=self.explorer.status.style)
        display(widgets.VBox([self.explorer, note], layout=plain))
        if self.player is not None:
            display(self.player)
        if self.animation is not None:
            display(HTML(self.animation))

    def __repr__(self) -> str:
        return f"Exploration({self.explorer!r})"


def explore(
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
    channel: int = 0,
    position: tuple[int, int] = (0, 0),
    channels: Sequence[int] | None = None,
    player: bool = True,
    animation: bool = True,
    max_frames: int = MAX_FRAMES,
) -> Exploration:
    """Explore pooling ``X`` (shape ``(H, W)``, ``(C, H, W)`` or ``(1, C, H, W)``).

    Arguments are ``torch.nn.MaxPool2d``/``AvgPool2d``/``LPPool2d``'s plus ``mode``
    (``"max"``, ``"avg"``, ``"lp"``). The output has shape ``(C, H_out, W_out)``,
    ``H_out = ⌊(H + 2·padding − dilation·(kernel_size−1) − 1)/stride⌋ + 1``.
    ``channels`` picks the channels the player and the animation step through (default:
    all). Returns an :class:`Exploration`; as the last expression of a cell it shows the
    live explorer, the kernel-free player and the animation.
    """
    kwargs = dict(
        mode=mode,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
        norm_type=norm_type,
    )
    explorer = PoolingExplorer(X, channel=channel, position=position, **kwargs)
    settings = explorer.settings
    scenes = frame_scenes(X, settings, channels, max_frames)
    kept = KernelFreePlayer(X, settings, channels, max_frames=max_frames) if player else None
    # Imported here: pooling_lib.animation itself imports this package's modules.
    from pooling_lib.animation import animation_html

    html = animation_html(scenes) if animation else None
    return Exploration(explorer, kept, html)
