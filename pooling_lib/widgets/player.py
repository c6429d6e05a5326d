"""A pooling walk-through that plays with no Python kernel: precomputed frames in a Stack.

Every frame (one per output cell, see :mod:`pooling_lib.widgets.frames`) is an
``ipywidgets.Image`` child of an ``ipywidgets.Stack``. A ``Play`` button and a slider are
joined to ``Stack.selected_index`` with ``jslink``, which runs in the browser: once the
notebook is saved with its widget state, the static page (the ipywidgets HTML manager)
plays it without a kernel.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import torch

from pooling_lib.widgets.captions import call_html, status_html
from pooling_lib.widgets.frames import MAX_FRAMES, frame_scenes, render_frames
from pooling_lib.widgets.scene import Scene
from pooling_lib.widgets.settings import PoolSettings

__all__ = ["KernelFreePlayer"]


class KernelFreePlayer(widgets.VBox):
    """Play every window of one setting on ``X`` (shape ``(H, W)``, ``(C, H, W)`` or
    ``(1, C, H, W)``); the output has shape ``(C, H_out, W_out)`` and there is one frame
    per channel in ``channels`` and output cell."""

    def __init__(
        self,
        X: torch.Tensor,
        settings: PoolSettings,
        channels: Sequence[int] | None = None,
        dpi: float = 80,
        interval: int = 900,
        max_frames: int = MAX_FRAMES,
    ) -> None:
        self.scenes: list[Scene] = frame_scenes(X, settings, channels, max_frames)
        self.frames: list[bytes] = render_frames(self.scenes, dpi)
        last = len(self.frames) - 1
        plain = widgets.Layout()  # one shared model: each model is saved with the notebook
        image_layout = widgets.Layout(max_width="100%", align_self="flex-start")
        self.images = [
            widgets.Image(value=png, format="png", layout=image_layout) for png in self.frames
        ]
        self.stack = widgets.Stack(self.images, selected_index=0, layout=plain)
        self.play = widgets.Play(
            value=0, min=0, max=last, step=1, interval=interval, description="play", layout=plain
        )
        self.slider = widgets.IntSlider(
            value=0, min=0, max=last, description="window", readout=True, layout=plain
        )
        self.links = [
            widgets.jslink((self.play, "value"), (self.slider, "value")),
            widgets.jslink((self.slider, "value"), (self.stack, "selected_index")),
        ]
        count = f"{len(self.frames)} frame{'s' if len(self.frames) != 1 else ''}"
        title = widgets.HTML(
            layout=plain,
            value=call_html(self.scenes[0], "Every window of").replace(
                "</code>", f"</code>, precomputed ({count}): plays without a Python kernel."
            )
            + status_html(self.scenes[0]),
        )
        super().__init__(
            [title, widgets.HBox([self.play, self.slider], layout=plain), self.stack], layout=plain
        )
        self.add_class("pooling-kernel-free-player")

    def __repr__(self) -> str:
        return f"KernelFreePlayer({self.scenes[0].torch_call}, {len(self.frames)} frames)"
