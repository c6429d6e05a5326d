"""Power-average (Lp) pooling: the true power sum by default, PyTorch's formula on request.

``pooling_lib.functional.lp_pool`` is the one definition; the vectorized and the loop
versions must both give ``(sum over the window's inputs of x**p) ** (1/p)``, computed here
independently, in float64, from slices (which stop at the input's edge, as a partial
``ceil_mode`` window does).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from strategies import LIB, assert_same_bits, pool_cases

import pooling_lib as P
import pooling_lib.nn as pnn
from pooling_lib import loops
from pooling_lib.shapes import pooled_size


def _reference(x: torch.Tensor, p: float, kernel, stride, ceil_mode) -> torch.Tensor:
    """The power sums of every 2-d window, ``** (1/p)``, in float64."""
    (k_h, k_w), (s_h, s_w) = kernel, stride
    out_h, out_w = (
        pooled_size(n, k, s, 0, 1, ceil_mode)
        for n, k, s in zip(x.shape[-2:], kernel, stride, strict=True)
    )
    x = x.double()
    out = torch.empty((*x.shape[:-2], out_h, out_w), dtype=torch.float64)
    for i in range(out_h):
        for j in range(out_w):
            window = x[..., i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w]
            out[..., i, j] = window.pow(p).sum((-2, -1))
    return out.pow(1.0 / p)


@pytest.mark.parametrize("dims", [1, 2])
@LIB
@given(data=st.data())
def test_lp_pool_is_the_true_power_sum(dims, data):
    case = data.draw(pool_cases(dims=dims, max_kernel=3, max_extra=4, dilation=False))
    p = data.draw(st.sampled_from([1, 2, 3, 0.5, -1.0]))
    dtype = data.draw(st.sampled_from([torch.float32, torch.float64, torch.float16, torch.int64]))
    seed = data.draw(st.integers(0, 2**16))
    x = torch.rand(case.shape, generator=torch.Generator().manual_seed(seed)) * 3 + 0.25
    x = x.round() + 1 if dtype == torch.int64 else x
    x = x.to(dtype)
    k, s = case.kernel_size, case.stride
    if min(case.shape[-dims:]) < max(k):  # lp pooling has no padding: the window must fit
        return
    ours = (P.lp_pool1d if dims == 1 else P.lp_pool2d)(x, p, k, s, case.ceil_mode)
    loop = (loops.lp_pool1d if dims == 1 else loops.lp_pool2d)(x, p, k, s, case.ceil_mode)
    x2 = x if dims == 2 else x.unsqueeze(-2)
    k2, s2 = (k, s) if dims == 2 else ((1, *k), (1, *s))
    expected = _reference(x2, p, k2, s2, case.ceil_mode)
    expected = expected if dims == 2 else expected.squeeze(-2)
    result_dtype = torch.float32 if dtype == torch.int64 else dtype
    assert ours.dtype == loop.dtype == result_dtype
    # one rounding to the result's dtype (float32 sums of float32 inputs round a few times)
    tolerance = {torch.float16: 1e-3, torch.float32: 1e-6, torch.float64: 1e-12}[result_dtype]
    torch.testing.assert_close(ours.double(), expected, rtol=tolerance, atol=0)
    torch.testing.assert_close(loop, ours, rtol=tolerance, atol=0)


def test_lp_pool_fixes_pytorch_and_keeps_its_formula_on_request():
    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]])
    assert P.lp_pool1d(x, 1, 2, ceil_mode=True).tolist() == [[[3.0, 7.0, 5.0]]]
    assert F.lp_pool1d(x, 1, 2, ceil_mode=True).tolist() == [[[3.0, 7.0, 10.0]]]
    compatible = P.lp_pool1d(x, 1, 2, ceil_mode=True, torch_compatible=True)
    assert_same_bits(compatible, F.lp_pool1d(x, 1, 2, ceil_mode=True))
    ints = torch.tensor([[[1, 2]]])
    assert P.lp_pool1d(ints, 2, 2).item() == pytest.approx(5**0.5)
    assert F.lp_pool1d(ints, 2, 2).item() == 2.0
    assert_same_bits(P.lp_pool1d(ints, 2, 2, torch_compatible=True), F.lp_pool1d(ints, 2, 2))
    # float16: x**p overflows float16 in PyTorch's formula, not in the true power sum
    half = torch.tensor([[[300.0, 400.0]]], dtype=torch.float16)
    assert P.lp_pool1d(half, 2, 2).item() == 500.0
    assert F.lp_pool1d(half, 2, 2).item() == float("inf")
    # p = inf is max |x|, p = -inf min |x|, in both modes, as in PyTorch
    y = torch.tensor([[[0.5, -2.0, -3.0, 1.0]]])
    for mode in (False, True):
        assert P.lp_pool1d(y, float("inf"), 2, torch_compatible=mode).tolist() == [[[2.0, 3.0]]]
        assert P.lp_pool1d(y, -float("inf"), 2, torch_compatible=mode).tolist() == [[[0.5, 1.0]]]


def test_lp_pool_gradient_is_zero_where_the_power_sum_is_zero():
    x = torch.tensor([[[0.0, 0.0, 3.0, 4.0]]], requires_grad=True)
    expected = torch.tensor([[[0.0, 0.0, 0.6, 0.8]]])  # d|x|/dx = x/|x|; 0 at |x| = 0
    for lp in (P.lp_pool1d, loops.lp_pool1d, F.lp_pool1d):
        (grad,) = torch.autograd.grad(lp(x, 2, 2).sum(), x)
        assert torch.equal(grad, expected), lp


@pytest.mark.parametrize("name", ["LPPool1d", "LPPool2d"])
def test_lp_modules(name):
    x = torch.rand(2, 3, 5, 5, generator=torch.Generator().manual_seed(1)) + 0.1
    x = x if name == "LPPool2d" else x.flatten(-2)
    functional = P.lp_pool2d if name == "LPPool2d" else P.lp_pool1d
    module = getattr(pnn, name)(2, 2, ceil_mode=True)
    assert_same_bits(module(x), functional(x, 2, 2, ceil_mode=True))
    compatible = getattr(pnn, name)(2, 2, ceil_mode=True, torch_compatible=True)
    assert "torch_compatible=True" in repr(compatible)
    assert_same_bits(compatible(x), getattr(torch.nn, name)(2, 2, ceil_mode=True)(x))
    assert_same_bits(getattr(pnn, name)(np.float64(2.0), 2)(x), functional(x, 2, 2))


@pytest.mark.parametrize(
    "call",
    [
        lambda: P.lp_pool2d(torch.ones(1, 4, 4), "two", 2),
        lambda: P.lp_pool1d(torch.ones(1, 4), "two", 2),
        lambda: loops.lp_pool2d(torch.ones(1, 4, 4), "two", 2),
        lambda: loops.lp_pool1d(torch.ones(1, 4), "two", 2),
        lambda: pnn.LPPool2d(norm_type="two", kernel_size=2),
        lambda: pnn.LPPool1d(norm_type="two", kernel_size=2),
    ],
)
def test_norm_type_errors_name_the_parameter(call):
    with pytest.raises(TypeError, match=r"(lp_pool[12]d|LPPool[12]d): norm_type='two' must be"):
        call()


@pytest.mark.parametrize("bad", [0, 0.0, float("nan")])
def test_norm_type_must_be_a_nonzero_number(bad):
    for call in (
        lambda: P.lp_pool2d(torch.ones(1, 4, 4), bad, 2),
        lambda: loops.lp_pool1d(torch.ones(1, 4), bad, 2),
        lambda: pnn.LPPool2d(bad, 2),
    ):
        with pytest.raises(ValueError, match=r"norm_type=.* must be a non-zero number"):
            call()


def test_torch_compatible_must_be_a_bool():
    with pytest.raises(TypeError, match="lp_pool2d: torch_compatible=1 must be a bool"):
        P.lp_pool2d(torch.ones(1, 4, 4), 2, 2, torch_compatible=1)
    with pytest.raises(TypeError, match="LPPool1d: torch_compatible='yes' must be a bool"):
        pnn.LPPool1d(2, 2, torch_compatible="yes")
