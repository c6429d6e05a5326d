"""pooling_lib.roi: the bins of RoIPool and the sampling points of RoIAlign are those of
torchvision.ops: pooling the map over them gives torchvision's outputs."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torchvision.ops import roi_align, roi_pool

from pooling_lib.roi import roi_align_points, roi_pool_bins
from tests.strategies import LIB

H, W = 9, 11


@st.composite
def boxes(draw, inside=False):
    scale = draw(st.sampled_from([1.0, 0.5, 0.25]))
    lo = 0.0 if inside else -3.0
    coords = [draw(st.floats(lo, (s - 1) / scale, width=32)) for s in (W, H, W, H)]
    x1, x2 = sorted(coords[0::2])
    y1, y2 = sorted(coords[1::2])
    size = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    return (x1, y1, x2, y2), size, scale


def _feature_map(seed=0):
    return torch.randn(1, 2, H, W, generator=torch.Generator().manual_seed(seed))


def pool_bins(x, bins):
    """Max over each bin's cells; 0 for an empty bin, as torchvision."""
    out = torch.zeros(x.shape[1], len(bins), len(bins[0]))
    for i, row in enumerate(bins):
        for j, ((r0, r1), (c0, c1)) in enumerate(row):
            if r1 > r0 and c1 > c0:
                out[:, i, j] = x[0, :, r0:r1, c0:c1].amax(dim=(-2, -1))
    return out


@LIB
@given(boxes())
def test_roi_pool_bins_give_torchvisions_roi_pool(case):
    box, size, scale = case
    x = _feature_map()
    expected = roi_pool(x, torch.tensor([[0.0, *box]]), size, spatial_scale=scale)[0]
    got = pool_bins(x, roi_pool_bins(box, size, scale, input_size=(H, W)))
    assert torch.equal(got, expected)


def test_roi_pool_is_adaptive_max_pooling_of_the_rounded_crop():
    x = _feature_map(1)
    box = (1.4, 2.6, 8.5, 7.2)  # rounded: columns 1..9 (8.5 rounds up), rows 3..7
    bins = roi_pool_bins(box, (2, 3))
    assert bins[0][0] == ((3, 6), (1, 4)) and bins[-1][-1] == ((5, 8), (7, 10))
    crop = x[..., 3:8, 1:10]
    expected = roi_pool(x, torch.tensor([[0.0, *box]]), (2, 3))
    assert torch.equal(F.adaptive_max_pool2d(crop, (2, 3)), expected)


@pytest.mark.parametrize("n, m", [(7, 13), (14, 13), (188, 11), (8, 7), (5, 2), (9, 3)])
def test_roi_pool_bins_follow_torchvisions_float32_bin_arithmetic(n, m):
    """A box of n cells into m bins. For (7, 13), (14, 13) and (188, 11), i * (n/m) in float32
    lands just above an integer and the last bin reaches one cell past the adaptive window;
    an increasing map shows that cell, since each bin's maximum is its last cell."""
    x = torch.arange(n + 2, dtype=torch.float32).expand(1, 1, 1, n + 2).contiguous()
    box = (0.0, 0.0, float(n - 1), 0.0)
    expected = roi_pool(x, torch.tensor([[0.0, *box]]), (1, m))[0]
    got = pool_bins(x, roi_pool_bins(box, (1, m), input_size=(1, n + 2)))
    assert torch.equal(got, expected)


def test_roi_pool_bins_widen_the_last_bin_of_14_cells_into_13():
    bins = roi_pool_bins((0, 0, 13, 0), (1, 13))[0]
    assert bins[12] == ((0, 1), (12, 15)) and bins[11] == ((0, 1), (11, 13))


def align_by_grid_sample(x, ys, xs):
    """The mean of bilinear samples at every (ys[i, a], xs[j, b]), by grid_sample."""
    h, w = x.shape[-2:]
    gy = ys.reshape(-1)[:, None].expand(-1, xs.numel())
    gx = xs.reshape(-1)[None, :].expand(ys.numel(), -1)
    grid = torch.stack([2 * gx / (w - 1) - 1, 2 * gy / (h - 1) - 1], dim=-1)[None].float()
    samples = F.grid_sample(x, grid, mode="bilinear", align_corners=True)[0]
    m, gh = ys.shape
    n, gw = xs.shape
    return samples.reshape(x.shape[1], m, gh, n, gw).mean(dim=(2, 4))


@LIB
@given(boxes(inside=True), st.sampled_from([-1, 1, 2, 3]), st.booleans())
def test_roi_align_points_give_torchvisions_roi_align(case, sampling_ratio, aligned):
    box, size, scale = case
    ys, xs = roi_align_points(box, size, scale, sampling_ratio, aligned)
    # bilinear interpolation by grid_sample agrees with torchvision's inside the map
    inside = (ys >= 0).all() and (ys <= H - 1).all() and (xs >= 0).all() and (xs <= W - 1).all()
    if not inside or ys.numel() == 0 or xs.numel() == 0:
        return
    x = _feature_map(2)
    expected = roi_align(x, torch.tensor([[0.0, *box]]), size, scale, sampling_ratio, aligned)[0]
    torch.testing.assert_close(align_by_grid_sample(x, ys, xs), expected, rtol=1e-5, atol=1e-5)


def test_roi_align_adaptive_sampling_ratio_and_alignment():
    ys, xs = roi_align_points((0.0, 0.0, 8.0, 5.0), (2, 2))
    assert ys.shape == (2, 3) and xs.shape == (2, 4)  # ceil(2.5) rows, ceil(4) columns per bin
    ys, _ = roi_align_points((0.0, 0.0, 8.0, 4.0), 2, sampling_ratio=1, aligned=False)
    assert ys.flatten().tolist() == [1.0, 3.0]
    ys, _ = roi_align_points((0.0, 0.0, 8.0, 4.0), 2, sampling_ratio=1, aligned=True)
    assert ys.flatten().tolist() == [0.5, 2.5]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: roi_pool_bins((0, 0, 1), 2), ValueError, "box=.0, 0, 1. must be 4 numbers"),
        (lambda: roi_pool_bins((0, 0, 1, "a"), 2), TypeError, "must be 4 numbers"),
        (lambda: roi_pool_bins((0, 0, 1, 1), 0), ValueError, "output_size=0 must be positive"),
        (lambda: roi_pool_bins((0, 0, 1, 1), 2, spatial_scale=0), ValueError, "spatial_scale=0"),
        (lambda: roi_align_points((0, 0, 1, 1), 2, sampling_ratio=1.5), TypeError, "1.5"),
        (lambda: roi_align_points((0, 0, 1, 1), 2, aligned=1), TypeError, "aligned=1"),
        (lambda: roi_align_points((0, 0, float("nan"), 1), 2), ValueError, "finite"),
    ],
)
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=f"^roi_(pool_bins|align_points): .*{words}"):
        call()
