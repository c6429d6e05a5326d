"""Vectorized adaptive pooling: windows chosen to give a requested output size.

Output ``i`` of a dimension of size ``n`` pooled to ``out`` covers the input range
``[floor(i * n / out), ceil((i + 1) * n / out))``, so windows differ in length by at most one
and may overlap.

Max pooling takes the windows' maxima with ``running_max`` (``max.pooled_max``): where ``n``
is a multiple of ``out`` the windows tile the input (2-d: the maxima of whole rows first,
``running_max._tiled``; else a strided view), else doubling up to the shorter length and two
gathers, so its cost does not grow with the window; values only, a dimension pooled to at
most ``running_max.ADAPTIVE_SLICES`` outputs takes one ``amax`` per window (no temporary of
the input's size).

Average pooling adds in PyTorch's order: where the windows tile the input, average pooling's
window sums (``avg.add_window_sums_``: one ``scatter_add_`` on a contiguous input, which
visits the cells in memory order, else the slot slices); otherwise a loop over slot ``a`` of
the longest window, each output reading ``start + a`` clamped to its window's last element
(clamped slots add zero). Either way a window of ``k_h x k_w`` cells costs ``k_h * k_w``
additions in one chain: PyTorch's CPU kernels sum in row-major window order, and a faster
sum in another order (a tree, or vectors across the window's row) would round differently.
The rule: the bits promised win over speed. Measured (``make bench``, one thread): from
56x56 to 7x7 the scatter takes about 1.5-2x PyTorch's time (the slot slices took 6x; a
transposing copy that would make the 64 additions contiguous costs more than PyTorch's
whole kernel), while 14x14 to 7x7 is faster than PyTorch. Other orders that keep the bits,
measured on 16x64x56x56 to 7x7 in one run (PyTorch 3.2 ms, the scatter 8.1 ms): one
``index_add_`` over the rows of each band of windows, 6.6 ms; the 64 slot slices into an
output with the channels innermost (long inner loops), 10.7 ms; the 64 slot slices as they
are, 13.5 ms. Each addition of a window reads its cell at a stride of the window's width,
and PyTorch's elementwise kernels take 2-4 ns per element on such strided operands; a copy
into a layout that makes them contiguous costs as much, and more memory than the 1.5x that
issue 17 allows. ``cumsum`` and ``sum`` round differently (``cumsum`` accumulates float32
in float64 on the CPU, ``sum`` in a tree).

PyTorch divides by the window's height, then by its width (two divisions); the forward passes
here do the same operations in the same order, and the backward passes scatter the gradient
in PyTorch's order, so both are bit-exact. Like PyTorch, ``adaptive_avg_pool2d`` to a 1x1
output is ``input.mean((-2, -1))``."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch

from pooling_lib._kernels import geometry as geo
from pooling_lib._kernels import running_max as rm
from pooling_lib._kernels.avg import add_window_sums_
from pooling_lib._kernels.common import (
    CHUNK_ELEMENTS,
    accumulate_,
    chunks,
    empty,
    fold_vmap,
    gather_by_index,
    in_format,
    in_layout_of,
    linear_pool,
    memory_format,
    needs_function,
    plain_backward,
    scatter_by_index,
    scatter_gradient,
    sum_dtype,
    transformed,
    unfold,
)
from pooling_lib._kernels.max import pooled_max
from pooling_lib.shapes import PoolArgs


def _windows_1d(n: int, out: int, device) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Start and length of each adaptive window along one dimension, and the longest length."""
    i = torch.arange(out)
    start = (i * n) // out
    end = -((-(i + 1) * n) // out)
    length = end - start
    longest = int(length.max()) if out > 0 else 0
    return start.to(device), length.to(device), longest


def _view(t: torch.Tensor, dim: int, dims: int) -> torch.Tensor:
    shape = [1] * dims
    shape[dim] = -1
    return t.view(shape)


def _slot_positions(windows, spatial, slot):
    """Per dimension: the (clamped) input position read at ``slot``, and whether it is real."""
    positions, valid = [], []
    for (start, length, _), a in zip(windows, slot, strict=True):
        positions.append(start + torch.clamp(length - 1, max=a))
        valid.append(length > a)
    return positions, valid


def _gather(x: torch.Tensor, positions: list[torch.Tensor]) -> torch.Tensor:
    v = x
    for dim, pos in enumerate(positions):
        v = v.index_select(2 + dim, pos)
    return v


def _flat(positions: list[torch.Tensor], strides: tuple[int, ...]) -> torch.Tensor:
    dims = len(positions)
    flat = 0
    for dim, pos in enumerate(positions):
        flat = flat + _view(pos * strides[dim], dim, dims)
    return flat


def adaptive_max_forward(
    x: torch.Tensor, output_size: tuple[int, ...], need_index: bool = True
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Adaptive max pooling of ``(B, C, *spatial)``: values and (``need_index``) flat indices,
    by ``running_max`` (a strided view where the windows do not overlap, else doubling)."""
    return pooled_max(x, rm.adaptive_axes(tuple(x.shape[2:]), output_size), need_index)


def adaptive_avg_forward(x: torch.Tensor, output_size: tuple[int, ...]) -> torch.Tensor:
    """Adaptive average pooling of ``(B, C, *spatial)``."""
    B, C, *spatial = x.shape
    spatial = tuple(spatial)
    dims = len(spatial)
    acc_dtype = sum_dtype(x.dtype)
    if x.is_meta or math.prod(output_size) * B * C == 0:
        return empty((B, C, *output_size), x)
    acc = torch.zeros((B, C, *output_size), dtype=acc_dtype, device=x.device)
    windows = [_windows_1d(n, o, x.device) for n, o in zip(spatial, output_size, strict=True)]
    if all(n % o == 0 for n, o in zip(spatial, output_size, strict=True)):
        # windows that tile the input: average pooling's slot loop adds in the same order
        k = tuple(n // o for n, o in zip(spatial, output_size, strict=True))
        args = PoolArgs(k, k, (0,) * dims, (1,) * dims, False, tuple(output_size))
        for bs, cs in chunks(x):
            add_window_sums_(acc[bs, cs], x[bs, cs], args)
        for kd in k:  # PyTorch divides by the height, then by the width
            acc.div_(kd)
        return in_layout_of(acc.to(x.dtype), x)
    for slot in itertools.product(*(range(w[2]) for w in windows)):
        positions, valid = _slot_positions(windows, spatial, slot)
        v = _gather(x, positions)
        keep = valid[0].view([-1] + [1] * (dims - 1))
        for dim in range(1, dims):
            keep = keep & _view(valid[dim], dim, dims)
        acc += v.masked_fill(~keep, 0)  # acc never holds -0.0, so adding +0.0 changes nothing
    for dim, (_, length, _) in enumerate(windows):
        acc = acc / _view(length.to(acc_dtype), dim, dims)
    return in_layout_of(acc.to(x.dtype), x)


def adaptive_avg_backward(
    grad_output: torch.Tensor, input_shape: torch.Size, output_size: tuple[int, ...]
) -> torch.Tensor:
    """Gradient of adaptive average pooling, scattered in PyTorch's order."""
    B, C, *spatial = input_shape
    spatial = tuple(spatial)
    dims = len(spatial)
    dtype = grad_output.dtype
    device = grad_output.device
    if grad_output.is_meta or grad_output.numel() == 0 or math.prod(input_shape) == 0:
        return torch.zeros(input_shape, dtype=dtype, device=device)
    windows = [_windows_1d(n, o, device) for n, o in zip(spatial, output_size, strict=True)]
    # PyTorch: grad / height / width, added to each input of the window. float16/bfloat16
    # shares are computed and summed in float32 and rounded once, at the end: PyTorch rounds
    # every addition, so a 1x1 input upsampled to 64x64 gets 2048 instead of 4096 (issue 11).
    acc_dtype = sum_dtype(dtype)
    share = grad_output.to(acc_dtype)
    for dim, (_, length, _) in enumerate(windows):
        share = share / _view(length, dim, dims)
    strides = geo.plane_strides(spatial)
    index_parts, keep_parts = [], []
    for slot in itertools.product(*(range(w[2]) for w in windows)):
        positions, valid = _slot_positions(windows, spatial, slot)
        keep = valid[0].view([-1] + [1] * (dims - 1))
        for dim in range(1, dims):
            keep = keep & _view(valid[dim], dim, dims)
        index_parts.append(_flat(positions, strides).expand(output_size))
        keep_parts.append(keep.expand(output_size))
    # Slot-minor order: for each output its window's elements, outputs in order.
    index = torch.stack(index_parts, dim=-1).reshape(1, 1, -1)
    keep = torch.stack(keep_parts, dim=-1).reshape(1, 1, -1)
    n_slots = len(index_parts)
    grad_input = torch.zeros(
        (B, C, int(torch.Size(spatial).numel())), dtype=acc_dtype, device=device
    )
    if grad_input.numel() == 0 or share.numel() == 0:
        return grad_input.view(input_shape).to(dtype)
    for bs, cs in chunks(grad_output, max(1, CHUNK_ELEMENTS // (4 * n_slots))):
        gi = grad_input[bs, cs]
        src = share[bs, cs].reshape(*gi.shape[:2], -1, 1).expand(-1, -1, -1, n_slots)
        src = src.reshape(*gi.shape[:2], -1).masked_fill(~keep, -0.0)
        accumulate_(gi, index.expand(*gi.shape[:2], -1), src)
    return grad_input.view(input_shape).to(dtype)


class AdaptiveMaxPoolFunction(torch.autograd.Function):
    """Adaptive max pooling as an autograd function (backward, double backward, ``jvp``,
    ``vmap``); the indices it returns are saved for backward, so modifying them in place is
    detected, as in PyTorch."""

    @staticmethod
    def forward(x: torch.Tensor, output_size: tuple[int, ...]):  # type: ignore[override]
        return adaptive_max_forward(x, output_size, need_index=True)

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        ctx.input_shape = inputs[0].shape
        ctx.input_format = memory_format(inputs[0])  # PyTorch's gradient has the input's layout
        ctx.mark_non_differentiable(output[1])
        # no zeros for the indices' gradient (as large as the indices, int64), see backward
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(output[1])
        ctx.save_for_forward(output[1])

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor, _grad_index):  # type: ignore[override]
        if grad_output is None:  # the values were not used: no gradient
            return None, None
        (index,) = ctx.saved_tensors
        if plain_backward(grad_output):
            index_of = lambda bs, cs: index[bs, cs]  # noqa: E731
            tiles = all(
                o and n % o == 0 for n, o in zip(ctx.input_shape[2:], index.shape[2:], strict=True)
            )
            grad = scatter_gradient(grad_output, index_of, ctx.input_shape, None, disjoint=tiles)
        else:
            grad = scatter_by_index(grad_output, index, ctx.input_shape)
        return in_format(grad, ctx.input_format), None

    @staticmethod
    def jvp(ctx, x_tangent: torch.Tensor, _):  # type: ignore[override]
        (index,) = ctx.saved_tensors
        return gather_by_index(x_tangent, index), None

    @staticmethod
    def vmap(info, in_dims, x, output_size):
        flat, size = fold_vmap(in_dims[0], x)
        out, index = AdaptiveMaxPoolFunction.apply(flat, output_size)
        return (unfold(out, size), unfold(index, size)), (0, 0)


@dataclass(frozen=True)
class AdaptiveAvgPoolOp:
    """Adaptive average pooling as a linear map, for ``common.LinearPool``."""

    spatial: tuple[int, ...]
    output_size: tuple[int, ...]
    input_format: torch.memory_format  # the layout of the gradient, as PyTorch's

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return adaptive_avg_forward(x, self.output_size)

    def backward(self, grad: torch.Tensor) -> torch.Tensor:
        shape = torch.Size((*grad.shape[:2], *self.spatial))
        return in_format(adaptive_avg_backward(grad, shape, self.output_size), self.input_format)


def adaptive_max_pool(x: torch.Tensor, output_size: tuple[int, ...], need_index: bool = True):
    """Adaptive max pooling of ``(B, C, *spatial)``: values and int64 flat indices (``None``
    without ``need_index`` and autograd)."""
    if needs_function(x):
        return AdaptiveMaxPoolFunction.apply(x, output_size)
    return adaptive_max_forward(x, output_size, need_index)


class GlobalMeanFunction(torch.autograd.Function):
    """``x.mean((-2, -1), keepdim=True)`` of a contiguous ``x`` with PyTorch's gradient,
    ``grad.expand(x.shape) / n``, computed as ``(grad / n).expand(x.shape)`` copied: the same
    division of the same values (the same bits, contiguous like PyTorch's), but ``n`` times
    fewer divisions (measured, 32x512 gradients to 7x7, one thread: 0.43 ms for PyTorch's
    division of the expanded gradient, 0.14 ms for this; ``bench/bench_pooling.py --only
    "global avg"``: fwd+bwd 0.64x PyTorch's time, before about 1.0x). A differentiated
    backward pass (``create_graph``) runs PyTorch's own ``grad.expand(shape) / n``, whose
    derivatives are PyTorch's. Used in reverse mode only, outside ``torch.func`` transforms
    (``adaptive_avg_pool``); forward mode would be the mean of the tangent, as PyTorch's."""

    @staticmethod
    def forward(x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return x.mean((-2, -1), keepdim=True)

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        ctx.shape = inputs[0].shape

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        n = ctx.shape[-2] * ctx.shape[-1]
        if plain_backward(grad) and grad.is_contiguous() and grad.numel():
            return (grad / n).expand(ctx.shape).contiguous()
        return grad.expand(ctx.shape) / n

    @staticmethod
    def jvp(ctx, tangent: torch.Tensor):  # type: ignore[override]
        return tangent.mean((-2, -1), keepdim=True)

    @staticmethod
    def vmap(info, in_dims, x):
        flat, size = fold_vmap(in_dims[0], x)
        return unfold(GlobalMeanFunction.apply(flat), size), 0


def adaptive_avg_pool(x: torch.Tensor, output_size: tuple[int, ...]) -> torch.Tensor:
    """Adaptive average pooling of ``(B, C, *spatial)``."""
    if len(output_size) == 2 and output_size == (1, 1):
        # what PyTorch does for a 1x1 output (differentiable in every mode as it stands);
        # the mean of a contiguous input is already in its layout (no check needed)
        if not x.is_contiguous():
            return in_layout_of(x.mean((-2, -1), keepdim=True), x)
        if x.requires_grad and torch.is_grad_enabled() and not transformed(x):
            return GlobalMeanFunction.apply(x)  # reverse mode, where its backward is faster
        return x.mean((-2, -1), keepdim=True)  # (forward mode, transforms: PyTorch's own)
    return linear_pool(x, AdaptiveAvgPoolOp(tuple(x.shape[2:]), output_size, memory_format(x)))
