"""Vectorized max pooling: forward by window maxima one dimension at a time
(``running_max``), backward by a scatter.

The forward pass follows PyTorch's CPU rule: scanning a window in row-major order, an
element replaces the maximum when it is strictly greater or is NaN, starting from the
lowest value at the window's first real slot. So the first maximum wins a tie, and the last
NaN wins when there are NaNs. ``running_max`` explains why reducing one dimension at a time
(the last first), with strided views, slot slices or doubling, gives that element, in a
number of tensor operations that does not grow with the window.

Two forms, chosen per chunk of planes (``common.chunks``, about ``CHUNK_ELEMENTS`` input
elements, so that the passes over a chunk find it in the CPU cache):

* exact: ``m = (b > a) | isnan(b); where(m, b, a)``, bit-exact for every input, with the
  positions of the maxima; used with indices and when the chunk holds -0.0;
* fast: ``torch.maximum`` (values only), written into the output (``out=``, so no
  temporary as large as the output), when the chunk holds no -0.0 (one integer ``amin``
  of the chunk checks it). Then both forms give the same bits: equal floats have equal bits once
  +0.0/-0.0 and NaN are excluded; ``maximum`` propagates NaNs (the NaN's sign and payload
  may differ from PyTorch's, which returns the window's last NaN; every NaN compares
  equal in the tests).

The backward pass adds the output gradient at the flat input index of each maximum with
``scatter_add_``, which visits outputs in order, as PyTorch's kernel does, so the sums are
bit-exact. Its work is one addition per output, whatever the window. Where windows do not
overlap (each input in one window at most) it writes ``grad + 0.0`` with ``scatter_``
instead (``common.scatter_gradient``'s ``disjoint``). The autograd functions do not
materialize a zero gradient for the indices (``set_materialize_grads(False)``): it was an
int64 tensor as large as the indices, 6 MiB of the ResNet stem's 12 MiB over PyTorch's peak.

Values only, the floor is the number of passes: ``max_pool1d(x, 3, 1)`` on 16x256x400 takes
two ``torch.maximum`` passes over an output of the input's size (0.38 ms each, measured in
one process, one thread) and the -0.0 check (0.13 ms), where PyTorch's kernel reads the
input once (0.57-0.64 ms): 1.4-1.6x on a quiet machine, up to 2x under load. ``amax`` over
a strided view of the window (one operation) takes 4.8 ms, a reduction over ``as_strided``
slots outer to the outputs as well. A window of 5 in three passes (pairs into a temporary,
pairs of pairs into the output, then the fifth slot) took 1.42 ms against the four slot
passes' 1.66 ms (PyTorch 0.94 ms, load 7): not taken, as it stays 1.5x PyTorch's time and
its temporary, a chunk of the input's size, counts against peak memory.

A window that holds only padding (possible with dilation, e.g. ``kernel_size=2, dilation=2,
padding=1`` on an input of length 1) keeps the value -inf (the smallest integer for integer
dtypes), gets the index -1 and passes no gradient. PyTorch returns an index outside the
input there and its backward writes out of bounds.
"""

from __future__ import annotations

import math

import torch

from pooling_lib._kernels import running_max as rm
from pooling_lib._kernels.common import (
    CHUNK_ELEMENTS,
    chunks,
    empty,
    fold_vmap,
    gather_by_index,
    in_format,
    lowest,
    memory_format,
    needs_function,
    plain_backward,
    scatter_by_index,
    scatter_gradient,
    unfold,
)
from pooling_lib.shapes import PoolArgs

_INT_VIEW = {
    torch.float16: torch.int16,
    torch.bfloat16: torch.int16,
    torch.float32: torch.int32,
    torch.float64: torch.int64,
}


def _has_negative_zero(x: torch.Tensor) -> bool:
    # -0.0 is the only float whose bit pattern, read as a signed integer, is the minimum.
    int_dtype = _INT_VIEW.get(x.dtype)
    if int_dtype is None:
        return True  # an unknown float type: take the general path
    return x.view(int_dtype).amin().item() == torch.iinfo(int_dtype).min


def pooled_max(
    x: torch.Tensor, axes: tuple[rm.Axis, ...], need_index: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Window maxima of ``x`` (``(B, C, *spatial)``) in PyTorch's output layout and, if
    ``need_index``, the int64 flat index of each maximum (-1 for a window of padding only)."""
    out_shape = (*x.shape[:2], *(a.out for a in axes))
    out = empty(out_shape, x)
    index = empty(out_shape, x, torch.int64) if need_index else None
    if out.numel() == 0 or x.is_meta:  # meta tensors: shapes and layouts only
        return out, index
    first = None
    if need_index and rm.has_left_padding(axes):
        first = rm.first_real_index(axes, x.device)
    low = lowest(x.dtype)
    floating = x.dtype.is_floating_point
    for bs, cs in chunks(x, _chunk_target(axes, need_index)):
        whole = bs == slice(None) and cs == slice(None)
        xc = x if whole else x[bs, cs]
        oc = out if whole else out[bs, cs]
        if not need_index:  # values written into the output, no temporary of its size
            _chunk_max(xc, axes, False, floating, oc)
            continue
        values, found = _chunk_max(xc, axes, need_index, floating)
        if first is not None:
            low_cells = values == low  # a padding cell may have won: all cells are `low`
            if bool(low_cells.any()):
                found = torch.where(low_cells, first, found)
        oc.copy_(values)
        (index if whole else index[bs, cs]).copy_(found)
    return out, index


# Values only, 1-d windows by slot slices with an output of at least a quarter of the input
# (so that the -0.0 check reads the input, see ``_chunk_max``) write into the output and
# allocate nothing else, so larger chunks only save the per-chunk Python work (about 0.1 ms
# a chunk; measured with ``bench/bench_pooling.py --only "text max_pool1d"``, one thread:
# ``max_pool1d(x, 3, 1)`` on 16x256x400 went from 1.98x to 1.21x torch's time in that run;
# later runs 1.4-1.6x, see the module docstring). Elsewhere a
# temporary a fraction of the chunk's size (a first reduction, doubling's buffers, the zero
# check of a small output) counts against peak memory, so those keep ``CHUNK_ELEMENTS``.
VALUES_CHUNK_1D = 1 << 20


# Tiling 2-d windows (``running_max._tiled``): one pass over the input, then about thirty
# operations on tensors of an input row's size per window row, whose fixed cost (about 5 us
# each on one thread) made 16 chunks of ``CHUNK_ELEMENTS`` take 10.5 ms on
# ``adaptive_max_pool2d`` from 16x64x56x56 to 7x7 with indices, 5.3 ms in one chunk
# (PyTorch: 5.7 ms; measured in one process, interleaved). The temporaries: the column
# maxima (``1 / kh`` of the chunk) and the column read back (``1 / kw``). Values only, eight
# operations a chunk and the column maxima the only temporary: 2**19 elements kept the
# peak memory of that call at PyTorch's (``bench/bench_pooling.py --only --memory``).
TILED_CHUNK = 1 << 22
TILED_VALUES_CHUNK = 1 << 19


def _chunk_target(axes: tuple[rm.Axis, ...], need_index: bool) -> int:
    if rm.tiled(axes):
        return TILED_CHUNK if need_index else TILED_VALUES_CHUNK
    if need_index or len(axes) != 1:
        return CHUNK_ELEMENTS
    (a,) = axes
    return (
        VALUES_CHUNK_1D if a.strategy_for(False) == "slots" and 4 * a.out >= a.n else CHUNK_ELEMENTS
    )


def _chunk_max(xc: torch.Tensor, axes, need_index: bool, floating: bool, out=None):
    """``running_max.window_max`` of one chunk, with PyTorch's bits: a window holding a NaN
    is run again with the NaN rule, and where a maximum is 0 (its sign may differ) or NaN
    (its payload may) the value is read from the input at the maximum's index.

    Without ``need_index`` the values go into ``out``. Only a -0.0 in the chunk can make
    ``torch.maximum``'s values differ from PyTorch's (NaNs aside), and only where a maximum
    is 0: one integer reduction of the chunk checks the first, cheaper than comparing an
    output of about the input's size with 0 (no boolean temporary); an output much smaller
    than the input is checked for zeros first."""
    if not need_index:
        values, _ = rm.window_max(xc, axes, False, out=out)
        # a zero in the output first where it is much smaller than the input
        if floating and (4 * out.numel() >= xc.numel() or bool((out == 0).any())):
            if _has_negative_zero(xc):
                exact, _ = _chunk_max(xc, axes, True, floating)
                out.copy_(exact)
        return out, None  # NaNs: every NaN compares equal (module docstring)
    values, found = rm.window_max(xc, axes, need_index)
    if not floating:
        return values, found
    # one reduction finds whether any maximum is 0 or NaN (amin propagates NaN): two tensor
    # operations where the checks below take five (each a fixed cost of several us)
    smallest = float(values.abs().amin())
    if not (smallest == 0 or math.isnan(smallest)):
        return values, found
    nan = torch.isnan(values)
    if bool(nan.any()):
        values, found = rm.window_max(xc, axes, True, nan=True)
    if bool(((values == 0) | nan).any()):
        B, C = xc.shape[:2]
        flat = found.clamp(min=0).long().reshape(B, C, -1)
        exact = xc.reshape(B, C, -1).gather(2, flat).view(values.shape)
        values = torch.where((values == 0) | nan, exact, values)
    return values, found if need_index else None


def max_pool_forward(
    x: torch.Tensor, args: PoolArgs, need_index: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Max pooling of ``x`` of shape ``(B, C, *spatial)``: the output
    ``(B, C, *output_size)`` and, if ``need_index``, the int64 flat input index of each
    maximum (-1 for a window of padding only)."""
    return pooled_max(x, rm.pool_axes(tuple(x.shape[2:]), args), need_index)


def _may_have_empty_windows(spatial: tuple[int, ...], args: PoolArgs) -> bool:
    """Whether some window holds only padding (index -1): only with padding, and then
    as ``running_max.first_real_index`` says."""
    axes = rm.pool_axes(spatial, args)
    return rm.has_left_padding(axes) and bool((rm.first_real_index(axes, "cpu") < 0).any())


class MaxPoolFunction(torch.autograd.Function):
    """Max pooling as an autograd function: backward, double backward, forward mode
    (``jvp``), ``torch.func`` transforms and ``vmap`` (see ``pooling_lib._kernels``).

    Returns the output and the int64 indices, saved for backward (when ``return_indices``
    hands them out, modifying them in place is detected as in PyTorch).
    """

    @staticmethod
    def forward(x: torch.Tensor, args: PoolArgs, return_indices: bool):  # type: ignore[override]
        return max_pool_forward(x, args, need_index=True)

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        x, args, return_indices = inputs
        ctx.args, ctx.return_indices, ctx.input_shape = args, return_indices, x.shape
        ctx.may_be_empty = _may_have_empty_windows(tuple(x.shape[2:]), args)
        ctx.disjoint = all(  # windows that do not overlap: no input has two outputs
            (k - 1) * d + 1 <= s
            for k, s, d in zip(args.kernel_size, args.stride, args.dilation, strict=True)
        )
        ctx.input_format = memory_format(x)  # PyTorch's gradient has the input's layout
        ctx.mark_non_differentiable(output[1])
        # no zeros for the indices' gradient (as large as the indices, int64), see backward
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(output[1])
        ctx.save_for_forward(output[1])

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor, _grad_index):  # type: ignore[override]
        if grad_output is None:  # the values were not used: no gradient
            return None, None, None
        (found,) = ctx.saved_tensors
        if plain_backward(grad_output):
            skip = found < 0 if ctx.may_be_empty else None  # windows of padding only
            masked = skip is not None and bool(skip.any())
            if masked:  # pass no gradient
                grad_output = grad_output.masked_fill(skip, -0.0)
                index_of = lambda bs, cs: found[bs, cs].clamp(min=0)  # noqa: E731
            else:
                index_of = lambda bs, cs: found[bs, cs]  # noqa: E731
            disjoint = ctx.disjoint and not masked  # (masked windows all point at cell 0)
            grad = scatter_gradient(grad_output, index_of, ctx.input_shape, None, disjoint)
        else:
            grad = scatter_by_index(grad_output, found, ctx.input_shape)
        return in_format(grad, ctx.input_format), None, None

    @staticmethod
    def jvp(ctx, x_tangent: torch.Tensor, *_):  # type: ignore[override]
        (found,) = ctx.saved_tensors
        return gather_by_index(x_tangent, found), None

    @staticmethod
    def vmap(info, in_dims, x, args, return_indices):
        flat, size = fold_vmap(in_dims[0], x)
        out, found = MaxPoolFunction.apply(flat, args, return_indices)
        return (unfold(out, size), unfold(found, size)), (0, 0)


def max_pool(
    x: torch.Tensor, args: PoolArgs, return_indices: bool
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Max pooling of ``(B, C, *spatial)``, through autograd when ``x`` needs a gradient."""
    if needs_function(x):
        out, index = MaxPoolFunction.apply(x, args, return_indices)
        return (out, index) if return_indices else out
    out, index = max_pool_forward(x, args, need_index=return_indices)
    return (out, index) if return_indices else out
