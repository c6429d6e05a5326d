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


# --- autograd through the loops --------------------------------------------------------------


def _input_grad(fn, x: torch.Tensor, grad_output_seed: int, *args, **kwargs) -> torch.Tensor:
    """``d(sum(fn(x) * g)) / dx`` by autograd, ``g`` noise of the output's shape."""
    leaf = x.detach().clone().requires_grad_()
    out = fn(leaf, *args, **kwargs)
    out = out[0] if isinstance(out, tuple) else out
    assert out.requires_grad, f"{fn.__module__}.{fn.__name__} dropped autograd"
    g = _noise(out.shape, grad_output_seed, dtype=out.dtype)
    (grad,) = torch.autograd.grad(out, leaf, g)
    return grad


@pytest.mark.parametrize("dims", [1, 2])
@LOOPS
@given(data=st.data())
def test_loop_gradients_match_torch(dims, data):
    """Autograd through every loop function gives PyTorch's gradient (to rounding: autograd
    adds a window's contributions in another order than PyTorch's kernel)."""
    case = data.draw(pool_cases(dims=dims, **TINY))
    x = data.draw(pool_inputs(case.shape, specials=False)) + _noise(case.shape, 0, 0.01)
    seed = data.draw(st.integers(0, 2**16))
    max_loop, max_torch = {
        1: (loops.max_pool1d, F.max_pool1d),
        2: (loops.max_pool2d, F.max_pool2d),
    }[dims]
    # PyTorch's backward writes out of bounds for a window of padding only: compare with
    # pooling_lib's vectorized version there (bit-exact with PyTorch elsewhere)
    max_ref = (
        (P.max_pool1d if dims == 1 else P.max_pool2d) if case.has_empty_windows() else max_torch
    )
    torch.testing.assert_close(
        _input_grad(max_loop, x, seed, *case.args()), _input_grad(max_ref, x, seed, *case.args())
    )
    avg_loop, avg_torch = {
        1: (loops.avg_pool1d, F.avg_pool1d),
        2: (loops.avg_pool2d, F.avg_pool2d),
    }[dims]
    avg_args = (
        case.kernel_size,
        case.stride,
        case.padding,
        case.ceil_mode,
        data.draw(st.booleans()),
    )
    torch.testing.assert_close(
        _input_grad(avg_loop, x, seed, *avg_args), _input_grad(avg_torch, x, seed, *avg_args)
    )
    lp_loop, lp_vec = {1: (loops.lp_pool1d, P.lp_pool1d), 2: (loops.lp_pool2d, P.lp_pool2d)}[dims]
    lp_args = (
        data.draw(st.sampled_from([1, 2, 3.5])),
        case.kernel_size,
        case.stride,
        case.ceil_mode,
    )
    positive = x.abs() + 0.5  # a zero window has no gradient; p = 3.5 needs x >= 0
    if min(positive.shape[-dims:]) >= max(case.kernel_size):
        torch.testing.assert_close(
            _input_grad(lp_loop, positive, seed, *lp_args),
            _input_grad(lp_vec, positive, seed, *lp_args),
        )


def test_seed_pool2d_carries_gradients():
    x = _noise((4, 5), 3, dtype=torch.float32)
    for mode, reference in [("max", F.max_pool2d), ("avg", F.avg_pool2d)]:
        ours = _input_grad(loops.pool2d, x, 4, (2, 3), mode)
        theirs = _input_grad(reference, x[None], 4, (2, 3), 1)[0]
        torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_loop_backward_passes_carry_double_backward(pool):
    """``max_pool2d_backward`` and ``avg_pool2d_backward`` are differentiable in
    ``grad_output``, with PyTorch's double-backward result."""
    x = _noise((2, 5, 6), 5, dtype=torch.float64)
    args = (3, 2, 1)
    backward, forward = {
        "max": (loops.max_pool2d_backward, F.max_pool2d),
        "avg": (loops.avg_pool2d_backward, F.avg_pool2d),
    }[pool]
    g = _noise(forward(x, *args).shape, 6, dtype=torch.float64).requires_grad_()
    v = _noise(x.shape, 7, dtype=torch.float64)
    (ours,) = torch.autograd.grad(backward(g, x, *args), g, v)
    leaf = x.clone().requires_grad_()
    (first,) = torch.autograd.grad(forward(leaf, *args), leaf, g, create_graph=True)
    (theirs,) = torch.autograd.grad(first, g, v)
    torch.testing.assert_close(ours, theirs)


def test_loops_keep_the_memory_format_and_take_empty_batches():
    x = _noise((2, 3, 5, 6), 8).contiguous(memory_format=torch.channels_last)
    for name, args in [("max_pool2d", (3, 2, 1)), ("avg_pool2d", (3, 2, 1))]:
        ours, theirs = getattr(loops, name)(x, *args), getattr(F, name)(x, *args)
        assert_same_bits(ours, theirs)
        assert ours.stride() == theirs.stride(), name
        empty = x[:0]
        assert getattr(loops, name)(empty, *args).shape == getattr(F, name)(empty, *args).shape


def test_loops_refuse_meta_tensors_and_vmap():
    meta = torch.zeros(1, 4, 4, device="meta")
    for fn in (loops.max_pool2d, loops.avg_pool2d, loops.lp_pool2d):
        args = (2, 2) if fn is loops.lp_pool2d else (2,)
        with pytest.raises(ValueError, match=f"{fn.__name__}: input is on the meta device"):
            fn(meta, *args)
    with pytest.raises(RuntimeError, match="data-dependent control flow"):
        torch.func.vmap(lambda t: loops.max_pool2d(t, 2))(torch.zeros(2, 1, 4, 4))


def test_loops_carry_forward_mode_ad_and_vmap_where_they_can():
    x = _noise((2, 3, 5, 6), 9, dtype=torch.float64)
    tangent = _noise(x.shape, 10, dtype=torch.float64)
    for name, args in [("max_pool2d", (3, 2, 1)), ("avg_pool2d", (3, 2, 1)), ("max_pool1d", (2,))]:
        inp, tan = (x, tangent) if name.endswith("2d") else (x[0], tangent[0])
        _, ours = torch.func.jvp(lambda t: getattr(loops, name)(t, *args), (inp,), (tan,))  # noqa: B023
        _, theirs = torch.func.jvp(lambda t: getattr(F, name)(t, *args), (inp,), (tan,))  # noqa: B023
        torch.testing.assert_close(ours, theirs)
    batched = torch.func.vmap(lambda t: loops.avg_pool2d(t, 2, 1, 1))(x)
    assert_same_bits(batched, torch.stack([F.avg_pool2d(t, 2, 1, 1) for t in x]))
