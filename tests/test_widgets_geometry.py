"""The explorer's geometry and text, checked against PyTorch itself.

Every window the explorer would highlight must read exactly the values PyTorch pools:
for random settings the value recomputed from the highlighted cells (``window_value``)
equals ``torch.nn.functional``'s output, and the torch.nn call the explorer prints builds
a layer that gives that output.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from pooling_lib.shapes import pooled_size
from pooling_lib.widgets.explain import (
    arithmetic,
    divisor,
    fmt_cell,
    fmt_result,
    shape_formula,
    torch_call,
    window_value,
)
from pooling_lib.widgets.geometry import BEYOND, INPUT, PAD, Window, cell_kind, extent
from pooling_lib.widgets.settings import PoolSettings


def torch_pool(x: torch.Tensor, s: PoolSettings) -> torch.Tensor:
    s = s.effective()
    if s.mode == "max":
        return F.max_pool2d(x, s.kernel, s.step, s.padding, s.dilation, s.ceil_mode)
    if s.mode == "avg":
        return F.avg_pool2d(x, s.kernel, s.step, s.padding, s.ceil_mode, s.count_include_pad)
    return F.lp_pool2d(x, s.norm_type, s.kernel, s.step, s.ceil_mode)


@st.composite
def cases(draw):
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    mode = draw(st.sampled_from(["max", "avg", "lp"]))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = PoolSettings.create(
        mode,
        kernel,
        stride,
        padding,
        dilation,
        ceil_mode=draw(st.booleans()),
        count_include_pad=draw(st.booleans()),
        norm_type=draw(st.sampled_from([1, 2, 3])),
    ).effective()
    out = [
        pooled_size((h, w)[a], s.kernel[a], s.step[a], s.padding[a], s.dilation[a], s.ceil_mode)
        for a in range(2)
    ]
    seed = draw(st.integers(0, 2**16))
    return h, w, s, tuple(out), seed


@settings(max_examples=60, deadline=None)
@given(cases())
def test_highlighted_cells_give_torch_value(case):
    h, w, s, out, seed = case
    if min(out) < 1:
        return  # no output: nothing is highlighted (the widget shows pooling_lib's message)
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 10, (1, 1, h, w), generator=g).float()
    if s.mode == "lp":
        x = x + 1  # positive: the p-th root of a negative sum is NaN in PyTorch too
    expected = torch_pool(x, s)[0, 0]
    assert tuple(expected.shape) == out
    plane = x[0, 0].tolist()
    for i in range(out[0]):
        for j in range(out[1]):
            window = Window.at((i, j), (h, w), s.kernel, s.step, s.padding, s.dilation)
            assert window.cells_of(INPUT), "every window reads at least one input cell"
            got = window_value(plane, window, s)
            assert math.isclose(got, float(expected[i, j]), rel_tol=1e-5, abs_tol=1e-5), (
                s,
                (i, j),
                window.cells,
            )


@settings(max_examples=40, deadline=None)
@given(cases())
def test_extent_covers_every_window_and_the_padding(case):
    h, w, s, out, _ = case
    if min(out) < 1:
        return
    rows = extent(h, out[0], s.kernel[0], s.step[0], s.padding[0], s.dilation[0])
    cols = extent(w, out[1], s.kernel[1], s.step[1], s.padding[1], s.dilation[1])
    assert rows[0] == -s.padding[0] and rows[1] >= h + s.padding[0]
    assert cols[0] == -s.padding[1] and cols[1] >= w + s.padding[1]
    for i in range(out[0]):
        for j in range(out[1]):
            window = Window.at((i, j), (h, w), s.kernel, s.step, s.padding, s.dilation)
            r0, c0, r1, c1 = window.box
            assert rows[0] <= r0 and r1 <= rows[1] and cols[0] <= c0 and c1 <= cols[1]
            if not s.ceil_mode:
                assert not window.overhangs


def test_max_indices_fall_inside_the_highlighted_window():
    x = torch.randn(1, 1, 6, 7, generator=torch.Generator().manual_seed(0))
    s = PoolSettings.create("max", (3, 2), (2, 3), (1, 1), (2, 2), ceil_mode=True)
    y, idx = F.max_pool2d(x, (3, 2), (2, 3), (1, 1), (2, 2), True, return_indices=True)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            window = Window.at((i, j), (6, 7), s.kernel, s.step, s.padding, s.dilation)
            r, c = divmod(int(idx[0, 0, i, j]), 7)
            assert (r, c) in window.cells_of(INPUT)


def test_dilation_leaves_gaps_inside_the_box():
    window = Window.at((0, 0), (5, 5), (2, 2), (1, 1), (0, 0), (2, 2))
    assert window.cells == [(0, 0), (0, 2), (2, 0), (2, 2)]
    assert window.box == (0, 0, 3, 3)
    assert window.gaps == [(0, 1), (1, 0), (1, 1), (1, 2), (2, 1)]
    assert Window.at((0, 0), (5, 5), (2, 2), (1, 1), (0, 0), (1, 1)).gaps == []


def test_cell_kinds_padding_and_beyond():
    assert cell_kind(-1, 0, (4, 4), (1, 1)) == PAD
    assert cell_kind(4, 2, (4, 4), (1, 1)) == PAD
    assert cell_kind(5, 2, (4, 4), (1, 1)) == BEYOND
    assert cell_kind(2, 5, (4, 4), (1, 0)) == BEYOND
    assert cell_kind(0, 3, (4, 4), (0, 0)) == INPUT


def test_ceil_mode_window_hangs_over_the_edge():
    # 5 wide, kernel 2, stride 2, ceil_mode: 3 windows, the last reads column 4 and 5 (beyond).
    s = PoolSettings.create("avg", 2, ceil_mode=True)
    assert pooled_size(5, 2, 2, 0, 1, True) == 3
    window = Window.at((2, 2), (5, 5), s.kernel, s.step, s.padding, s.dilation)
    assert window.overhangs
    assert window.cells_of(INPUT) == [(4, 4)]
    assert divisor(window, s) == 1
    assert extent(5, 3, 2, 2, 0, 1) == (0, 6)


def test_seed_arithmetic_texts():
    plane = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
    window = Window.at((0, 0), (3, 3), (2, 2), (1, 1), (0, 0), (1, 1))
    assert arithmetic(plane, window, PoolSettings.create("max", 2, 1), 4.0) == "max(0, 1, 3, 4) = 4"
    avg = PoolSettings.create("avg", 2, 1)
    assert arithmetic(plane, window, avg, 2.0) == "(0 + 1 + 3 + 4) / 4 = 2.0"


def test_padding_reads_minus_inf_or_zero_and_divisor_follows_count_include_pad():
    plane = [[float(v) for v in range(r * 4, r * 4 + 4)] for r in range(4)]
    window = Window.at((0, 0), (4, 4), (3, 3), (2, 2), (1, 1), (1, 1))
    mx = PoolSettings.create("max", 3, 2, 1)
    assert arithmetic(plane, window, mx, 5.0) == "max(−∞, −∞, −∞, −∞, 0, 1, −∞, 4, 5) = 5"
    inc = PoolSettings.create("avg", 3, 2, 1, count_include_pad=True)
    exc = PoolSettings.create("avg", 3, 2, 1, count_include_pad=False)
    assert arithmetic(plane, window, inc, 10 / 9) == (
        "(0 + 0 + 0 + 0 + 0 + 1 + 0 + 4 + 5) / 9 = 1.111"
    )
    assert arithmetic(plane, window, exc, 2.5) == "(0 + 1 + 4 + 5) / 4 = 2.5"


def test_lp_arithmetic_including_the_ceil_mode_scaling():
    plane = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    s = PoolSettings.create("lp", 2, norm_type=2, ceil_mode=True)
    full = Window.at((0, 0), (3, 3), (2, 2), (2, 2), (0, 0), (1, 1))
    value = float(F.lp_pool2d(torch.tensor(plane)[None, None], 2, 2, ceil_mode=True)[0, 0, 0, 0])
    assert arithmetic(plane, full, s, value) == f"(1² + 2² + 4² + 5²)^(1/2) = {fmt_result(value)}"
    edge = Window.at((1, 1), (3, 3), (2, 2), (2, 2), (0, 0), (1, 1))
    torch_edge = float(
        F.lp_pool2d(torch.tensor(plane)[None, None], 2, 2, ceil_mode=True)[0, 0, 1, 1]
    )
    assert math.isclose(window_value(plane, edge, s), torch_edge, rel_tol=1e-6)
    assert (
        arithmetic(plane, edge, s, torch_edge) == f"((9²) · 4/1)^(1/2) = {fmt_result(torch_edge)}"
    )
    one = PoolSettings.create("lp", 2, norm_type=1)
    assert arithmetic(plane, full, one, 12.0) == "(1 + 2 + 4 + 5) = 12.0"


def test_shape_formula_is_filled_in_and_ends_in_pooled_size():
    s = PoolSettings.create("max", 3, 2, 1)
    assert shape_formula((4, 4), s, (2, 2)) == [
        "H_out = ⌊(4 + 2·1 − 1·(3−1) − 1) / 2⌋ + 1 = ⌊3/2⌋ + 1 = 2",
        "W_out = ⌊(4 + 2·1 − 1·(3−1) − 1) / 2⌋ + 1 = ⌊3/2⌋ + 1 = 2",
    ]
    # ceil_mode drops a last window that would start in the right padding: 5, k=2, s=2, p=1.
    c = PoolSettings.create("max", 2, 2, 1, ceil_mode=True)
    out = pooled_size(5, 2, 2, 1, 1, True)
    line = shape_formula((5, 5), c, (out, out))[0]
    assert line.startswith("H_out = ⌈(5 + 2·1 − 1·(2−1) − 1) / 2⌉ + 1 = ⌈5/2⌉ + 1 = 4 − 1 = 3")
    assert "right padding" in line and out == 3


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        (
            dict(mode="max", kernel_size=3, stride=2, padding=1),
            "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)",
        ),
        (dict(mode="max", kernel_size=3), "nn.MaxPool2d(kernel_size=3)"),
        (
            dict(mode="max", kernel_size=(2, 3), stride=(2, 3), padding=(0, 1)),
            "nn.MaxPool2d(kernel_size=(2, 3), padding=(0, 1))",
        ),
        (
            dict(
                mode="avg",
                kernel_size=3,
                stride=1,
                padding=1,
                count_include_pad=False,
                ceil_mode=True,
            ),
            "nn.AvgPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True, "
            "count_include_pad=False)",
        ),
        (
            dict(mode="max", kernel_size=2, stride=1, dilation=2),
            "nn.MaxPool2d(kernel_size=2, stride=1, dilation=2)",
        ),
        (
            dict(mode="lp", kernel_size=2, norm_type=3, padding=1),
            "nn.LPPool2d(norm_type=3, kernel_size=2)",
        ),
    ],
)
def test_torch_call_text_builds_the_same_pooling(kwargs, text):
    s = PoolSettings.create(**kwargs)
    assert torch_call(s) == text
    layer = eval(text, {"nn": nn})  # the text is valid Python for the same layer
    x = torch.arange(30.0).reshape(1, 1, 5, 6)
    torch.testing.assert_close(layer(x), torch_pool(x, s))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (4.0, "4"),
        (-3.0, "-3"),
        (2.5, "2.5"),
        (10 / 9, "1.11"),
        (-0.0512, "-0.05"),
        (-0.001, "0"),
        (-33.78, "-33.8"),
        (102.32, "102.3"),
        (12345.6, "1.23e+04"),
        (float("-inf"), "−∞"),
    ],
)
def test_cell_labels_stay_short(value, text):
    assert fmt_cell(value) == text
