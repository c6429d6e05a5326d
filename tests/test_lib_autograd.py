"""Every autograd mode, for every public function of ``pooling_lib.functional``, against
PyTorch: double backward (``gradgradcheck`` in float64, and ``create_graph=True`` bit for
bit in float32/float16), forward mode (``torch.func.jvp`` and dual tensors), ``torch.func``
transforms (``grad``, ``vmap``, ``vmap`` of ``grad``), meta tensors (shapes and strides
without values, and a backward pass), and indices modified in place before the backward
pass ("modified by an inplace operation", as PyTorch).

Shapes and values are drawn by hypothesis (derandomized by the ``ci`` profile). The Lp
functions deliberately compute the true power sum (see their docstrings), so their
derivatives are compared with PyTorch's to rounding, all others bit for bit.
"""

from __future__ import annotations

import pytest
import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from lib_calls import CALLS, call
from strategies import examples
from torch.func import grad, jvp, vmap

import pooling_lib.functional as P

VALUES_ONLY = {  # max pooling without indices takes other paths (window slots, not indices)
    "max_pool1d_values": (1, lambda m, x: m.max_pool1d(x, 3, 2, 1)),
    "max_pool2d_values": (2, lambda m, x: m.max_pool2d(x, 3, 1, 1, 2)),
    "max_pool3d_values": (3, lambda m, x: m.max_pool3d(x, 2, 2, 1, ceil_mode=True)),
    "adaptive_max_pool2d_values": (2, lambda m, x: m.adaptive_max_pool2d(x, (3, 2))),
}
ALL = {**CALLS, **VALUES_ONLY}
NAMES = sorted(ALL)
FEW = settings(max_examples=examples(3), deadline=None)


def _call(name: str, module, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    out = ALL[name][1](module, x)
    return out if isinstance(out, tuple) else (out,)


def _first(module, name):
    def f(x):
        out = ALL[name][1](module, x)
        return out[0] if isinstance(out, tuple) else out

    return f


def _equal(name: str, actual: torch.Tensor, expected: torch.Tensor) -> None:
    if name.startswith("lp_pool"):  # the true power sum: PyTorch's to rounding
        torch.testing.assert_close(actual, expected)
    else:
        torch.testing.assert_close(actual, expected, rtol=0, atol=0)


@st.composite
def inputs(draw, name: str, dtype: torch.dtype = torch.float64, batch: int | None = None):
    dims = ALL[name][0]
    small = 1 if dims == 3 else 2  # 3-d checks are the slow ones
    n = draw(st.integers(1, small)) if batch is None else batch
    c = draw(st.integers(1, small))
    spatial = draw(st.lists(st.integers(4, 6 if dims < 3 else 4), min_size=dims, max_size=dims))
    seed = draw(st.integers(0, 2**16))
    x = torch.randn((n, c, *spatial), generator=torch.Generator().manual_seed(seed))
    if dims == 2 and draw(st.booleans()):
        x = x.contiguous(memory_format=torch.channels_last)
    return x.to(dtype)


@pytest.mark.parametrize("name", NAMES)
@FEW
@given(data=st.data())
def test_gradcheck_and_gradgradcheck(name, data):
    # Finite differences step by 1e-6: two values closer than that (a near-tie) would make
    # the maximum switch cells inside the step. Keep the drawn order, space values 0.1 apart.
    x = data.draw(inputs(name))
    ranks = x.flatten().argsort().argsort().view(x.shape)
    x = torch.empty_like(x).copy_(ranks.to(x.dtype) / 10 - 1).requires_grad_()
    f = _first(P, name)
    assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
@pytest.mark.parametrize("name", NAMES)
@FEW
@given(data=st.data())
def test_double_backward_matches_pytorch(name, dtype, data):
    if dtype == torch.float16 and (ALL[name][0] == 3 or name.startswith(("lp", "adaptive_avg"))):
        return  # no float16 avg_pool3d in PyTorch; float16 Lp and adaptive-avg gradients
        # deliberately differ from PyTorch's (see their docstrings)
    x = data.draw(inputs(name, dtype))
    results = []
    for module in (P, F):
        leaf = x.clone().requires_grad_()
        out = _first(module, name)(leaf)
        g = torch.randn(out.shape, generator=torch.Generator().manual_seed(1)).to(dtype)
        g.requires_grad_()
        (gx,) = torch.autograd.grad(out, leaf, g, create_graph=True)
        gg = torch.randn(gx.shape, generator=torch.Generator().manual_seed(2)).to(dtype)
        (ggo,) = torch.autograd.grad(gx, g, gg)
        results.append((gx.detach(), ggo))
    (gx, ggo), (t_gx, t_ggo) = results
    _equal(name, gx, t_gx)
    _equal(name, ggo, t_ggo)


@pytest.mark.parametrize("name", NAMES)
@FEW
@given(data=st.data())
def test_forward_mode_matches_pytorch(name, data):
    x = data.draw(inputs(name, torch.float32))
    tangent = torch.randn(x.shape, generator=torch.Generator().manual_seed(3))
    out, jv = jvp(_first(P, name), (x,), (tangent,))
    t_out, t_jv = jvp(_first(F, name), (x,), (tangent,))
    _equal(name, out, t_out)
    _equal(name, jv, t_jv)
    with fwAD.dual_level():
        dual = fwAD.unpack_dual(_first(P, name)(fwAD.make_dual(x, tangent))).tangent
    _equal(name, dual, t_jv)


@pytest.mark.parametrize("name", NAMES)
@FEW
@given(data=st.data())
def test_vmap_and_grad_match_loops_and_pytorch(name, data):
    xs = torch.stack([data.draw(inputs(name, torch.float32, batch=1))[0] for _ in range(1)])
    xs = torch.stack([xs[0], xs[0].flip(-1), -xs[0]])  # three inputs of one shape
    ours, theirs = _first(P, name), _first(F, name)

    def loss(f):
        return lambda t: f(t).square().sum()

    batched = vmap(ours)(xs)
    for i, x in enumerate(xs):
        _equal(name, batched[i], ours(x))
    grads = vmap(grad(loss(ours)))(xs)
    for i, x in enumerate(xs):
        _equal(name, grads[i], grad(loss(theirs))(x))


@pytest.mark.parametrize("name", NAMES)
def test_meta_tensors_match_pytorch(name):
    dims = ALL[name][0]
    x = torch.empty((2, 3, *(5,) * dims), device="meta", requires_grad=True)
    for layout in ("contiguous", "channels_last"):
        if layout == "channels_last":
            if dims == 1:
                continue
            fmt = torch.channels_last if dims == 2 else torch.channels_last_3d
            x = x.detach().contiguous(memory_format=fmt).requires_grad_()
        ours, theirs = _call(name, P, x), _call(name, F, x)
        on_cpu = _call(name, P, torch.zeros(x.shape).as_strided(x.shape, x.stride()))
        for a, b, c in zip(ours, theirs, on_cpu, strict=True):
            assert a.is_meta
            assert (a.shape, a.dtype) == (b.shape, b.dtype)
            # strides: as on the CPU (PyTorch's meta max_unpool2d drops channels-last)
            assert a.stride() == c.stride()
        (g,) = torch.autograd.grad(ours[0].sum(), x)
        assert g.is_meta and g.shape == x.shape


@pytest.mark.parametrize("name", [n for n in sorted(CALLS) if "max_pool" in n])
def test_indices_modified_in_place_are_detected(name):
    dims = CALLS[name][0]
    for module in (P, F):
        x = torch.randn((2, 3, *(5,) * dims), requires_grad=True)
        out, indices = call(name, module, x)
        indices.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


@pytest.mark.parametrize("name", NAMES)
def test_hessians_match_pytorch(name):
    """Second derivatives through both APIs: autograd's ``create_graph`` with grad_outputs
    that need no gradient, and ``torch.func.hessian`` (forward over reverse)."""
    dims = ALL[name][0]
    x = torch.randn(
        (1, 1, *(4,) * dims), dtype=torch.float64, generator=torch.Generator().manual_seed(5)
    )
    ours, theirs = _first(P, name), _first(F, name)

    def cube(f):
        return lambda t: f(t).pow(3).sum()

    expected = torch.autograd.functional.hessian(cube(theirs), x)
    _equal(name, torch.autograd.functional.hessian(cube(ours), x), expected)
    if dims < 3:  # 3-d: the same code paths, 16 times the work
        _equal(name, torch.func.hessian(cube(ours))(x), torch.func.hessian(cube(theirs))(x))
