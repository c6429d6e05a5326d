"""Where RoIPool and RoIAlign read a feature map, drawn side by side (detection chapter).

The map is drawn as cells with their corners at whole numbers, so cell ``(r, c)`` covers
``[c, c+1] x [r, r+1]`` and its centre is at ``(c + 0.5, r + 0.5)``; rows go down. The
bins come from :func:`pooling_lib.roi.roi_pool_bins` and the sampling points from
:func:`pooling_lib.roi.roi_align_points`, which follow ``torchvision.ops``; a point at cell
coordinate ``(y, x)`` (centre of cell ``(r, c)`` at ``(r, c)``) is drawn at
``(x + 0.5, y + 0.5)``.

* Left, RoIPool: the box as given (dashed) and the bins of whole cells it is rounded to,
  each shaded; neighbouring bins may share a row or a column of cells.
* Right, RoIAlign: the box where torchvision samples it, its exact bins, and the sampling
  points; the four cells whose centres the first point interpolates between are shaded.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from pooling_book.drawing.palette import (
    ACCENT,
    ACCENT_FILL,
    CELL_FILL,
    GRID_EDGE,
    NATIVE,
    NATIVE_LIGHT,
    RECEIVE,
    TEXT,
)
from pooling_book.i18n import _
from pooling_lib.roi import roi_align_box, roi_align_points, roi_pool_bins

__all__ = ["draw_roi_sampling"]

BIN_FILLS = (ACCENT_FILL, NATIVE_LIGHT)


def _grid(ax, height: int, width: int, fills: dict[tuple[int, int], str]) -> None:
    for r in range(height):
        for c in range(width):
            ax.add_patch(
                Rectangle(
                    (c, r), 1, 1, facecolor=fills.get((r, c), CELL_FILL), edgecolor=GRID_EDGE,
                    linewidth=0.6, gid=f"{ax.get_gid()}-cell-{r}-{c}",
                )
            )  # fmt: skip
    ax.set_xlim(-0.3, width + 0.3)
    ax.set_ylim(height + 0.3, -0.3)  # rows go down
    ax.set_aspect("equal")
    ax.set_xticks([]), ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)


def draw_roi_sampling(
    map_size: tuple[int, int],
    box: Sequence[float],
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 2,
    aligned: bool = True,
) -> Figure:
    """RoIPool's bins (left) and RoIAlign's sampling points (right) for one box.

    Args:
        map_size: ``(H, W)`` of the feature map.
        box: ``(x1, y1, x2, y2)`` in image coordinates, as in ``torchvision.ops``.
        output_size: the bins, ``(H_out, W_out)`` or one int.
        spatial_scale: feature-map cells per image pixel.
        sampling_ratio, aligned: RoIAlign's arguments (see
            :func:`pooling_lib.roi.roi_align_points`).

    Returns:
        the figure; its artists carry gids: ``pool-bin-i-j``, ``align-bin-i-j``,
        ``align-point-i-j-a-b``, ``align-centre-k`` (the four cell centres the first point
        is interpolated from), ``pool-box``, ``align-box``, ``pool-cell-r-c``,
        ``align-cell-r-c``.
    """
    height, width = map_size
    bins = roi_pool_bins(box, output_size, spatial_scale, input_size=map_size)
    ys, xs = roi_align_points(box, output_size, spatial_scale, sampling_ratio, aligned)
    x1, y1, x2, y2 = (float(v) * spatial_scale for v in box)
    fig = Figure(figsize=(0.32 * (2 * width + 2), 0.32 * height + 0.6), dpi=100)
    pool_ax, align_ax = fig.subplots(1, 2)

    # RoIPool: every cell of a bin is shaded with the bin's colour (later bins on top).
    pool_ax.set_gid("pool")
    fills = {}
    for i, row in enumerate(bins):
        for j, ((r0, r1), (c0, c1)) in enumerate(row):
            for r in range(r0, r1):
                for c in range(c0, c1):
                    fills[(r, c)] = BIN_FILLS[(i + j) % 2]
    _grid(pool_ax, height, width, fills)
    for i, row in enumerate(bins):
        for j, ((r0, r1), (c0, c1)) in enumerate(row):
            inset = 0.08 * ((i + j) % 2)  # bins sharing cells stay visible
            pool_ax.add_patch(
                Rectangle(
                    (c0 + inset, r0 + inset), c1 - c0 - 2 * inset, r1 - r0 - 2 * inset,
                    fill=False, edgecolor=(ACCENT, NATIVE)[(i + j) % 2], linewidth=1.6,
                    gid=f"pool-bin-{i}-{j}",
                )
            )  # fmt: skip
    pool_ax.add_patch(
        Rectangle(
            (x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=TEXT, linestyle="--",
            linewidth=1.2, gid="pool-box",
        )
    )  # fmt: skip
    pool_ax.set_title(_("RoIPool: rounded box, max per bin"), fontsize=9)

    # RoIAlign: exact bins, points; the first point's four neighbouring cells shaded.
    align_ax.set_gid("align")
    y0, x0 = float(ys[0, 0]), float(xs[0, 0])
    r, c = max(int(y0), 0), max(int(x0), 0)
    neighbours = {(r + a, c + b): RECEIVE for a in (0, 1) for b in (0, 1)}
    _grid(align_ax, height, width, neighbours)
    for k, (rr, cc) in enumerate(neighbours):  # the centres the first point reads
        align_ax.plot(
            [cc + 0.5], [rr + 0.5], marker="+", markersize=6, linestyle="none", color=TEXT,
            gid=f"align-centre-{k}",
        )  # fmt: skip
    top, left, box_h, box_w = roi_align_box(box, spatial_scale, aligned)
    top, left = top + 0.5, left + 0.5  # cell coordinates to drawing coordinates
    bin_h, bin_w = box_h / ys.shape[0], box_w / xs.shape[0]
    for i in range(ys.shape[0]):
        for j in range(xs.shape[0]):
            align_ax.add_patch(
                Rectangle(
                    (left + j * bin_w, top + i * bin_h), bin_w, bin_h, fill=False,
                    edgecolor=(ACCENT, NATIVE)[(i + j) % 2], linewidth=1.2,
                    gid=f"align-bin-{i}-{j}",
                )
            )  # fmt: skip
            for a, y in enumerate(ys[i].tolist()):
                for b, x in enumerate(xs[j].tolist()):
                    align_ax.plot(
                        [x + 0.5], [y + 0.5], marker="o", markersize=3.5, linestyle="none",
                        color=(ACCENT, NATIVE)[(i + j) % 2], gid=f"align-point-{i}-{j}-{a}-{b}",
                    )  # fmt: skip
    align_ax.add_patch(
        Rectangle(
            (left, top), box_w, box_h, fill=False, edgecolor=TEXT, linewidth=1.2,
            gid="align-box",
        )
    )  # fmt: skip
    points = f"{ys.shape[1]}×{xs.shape[1]}"
    align_ax.set_title(
        _("RoIAlign: exact bins, mean of {points} samples").format(points=points), fontsize=9
    )
    fig.tight_layout()
    return fig
