"""Max pooling with large windows (issue 17): PyTorch's values, indices and gradients on
adversarial inputs (ties, NaN, -inf, -0.0) for windows past the slot loop's range, a number
of torch operations per call that does not grow with the window, sizes that cannot be
computed refused at once, and huge windows in time bounded by the input."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from strategies import LIB, adversarial_inputs, assert_same_bits, pool_cases
from torch.utils._python_dispatch import TorchDispatchMode

import pooling_lib as P
from pooling_lib._kernels.running_max import SMALL_WINDOW


def _torch_max_pool1d(x, *args, **kwargs):
    """``F.max_pool1d``; for integer dtypes (which it does not take) through float64, exact
    for the int32 and uint8 values used here."""
    if x.dtype.is_floating_point:
        return F.max_pool1d(x, *args, **kwargs)
    out = F.max_pool1d(x.double(), *args, **kwargs)
    if isinstance(out, tuple):
        return out[0].to(x.dtype), out[1]
    return out.to(x.dtype)


MAX = {
    1: (P.max_pool1d, _torch_max_pool1d),
    2: (P.max_pool2d, F.max_pool2d),
    3: (P.max_pool3d, F.max_pool3d),
}
DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int32, torch.uint8)


def _reference(theirs, x, args, **kwargs):
    """PyTorch's result; for a uint8 input that PyTorch refuses because its element count
    does not fit the index type it picks from the input's dtype ("Expected input_depth *
    input_height * input_width <= std::numeric_limits<integer_t>::max()", channels_last),
    PyTorch's result on the same values as int32, cast back: max pooling commutes with that
    widening, values and first-maximum positions alike."""
    try:
        return _torch(theirs, x, args, **kwargs)
    except RuntimeError as err:
        if x.dtype != torch.uint8 or "numeric_limits<integer_t>" not in str(err):
            raise
    result = _torch(theirs, x.to(torch.int32), args, **kwargs)
    if isinstance(result, tuple):
        return result[0].to(torch.uint8), result[1]
    return result.to(torch.uint8)


def _torch(theirs, x, args, **kwargs):
    """``theirs(x, *args, **kwargs)``, but for channels_last_3d max_pool3d with indices:
    PyTorch's channels_last_3d kernel keeps a stale index where a window holds only -inf
    (test_channels_last_3d_all_minus_inf_window), so its values and strides, with the
    indices of its contiguous kernel, which is right."""
    if theirs is F.max_pool3d and _is_channels_last_3d(x) and kwargs.get("return_indices"):
        out, idx = theirs(x, *args, **kwargs)
        _, right = theirs(x.contiguous(), *args, **kwargs)
        return out, torch.empty_like(idx).copy_(right)
    return theirs(x, *args, **kwargs)


def _is_channels_last_3d(x: torch.Tensor) -> bool:
    return (
        x.dim() == 5
        and x.shape[1] > 1
        and x.is_contiguous(memory_format=torch.channels_last_3d)
        and not x.is_contiguous()
    )


def test_channels_last_3d_all_minus_inf_window():
    """Found by ``make test-explore SEED=3``: where a window of a ``channels_last_3d`` input
    (two channels or more) holds only ``-inf``, PyTorch 2.14 returns the index of the
    previous window's maximum, a position outside the window; its contiguous kernel (and
    pooling_lib, on both layouts) returns the window's first position."""
    kw = dict(kernel_size=(6, 5, 1), stride=(3, 2, 2), padding=(3, 1, 0), ceil_mode=True)
    x = torch.full((1, 2, 4, 3, 10), -math.inf)
    x[0, 1, 0, 0, 2] = -1.0  # the maximum of the windows at depth 0 and 1 of channel 1
    cl = x.contiguous(memory_format=torch.channels_last_3d)
    # Output depth 2 reads input depth 3 only (3 * 2 - 3 = 3, clipped to D_in = 4): all -inf.
    _, t_idx = F.max_pool3d(x, **kw, return_indices=True)
    assert t_idx[0, 1, 2, 0, 1] == 3 * 30 + 0 * 10 + 2  # depth 3, height 0, width 2
    for layout in (x, cl):
        out, idx = P.max_pool3d(layout, **kw, return_indices=True)
        assert torch.equal(idx, t_idx) and torch.equal(out, F.max_pool3d(x, **kw))
    _, t_cl_idx = F.max_pool3d(cl, **kw, return_indices=True)
    if not torch.equal(t_cl_idx, t_idx):  # PyTorch's kernel as of 2.14: a stale index
        assert t_cl_idx[0, 1, 2, 0, 1] == 2  # depth 0: outside the window


def _check(ours, theirs, x, args, has_empty):
    assert_same_bits(ours(x, *args), _reference(theirs, x, args))
    out, idx = ours(x, *args, return_indices=True)
    t_out, t_idx = _reference(theirs, x, args, return_indices=True)
    assert_same_bits(out, t_out)
    keep = idx != -1 if has_empty else torch.ones_like(idx, dtype=torch.bool)
    assert torch.equal(idx[keep], t_idx[keep])
    assert out.stride() == t_out.stride() and idx.stride() == t_idx.stride()


@pytest.mark.parametrize("dims", [1, 2, 3])
@LIB
@given(data=st.data())
def test_large_windows_match_torch(dims, data):
    """Windows up to 12 slots per dimension: the strided view, slot slices, doubling and
    clipped paths of ``running_max``, on inputs full of ties and special values."""
    case = data.draw(
        pool_cases(dims=dims, max_kernel=12 if dims < 3 else 7, max_extra=9, max_dilation=2)
    )
    dtype = data.draw(st.sampled_from(DTYPES))
    x = data.draw(adversarial_inputs(case.shape, dtype))
    if data.draw(st.booleans()) and len(case.shape) == dims + 2 and dims > 1:
        fmt = torch.channels_last if dims == 2 else torch.channels_last_3d
        x = x.contiguous(memory_format=fmt)
    ours, theirs = MAX[dims]
    _check(ours, theirs, x, case.args(), case.has_empty_windows())


@LIB
@given(data=st.data())
def test_large_window_gradients_match_torch(data):
    case = data.draw(pool_cases(dims=2, max_kernel=12, max_extra=9, max_dilation=2))
    if case.has_empty_windows():
        return  # PyTorch's backward writes out of bounds there (test_lib_functional)
    x = data.draw(adversarial_inputs(case.shape, torch.float64, nan=False))
    leaf, t_leaf = x.clone().requires_grad_(), x.clone().requires_grad_()
    out = P.max_pool2d(leaf, *case.args())
    g = torch.arange(out.numel(), dtype=torch.float64).reshape(out.shape) / 7
    (ours,) = torch.autograd.grad(out, leaf, g)
    (theirs,) = torch.autograd.grad(F.max_pool2d(t_leaf, *case.args()), t_leaf, g)
    assert_same_bits(ours, theirs)


@LIB
@given(
    n=st.integers(1, 40),
    m=st.integers(1, 30),
    out=st.integers(1, 12),
    out2=st.integers(1, 12),
    data=st.data(),
)
def test_adaptive_max_matches_torch(n, m, out, out2, data):
    """Adaptive windows that tile the input (a view) and that overlap (doubling)."""
    dtype = data.draw(st.sampled_from(DTYPES[:4]))
    x = data.draw(adversarial_inputs((2, 2, n, m), dtype))
    ours = P.adaptive_max_pool2d(x, (out, out2), return_indices=True)
    theirs = F.adaptive_max_pool2d(x, (out, out2), return_indices=True)
    assert_same_bits(ours[0], theirs[0])
    assert torch.equal(ours[1], theirs[1])
    assert_same_bits(P.adaptive_max_pool2d(x, (out, out2)), theirs[0])
    x1 = x[:, :, 0]
    assert torch.equal(
        P.adaptive_max_pool1d(x1, out, True)[1], F.adaptive_max_pool1d(x1, out, True)[1]
    )


def test_ties_nan_and_negative_zero_in_one_window():
    # the first maximum wins a tie, the last NaN wins, -0.0 before +0.0 stays -0.0
    x = torch.tensor([[[0.0, -0.0, 0.0, 3.0, 3.0, float("nan"), 3.0, float("nan"), -1.0, -0.0]]])
    for args in [(10,), (7, 1), (5, 1, 2), (6, 3, 3, 1, True), (3, 1, 1, 3)]:
        _check(P.max_pool1d, F.max_pool1d, x, args, False)
    neg = torch.tensor([[[-0.0] * 9 + [0.0]]])
    _check(P.max_pool1d, F.max_pool1d, neg, (8, 1), False)
    low = torch.full((1, 1, 12), float("-inf"))  # padding and real cells alike: first real wins
    _check(P.max_pool1d, F.max_pool1d, low, (9, 1, 4), False)


class _CountOps(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def _ops(fn, *args, backward=False, **kwargs) -> int:
    """Aten operations of one call, after a call outside the counter: the kernels cache
    small tensors (window positions, adaptive bounds), made on a first call only, so the
    count does not depend on which test ran before."""
    leaf = args[0].clone().requires_grad_() if backward else args[0]

    def call():
        out = fn(leaf, *args[1:], **kwargs)
        if backward:
            out = out[0] if isinstance(out, tuple) else out
            torch.autograd.grad(out, leaf, torch.ones_like(out))

    call()
    with _CountOps() as counter:
        call()
    return counter.count


CALLS = {
    "max_pool1d stride 1": lambda k: (P.max_pool1d, torch.randn(2, 3, 600), k, 1),
    "max_pool1d stride k": lambda k: (P.max_pool1d, torch.randn(2, 3, 600), k),
    "max_pool1d padding": lambda k: (P.max_pool1d, torch.randn(2, 3, 600), k, 1, k // 2),
    "max_pool1d dilation 2": lambda k: (P.max_pool1d, torch.randn(1, 2, 1100), k, 1, 0, 2),
    "max_pool2d": lambda k: (P.max_pool2d, torch.randn(1, 2, 300, 300), k, 1),  # both grow
    "max_pool3d": lambda k: (P.max_pool3d, torch.randn(1, 1, 260, 4, 4), (k, 2, 2), 1),
    "adaptive_max_pool1d": lambda k: (P.adaptive_max_pool1d, torch.randn(2, 3, 512), 512 // k),
    "adaptive_max_pool1d overlapping": lambda k: (
        P.adaptive_max_pool1d,
        torch.randn(2, 3, 515),
        515 // k,
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("indices", [False, True])
@pytest.mark.parametrize("backward", [False, True])
def test_torch_ops_per_call_do_not_grow_with_the_window(name, indices, backward):
    """Aten operations per call (TorchDispatchMode, one chunk of planes) for windows of 2 to
    256: at most a constant plus a few per doubling of the window (the log-step doubling),
    never one per slot, as the slot loop needed (255 more for a window of 256 than of 2)."""
    torch.manual_seed(0)
    kwargs = {"return_indices": True} if indices else {}
    counts = {}
    for k in (2, 16, 256):
        fn, *args = CALLS[name](k)
        counts[k] = _ops(fn, *args, backward=backward, **kwargs)
    # a step of the doubling: two slices and maximum (with indices: two more slices, gt,
    # mul, maximum); a switch of strategy (slot slices to doubling) costs a few more
    per_doubling, switch = 8, 12
    if name == "max_pool2d":  # the window grows in both dimensions
        per_doubling, switch = 2 * per_doubling, 2 * switch
    assert counts[256] - counts[16] <= per_doubling * math.log2(256 / 16), counts
    assert counts[16] - counts[2] <= per_doubling * math.log2(16 / 2) + switch, counts


def test_small_windows_use_slices():
    assert SMALL_WINDOW >= 3  # 3x3 windows (ResNet) stay on the slot slices


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: P.max_pool1d(x, 2**40, padding=2**39), r"kernel_size=1099511627776 is too"),
        (lambda x: P.max_pool1d(x, 2, 2**31), r"stride=2147483648 is too large: .* 2147483647"),
        (lambda x: P.max_pool2d(x, 4, 1, 2, 2**31), r"dilation=2147483648 is too large"),
        (lambda x: P.avg_pool1d(x, 2**40, padding=2**39), r"avg_pool1d: kernel_size=.* too large"),
        (lambda x: P.adaptive_avg_pool2d(x, 2**40), r"output_size=1099511627776 is too large"),
        (lambda x: P.adaptive_max_pool2d(x, (2**31, 2**31)), r"output_size=.* more than 2\*\*60"),
    ],
)  # fmt: skip
def test_sizes_that_cannot_be_computed_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call(torch.randn(1, 2, 10))


def test_huge_windows_cost_the_input_not_the_window():
    """A window of 2**30 on 10 cells reads 10 cells: the padding is never made (run under
    a dispatch counter, so a loop over slots or a padded copy would show)."""
    x = torch.randn(1, 2, 10)
    for kwargs in [
        dict(kernel_size=2**30, padding=2**29),
        dict(kernel_size=2**30, stride=1, padding=2**29),
        dict(kernel_size=2**20 + 1, stride=3, padding=2**19, ceil_mode=True),
    ]:
        with _CountOps() as counter:
            out, idx = P.max_pool1d(x, **kwargs, return_indices=True)
        assert counter.count < 200
        assert out.numel() <= 2 * (x.shape[-1] + 1)
        real = idx >= 0
        assert torch.equal(out[real], x.gather(2, idx.clamp(min=0))[real])
        # every window that reads cells holds the maximum of those cells
        assert torch.all(out[real] <= x.amax(-1, keepdim=True).expand_as(out)[real])
    assert P.avg_pool1d(x, 2**30, padding=2**29).shape == (1, 2, 1)


def _order_sensitive(shape, dtype=torch.float32, seed=0):
    """Values whose sum depends on the order of the additions (magnitudes from 1e-6 to 1e7,
    both signs) with a few -0.0, +-inf and NaN: a sum in another order than PyTorch's
    rounds differently."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64)
    x = x * torch.pow(10.0, torch.randint(-6, 8, shape, generator=g).double())
    flat = x.view(-1)
    picks = torch.randint(0, flat.numel(), (4,), generator=g)
    specials = [-0.0, float("inf"), float("-inf"), float("nan")]
    for i, v in zip(picks.tolist(), specials, strict=True):
        flat[i] = v
    return x.to(dtype)


TILING_AVG = [
    ("avg_pool1d 8", lambda m, x: m.avg_pool1d(x, 8), (2, 3, 64)),
    ("avg_pool2d 2x4", lambda m, x: m.avg_pool2d(x, (2, 4)), (2, 3, 8, 12)),
    ("avg_pool2d 8 divisor_override", lambda m, x: m.avg_pool2d(x, 8, divisor_override=3),
     (2, 3, 16, 24)),
    ("avg_pool3d 2", lambda m, x: m.avg_pool3d(x, 2), (2, 3, 4, 6, 8)),
    ("adaptive_avg_pool2d 56 to 7", lambda m, x: m.adaptive_avg_pool2d(x, 7), (2, 5, 56, 56)),
    ("adaptive_avg_pool2d 12x30 to 3x5", lambda m, x: m.adaptive_avg_pool2d(x, (3, 5)),
     (3, 2, 12, 30)),
    ("adaptive_avg_pool1d 40 to 5", lambda m, x: m.adaptive_avg_pool1d(x, 5), (2, 3, 40)),
]  # fmt: skip


@pytest.mark.parametrize("name, call, shape", TILING_AVG, ids=[t[0] for t in TILING_AVG])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("layout", ["contiguous", "channels_last", "strided"])
def test_tiling_average_windows_are_summed_in_torchs_order(name, call, shape, dtype, layout):
    """Windows that tile the input (``avg._scatter_sums``: one ``scatter_add_`` on contiguous
    float32/float64 inputs, the slot slices otherwise) give PyTorch's bits on values whose
    sum depends on the order of the additions, in every layout, and PyTorch's gradients."""
    if "pool3d" in name and dtype in (torch.float16, torch.bfloat16):
        pytest.skip("PyTorch's avg_pool3d has no float16/bfloat16 CPU kernel")
    x = _order_sensitive(shape, dtype)
    if layout == "channels_last" and x.dim() in (4, 5):
        x = x.contiguous(
            memory_format=torch.channels_last if x.dim() == 4 else torch.channels_last_3d
        )
    elif layout == "strided":
        x = torch.cat([x, x], dim=-1)[..., ::2]  # not contiguous, same values
    ours, theirs = call(P, x), call(F, x)
    assert_same_bits(ours, theirs)
    assert ours.stride() == theirs.stride()
    if dtype in (torch.float32, torch.float64) and "divisor" not in name:
        x = x.nan_to_num(0.0, 0.0, 0.0).requires_grad_()
        g = _order_sensitive(theirs.shape, dtype, seed=1).nan_to_num(0.0, 0.0, 0.0)
        (g_ours,) = torch.autograd.grad(call(P, x), x, g)
        (g_theirs,) = torch.autograd.grad(call(F, x), x, g)
        assert_same_bits(g_ours, g_theirs)
        assert g_ours.stride() == g_theirs.stride()


def test_tiling_average_over_an_int64_input():
    x = torch.randint(-(2**40), 2**40, (2, 3, 16, 16))
    assert torch.equal(P.avg_pool2d(x, 4), F.avg_pool2d(x, 4))
    assert torch.equal(
        P.avg_pool2d(x, 4, divisor_override=7), F.avg_pool2d(x, 4, divisor_override=7)
    )


def test_average_windows_that_do_not_tile_keep_torchs_bits():
    """Next to the scatter path: sizes that the windows do not divide, overlapping windows,
    padding and windows smaller than ``SCATTER_WINDOW`` take the slot slices."""
    x = _order_sensitive((2, 3, 57, 50))
    for call in [
        lambda m: m.adaptive_avg_pool2d(x, 7),  # 57 and 50 are not multiples of 7
        lambda m: m.avg_pool2d(x, 8),  # a remainder the windows do not read
        lambda m: m.avg_pool2d(x, 8, 4),  # overlapping
        lambda m: m.avg_pool2d(x, 8, 8, 4, ceil_mode=True),  # padding
        lambda m: m.avg_pool2d(x, 2),  # 4 cells
    ]:
        assert_same_bits(call(P), call(F))


def test_scatter_sums_only_where_they_add_in_torchs_order():
    from pooling_lib._kernels import avg
    from pooling_lib.shapes import PoolArgs

    args = PoolArgs((8, 8), (8, 8), (0, 0), (1, 1), False, (2, 2))
    x = torch.randn(1, 2, 16, 16)
    acc = torch.empty(1, 2, 2, 2)
    assert avg._scatter_sums(acc, x, args)
    assert not avg._scatter_sums(acc, x.contiguous(memory_format=torch.channels_last), args)
    assert not avg._scatter_sums(acc.double(), x, args)  # float16 inputs sum in float32
    assert not avg._scatter_sums(acc, x[..., :15], PoolArgs(
        (8, 8), (8, 8), (0, 0), (1, 1), False, (2, 1)))  # fmt: skip
    small = PoolArgs((2, 2), (2, 2), (0, 0), (1, 1), False, (8, 8))
    assert not avg._scatter_sums(torch.empty(1, 2, 8, 8), x, small)
    big = torch.randn(1, 1, 512, 256)  # a plane of 2**17 cells: no index that large
    big_args = PoolArgs((8, 8), (8, 8), (0, 0), (1, 1), False, (64, 32))
    assert not avg._scatter_sums(torch.empty(1, 1, 64, 32), big, big_args)
    assert_same_bits(P.avg_pool2d(big, 8), F.avg_pool2d(big, 8))


class _Allocations(TorchDispatchMode):
    """The size, in bytes, of every new storage an aten operation returns (a result whose
    storage is none of its arguments': not a view, not an ``out=`` or in-place result)."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        flat = torch.utils._pytree.tree_leaves((args, kwargs))
        known = {t.untyped_storage().data_ptr() for t in flat if isinstance(t, torch.Tensor)}
        for r in torch.utils._pytree.tree_leaves(result):
            if isinstance(r, torch.Tensor) and r.untyped_storage().data_ptr() not in known:
                self.sizes.append(r.untyped_storage().nbytes())
        return result


@pytest.mark.parametrize(
    "call",
    [
        lambda x: P.max_pool1d(x, 3, 1),
        lambda x: P.max_pool1d(x, 4, 1),
        lambda x: P.max_pool1d(x, 2, 2),
        lambda x: P.max_pool1d(x, 5, 5),
    ],
)
def test_max_values_are_written_into_the_output(call):
    """Without indices the maxima go into the output (``torch.maximum(..., out=)``): apart
    from the output, no tensor of a quarter of its bytes is made (the text workloads' peak
    memory, issue 17)."""
    x = torch.randn(4, 8, 20000)  # several chunks of planes
    with _Allocations() as seen:
        out = call(x)
    size = out.numel() * out.element_size()
    big = [n for n in seen.sizes if n >= size // 4]
    assert big == [size], big


@pytest.mark.parametrize("k, s", [(3, 1), (5, 1), (2, 2), (8, 3)])
def test_max_values_with_negative_zero_in_some_chunks(k, s):
    """The -0.0 check runs per chunk of planes: a chunk holding -0.0 next to +0.0 gets
    PyTorch's bits (the first zero of the window), the others the fast values."""
    x = torch.randn(6, 64, 1500)
    x[1, :, ::7] = 0.0
    x[1, :, 1::7] = -0.0
    x[4, 3, 100:110] = float("nan")
    for layout in (x, x.transpose(1, 2).contiguous().transpose(1, 2)):
        assert_same_bits(P.max_pool1d(layout, k, s), F.max_pool1d(layout, k, s))
        x2 = layout.view(6, 64, 30, 50)
        assert_same_bits(P.max_pool2d(x2, k, s), F.max_pool2d(x2, k, s))
        cl = x2.contiguous(memory_format=torch.channels_last)
        assert_same_bits(P.max_pool2d(cl, k, s), F.max_pool2d(cl, k, s))


@pytest.mark.parametrize("shape", [(4, 3, 7, 7), (1, 1, 1, 1), (2, 1, 5, 3), (3, 4, 1, 1)])
def test_global_average_pooling_is_torchs_mean(shape):
    x = _order_sensitive(shape)
    layouts = [x, x.contiguous(memory_format=torch.channels_last), x.transpose(2, 3)]
    for xl in layouts:
        for size in (1, (1, 1), (1, None) if shape[2] == 1 else 1):
            ours, theirs = P.adaptive_avg_pool2d(xl, size), F.adaptive_avg_pool2d(xl, size)
            assert_same_bits(ours, theirs)
            assert ours.stride() == theirs.stride()
    with pytest.raises(TypeError, match="output_size"):
        P.adaptive_avg_pool2d(x, True)


def _tiled_cases():
    """2-d windows side by side (``running_max._tiled``): adaptive from multiples, and
    ``max_pool2d`` with stride = kernel, a remainder left over, one window row."""
    return [
        (lambda m, x, **kw: m.adaptive_max_pool2d(x, 2, **kw), (1, 2, 4, 10)),
        (lambda m, x, **kw: m.adaptive_max_pool2d(x, (2, 1), **kw), (2, 1, 6, 6)),
        (lambda m, x, **kw: m.max_pool2d(x, (3, 6), **kw), (1, 2, 7, 13)),
        (lambda m, x, **kw: m.max_pool2d(x, (1, 5), **kw), (1, 2, 3, 11)),
        (lambda m, x, **kw: m.max_pool2d(x, 8, **kw), (1, 1, 8, 16)),
        (lambda m, x, **kw: m.max_pool2d(x, (9, 5), **kw), (1, 2, 9, 10)),  # rows > 8
    ]


@pytest.mark.parametrize("case", range(len(_tiled_cases())))
@LIB
@given(data=st.data())
def test_tiled_windows_with_indices_match_torch(case, data):
    """Windows that tile the input, with indices and without: PyTorch's values, indices,
    layouts and gradients on inputs full of ties, NaN, +-inf and -0.0 next to +0.0."""
    call, shape = _tiled_cases()[case]
    dtype = data.draw(st.sampled_from(DTYPES[:4]))
    x = data.draw(adversarial_inputs(shape, dtype))
    if data.draw(st.booleans()):  # channels_last
        x = x.contiguous(memory_format=torch.channels_last)
    values, t_values = call(P, x), call(F, x)
    assert_same_bits(values, t_values)
    assert values.stride() == t_values.stride()
    out, idx = call(P, x, return_indices=True)
    t_out, t_idx = call(F, x, return_indices=True)
    assert_same_bits(out, t_out)
    assert torch.equal(idx, t_idx)
    assert out.stride() == t_out.stride() and idx.stride() == t_idx.stride()
    if dtype == torch.float64:
        leaf, t_leaf = x.clone().requires_grad_(), x.clone().requires_grad_()
        g = torch.randn(t_out.shape, dtype=dtype)
        (ours,) = torch.autograd.grad(call(P, leaf), leaf, g)
        (theirs,) = torch.autograd.grad(call(F, t_leaf), t_leaf, g)
        assert_same_bits(ours, theirs)
        assert ours.stride() == theirs.stride()


@pytest.mark.parametrize("k, s", [(5, 1), (8, 1), (6, 2), (7, 3)])
@LIB
@given(data=st.data())
def test_values_only_slots_up_to_eight_match_torch(k, s, data):
    """Values only, windows of 5 to 8 take the slot slices (``SMALL_VALUES_WINDOW``):
    PyTorch's bits on ties, NaN, +-inf and -0.0 next to +0.0, 1-d and 2-d."""
    dtype = data.draw(st.sampled_from(DTYPES))
    x = data.draw(adversarial_inputs((2, 3, 40), dtype))
    assert_same_bits(P.max_pool1d(x, k, s), _torch_max_pool1d(x, k, s))
    if dtype.is_floating_point:
        x2 = x.view(2, 3, 5, 8)
        assert_same_bits(P.max_pool2d(x2, (2, k), s), F.max_pool2d(x2, (2, k), s))


@pytest.mark.parametrize("dtype", DTYPES[:4])
def test_gradients_of_windows_side_by_side_match_torch(dtype):
    """Windows that do not overlap write the gradient with ``scatter_`` (``0 + g`` is
    ``g + 0.0``): PyTorch's bits for a gradient holding -0.0, +-inf and NaN, on inputs with
    ties, in both layouts, through padding and dilation."""
    g = torch.Generator().manual_seed(3)
    x = torch.randint(-2, 3, (2, 3, 12, 12), generator=g).to(dtype)
    cases = [
        lambda m, t: m.max_pool2d(t, 2),
        lambda m, t: m.max_pool2d(t, (3, 2), (4, 3), 1, ceil_mode=True),
        lambda m, t: m.max_pool2d(t, 2, 3, 1, dilation=2),
        lambda m, t: m.adaptive_max_pool2d(t, (4, 2)),
        lambda m, t: m.adaptive_max_pool2d(t, 5),  # overlapping: scatter_add_
    ]
    special = torch.tensor([-0.0, 0.0, 1.5, -2.0, math.inf, -math.inf, math.nan], dtype=dtype)
    for layout in (x, x.contiguous(memory_format=torch.channels_last)):
        for case in cases:
            ours, theirs = layout.clone().requires_grad_(), layout.clone().requires_grad_()
            out, t_out = case(P, ours), case(F, theirs)
            go = special[torch.randint(0, len(special), t_out.shape, generator=g)]
            (a,) = torch.autograd.grad(out, ours, go)
            (b,) = torch.autograd.grad(t_out, theirs, go)
            assert_same_bits(a, b)
            assert a.stride() == b.stride()


@pytest.mark.parametrize("dtype", DTYPES[:4])
@pytest.mark.parametrize("shape", [(4, 3, 7, 7), (2, 5, 1, 3), (0, 2, 3, 3), (3, 4, 4)])
def test_global_average_gradient_matches_torch(dtype, shape):
    """``adaptive_avg_pool2d(x, 1)``'s backward (``GlobalMeanFunction``: the gradient divided
    once, then expanded): PyTorch's bits and strides, for gradients with -0.0, +-inf and
    NaN, contiguous or expanded, and through a second derivative."""
    g = torch.Generator().manual_seed(5)
    x = torch.randn(shape, generator=g, dtype=torch.float64).to(dtype)
    special = torch.tensor([-0.0, 0.0, 1.5, -3.0, math.inf, -math.inf, math.nan], dtype=dtype)
    ours, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, t_out = P.adaptive_avg_pool2d(ours, 1), F.adaptive_avg_pool2d(theirs, 1)
    go = special[torch.randint(0, len(special), t_out.shape, generator=g)]
    for grad in (go, special[2].expand(t_out.shape)):
        (a,) = torch.autograd.grad(out, ours, grad, retain_graph=True)
        (b,) = torch.autograd.grad(t_out, theirs, grad, retain_graph=True)
        assert_same_bits(a, b)
        assert a.stride() == b.stride()
    if dtype == torch.float64:
        (a,) = torch.autograd.grad(out.pow(3).sum(), ours, create_graph=True)
        (b,) = torch.autograd.grad(t_out.pow(3).sum(), theirs, create_graph=True)
        assert_same_bits(
            torch.autograd.grad(a.sum(), ours)[0], torch.autograd.grad(b.sum(), theirs)[0]
        )
