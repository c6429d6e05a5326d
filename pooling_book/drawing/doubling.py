"""The doubling that keeps a large max-pooling window cheap, drawn on a row of numbers.

``doubling_levels(x, kernel_size)`` computes the rows the figure shows with
``pooling_lib.max_pool1d`` (stride 1): the input, then the maximum of every run of 2, 4, ...
cells, up to the largest power of two ``h <= kernel_size``, and finally every window of
``kernel_size``. (Each row of runs is the elementwise maximum of the row above and the row
above shifted by half the run, and a window is the maximum of the run of ``h`` at its start and
the run of ``h`` that ends at its end; the chapter checks both.)
``doubling_figure`` draws those rows as grids of cells and marks, for one window, the two
runs whose maximum it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from matplotlib.figure import Figure

from pooling_book.drawing.palette import ACCENT, ACCENT_FILL, NATIVE_LIGHT, TEXT
from pooling_book.drawing.value_grid import draw_value_grid
from pooling_book.i18n import _
from pooling_lib import max_pool1d

__all__ = ["DoublingLevels", "doubling_figure", "doubling_levels"]


@dataclass(frozen=True)
class DoublingLevels:
    """``runs[j]``: the maximum of every run of ``2**j`` cells (one per start); ``windows``:
    the maximum of every window of ``kernel_size`` cells (stride 1); ``h``: the run length the
    windows are made of."""

    x: torch.Tensor
    kernel_size: int
    runs: tuple[torch.Tensor, ...]
    windows: torch.Tensor
    h: int


def doubling_levels(x: torch.Tensor, kernel_size: int) -> DoublingLevels:
    """The doubling's rows for a 1-d ``x`` and a window of ``kernel_size`` (stride 1)."""
    if x.dim() != 1:
        raise ValueError(f"doubling_levels: x must be 1-D, got shape {tuple(x.shape)}")
    if not 1 <= kernel_size <= x.numel():
        raise ValueError(
            f"doubling_levels: kernel_size={kernel_size} must lie in [1, {x.numel()}] "
            f"(the length of x)"
        )
    runs = [x]
    h = 1
    while 2 * h <= kernel_size:
        h *= 2
        runs.append(max_pool1d(x.view(1, -1), h, 1)[0])
    windows = max_pool1d(x.view(1, -1), kernel_size, 1)[0]
    return DoublingLevels(x, kernel_size, tuple(runs), windows, h)


def doubling_figure(x: torch.Tensor, kernel_size: int, window: int = 0) -> Figure:
    """The rows of ``doubling_levels``, one grid each; for window ``window`` its cells in the
    input (light), the two runs it combines (orange, in the last run row) and the result."""
    levels = doubling_levels(x, kernel_size)
    h = levels.h
    if not 0 <= window < levels.windows.numel():
        raise ValueError(
            f"doubling_figure: window={window} must lie in [0, {levels.windows.numel() - 1}]"
        )
    rows = [*levels.runs, levels.windows]
    n = x.numel()
    fig = Figure(figsize=(0.5 * n + 2.6, 0.75 * len(rows) + 0.4), dpi=100)
    axes = fig.subplots(len(rows), 1)
    second = window + kernel_size - h  # start of the run of h that ends where the window ends
    for j, (ax, row) in enumerate(zip(axes, rows, strict=True)):
        fills = {}
        if j == 0:
            fills = {(0, c): NATIVE_LIGHT for c in range(window, window + kernel_size)}
        elif j == len(rows) - 2:
            fills = {(0, window): ACCENT_FILL, (0, second): ACCENT_FILL}
        elif j == len(rows) - 1:
            fills = {(0, window): ACCENT}
        draw_value_grid(ax, row.view(1, -1), fills, fontsize=9)
        ax.set_xlim(-0.2, n + 0.2)
        if j < len(rows) - 1:
            label = _("input") if j == 0 else _("runs of {n}").format(n=2**j)
        else:
            label = _("windows of {n}").format(n=kernel_size)
        ax.text(-0.4, -0.5, label, ha="right", va="center", fontsize=9, color=TEXT)
    fig.subplots_adjust(left=0.2, right=0.98, top=0.97, bottom=0.03, hspace=0.25)
    return fig
