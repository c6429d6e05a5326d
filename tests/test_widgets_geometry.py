"""The one window geometry (``pooling_book.drawing.geometry``) and the one settings dataclass
(``pooling_book.settings``), checked against PyTorch itself.

Every window the drawings and the explorer highlight must read exactly the values PyTorch
pools: for random settings the max or the sum recomputed from the window's input cells equals
``torch.nn.functional``'s output.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from pooling_book.drawing.geometry import (
    BEYOND,
    INPUT,
    PAD,
    Window,
    cell_kind,
    extent,
    output_shape,
)
from pooling_book.settings import PoolSettings


@st.composite
def cases(draw):
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    mode = draw(st.sampled_from(["max", "avg"]))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = PoolSettings.create(
        mode,
        k,
        (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2))),
        (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        ceil_mode=draw(st.booleans()),
    ).effective()
    return h, w, s, draw(st.integers(0, 2**16))


@settings(max_examples=60, deadline=None)
@given(cases())
def test_window_cells_give_torch_value(case):
    h, w, s, seed = case
    out = output_shape((h, w), s.kernel_size, s.step, s.padding, s.dilation, s.ceil_mode)
    if min(out) < 1:
        return  # no output: the explorer shows pooling_lib's message instead
    x = torch.randint(0, 10, (1, 1, h, w), generator=torch.Generator().manual_seed(seed)).float()
    if s.mode == "max":
        expected = F.max_pool2d(x, s.kernel_size, s.step, s.padding, s.dilation, s.ceil_mode)
    else:
        expected = F.avg_pool2d(x, s.kernel_size, s.step, s.padding, s.ceil_mode, True, 1)
    assert tuple(expected.shape[-2:]) == out
    for i in range(out[0]):
        for j in range(out[1]):
            window = Window.at((i, j), (h, w), s.kernel_size, s.step, s.padding, s.dilation)
            values = [float(x[0, 0, r, c]) for r, c in window.cells_of(INPUT)]
            if s.mode == "max":
                got = max(values) if values else -math.inf
                assert window.all_padding == (not values)
            else:
                got = sum(values)  # divisor_override=1: the window sum
            assert got == float(expected[0, 0, i, j]), (s, (i, j), window.cells)


@settings(max_examples=40, deadline=None)
@given(cases())
def test_extent_covers_every_window_and_the_padding(case):
    h, w, s, _ = case
    out = output_shape((h, w), s.kernel_size, s.step, s.padding, s.dilation, s.ceil_mode)
    if min(out) < 1:
        return
    rows = extent(h, out[0], s.kernel_size[0], s.step[0], s.padding[0], s.dilation[0])
    cols = extent(w, out[1], s.kernel_size[1], s.step[1], s.padding[1], s.dilation[1])
    assert rows[0] == -s.padding[0] and rows[1] >= h + s.padding[0]
    for i in range(out[0]):
        for j in range(out[1]):
            window = Window.at((i, j), (h, w), s.kernel_size, s.step, s.padding, s.dilation)
            r0, c0, r1, c1 = window.box
            assert rows[0] <= r0 and r1 <= rows[1] and cols[0] <= c0 and c1 <= cols[1]
            if not s.ceil_mode:
                assert not window.overhangs


def test_dilated_window_of_padding_only():
    """size 2, kernel 2, padding 1, dilation 3: the only window reads positions -1 and 2."""
    window = Window.at((0, 0), (2, 2), (2, 2), (1, 1), (1, 1), (3, 3))
    assert window.rows == (-1, 2) and window.all_padding
    y = F.max_pool2d(torch.ones(1, 1, 2, 2), 2, 1, 1, 3)
    assert y.shape[-2:] == (1, 1) and y.item() == -math.inf


def test_dilation_leaves_gaps_inside_the_box():
    window = Window.at((0, 0), (5, 5), (2, 2), (1, 1), (0, 0), (2, 2))
    assert window.cells == [(0, 0), (0, 2), (2, 0), (2, 2)]
    assert window.gaps == [(0, 1), (1, 0), (1, 1), (1, 2), (2, 1)]
    assert Window.at((0, 0), (5, 5), (2, 2), (1, 1), (0, 0), (1, 1)).gaps == []


def test_cell_kinds_padding_and_beyond():
    assert cell_kind(-1, 0, (4, 4), (1, 1)) == PAD
    assert cell_kind(4, 2, (4, 4), (1, 1)) == PAD
    assert cell_kind(5, 2, (4, 4), (1, 1)) == BEYOND
    assert cell_kind(0, 3, (4, 4), (0, 0)) == INPUT


def test_ceil_mode_window_hangs_over_the_edge():
    window = Window.at((2, 2), (5, 5), (2, 2), (2, 2), (0, 0))
    assert window.overhangs and window.cells_of(INPUT) == [(4, 4)]
    assert extent(5, 3, 2, 2, 0, 1) == (0, 6)


def test_settings_keep_only_the_keywords_of_each_mode():
    s = PoolSettings.create("lp", kernel_size=3, padding=1, dilation=2, divisor_override=2)
    assert s.call_kwargs() == {
        "norm_type": 2.0,
        "kernel_size": (3, 3),
        "stride": (3, 3),
        "ceil_mode": False,
    }
    assert PoolSettings.create("max", 2, 1).replace(mode="avg", padding=1).call_kwargs() == {
        "kernel_size": (2, 2),
        "stride": (1, 1),
        "padding": (1, 1),
        "ceil_mode": False,
        "count_include_pad": True,
        "divisor_override": None,
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"mode": "min"}, ValueError, "mode='min'"),
        ({"kernel_size": 1.5}, TypeError, "kernel_size=1.5"),
        ({"stride": (1, 2, 3)}, TypeError, "stride=(1, 2, 3)"),
        ({"norm_type": "2"}, TypeError, "norm_type='2'"),
        ({"divisor_override": 2.0}, TypeError, "divisor_override=2.0"),
    ],
)
def test_settings_reject_values_of_the_wrong_form(kwargs, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        PoolSettings.create(**kwargs)
