"""The vectorized pooling functions against PyTorch: values, indices and gradients, bit for bit.

Random shapes and window arguments come from hypothesis (``tests/strategies.py``); inputs are
small integers (ties everywhere) with NaN, +-inf and -0.0 sprinkled in, or scaled normal noise
(where the summation order shows in the last bit). PyTorch's backward pass is never run on a
call with a window of padding only: it writes out of bounds there.
"""

from __future__ import annotations

import functools

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from strategies import FLOAT_DTYPES, LIB, assert_same_bits, pool_cases, pool_inputs

import pooling_lib as P
from pooling_lib import loops

MAX = {
    1: (P.max_pool1d, F.max_pool1d),
    2: (P.max_pool2d, F.max_pool2d),
    3: (P.max_pool3d, F.max_pool3d),
}
AVG = {
    1: (P.avg_pool1d, F.avg_pool1d),
    2: (P.avg_pool2d, F.avg_pool2d),
    3: (P.avg_pool3d, F.avg_pool3d),
}


def _grad(fn, x: torch.Tensor, grad_output: torch.Tensor, *args, **kwargs) -> torch.Tensor:
    leaf = x.detach().clone().requires_grad_()
    out = fn(leaf, *args, **kwargs)
    if isinstance(out, tuple):
        out = out[0]
    (grad,) = torch.autograd.grad(out, leaf, grad_output)
    return grad


def _noise(shape, seed: int, scale: float, dtype=torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * scale).to(dtype)


def _check_max(case, x, dims):
    ours, theirs = MAX[dims]
    # values only (the fast path without indices), then values with indices
    assert_same_bits(ours(x, *case.args()), theirs(x, *case.args()))
    out, idx = ours(x, *case.args(), return_indices=True)
    t_out, t_idx = theirs(x, *case.args(), return_indices=True)
    assert_same_bits(out, t_out)
    if case.has_empty_windows():
        # PyTorch's index points outside the input there; ours is -1 with value -inf.
        empty = idx == -1
        assert empty.any()
        assert torch.equal(idx[~empty], t_idx[~empty])
        assert torch.all(out[empty] == float("-inf"))
    else:
        assert torch.equal(idx, t_idx)
        assert idx.min() >= 0


@pytest.mark.parametrize("dims", [1, 2, 3])
@LIB
@given(data=st.data())
def test_max_pool_values_and_indices_match_torch(dims, data):
    case = data.draw(pool_cases(dims=dims, max_kernel=3 if dims < 3 else 2))
    x = data.draw(pool_inputs(case.shape))
    _check_max(case, x, dims)


@pytest.mark.parametrize("dims", [1, 2, 3])
@LIB
@given(data=st.data())
def test_max_pool_gradient_matches_torch(dims, data):
    case = data.draw(pool_cases(dims=dims, max_kernel=3 if dims < 3 else 2))
    x = data.draw(pool_inputs(case.shape))
    ours, theirs = MAX[dims]
    out = ours(x, *case.args())
    grad_output = _noise(out.shape, data.draw(st.integers(0, 2**16)), 1.0)
    grad = _grad(ours, x, grad_output, *case.args())
    if case.has_empty_windows():
        if dims == 2:  # compare with the loop reference instead of PyTorch's broken backward
            assert_same_bits(grad, loops.max_pool2d_backward(grad_output, x, *case.args()))
        return
    assert_same_bits(grad, _grad(theirs, x, grad_output, *case.args()))


@LIB
@given(data=st.data())
def test_max_pool2d_on_noise_matches_torch(data):
    case = data.draw(pool_cases(dims=2, max_kernel=4, max_extra=12))
    x = _noise(case.shape, data.draw(st.integers(0, 2**16)), 10.0)
    _check_max(case, x, 2)


@pytest.mark.parametrize("dims", [1, 2, 3])
@LIB
@given(data=st.data())
def test_avg_pool_matches_torch(dims, data):
    case = data.draw(
        pool_cases(
            dims=dims, max_kernel=4 if dims < 3 else 3, dilation=False, kernel_fits=dims == 3
        )
    )
    include_pad = data.draw(st.booleans())
    extra = {}
    if dims > 1:
        extra["divisor_override"] = data.draw(st.sampled_from([None, None, 1, 3, -2]))
    if data.draw(st.booleans()):
        x = _noise(
            case.shape, data.draw(st.integers(0, 2**16)), 10.0 ** data.draw(st.integers(-3, 3))
        )
    else:
        x = data.draw(pool_inputs(case.shape))
    ours, theirs = AVG[dims]
    args = (case.kernel_size, case.stride, case.padding, case.ceil_mode, include_pad)
    out = ours(x, *args, **extra)
    assert_same_bits(out, theirs(x, *args, **extra))
    grad_output = _noise(out.shape, data.draw(st.integers(0, 2**16)), 1.0)
    assert_same_bits(
        _grad(ours, x, grad_output, *args, **extra), _grad(theirs, x, grad_output, *args, **extra)
    )


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@LIB
@given(data=st.data())
def test_every_float_dtype_matches_torch(dtype, data):
    case = data.draw(pool_cases(dims=2, max_kernel=4, max_extra=8))
    x = _noise(case.shape, data.draw(st.integers(0, 2**16)), 3.0, dtype)
    _check_max(case, x, 2)
    g = _noise(P.max_pool2d(x, *case.args()).shape, 1, 1.0, dtype)
    if not case.has_empty_windows():
        assert_same_bits(
            _grad(P.max_pool2d, x, g, *case.args()), _grad(F.max_pool2d, x, g, *case.args())
        )
    avg_args = (case.kernel_size, case.stride, case.padding, case.ceil_mode)
    out = P.avg_pool2d(x, *avg_args)
    assert_same_bits(out, F.avg_pool2d(x, *avg_args))
    g = _noise(out.shape, 2, 1.0, dtype)
    assert_same_bits(_grad(P.avg_pool2d, x, g, *avg_args), _grad(F.avg_pool2d, x, g, *avg_args))


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int8, torch.int32, torch.int64])
def test_max_pool_integer_dtypes(dtype):
    low = 0 if dtype == torch.uint8 else -50
    x = torch.randint(low, 50, (2, 3, 9, 8), generator=torch.Generator().manual_seed(0)).to(dtype)
    for args in [(3, 2, 1), (2, 2, 0), ((3, 2), 1, (1, 0), (1, 2), True)]:
        out, idx = P.max_pool2d(x, *args, return_indices=True)
        t_out, t_idx = F.max_pool2d(x, *args, return_indices=True)
        assert_same_bits(out, t_out)
        assert torch.equal(idx, t_idx)
    if dtype == torch.int64:  # PyTorch averages int64 with truncating division
        for args in [(3, 2, 1), (2, 1, 1, True, False), (3, 2, 1, False, True, -4)]:
            assert_same_bits(P.avg_pool2d(x, *args), F.avg_pool2d(x, *args))
            assert_same_bits(loops.avg_pool2d(x[:1, :1], *args), F.avg_pool2d(x[:1, :1], *args))
        assert_same_bits(P.avg_pool1d(x[0], 3, 2, 1), F.avg_pool1d(x[0], 3, 2, 1))
        lp = P.lp_pool2d(x, 2, 2, torch_compatible=True)  # PyTorch's integer powers
        assert_same_bits(lp, F.lp_pool2d(x, 2, 2))
    else:
        with pytest.raises(TypeError, match="avg_pool2d: input.dtype"):
            P.avg_pool2d(x, 2)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_adaptive_pooling_every_float_dtype(dtype):
    x = _noise((2, 3, 9, 7), 12, 3.0, dtype)
    for size in [(4, 3), 5, (1, 1), (9, 10)]:
        for ours, theirs in [
            (P.adaptive_max_pool2d, F.adaptive_max_pool2d),
            (P.adaptive_avg_pool2d, F.adaptive_avg_pool2d),
        ]:
            out = ours(x, size)
            assert_same_bits(out, theirs(x, size))
            g = _noise(out.shape, 13, 1.0, dtype)
            expected = _grad(theirs, x, g, size)
            if ours is P.adaptive_avg_pool2d and dtype in (torch.float16, torch.bfloat16):
                # summed in float32 and rounded once (PyTorch rounds every addition)
                expected = _grad(theirs, x.float(), g.float(), size).to(dtype)
            assert_same_bits(_grad(ours, x, g, size), expected)


def _layouts(x: torch.Tensor):
    yield "channels_last", x.contiguous(memory_format=torch.channels_last)
    yield "transposed", x.transpose(-1, -2).contiguous().transpose(-1, -2)
    yield "sliced", torch.cat([x, x], dim=-1)[..., ::2]
    yield "expanded", x[:1].expand(3, *x.shape[1:])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("pool", ["max", "avg"])
def test_non_contiguous_layouts_match_torch(pool, dtype):
    base = _noise((2, 5, 11, 9), 0, 2.0, dtype)
    for name, x in _layouts(base):
        for args in [(3, 2, 1), ((2, 3), (1, 2), (1, 1))]:
            ours, theirs = (
                (P.max_pool2d, F.max_pool2d) if pool == "max" else (P.avg_pool2d, F.avg_pool2d)
            )
            out, t_out = ours(x, *args), theirs(x, *args)
            assert_same_bits(out, t_out)
            g = _noise(out.shape, 1, 1.0, dtype)
            assert_same_bits(_grad(ours, x, g, *args), _grad(theirs, x, g, *args)), name
            if pool == "max":
                assert torch.equal(
                    ours(x, *args, return_indices=True)[1], theirs(x, *args, return_indices=True)[1]
                )
    cl = base.contiguous(memory_format=torch.channels_last)
    assert P.max_pool2d(cl, 3, 2, 1).is_contiguous(memory_format=torch.channels_last)


def test_large_input_uses_chunks_and_matches_torch():
    # More than one chunk of planes (pooling_lib._kernels.common.CHUNK_ELEMENTS),
    # with ties and -0.0.
    x = torch.randint(-2, 3, (3, 40, 50, 47), generator=torch.Generator().manual_seed(3)).float()
    x[1, 7, 3, 4] = -0.0
    x[2, 30, 10, 10] = float("nan")
    for args in [(3, 2, 1), (2, 2, 0, 1, True)]:
        _check_max_simple(x, args)
        g = _noise(F.max_pool2d(x, *args).shape, 4, 1.0)
        assert_same_bits(_grad(P.max_pool2d, x, g, *args), _grad(F.max_pool2d, x, g, *args))
        assert_same_bits(P.avg_pool2d(x, *args[:3]), F.avg_pool2d(x, *args[:3]))
        y = _noise(x.shape, 5, 10.0)
        g = _noise(F.avg_pool2d(y, *args[:3]).shape, 6, 1.0)
        assert_same_bits(_grad(P.avg_pool2d, y, g, *args[:3]), _grad(F.avg_pool2d, y, g, *args[:3]))


def _check_max_simple(x, args):
    assert_same_bits(P.max_pool2d(x, *args), F.max_pool2d(x, *args))
    out, idx = P.max_pool2d(x, *args, return_indices=True)
    t_out, t_idx = F.max_pool2d(x, *args, return_indices=True)
    assert_same_bits(out, t_out)
    assert torch.equal(idx, t_idx)


def test_signed_zero_ties_keep_the_first_zero():
    x = torch.tensor([[[[-0.0, 0.0, 0.0, -0.0, 0.0, 0.0, -0.0, -0.0]]]])
    for args in [((1, 2),), ((1, 3), 1), ((1, 2), 1, (0, 1))]:
        assert_same_bits(P.max_pool2d(x, *args), F.max_pool2d(x, *args))
    # the last NaN of a window wins the index, as in PyTorch
    y = torch.tensor([[[[1.0, float("nan"), 3.0, float("nan"), 2.0]]]])
    assert P.max_pool2d(y, (1, 5), return_indices=True)[1].item() == 3


def test_window_of_padding_only_is_minus_inf_with_index_minus_one():
    # PyTorch returns indices 4..7 (outside the 1x4 input) and its backward corrupts memory.
    x = torch.zeros(1, 1, 1, 4)
    out, idx = P.max_pool2d(x, (2, 1), None, (1, 0), (2, 2), return_indices=True)
    assert torch.equal(out, torch.full((1, 1, 1, 4), float("-inf")))
    assert torch.equal(idx, torch.full((1, 1, 1, 4), -1))
    xr = x.clone().requires_grad_()
    P.max_pool2d(xr, (2, 1), None, (1, 0), (2, 2)).sum().backward()
    assert torch.equal(xr.grad, torch.zeros_like(x))
    lo, li = loops.max_pool2d(x, (2, 1), None, (1, 0), (2, 2), return_indices=True)
    assert torch.equal(lo, out) and torch.equal(li, idx)
    # max_unpool2d skips index -1
    assert torch.equal(
        P.max_unpool2d(out, idx, (2, 1), output_size=(2, 4)), torch.zeros(1, 1, 2, 4)
    )


def test_batch_of_zero_and_unbatched_inputs():
    for fn, args in [
        (P.max_pool2d, (3, 2, 1)),
        (P.avg_pool2d, (3, 2, 1)),
        (P.adaptive_avg_pool2d, (3,)),
    ]:
        x = torch.randn(0, 3, 8, 8, requires_grad=True)
        out = fn(x, *args)
        assert out.shape == (0, 3, 4, 4) if fn is not P.adaptive_avg_pool2d else (0, 3, 3, 3)
        out.sum().backward()
        assert x.grad.shape == x.shape
    x = _noise((3, 8, 7), 0, 1.0)
    assert_same_bits(P.max_pool2d(x, 3, 2, 1), F.max_pool2d(x, 3, 2, 1))
    assert torch.equal(
        P.max_pool2d(x, 3, return_indices=True)[1], F.max_pool2d(x, 3, return_indices=True)[1]
    )
    assert_same_bits(P.avg_pool1d(x[0], 3, 2, 1), F.avg_pool1d(x[0], 3, 2, 1))
    y = _noise((3, 4, 8, 7), 0, 1.0)
    assert_same_bits(P.max_pool3d(y, 2), F.max_pool3d(y, 2))
    assert_same_bits(P.avg_pool3d(y, 2, 1, 1), F.avg_pool3d(y, 2, 1, 1))


@LIB
@given(data=st.data())
def test_adaptive_pooling_matches_torch(data):
    batched = data.draw(st.booleans())
    shape = tuple(data.draw(st.integers(1, 3)) for _ in range(2 if batched else 1))
    spatial = (data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9)))
    size = data.draw(
        st.one_of(
            st.integers(1, 10),
            st.tuples(st.one_of(st.none(), st.integers(1, 10)), st.integers(1, 10)),
        )
    )
    x = (
        data.draw(pool_inputs((*shape, *spatial)))
        if data.draw(st.booleans())
        else _noise((*shape, *spatial), 5, 3.0)
    )
    out, idx = P.adaptive_max_pool2d(x, size, return_indices=True)
    t_out, t_idx = F.adaptive_max_pool2d(x, size, return_indices=True)
    assert_same_bits(out, t_out)
    assert torch.equal(idx, t_idx)
    g = _noise(out.shape, 6, 1.0)
    assert_same_bits(
        _grad(P.adaptive_max_pool2d, x, g, size), _grad(F.adaptive_max_pool2d, x, g, size)
    )
    avg = P.adaptive_avg_pool2d(x, size)
    assert_same_bits(avg, F.adaptive_avg_pool2d(x, size))
    assert_same_bits(
        _grad(P.adaptive_avg_pool2d, x, g, size), _grad(F.adaptive_avg_pool2d, x, g, size)
    )
    # 1-d: the last dimension
    x1 = x.flatten(-2)
    size1 = size if isinstance(size, int) else size[1]
    assert_same_bits(P.adaptive_avg_pool1d(x1, size1), F.adaptive_avg_pool1d(x1, size1))
    o1, i1 = P.adaptive_max_pool1d(x1, size1, return_indices=True)
    t1, ti1 = F.adaptive_max_pool1d(x1, size1, return_indices=True)
    assert_same_bits(o1, t1)
    assert torch.equal(i1, ti1)


@pytest.mark.parametrize("norm_type", [1, 2, 3.5, -1.0, float("inf")])
def test_lp_pool_matches_torch(norm_type):
    # torch_compatible=True is PyTorch's formula (the default differs on purpose: its docstring)
    lp2, lp1 = (functools.partial(f, torch_compatible=True) for f in (P.lp_pool2d, P.lp_pool1d))
    x = _noise((2, 3, 9, 8), 7, 2.0).abs() + 0.1
    for args in [(3,), (3, 2), ((2, 3), (1, 2), True)]:
        out = lp2(x, norm_type, *args)
        assert_same_bits(out, F.lp_pool2d(x, norm_type, *args))
        g = _noise(out.shape, 8, 1.0)
        expected = _grad(F.lp_pool2d, x, g, norm_type, *args)
        assert_same_bits(_grad(lp2, x, g, norm_type, *args), expected)
        x1 = x.flatten(-2)
        k1 = args[0] if isinstance(args[0], int) else args[0][1]
        assert_same_bits(lp1(x1, norm_type, k1), F.lp_pool1d(x1, norm_type, k1))


def test_max_unpool2d_matches_torch_and_checks_indices():
    x = _noise((2, 3, 9, 8), 9, 1.0)
    for args, size in [((2,), None), ((3, 2, 1), (9, 8)), ((2,), (9, 8)), ((2, 2), [2, 3, 9, 9])]:
        out, idx = F.max_pool2d(x, *args, return_indices=True)
        assert_same_bits(
            P.max_unpool2d(out, idx, *args, output_size=size),
            F.max_unpool2d(out, idx, *args, output_size=size),
        )
        g = _noise(F.max_unpool2d(out, idx, *args, output_size=size).shape, 1, 1.0)
        assert_same_bits(
            _grad(P.max_unpool2d, out, g, idx, *args, output_size=size),
            _grad(F.max_unpool2d, out, g, idx, *args, output_size=size),
        )
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(ValueError, match="max_unpool2d: indices hold 72"):
        P.max_unpool2d(out, torch.full_like(idx, 72), 2)
    with pytest.raises(TypeError, match="max_unpool2d: indices must be an int64"):
        P.max_unpool2d(out, idx.int(), 2)
    with pytest.raises(ValueError, match="max_unpool2d: output_size=.*strictly"):
        P.max_unpool2d(out, idx, 2, output_size=(20, 20))


@pytest.mark.parametrize(
    "fn, make",
    [
        (lambda t: P.max_pool2d(t, 3, 2, 1), lambda: torch.randn(2, 2, 7, 6, dtype=torch.float64)),
        (
            lambda t: P.max_pool1d(t, 2, 1, 1, 2, True),
            lambda: torch.randn(2, 3, 9, dtype=torch.float64),
        ),
        (lambda t: P.max_pool3d(t, 2, 1), lambda: torch.randn(1, 2, 4, 3, 5, dtype=torch.float64)),
        (
            lambda t: P.avg_pool2d(t, 3, 2, 1, True, False),
            lambda: torch.randn(2, 2, 7, 6, dtype=torch.float64),
        ),
        (
            lambda t: P.avg_pool3d(t, 2, 1, 1, divisor_override=3),
            lambda: torch.randn(1, 2, 4, 3, 5, dtype=torch.float64),
        ),
        (
            lambda t: P.adaptive_max_pool2d(t, (3, 4)),
            lambda: torch.randn(2, 2, 7, 6, dtype=torch.float64),
        ),
        (
            lambda t: P.adaptive_avg_pool2d(t, (3, 4)),
            lambda: torch.randn(2, 2, 7, 6, dtype=torch.float64),
        ),
        (lambda t: P.lp_pool2d(t, 2, 2), lambda: torch.rand(2, 2, 6, 6, dtype=torch.float64) + 0.5),
    ],
)
def test_gradcheck_float64(fn, make):
    torch.manual_seed(0)
    x = make().requires_grad_()
    assert torch.autograd.gradcheck(fn, (x,))


def test_nn_modules_mirror_torch_and_the_seed():
    import torch.nn as tnn

    import pooling_lib.nn as pnn

    X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
    X2 = torch.cat((X, X + 1), 1)
    for make in [
        lambda m: m.MaxPool2d(3),
        lambda m: m.MaxPool2d(3, padding=1, stride=2),
        lambda m: m.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1)),
    ]:
        ours, theirs = make(pnn), make(tnn)
        assert repr(ours) == repr(theirs)
        assert isinstance(ours, tnn.MaxPool2d)
        for inp in (X, X2):
            assert_same_bits(ours(inp), theirs(inp))
    x = _noise((2, 3, 9, 8), 3, 1.0)
    x3 = _noise((2, 3, 5, 4, 6), 3, 1.0)
    x1 = x.flatten(-2)
    cases = [
        ("MaxPool1d", (3, 2, 1, 2, True, True), x1),
        ("MaxPool2d", (3, 2, 1, 1, True), x),
        ("MaxPool3d", (2, 1, 1), x3),
        ("AvgPool1d", (3, 2, 1, True, False), x1),
        ("AvgPool2d", (3, 2, 1, True, False, 2), x),
        ("AvgPool3d", (2, 1, 1), x3),
        ("AdaptiveMaxPool1d", (5, True), x1),
        ("AdaptiveMaxPool2d", ((3, None),), x),
        ("AdaptiveAvgPool1d", (5,), x1),
        ("AdaptiveAvgPool2d", ((3, 5),), x),
        ("LPPool1d", (2, 3), x1),
        ("LPPool2d", (2, (2, 3), 2), x.abs()),
    ]
    for name, args, inp in cases:
        ours, theirs = getattr(pnn, name)(*args), getattr(tnn, name)(*args)
        assert repr(ours) == repr(theirs), name
        if name.startswith("LPPool"):  # PyTorch's Lp formula only on request (lp_pool2d's doc)
            ours = getattr(pnn, name)(*args, torch_compatible=True)
        a, b = ours(inp), theirs(inp)
        for u, v in zip(
            a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,), strict=True
        ):
            assert_same_bits(u, v)
    out, idx = tnn.MaxPool2d(2, return_indices=True)(x)
    assert_same_bits(pnn.MaxUnpool2d(2)(out, idx), tnn.MaxUnpool2d(2)(out, idx))
    with pytest.raises(ValueError, match="MaxPool2d: padding=2"):
        pnn.MaxPool2d(3, padding=2)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_matches_cpu():  # pragma: no cover - runs on a GPU machine only
    x = _noise((4, 8, 33, 30), 11, 3.0)
    for dtype in FLOAT_DTYPES:
        xc, xg = x.to(dtype), x.to(dtype).cuda()
        for args in [(3, 2, 1), (2, 2, 0, 2, True)]:
            out, idx = P.max_pool2d(xg, *args, return_indices=True)
            assert_same_bits(out.cpu(), P.max_pool2d(xc, *args))
            assert torch.equal(idx.cpu(), P.max_pool2d(xc, *args, return_indices=True)[1])
            g = _noise(out.shape, 1, 1.0, dtype)
            assert_same_bits(
                _grad(P.max_pool2d, xg, g.cuda(), *args).cpu(), _grad(P.max_pool2d, xc, g, *args)
            )
            avg = P.avg_pool2d(xg, *args[:3])
            torch.testing.assert_close(avg.cpu(), F.avg_pool2d(xc, *args[:3]))
