"""pooling_book.drawing.axis_windows: the windows it lists are the ones PyTorch pools, and the
figure draws them."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from pooling_book.drawing.axis_windows import (
    AxisWindow,
    adaptive_windows,
    draw_axis_windows,
    pooling_windows,
)
from pooling_lib.shapes import pooled_size

SETTINGS = [
    (n, k, s, p, d, ceil_mode)
    for n in range(1, 11)
    for k in range(1, 5)
    for s in range(1, 4)
    for p in range(0, k // 2 + 1)
    for d in range(1, 3)
    for ceil_mode in (False, True)
    if pooled_size(n, k, s, p, d, ceil_mode) >= 1
]


def test_settings_cover_the_interesting_cases():
    dropped = [c for c in SETTINGS if any(w.dropped for w in pooling_windows(*c))]
    overhang = [
        c for c in SETTINGS if any(max(w.cells) >= c[0] + c[3] for w in pooling_windows(*c))
    ]
    assert len(SETTINGS) > 500 and len(dropped) > 10 and len(overhang) > 50


@pytest.mark.parametrize("n, k, s, p, d, ceil_mode", SETTINGS[::7])
def test_windows_are_the_ones_pytorch_pools(n, k, s, p, d, ceil_mode):
    windows = pooling_windows(n, k, s, p, d, ceil_mode)
    kept = [w for w in windows if not w.dropped]
    assert len(kept) == pooled_size(n, k, s, p, d, ceil_mode)
    assert [w.index for w in windows] == list(range(len(windows)))
    # Only the last window can be dropped, and only because it starts in the right padding.
    assert all(not w.dropped for w in windows[:-1])
    if windows[-1].dropped:
        assert ceil_mode and windows[-1].cells[0] >= n
    # On an increasing input, max pooling picks the largest input cell of each window,
    # on a decreasing one the smallest: both ends of every window match PyTorch's indices.
    up = torch.arange(n, dtype=torch.float64).reshape(1, 1, n)
    _, last = F.max_pool1d(up, k, s, p, d, ceil_mode, return_indices=True)
    _, first = F.max_pool1d(up.flip(-1), k, s, p, d, ceil_mode, return_indices=True)
    for w, hi, lo in zip(kept, last.flatten().tolist(), first.flatten().tolist(), strict=True):
        inside = [c for c in w.cells if 0 <= c < n]
        if inside:  # PyTorch's index is meaningless for a window of padding only
            assert (min(inside), max(inside)) == (lo, hi)
        assert w.cells == tuple(w.index * s - p + a * d for a in range(k))


def test_the_dropped_window_of_the_chapter():
    windows = pooling_windows(5, 2, 2, padding=1, ceil_mode=True)
    assert [w.cells for w in windows] == [(-1, 0), (1, 2), (3, 4), (5, 6)]
    assert [w.dropped for w in windows] == [False, False, False, True]
    assert [w.dropped for w in pooling_windows(5, 2, 2, padding=1)] == [False] * 3


@pytest.mark.parametrize("in_size, out_size", [(7, 3), (5, 3), (3, 5), (10, 4), (6, 6), (1, 2)])
def test_adaptive_windows_match_pytorch(in_size, out_size):
    windows = adaptive_windows(in_size, out_size)
    up = torch.arange(in_size, dtype=torch.float64).reshape(1, 1, in_size)
    _, last = F.adaptive_max_pool1d(up, out_size, return_indices=True)
    _, first = F.adaptive_max_pool1d(up.flip(-1), out_size, return_indices=True)
    assert [w.cells[-1] for w in windows] == last.flatten().tolist()
    assert [w.cells[0] for w in windows] == first.flatten().tolist()
    assert all(w.cells == tuple(range(w.cells[0], w.cells[-1] + 1)) for w in windows)


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="stride=0 must be at least 1"):
        pooling_windows(5, 2, 0)
    with pytest.raises(TypeError, match="kernel_size=2.0 must be an int"):
        pooling_windows(5, 2.0)
    with pytest.raises(TypeError, match="ceil_mode=1 must be a bool"):
        pooling_windows(5, 2, ceil_mode=1)
    with pytest.raises(ValueError, match="out_size=0 must be at least 1"):
        adaptive_windows(5, 0)
    with pytest.raises(ValueError, match="values must hold size=3 labels, got 2"):
        draw_axis_windows(3, [], values=["a", "b"])


def _gids(fig: Figure) -> dict[str, object]:
    return {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}


def test_figure_draws_each_cell_of_each_window():
    windows = pooling_windows(4, 3, 2, ceil_mode=True)  # the second window overhangs
    fig = draw_axis_windows(4, windows, title="t")
    gids = _gids(fig)
    assert {g for g in gids if g.startswith("window-")} == {
        f"window-{w.index}-{c}" for w in windows for c in w.cells
    }
    assert {g for g in gids if g.startswith("axis-")} == {f"axis-{c}" for c in range(5)}
    assert gids["axis-4"].get_hatch() == "///" and gids["window-1-4"].get_hatch() == "///"
    assert gids["window-1-3"].get_hatch() is None
    assert fig._suptitle.get_text() == "t"


def test_figure_crosses_out_a_dropped_window():
    fig = draw_axis_windows(5, pooling_windows(5, 2, 2, padding=1, ceil_mode=True), padding=1)
    red = [line for line in fig.axes[0].lines if line.get_color() == "#c0392b"]
    assert len(red) == 2  # the two strokes of the cross, over the dropped window (cells 5, 6)
    assert all(min(line.get_xdata()) >= 5 for line in red)
    kept = draw_axis_windows(5, pooling_windows(5, 2, 2, padding=1), padding=1)
    assert not [line for line in kept.axes[0].lines if line.get_color() == "#c0392b"]


def test_figure_labels_with_values():
    fig = draw_axis_windows(3, [AxisWindow(0, (0, 1))], values=["a", "b", "c"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert ["a", "b", "c"] == [t for t in texts if t in "abc"]
