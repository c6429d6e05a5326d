"""The loop versions (pooling_lib.loops) against PyTorch, on tiny random cases.

The loops are slow (a Python step per window slot), so shapes stay tiny and the example
count small (``LOOPS`` in tests/strategies.py).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from strategies import FLOAT_DTYPES, LOOPS, assert_same_bits, pool_cases, pool_inputs

import pooling_lib as P
from pooling_lib import loops

TINY = {"max_kernel": 3, "max_extra": 3, "max_batch": 2, "max_channels": 2}


def _noise(shape, seed: int, scale: float = 1.0, dtype=torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype)


@pytest.mark.parametrize("dims", [1, 2])
@LOOPS
@given(data=st.data())
def test_loop_max_pool_matches_torch(dims, data):
    case = data.draw(pool_cases(dims=dims, **TINY))
    x = data.draw(pool_inputs(case.shape))
    ours, theirs = (
        (loops.max_pool1d, F.max_pool1d) if dims == 1 else (loops.max_pool2d, F.max_pool2d)
    )
    out, idx = ours(x, *case.args(), return_indices=True)
    t_out, t_idx = theirs(x, *case.args(), return_indices=True)
    assert_same_bits(out, t_out, nan_bits=True)  # the loops return the window's last NaN
    assert_same_bits(ours(x, *case.args()), t_out, nan_bits=True)
    valid = idx >= 0
    assert torch.equal(idx[valid], t_idx[valid])
    assert valid.all() != case.has_empty_windows()
    assert torch.all(out[~valid] == float("-inf"))
    # and the vectorized version agrees with the loops, empty windows included
    v_out, v_idx = (P.max_pool1d if dims == 1 else P.max_pool2d)(
        x, *case.args(), return_indices=True
    )
    assert_same_bits(v_out, out)
    assert torch.equal(v_idx, idx)


@pytest.mark.parametrize("dims", [1, 2])
@LOOPS
@given(data=st.data())
def test_loop_avg_pool_matches_torch(dims, data):
    case = data.draw(pool_cases(dims=dims, dilation=False, **TINY))
    include_pad = data.draw(st.booleans())
    x = _noise(case.shape, data.draw(st.integers(0, 2**16)), 10.0)
    args = (case.kernel_size, case.stride, case.padding, case.ceil_mode, include_pad)
    if dims == 1:
        assert_same_bits(loops.avg_pool1d(x, *args), F.avg_pool1d(x, *args))
        return
    override = data.draw(st.sampled_from([None, 2, -3]))
    assert_same_bits(loops.avg_pool2d(x, *args, override), F.avg_pool2d(x, *args, override))


@LOOPS
@given(data=st.data())
def test_loop_backward_passes_match_torch(data):
    case = data.draw(pool_cases(dims=2, **TINY))
    x = data.draw(pool_inputs(case.shape))
    out = loops.max_pool2d(x, *case.args())
    grad_output = _noise(out.shape, data.draw(st.integers(0, 2**16)))
    grad = loops.max_pool2d_backward(grad_output, x, *case.args())
    if not case.has_empty_windows():  # PyTorch's backward writes out of bounds otherwise
        leaf = x.clone().requires_grad_()
        (expected,) = torch.autograd.grad(F.max_pool2d(leaf, *case.args()), leaf, grad_output)
        assert_same_bits(grad, expected)
    leaf = x.clone().requires_grad_()
    (vectorized,) = torch.autograd.grad(P.max_pool2d(leaf, *case.args()), leaf, grad_output)
    assert_same_bits(grad, vectorized)

    include_pad = data.draw(st.booleans())
    avg_args = (case.kernel_size, case.stride, case.padding, case.ceil_mode, include_pad)
    out = F.avg_pool2d(x, *avg_args)
    grad_output = _noise(out.shape, data.draw(st.integers(0, 2**16)))
    leaf = x.clone().requires_grad_()
    (expected,) = torch.autograd.grad(F.avg_pool2d(leaf, *avg_args), leaf, grad_output)
    assert_same_bits(loops.avg_pool2d_backward(grad_output, x, *avg_args), expected)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_loops_in_every_float_dtype(dtype):
    x = _noise((2, 5, 6), 1, 3.0, dtype)
    for args in [(3, 2, 1), ((2, 3), 1, (1, 1), 1, True)]:
        assert_same_bits(loops.max_pool2d(x, *args), F.max_pool2d(x, *args))
        avg_args = args[:3] + args[4:]
        assert_same_bits(loops.avg_pool2d(x, *avg_args), F.avg_pool2d(x, *avg_args))
        g = _noise(F.avg_pool2d(x, *avg_args).shape, 2, 1.0, dtype)
        leaf = x.clone().requires_grad_()
        (expected,) = torch.autograd.grad(F.avg_pool2d(leaf, *avg_args), leaf, g)
        assert_same_bits(loops.avg_pool2d_backward(g, x, *avg_args), expected)


def test_loop_backward_checks_grad_output():
    x = torch.zeros(1, 4, 4)
    with pytest.raises(ValueError, match="max_pool2d_backward: grad_output of shape"):
        loops.max_pool2d_backward(torch.zeros(1, 3, 3), x, 2)
    with pytest.raises(TypeError, match="avg_pool2d_backward: grad_output must be"):
        loops.avg_pool2d_backward([[0.0]], x, 2)


def test_seed_examples():
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    assert torch.equal(loops.pool2d(X, (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))
    assert torch.equal(loops.pool2d(X, (2, 2), "avg"), torch.tensor([[2.0, 3.0], [5.0, 6.0]]))
    X4 = X[None, None]
    assert torch.equal(loops.max_pool2d(X4, 2, 1), loops.pool2d(X, (2, 2))[None, None])
    assert torch.equal(loops.avg_pool2d(X4, 2, 1), loops.pool2d(X, (2, 2), "avg")[None, None])
