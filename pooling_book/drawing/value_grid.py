"""A grid of numbers drawn as cells on a matplotlib axes (the frames of the book's animations).

``draw_value_grid(ax, values, fills, fmt, padding)`` draws a 2-D tensor as unit cells, one
number in each, with an optional ring of dashed, grey padding cells (no number) around it.
Cell ``(r, c)`` has its top-left corner at ``(c, -r)``: rows go down, as in a printed
matrix. ``fills`` colours chosen cells, padding ones included (negative indices).
"""

from __future__ import annotations

import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from pooling_book.drawing.palette import CELL_FILL, GRID_EDGE, PAD_FILL, TEXT

__all__ = ["draw_value_grid", "format_cell"]


def format_cell(value: float, fmt: str = "g") -> str:
    """A cell's text: ``0`` for zero, ``-inf``/``inf`` spelled out, else ``format(value, fmt)``."""
    if value == 0:
        return "0"
    if value in (float("inf"), float("-inf")):
        return "-inf" if value < 0 else "inf"
    return format(value, fmt)


def draw_value_grid(
    ax: Axes,
    values: torch.Tensor,
    fills: dict[tuple[int, int], str] | None = None,
    fmt: str = "g",
    padding: tuple[int, int] = (0, 0),
    fontsize: float = 9,
) -> None:
    """Draw ``values`` (shape ``(H, W)``) on ``ax`` with ``padding = (p_h, p_w)`` cells of
    padding around it; ``fills`` maps ``(row, col)`` to a face colour. Turns the axes off and
    sets its limits to the grid, aspect equal."""
    if values.dim() != 2:
        raise ValueError(
            f"draw_value_grid: values must be 2-D (H, W), got shape {tuple(values.shape)}"
        )
    fills = fills or {}
    rows, cols = values.shape
    p_h, p_w = padding
    for r in range(-p_h, rows + p_h):
        for c in range(-p_w, cols + p_w):
            inside = 0 <= r < rows and 0 <= c < cols
            face = fills.get((r, c), CELL_FILL if inside else PAD_FILL)
            ax.add_patch(
                Rectangle(
                    (c, -r - 1), 1, 1, facecolor=face, edgecolor=GRID_EDGE,
                    linestyle="-" if inside else "--", linewidth=1,
                )
            )  # fmt: skip
            if inside:
                text = format_cell(float(values[r, c]), fmt)
                ax.text(
                    c + 0.5, -r - 0.5, text, ha="center", va="center", fontsize=fontsize,
                    color=TEXT,
                )  # fmt: skip
    ax.set_xlim(-p_w - 0.2, cols + p_w + 0.2)
    ax.set_ylim(-rows - p_h - 0.2, p_h + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
