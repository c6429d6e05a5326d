"""Drive the live explorer from Python: set controls, step the position, read what it shows.

The assertions are on the explorer's :class:`Scene` (what the image draws) and on its
HTML status line, and the expected numbers come from PyTorch, not from the explorer.
"""

from __future__ import annotations

import html
import io
import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from torch import nn

import pooling_lib
import pooling_lib.loops
from pooling_lib.widgets import PoolingExplorer, explore
from pooling_lib.widgets.geometry import BEYOND

SEED_3x3 = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
SEED_4x4 = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))


@pytest.fixture(autouse=True)
def _no_warnings():
    """A missing glyph or a matplotlib complaint is a drawing bug: fail on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def lib_message(call) -> str:
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    return str(info.value)


def test_seed_max_pool_window_by_window():
    ex = PoolingExplorer(SEED_3x3, kernel_size=2, stride=1)
    assert ex.scene.highlighted == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert ex.scene.arithmetic == "max(0, 1, 3, 4) = 4"
    assert ex.scene.caption == "Y[0, 0] = max(0, 1, 3, 4) = 4"
    assert ex.scene.value == 4.0
    assert ex.step() == (0, 1)
    assert ex.scene.highlighted == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert ex.scene.arithmetic == "max(1, 2, 4, 5) = 5"
    assert ex.step() == (1, 0)
    assert ex.scene.arithmetic == "max(3, 4, 6, 7) = 7"
    ex.step()
    assert ex.step() == (0, 0)  # wraps around after the last cell
    assert "✓" in ex.status.value and "loops.max_pool2d" in ex.status.value
    assert ex.scene.output == [[4.0, 5.0], [7.0, 8.0]]  # the seed's printed result


def test_seed_avg_pool():
    ex = PoolingExplorer(SEED_3x3, kernel_size=2, stride=1)
    ex.set(mode="avg")
    assert ex.scene.arithmetic == "(0 + 1 + 3 + 4) / 4 = 2.0"
    ex.set(position=(1, 1))
    assert ex.scene.arithmetic == "(4 + 5 + 7 + 8) / 4 = 6.0"
    assert ex.scene.output == [[2.0, 3.0], [5.0, 6.0]]
    assert ex.scene.torch_call == "nn.AvgPool2d(kernel_size=2, stride=1)"


def test_padding_and_stride_play_through_every_cell():
    ex = PoolingExplorer(SEED_4x4, kernel_size=3, padding=1, stride=2)
    expected = nn.MaxPool2d(3, padding=1, stride=2)(SEED_4x4)[0, 0]
    seen = []
    for k in range(4):
        ex.play.value = k  # what the Play button does in the browser
        i, j = divmod(k, 2)
        assert (ex.i.value, ex.j.value) == (i, j)
        assert ex.scene.value == float(expected[i, j])
        seen.append(ex.scene.caption)
    assert seen == [
        "Y[0, 0] = max(−∞, −∞, −∞, −∞, 0, 1, −∞, 4, 5) = 5",
        "Y[0, 1] = max(−∞, −∞, −∞, 1, 2, 3, 5, 6, 7) = 7",
        "Y[1, 0] = max(−∞, 4, 5, −∞, 8, 9, −∞, 12, 13) = 13",
        "Y[1, 1] = max(5, 6, 7, 9, 10, 11, 13, 14, 15) = 15",
    ]
    assert ex.scene.highlighted == [(r, c) for r in (1, 2, 3) for c in (1, 2, 3)]
    assert ex.scene.torch_call == "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)"
    assert ex.scene.formula[0] == "H_out = ⌊(4 + 2·1 − 1·(3−1) − 1) / 2⌋ + 1 = ⌊3/2⌋ + 1 = 2"


def test_rectangular_window_of_the_seed():
    ex = PoolingExplorer(SEED_4x4, kernel_size=(2, 3), stride=(2, 3), padding=(0, 1))
    assert ex.scene.output == [[5.0, 7.0], [13.0, 15.0]]
    ex.set(position=(0, 1))
    assert ex.scene.highlighted == [(0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4)]
    assert ex.scene.arithmetic == "max(2, 3, −∞, 6, 7, −∞) = 7"
    assert ex.scene.torch_call == "nn.MaxPool2d(kernel_size=(2, 3), padding=(0, 1))"


def test_channels():
    x = torch.cat((SEED_4x4, SEED_4x4 + 1), 1)
    ex = PoolingExplorer(x, kernel_size=3, padding=1, stride=2)
    assert not ex.channel.disabled
    ex.set(channel=1)
    assert ex.scene.caption == "Y[1, 0, 0] = max(−∞, −∞, −∞, −∞, 1, 2, −∞, 5, 6) = 6"
    assert ex.scene.output == [[6.0, 8.0], [14.0, 16.0]]
    assert PoolingExplorer(SEED_3x3).channel.disabled


def test_count_include_pad_changes_the_divisor():
    ex = PoolingExplorer(SEED_4x4, mode="avg", kernel_size=3, padding=1, stride=2)
    expected = F.avg_pool2d(SEED_4x4, 3, 2, 1)[0, 0, 0, 0].item()
    assert ex.scene.arithmetic == "(0 + 0 + 0 + 0 + 0 + 1 + 0 + 4 + 5) / 9 = 1.111"
    assert ex.scene.value == pytest.approx(expected)
    ex.set(count_include_pad=False)
    assert ex.scene.arithmetic == "(0 + 1 + 4 + 5) / 4 = 2.5"
    assert "count_include_pad=False" in ex.scene.torch_call


def test_dilation_gaps_and_disabled_controls():
    ex = PoolingExplorer(SEED_4x4, kernel_size=2, stride=1, dilation=2)
    assert ex.scene.highlighted == [(0, 0), (0, 2), (2, 0), (2, 2)]
    assert ex.scene.window.gaps == [(0, 1), (1, 0), (1, 1), (1, 2), (2, 1)]
    assert ex.scene.arithmetic == "max(0, 2, 8, 10) = 10"
    assert not ex.dilation[0].disabled and ex.count_include_pad.disabled
    ex.set(mode="avg")  # avg_pool2d has no dilation: the control is off and ignored
    assert ex.dilation[0].disabled and not ex.count_include_pad.disabled
    assert ex.scene.highlighted == [(0, 0), (0, 1), (1, 0), (1, 1)]
    ex.set(mode="lp")  # lp_pool2d has neither padding nor dilation
    assert ex.padding[0].disabled and not ex.norm_type.disabled
    assert ex.scene.torch_call == "nn.LPPool2d(norm_type=2, kernel_size=2, stride=1)"


def test_ceil_mode_windows_hang_over_the_edge():
    ex = PoolingExplorer(SEED_4x4, kernel_size=3, stride=2, ceil_mode=True)
    expected = F.max_pool2d(SEED_4x4, 3, 2, ceil_mode=True)[0, 0]
    assert ex.scene.out_shape == tuple(expected.shape) == (2, 2)
    ex.set(position=(1, 1))
    assert ex.scene.window.overhangs
    assert [ex.scene.kind(r, c) for r, c in ex.scene.highlighted].count(BEYOND) == 5
    assert ex.scene.arithmetic == "max(10, 11, 14, 15) = 15"
    assert ex.scene.beyond_cells  # the hatched overhang area is drawn
    assert ex.scene.formula[0].startswith("H_out = ⌈")
    ex.set(ceil_mode=False)
    assert ex.scene.out_shape == (1, 1) and not ex.scene.beyond_cells


def test_lp_pool_values_come_from_pooling_lib():
    ex = PoolingExplorer(SEED_4x4 + 1, mode="lp", kernel_size=2, norm_type=2)
    expected = F.lp_pool2d(SEED_4x4 + 1, 2, 2)[0, 0]
    torch.testing.assert_close(torch.tensor(ex.scene.output), expected)
    assert ex.scene.arithmetic == f"(1² + 2² + 5² + 6²)^(1/2) = {expected[0, 0].item():.4g}"


@pytest.mark.parametrize(
    ("controls", "call"),
    [
        (
            dict(kernel_size=3, padding=2),
            lambda x: pooling_lib.max_pool2d(x, kernel_size=(3, 3), stride=(3, 3), padding=(2, 2)),
        ),
        (
            dict(kernel_size=5, stride=1),
            lambda x: pooling_lib.max_pool2d(x, kernel_size=(5, 5), stride=(1, 1)),
        ),
        (
            dict(mode="avg", kernel_size=(1, 3), stride=1, padding=(1, 0)),
            lambda x: pooling_lib.avg_pool2d(x, kernel_size=(1, 3), stride=(1, 1), padding=(1, 0)),
        ),
    ],
)
def test_invalid_settings_show_pooling_libs_message(controls, call):
    ex = PoolingExplorer(SEED_4x4, kernel_size=2)
    ex.set(**controls)  # must not raise
    message = lib_message(lambda: call(SEED_4x4))
    assert ex.error == message
    assert html.escape(message) in ex.status.value
    assert "Invalid setting" in ex.status.value
    assert ex.i.disabled and ex.play.disabled
    assert ex.scene.highlighted == [] and ex.scene.output is None
    Image.open(io.BytesIO(ex.png)).verify()  # the image still shows the input and the rule
    # the controls stay usable: a valid setting works again
    ex.set(mode="max", kernel_size=2, stride=2, padding=0)
    assert ex.error is None and not ex.i.disabled
    assert ex.scene.arithmetic == "max(0, 1, 4, 5) = 5"


def test_mismatch_with_the_loop_version_is_shown(monkeypatch):
    real = pooling_lib.loops.max_pool2d
    monkeypatch.setattr(pooling_lib.loops, "max_pool2d", lambda *a, **k: real(*a, **k) + 1)
    ex = PoolingExplorer(SEED_4x4, kernel_size=2)
    assert not ex.scene.matches
    assert "mismatch" in ex.status.value and "✓" not in ex.status.value
    assert "max |diff| = 1" in ex.scene.check


def test_a_drawing_failure_is_shown_not_raised(monkeypatch):
    ex = PoolingExplorer(SEED_4x4, kernel_size=2)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("pooling_lib.widgets.explorer.draw_scene", broken)
    ex.set(kernel_size=3)
    assert ex.render_error == "RuntimeError: boom"
    assert "failed to draw" in ex.status.value
    monkeypatch.undo()
    ex.set(kernel_size=2)
    assert ex.render_error is None


def test_image_follows_the_position():
    ex = PoolingExplorer(SEED_4x4, kernel_size=2)
    first = ex.png
    ex.step()
    assert ex.png != first
    image = Image.open(io.BytesIO(ex.png))
    assert image.format == "PNG" and image.width > 300


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match=r"X must have shape \(H, W\), \(C, H, W\)"):
        PoolingExplorer(torch.zeros(2, 1, 4, 4))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        PoolingExplorer([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="channel must be in range"):
        PoolingExplorer(SEED_3x3, channel=1)
    with pytest.raises(TypeError, match="unknown control 'kernel'"):
        PoolingExplorer(SEED_3x3).set(kernel=2)


def test_explore_bundle_shows_three_views(monkeypatch):
    shown = []
    monkeypatch.setattr("pooling_lib.widgets.bundle.display", shown.append)
    bundle = explore(SEED_4x4, kernel_size=3, padding=1, stride=2)
    bundle._ipython_display_()
    assert len(shown) == 3
    assert shown[0].children[0] is bundle.explorer
    assert shown[1] is bundle.player and len(bundle.player.frames) == 4
    assert shown[2].data == bundle.animation and 'title="Play"' in bundle.animation
    assert repr(bundle.explorer) == (
        "PoolingExplorer(X of shape (1, 1, 4, 4), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))"
    )


@st.composite
def settings_cases(draw):
    mode = draw(st.sampled_from(["max", "avg", "lp"]))
    pair = lambda lo, hi: (draw(st.integers(lo, hi)), draw(st.integers(lo, hi)))  # noqa: E731
    return dict(
        mode=mode,
        kernel_size=pair(1, 4),
        stride=pair(1, 4),
        padding=pair(0, 2),
        dilation=pair(1, 2),
        ceil_mode=draw(st.booleans()),
        count_include_pad=draw(st.booleans()),
        norm_type=draw(st.sampled_from([1, 2, 3])),
        position=pair(0, 3),
    )


def torch_reference(x: torch.Tensor, s) -> torch.Tensor:
    if s.mode == "max":
        return F.max_pool2d(x, s.kernel, s.step, s.padding, s.dilation, s.ceil_mode)
    if s.mode == "avg":
        return F.avg_pool2d(x, s.kernel, s.step, s.padding, s.ceil_mode, s.count_include_pad)
    # the true power sum (pooling_lib.lp_pool2d's doc): PyTorch's sums of x**p, no scaling
    power_sums = F.avg_pool2d(x.pow(s.norm_type), s.kernel, s.step, 0, s.ceil_mode, True, 1)
    return power_sums.pow(1 / s.norm_type)


@settings(max_examples=15, deadline=None)
@given(settings_cases(), st.integers(0, 2**16))
def test_any_setting_shows_torchs_values_or_an_error(case, seed):
    """Whatever the controls say, the explorer shows PyTorch's numbers with a ✓, or, where
    PyTorch refuses the setting, pooling_lib's message; it never fails to draw."""
    x = torch.randint(1, 9, (1, 2, 6, 5), generator=torch.Generator().manual_seed(seed)).float()
    ex = PoolingExplorer(x)
    ex.set(**case)
    assert ex.render_error is None
    try:
        expected = torch_reference(x, ex.settings)
    except RuntimeError:
        assert ex.error is not None and not ex.error.startswith("pooling_lib failed")
        return
    assert ex.error is None, ex.error
    assert ex.scene.matches, ex.scene.check
    for channel in (0, 1):
        ex.set(channel=channel)
        torch.testing.assert_close(torch.tensor(ex.scene.output), expected[0, channel])
        i, j = ex.scene.position
        assert ex.scene.value == pytest.approx(float(expected[0, channel, i, j]), rel=1e-6)
