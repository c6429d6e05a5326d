"""pooling_book.drawing.backward_animation: its steps add up to the true gradient, and it
draws them."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F

from pooling_book.drawing.backward_animation import backward_animation, backward_steps
from pooling_book.settings import PoolSettings
from pooling_lib import loops

CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)),
]


def _inputs(seed: int = 0, shape=(5, 6)):
    g = torch.Generator().manual_seed(seed)
    X = torch.randperm(shape[0] * shape[1], generator=g).reshape(shape).float()
    return X, g


@pytest.mark.parametrize("kwargs", CASES)
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_last_step_is_the_gradient(kwargs, mode):
    X, g = _inputs()
    out_shape = (F.max_pool2d if mode == "max" else F.avg_pool2d)(X[None], **kwargs).shape[1:]
    G = torch.randn(out_shape, generator=g)
    steps = backward_steps(X, mode=mode, grad_output=G, **kwargs)
    assert [s.position for s in steps] == [
        (i, j) for i in range(G.shape[0]) for j in range(G.shape[1])
    ]
    backward = loops.max_pool2d_backward if mode == "max" else loops.avg_pool2d_backward
    assert torch.equal(steps[-1].grad_so_far, backward(G[None], X[None], **kwargs)[0])
    x = X.clone().requires_grad_()
    (F.max_pool2d if mode == "max" else F.avg_pool2d)(x[None], **kwargs).backward(G[None])
    assert torch.allclose(steps[-1].grad_so_far, x.grad, rtol=0, atol=1e-6)


def test_max_steps_send_everything_to_the_first_maximum():
    X = torch.ones(4, 4)  # every window is a tie: the first cell of the window wins
    steps = backward_steps(X, 2, 1)
    assert [s.receivers for s in steps] == [((i, j),) for i in range(3) for j in range(3)]
    assert all(s.share == 1.0 for s in steps)
    X, _ = _inputs()
    for step in backward_steps(X, 3, 2, padding=1):
        ((r, c),) = step.receivers
        inside = [(a, b) for a in step.rows for b in step.cols if 0 <= a < 5 and 0 <= b < 6]
        assert X[r, c] == max(X[a, b] for a, b in inside)


def test_avg_steps_spread_over_the_window_inside_the_input():
    X, _ = _inputs()
    step = backward_steps(X, 3, 2, padding=1, mode="avg")[0]
    assert step.rows == (-1, 0, 1) and step.cols == (-1, 0, 1)
    assert step.receivers == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert step.share == pytest.approx(1 / 9)


def test_animation_has_one_frame_per_output():
    X, _ = _inputs(shape=(4, 4))
    html = backward_animation(X, 2, 1, mode="avg").data
    assert len(re.findall(r"frames\[\d+\] = \"data:image/png;base64", html)) == 9
    html = backward_animation(X, 2).data
    assert len(re.findall(r"frames\[\d+\] = \"data:image/png;base64", html)) == 4


def test_bad_arguments():
    X, _ = _inputs()
    with pytest.raises(ValueError, match=r"mode='min' must be one of \['max', 'avg'\]"):
        backward_steps(X, 2, mode="min")
    with pytest.raises(ValueError, match=r"X must be 2-D \(H, W\), got shape \(1, 5, 6\)"):
        backward_steps(X[None], 2)
    with pytest.raises(
        ValueError, match=r"grad_output of shape \(2, 2\) must have the output's shape \(2, 3\)"
    ):
        backward_steps(X, 2, grad_output=torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"padding=\(2, 2\) must be at most half the kernel"):
        backward_steps(X, 2, padding=2)
    with pytest.raises(ValueError, match=r"dilation=\(2, 2\) is not drawn here"):
        backward_steps(X, 2, dilation=2)
    with pytest.raises(ValueError, match="count_include_pad=False is not drawn here"):
        backward_steps(X, 2, 1, 0, False, False, mode="avg")
    with pytest.raises(TypeError, match="got multiple values for 'stride'"):
        backward_steps(X, 2, 1, stride=1)
    with pytest.raises(TypeError, match="unknown keyword 'strides'"):
        backward_steps(X, 2, strides=1)
    with pytest.raises(TypeError, match="X must be a torch.Tensor, got list"):
        backward_steps([[1.0]], 1)


def test_pool_settings_or_keywords_give_the_same_steps():
    X, _ = _inputs()
    settings = PoolSettings.create("avg", kernel_size=3, stride=2, padding=1)
    by_settings = backward_steps(X, settings)
    by_keywords = backward_steps(X, 3, 2, 1, mode="avg")
    assert [s.receivers for s in by_settings] == [s.receivers for s in by_keywords]
    assert torch.equal(by_settings[-1].grad_so_far, by_keywords[-1].grad_so_far)
    with pytest.raises(TypeError, match="either a PoolSettings or pooling keywords, not both"):
        backward_steps(X, settings, stride=1)
