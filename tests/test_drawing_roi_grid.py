"""pooling_book.drawing.roi_grid: the figure draws RoIPool's bins and RoIAlign's sampling
points where pooling_lib.roi (checked against torchvision in test_lib_roi.py) puts them."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from pooling_book.drawing.roi_grid import draw_roi_sampling
from pooling_lib.roi import roi_align_box, roi_align_points, roi_pool_bins

CASES = [
    ((7, 9), (1.4, 0.6, 6.3, 4.4), (2, 3), 1.0, 2, True),
    ((8, 10), (1.2, 0.6, 7.7, 5.4), (2, 3), 1.0, -1, False),  # bins that share cells
    ((6, 6), (8.0, 4.0, 40.0, 36.0), 2, 1 / 8, 3, True),
]


def _gids(fig: Figure) -> dict[str, object]:
    found = {}
    for ax in fig.axes:
        for artist in list(ax.patches) + list(ax.lines):
            if artist.get_gid():
                assert artist.get_gid() not in found, "gids are unique"
                found[artist.get_gid()] = artist
    return found


@pytest.mark.parametrize("map_size, box, output_size, scale, ratio, aligned", CASES)
def test_bins_and_points_are_drawn_where_the_library_puts_them(
    map_size, box, output_size, scale, ratio, aligned
):
    fig = draw_roi_sampling(map_size, box, output_size, scale, ratio, aligned)
    gids = _gids(fig)
    bins = roi_pool_bins(box, output_size, scale, input_size=map_size)
    for i, row in enumerate(bins):
        for j, ((r0, r1), (c0, c1)) in enumerate(row):
            x, y = gids[f"pool-bin-{i}-{j}"].get_xy()
            w, h = gids[f"pool-bin-{i}-{j}"].get_width(), gids[f"pool-bin-{i}-{j}"].get_height()
            assert abs(x - c0) < 0.1 and abs(x + w - c1) < 0.1  # drawn inset by at most 0.08
            assert abs(y - r0) < 0.1 and abs(y + h - r1) < 0.1
    ys, xs = roi_align_points(box, output_size, scale, ratio, aligned)
    points = {g: a for g, a in gids.items() if g.startswith("align-point-")}
    assert len(points) == ys.numel() * xs.numel()
    for gid, line in points.items():
        i, j, a, b = (int(v) for v in gid.split("-")[2:])
        assert line.get_xdata()[0] == pytest.approx(float(xs[j, b]) + 0.5)
        assert line.get_ydata()[0] == pytest.approx(float(ys[i, a]) + 0.5)
    top, left, height, width = roi_align_box(box, scale, aligned)
    frame = gids["align-box"]
    assert frame.get_xy() == pytest.approx((left + 0.5, top + 0.5))
    assert (frame.get_width(), frame.get_height()) == pytest.approx((width, height))
    assert sum(g.startswith("pool-cell-") for g in gids) == map_size[0] * map_size[1]


def test_the_first_point_lies_between_the_four_centres_that_are_marked():
    fig = draw_roi_sampling((7, 9), (1.4, 0.6, 6.3, 4.4), (2, 3))
    gids = _gids(fig)
    px, py = gids["align-point-0-0-0-0"].get_xdata()[0], gids["align-point-0-0-0-0"].get_ydata()[0]
    centres = [(gids[f"align-centre-{k}"].get_xdata()[0], gids[f"align-centre-{k}"].get_ydata()[0])
               for k in range(4)]  # fmt: skip
    xs, ys = sorted({c[0] for c in centres}), sorted({c[1] for c in centres})
    assert xs[1] - xs[0] == 1 and ys[1] - ys[0] == 1
    assert xs[0] <= px <= xs[1] and ys[0] <= py <= ys[1]
