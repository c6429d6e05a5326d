"""Static matplotlib figures for the book, drawn from the code as it runs.

Every number drawn comes from computing it: the output grid is the result of the
book's own ``pooling_lib.loops.pool2d`` on the input, never typed in by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from pooling_book.drawing.palette import (
    ACCENT,
    ACCENT_FILL,
    CELL_FILL,
    GRID_EDGE,
    OUTPUT_FILL,
    TEXT,
)
from pooling_book.i18n import _
from pooling_lib.loops import pool2d

__all__ = ["draw_pooling_window", "format_value", "window_formula"]


def format_value(value: float) -> str:
    """Format a tensor entry the short way a reader writes it: ``4.0 -> '4'``, ``2.5 -> '2.5'``."""
    return f"{float(value):g}"


def window_formula(window: torch.Tensor, result: float, mode: str) -> str:
    """The arithmetic one pooling window performs, as text.

    ``mode='max'`` gives ``'max(0, 1, 3, 4) = 4'``; ``mode='avg'`` gives
    ``'(0 + 1 + 3 + 4) / 4 = 2'``. ``window`` is read row by row.
    """
    values = [format_value(v) for v in window.flatten().tolist()]
    if mode == "max":
        return f"max({', '.join(values)}) = {format_value(result)}"
    if mode == "avg":
        return f"({' + '.join(values)}) / {len(values)} = {format_value(result)}"
    raise ValueError(f"window_formula: mode must be 'max' or 'avg', got {mode!r}")


def _check_position(position: Sequence[int], out_shape: tuple[int, int]) -> tuple[int, int]:
    if (
        not isinstance(position, (tuple, list))
        or len(position) != 2
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in position)
    ):
        raise TypeError(
            f"draw_pooling_window: position must be a pair of ints (i, j), got {position!r}"
        )
    i, j = position
    if not (0 <= i < out_shape[0] and 0 <= j < out_shape[1]):
        raise ValueError(
            f"draw_pooling_window: position {tuple(position)} must index the output of shape "
            f"{out_shape} (0 <= i < {out_shape[0]}, 0 <= j < {out_shape[1]})"
        )
    return i, j


def _draw_grid(ax, values: torch.Tensor, x0: float, y0: float, fill: str, gid: str) -> None:
    """Draw ``values`` as a grid of unit cells whose top-left corner is ``(x0, y0)``.

    Row ``r`` is drawn below row ``r - 1`` (y grows upwards in the axes). Each cell's
    rectangle has gid ``f"{gid}-cell-{r}-{c}"`` and its number ``f"{gid}-value-{r}-{c}"``.
    """
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(
                Rectangle(
                    (x0 + c, y0 - r - 1),
                    1,
                    1,
                    facecolor=fill,
                    edgecolor=GRID_EDGE,
                    linewidth=1.2,
                    gid=f"{gid}-cell-{r}-{c}",
                    zorder=1,
                )
            )
            ax.text(
                x0 + c + 0.5,
                y0 - r - 0.5,
                format_value(values[r, c]),
                ha="center",
                va="center",
                fontsize=15,
                color=TEXT,
                gid=f"{gid}-value-{r}-{c}",
                zorder=3,
            )


def draw_pooling_window(
    X: torch.Tensor,
    pool_size: tuple[int, int] = (2, 2),
    position: tuple[int, int] = (0, 0),
    mode: str = "max",
) -> Figure:
    """Draw one step of 2-D pooling: the input, one window on it, and the output.

    The output is computed by ``pooling_lib.loops.pool2d(X, pool_size, mode)`` (stride 1,
    no padding), so the figure always shows what the book's code returns.

    Shape:
        - X: :math:`(H, W)`
        - output drawn: :math:`(H - p_h + 1, W - p_w + 1)` where ``(p_h, p_w) = pool_size``
        - position ``(i, j)``: an index into the output; the window covers
          ``X[i:i+p_h, j:j+p_w]``

    Args:
        X: the 2-D input tensor.
        pool_size: the window's height and width.
        position: which output cell (and hence which window) to highlight.
        mode: ``'max'`` or ``'avg'``, as in ``pool2d``.

    Returns:
        A :class:`matplotlib.figure.Figure` (not registered with pyplot; display it by
        making it a cell's last expression). Highlighted patches carry the gids
        ``'window'`` (the window's outline), ``'input-cell-r-c'`` and
        ``'output-cell-i-j'`` (filled with the accent colour); the arithmetic text has
        gid ``'formula'``.

    Raises:
        TypeError, ValueError: for a bad ``X``, ``pool_size`` or ``mode`` (from
            ``pool2d``) or a ``position`` outside the output.
    """
    Y = pool2d(X, pool_size, mode)  # validates X, pool_size and mode
    out_shape = (int(Y.shape[0]), int(Y.shape[1]))
    i, j = _check_position(position, out_shape)
    p_h, p_w = pool_size
    H, W = int(X.shape[0]), int(X.shape[1])
    X = X.detach()
    window = X[i : i + p_h, j : j + p_w]
    result = float(Y[i, j])
    formula = window_formula(window, result, mode)

    # Layout in data units (one cell = 1 unit): the input grid, a gap holding the arrow,
    # then the output grid, vertically centred on the input; the arithmetic goes below.
    out_h, out_w = out_shape
    gap = 3.2
    x_out = W + gap
    top = float(H)
    y_out = top - (H - out_h) / 2
    width = x_out + out_w
    formula_y = -0.75

    fig = Figure(figsize=(0.62 * (width + 0.6), 0.62 * (H + 2.6)), dpi=110)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.3, width + 0.3)
    ax.set_ylim(formula_y - 0.85, top + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")

    _draw_grid(ax, X, 0.0, top, CELL_FILL, "input")
    _draw_grid(ax, Y, x_out, y_out, OUTPUT_FILL, "output")

    # Highlight the window's cells and the output cell it produces.
    for patch in ax.patches:
        kind, _dash, r, c = (patch.get_gid() or "").split("-")
        r, c = int(r), int(c)
        in_window = kind == "input" and i <= r < i + p_h and j <= c < j + p_w
        if in_window or (kind == "output" and (r, c) == (i, j)):
            patch.set_facecolor(ACCENT_FILL)
    for gid, xy, size in (
        ("window", (j, top - i - p_h), (p_w, p_h)),
        ("output-highlight", (x_out + j, y_out - i - 1), (1, 1)),
    ):
        ax.add_patch(
            Rectangle(xy, *size, fill=False, edgecolor=ACCENT, linewidth=3.5, gid=gid, zorder=4)
        )

    for gid, x, text in (
        ("title-input", W / 2, _("input {h}×{w}").format(h=H, w=W)),
        ("title-output", x_out + out_w / 2, _("output {h}×{w}").format(h=out_h, w=out_w)),
    ):
        ax.text(x, top + 0.3, text, ha="center", va="bottom", fontsize=13, gid=gid)

    # Arrow from the window to its output cell. It enters the cell through a side on the
    # output grid's border (left, else top, else bottom) so it crosses no other cell.
    start = (j + p_w + 0.12, top - i - p_h / 2)
    if j == 0 or 0 < i < out_h - 1:
        end, rad = (x_out + j - 0.1, y_out - i - 0.5), 0.0
    elif i == 0:
        end, rad = (x_out + j + 0.5, y_out + 0.1), -0.35
    else:
        end, rad = (x_out + j + 0.5, y_out - out_h - 0.1), 0.35
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=22,
            linewidth=2.2,
            color=ACCENT,
            connectionstyle=f"arc3,rad={rad}",
            gid="arrow",
            zorder=5,
        )
    )
    ax.text(
        width / 2,
        formula_y,
        formula,
        ha="center",
        va="center",
        fontsize=14,
        color=TEXT,
        gid="formula",
        bbox={"boxstyle": "round,pad=0.35", "facecolor": ACCENT_FILL, "edgecolor": ACCENT},
        zorder=6,
    )
    return fig
