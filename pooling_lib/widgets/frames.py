"""Every frame of one pooling setting, precomputed: one scene per (channel, output cell).

The kernel-free player (:mod:`pooling_lib.widgets.player`) and the self-contained
animation (:mod:`pooling_lib.animation`) both show these frames in this order: channel by
channel, and within a channel the output cells row by row (what the explorer's Play does).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from pooling_lib.widgets.compute import evaluate
from pooling_lib.widgets.drawing import new_figure, render_png, scene_size
from pooling_lib.widgets.scene import Scene, as_batch, build_scene
from pooling_lib.widgets.settings import PoolSettings

__all__ = ["MAX_FRAMES", "common_size", "frame_scenes", "render_frames"]

MAX_FRAMES = 64


def frame_scenes(
    X: torch.Tensor,
    settings: PoolSettings,
    channels: Sequence[int] | None = None,
    max_frames: int = MAX_FRAMES,
) -> list[Scene]:
    """One scene per output cell of each channel in ``channels`` (default: all).

    ``X`` has shape ``(H, W)``, ``(C, H, W)`` or ``(1, C, H, W)``. An invalid setting gives a
    single frame showing pooling_lib's message. Raises ValueError when there would be more
    than ``max_frames`` frames (each frame is stored in the notebook) or for a channel
    outside ``range(C)``.
    """
    x = as_batch(X)
    n_channels = x.shape[1]
    chosen = list(range(n_channels)) if channels is None else list(channels)
    for c in chosen:
        if not isinstance(c, int) or not 0 <= c < n_channels:
            raise ValueError(f"channels must hold ints in range({n_channels}), got {c!r}")
    if not chosen:
        raise ValueError("channels must name at least one channel, got none")
    evaluation = evaluate(x, settings)
    if not evaluation.ok:
        return [build_scene(x, settings, evaluation, chosen[0])]
    out_h, out_w = evaluation.output.shape[-2:]  # type: ignore[union-attr]
    count = len(chosen) * out_h * out_w
    if count > max_frames:
        raise ValueError(
            f"max_frames={max_frames} is too small for {count} frames "
            f"({len(chosen)} channel(s) x {out_h}x{out_w} output cells); "
            "pass fewer channels or a larger max_frames"
        )
    return [
        build_scene(x, settings, evaluation, c, (i, j))
        for c in chosen
        for i in range(out_h)
        for j in range(out_w)
    ]


def common_size(scenes: Sequence[Scene]) -> tuple[float, float]:
    """The smallest figure size (inches) that fits every scene, so frames do not jump."""
    sizes = [scene_size(scene)[:2] for scene in scenes]
    return (max(w for w, _ in sizes), max(h for _, h in sizes))


def render_frames(scenes: Sequence[Scene], dpi: float = 80) -> list[bytes]:
    """PNG bytes of every scene, all drawn at :func:`common_size` (palette PNGs, small)."""
    size = common_size(scenes)
    fig = new_figure(dpi)
    return [render_png(scene, fig, dpi=dpi, size=size) for scene in scenes]
