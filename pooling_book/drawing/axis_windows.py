"""Pooling windows along one axis, listed and drawn (figures of the shape chapters).

Along one axis of ``size`` input cells, output ``i`` of a pooling layer reads the cells
``i*stride - padding + a*dilation`` for ``a = 0 .. kernel_size-1``. The output-size rule
(:func:`pooling_lib.shapes.pooled_size`) decides how many outputs there are:

    out = floor_or_ceil((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1

and, with ``ceil_mode``, drops a last window that would start in the right padding.

* :func:`pooling_windows` lists every window that rule *considers*, including the one
  ``ceil_mode`` drops (marked ``dropped``), so a figure can show why it is dropped;
* :func:`adaptive_windows` lists the windows of adaptive pooling,
  ``[floor(i*in/out), ceil((i+1)*in/out))``;
* :func:`draw_axis_windows` draws a list of windows, one row each, above the axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from pooling_book.drawing.geometry import BEYOND, INPUT, PAD, axis_kind
from pooling_book.drawing.palette import (
    ACCENT,
    ACCENT_FILL,
    CELL_FILL,
    CROSS,
    DROPPED,
    GRID_EDGE,
    MUTED_TEXT,
    PAD_FILL,
    TEXT,
)
from pooling_book.i18n import _
from pooling_lib.shapes import adaptive_bounds, pooled_size, window_positions

__all__ = ["AxisWindow", "adaptive_windows", "draw_axis_windows", "pooling_windows"]


@dataclass(frozen=True)
class AxisWindow:
    """One window along an axis: output ``index`` reads ``cells`` (positions, in order).

    Positions below 0 or at/after the input size lie in the padding or beyond it.
    ``dropped`` marks a window the output-size rule considers and then drops.
    """

    index: int
    cells: tuple[int, ...]
    dropped: bool = False


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}={value!r} must be an int")
    if value < low:
        raise ValueError(f"{name}={value!r} must be at least {low}")
    return value


def pooling_windows(
    size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> list[AxisWindow]:
    """The windows of 1-D pooling of ``size`` cells, in output order.

    Output size (the windows not ``dropped``; see :func:`pooling_lib.shapes.pooled_size`):
    ``floor_or_ceil((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``.
    With ``ceil_mode`` the list may end with one extra window marked ``dropped``: the one
    rounding up adds, but which would start in the right padding
    (``(out-1)*stride >= size + padding``). ``stride=None`` means ``kernel_size``.

    >>> [w.cells for w in pooling_windows(5, 2, 2, padding=1, ceil_mode=True)]
    [(-1, 0), (1, 2), (3, 4), (5, 6)]
    >>> [w.dropped for w in pooling_windows(5, 2, 2, padding=1, ceil_mode=True)]
    [False, False, False, True]
    """
    size = _check_int("size", size, 1)
    kernel_size = _check_int("kernel_size", kernel_size, 1)
    stride = kernel_size if stride is None else _check_int("stride", stride, 1)
    padding = _check_int("padding", padding, 0)
    dilation = _check_int("dilation", dilation, 1)
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode={ceil_mode!r} must be a bool")
    kept = pooled_size(size, kernel_size, stride, padding, dilation, ceil_mode)
    # Rounding up is rounding down on an axis stride - 1 cells longer: ceil(n/s) = floor((n+s-1)/s).
    # So the windows ceil_mode considers, before it drops one, are pooled_size's floor count there.
    considered = kept
    if ceil_mode:
        considered = pooled_size(size + stride - 1, kernel_size, stride, padding, dilation)
    return [
        AxisWindow(
            i, tuple(window_positions(i, kernel_size, stride, padding, dilation)), dropped=i >= kept
        )
        for i in range(max(considered, 0))
    ]


def adaptive_windows(in_size: int, out_size: int) -> list[AxisWindow]:
    """The windows of adaptive pooling from ``in_size`` to ``out_size`` cells.

    Output ``i`` reads ``range(floor(i*in_size/out_size), ceil((i+1)*in_size/out_size))``
    (:func:`pooling_lib.shapes.adaptive_bounds`, PyTorch's rule).

    >>> [w.cells for w in adaptive_windows(5, 3)]
    [(0, 1), (1, 2, 3), (3, 4)]
    """
    in_size = _check_int("in_size", in_size, 1)
    out_size = _check_int("out_size", out_size, 1)
    return [
        AxisWindow(i, tuple(range(*adaptive_bounds(i, in_size, out_size)))) for i in range(out_size)
    ]


def draw_axis_windows(
    size: int,
    windows: Sequence[AxisWindow],
    padding: int = 0,
    title: str | None = None,
    values: Sequence[object] | None = None,
) -> Figure:
    """Draw ``windows`` over an axis of ``size`` input cells with ``padding`` on each side.

    The top row is the axis: input cells numbered ``0 .. size-1`` (or labelled with
    ``values``), padding cells grey, cells beyond the padding (reached only by windows
    that ``ceil_mode`` adds) hatched. Below it, one row per window: the cells it reads,
    filled (orange on input cells, grey on padding, hatched beyond the padding), joined by
    a line across dilation gaps; a ``dropped`` window is drawn grey and crossed out.

    Returns a :class:`matplotlib.figure.Figure` (display it as a cell's last expression).
    Patches carry gids ``'axis-<pos>'`` and ``'window-<index>-<pos>'``.
    """
    size = _check_int("size", size, 1)
    padding = _check_int("padding", padding, 0)
    if values is not None and len(values) != size:
        raise ValueError(f"values must hold size={size} labels, got {len(values)}")
    positions = [c for w in windows for c in w.cells]
    lo = min([-padding, *positions])
    hi = max([size + padding - 1, *positions])
    n_rows = len(windows) + 1
    label_w = 2.2
    fig = Figure(figsize=(0.45 * (hi - lo + 1 + label_w) + 0.4, 0.45 * n_rows + 0.7), dpi=100)
    ax = fig.add_axes((0, 0, 1, 0.86 if title else 1))
    ax.set_xlim(lo - label_w, hi + 1.2)
    ax.set_ylim(-n_rows - 0.2, 0.4)
    ax.set_aspect("equal")
    ax.axis("off")

    def kind(pos: int) -> str:
        return axis_kind(pos, size, padding)

    for pos in range(lo, hi + 1):
        k = kind(pos)
        inside = k == INPUT
        ax.add_patch(
            Rectangle(
                (pos, -1), 1, 0.9, facecolor=CELL_FILL if k != PAD else PAD_FILL,
                edgecolor=GRID_EDGE, linestyle="-" if inside else "--",
                hatch="///" if k == BEYOND else None, gid=f"axis-{pos}",
            )
        )  # fmt: skip
        if k == BEYOND:
            continue
        label = (str(values[pos]) if values is not None else str(pos)) if inside else _("pad")
        ax.text(
            pos + 0.5, -0.55, label, ha="center", va="center",
            fontsize=9 if inside else 7, color=TEXT if inside else MUTED_TEXT,
        )  # fmt: skip
    ax.text(lo - label_w + 0.1, -0.55, _("input"), va="center", fontsize=10, color=TEXT)

    for row, window in enumerate(windows, start=2):
        y = -row
        edge = DROPPED if window.dropped else ACCENT
        if len(window.cells) > 1:
            ax.plot(
                [window.cells[0] + 0.5, window.cells[-1] + 0.5], [y + 0.45, y + 0.45],
                color=edge, linewidth=1.2, zorder=1,
            )  # fmt: skip
        for pos in window.cells:
            k = kind(pos)
            face = CELL_FILL if window.dropped else (ACCENT_FILL if k == INPUT else PAD_FILL)
            ax.add_patch(
                Rectangle(
                    (pos + 0.08, y + 0.08), 0.84, 0.74, facecolor=face, edgecolor=edge,
                    linewidth=1.5, hatch="///" if k == BEYOND else None, zorder=2,
                    gid=f"window-{window.index}-{pos}",
                )
            )  # fmt: skip
        name = _("out {index}").format(index=window.index)
        ax.text(lo - label_w + 0.1, y + 0.45, name, va="center", fontsize=10, color=edge)
        if window.dropped:
            x0, x1 = window.cells[0] + 0.1, window.cells[-1] + 0.9
            ax.plot([x0, x1], [y + 0.15, y + 0.75], color=CROSS, linewidth=1.5, zorder=3)
            ax.plot([x0, x1], [y + 0.75, y + 0.15], color=CROSS, linewidth=1.5, zorder=3)
    if title:
        fig.suptitle(_(title), fontsize=10, y=0.98)
    return fig
