"""Vectorized adaptive pooling: windows chosen to give a requested output size.

Output ``i`` of a dimension of size ``n`` pooled to ``out`` covers the input range
``[floor(i * n / out), ceil((i + 1) * n / out))``, so windows differ in length by at most one
and may overlap. The kernels loop over slot ``a`` of the longest window: each output reads
``start + a``, clamped to its window's last element. For max pooling a clamped slot repeats an
element already seen, which never changes the running maximum nor its index (the update rule
is PyTorch's: strictly greater, or NaN). For average pooling clamped slots add zero.

PyTorch's CPU kernels sum in row-major window order and divide by the window's height, then
by its width (two divisions); the forward passes here do the same operations in the same
order, and the backward passes scatter the gradient in PyTorch's order, so both are bit-exact.
Like PyTorch, ``adaptive_avg_pool2d`` to a 1x1 output is ``input.mean((-2, -1))``.
"""

from __future__ import annotations

import itertools

import torch
from torch.autograd.function import once_differentiable

from pooling_lib._kernels import geometry as geo
from pooling_lib._kernels.common import (
    CHUNK_ELEMENTS,
    accumulate_,
    chunks,
    lowest,
    scatter_gradient,
    sum_dtype,
)


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
    x: torch.Tensor, output_size: tuple[int, ...]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Adaptive max pooling of ``(B, C, *spatial)``: values and flat indices."""
    B, C, *spatial = x.shape
    spatial = tuple(spatial)
    shape = (B, C, *output_size)
    out = torch.full(shape, lowest(x.dtype), dtype=x.dtype, device=x.device)
    index = torch.zeros(shape, dtype=torch.int64, device=x.device)
    if out.numel() == 0:
        return out, index
    windows = [_windows_1d(n, o, x.device) for n, o in zip(spatial, output_size, strict=True)]
    strides = geo.plane_strides(spatial)
    index.copy_(_flat([w[0] for w in windows], strides).expand(shape))
    for slot in itertools.product(*(range(w[2]) for w in windows)):
        positions, _ = _slot_positions(windows, spatial, slot)
        v = _gather(x, positions)
        m = torch.gt(v, out)
        if x.dtype.is_floating_point:
            m |= torch.isnan(v)
        out = torch.where(m, v, out)
        index = torch.where(m, _flat(positions, strides), index)
    return out, index


def adaptive_avg_forward(x: torch.Tensor, output_size: tuple[int, ...]) -> torch.Tensor:
    """Adaptive average pooling of ``(B, C, *spatial)``."""
    B, C, *spatial = x.shape
    spatial = tuple(spatial)
    dims = len(spatial)
    acc_dtype = sum_dtype(x.dtype)
    acc = torch.zeros((B, C, *output_size), dtype=acc_dtype, device=x.device)
    if acc.numel() == 0:
        return acc.to(x.dtype)
    windows = [_windows_1d(n, o, x.device) for n, o in zip(spatial, output_size, strict=True)]
    for slot in itertools.product(*(range(w[2]) for w in windows)):
        positions, valid = _slot_positions(windows, spatial, slot)
        v = _gather(x, positions)
        keep = valid[0].view([-1] + [1] * (dims - 1))
        for dim in range(1, dims):
            keep = keep & _view(valid[dim], dim, dims)
        acc += v.masked_fill(~keep, 0)  # acc never holds -0.0, so adding +0.0 changes nothing
    for dim, (_, length, _) in enumerate(windows):
        acc = acc / _view(length.to(acc_dtype), dim, dims)
    return acc.to(x.dtype)


def adaptive_avg_backward(
    grad_output: torch.Tensor, input_shape: torch.Size, output_size: tuple[int, ...]
) -> torch.Tensor:
    """Gradient of adaptive average pooling, scattered in PyTorch's order."""
    B, C, *spatial = input_shape
    spatial = tuple(spatial)
    dims = len(spatial)
    dtype = grad_output.dtype
    device = grad_output.device
    windows = [_windows_1d(n, o, device) for n, o in zip(spatial, output_size, strict=True)]
    # PyTorch: grad / height / width, each division rounded to the gradient's dtype.
    share = grad_output
    for dim, (_, length, _) in enumerate(windows):
        share = (share.to(sum_dtype(dtype)) / _view(length, dim, dims)).to(dtype)
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
    grad_input = torch.zeros((B, C, int(torch.Size(spatial).numel())), dtype=dtype, device=device)
    if grad_input.numel() == 0 or share.numel() == 0:
        return grad_input.view(input_shape)
    for bs, cs in chunks(grad_output, max(1, CHUNK_ELEMENTS // (4 * n_slots))):
        gi = grad_input[bs, cs]
        src = share[bs, cs].reshape(*gi.shape[:2], -1, 1).expand(-1, -1, -1, n_slots)
        src = src.reshape(*gi.shape[:2], -1).masked_fill(~keep, -0.0)
        accumulate_(gi, index.expand(*gi.shape[:2], -1), src)
    return grad_input.view(input_shape)


class AdaptiveMaxPoolFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, output_size):  # type: ignore[override]
        out, index = adaptive_max_forward(x, output_size)
        ctx.save_for_backward(index)
        ctx.input_shape = x.shape
        ctx.mark_non_differentiable(index)
        return out, index

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output, _grad_index):  # type: ignore[override]
        (index,) = ctx.saved_tensors
        index_of = lambda bs, cs: index[bs, cs]  # noqa: E731
        return scatter_gradient(grad_output, index_of, ctx.input_shape, None), None


class AdaptiveAvgPoolFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, output_size):  # type: ignore[override]
        ctx.input_shape = x.shape
        ctx.output_size = output_size
        return adaptive_avg_forward(x, output_size)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):  # type: ignore[override]
        return adaptive_avg_backward(grad_output, ctx.input_shape, ctx.output_size), None


def adaptive_max_pool(x: torch.Tensor, output_size: tuple[int, ...]):
    if torch.is_grad_enabled() and x.requires_grad:
        return AdaptiveMaxPoolFunction.apply(x, output_size)
    return adaptive_max_forward(x, output_size)


def adaptive_avg_pool(x: torch.Tensor, output_size: tuple[int, ...]) -> torch.Tensor:
    if len(output_size) == 2 and output_size == (1, 1):
        return x.mean((-2, -1), keepdim=True)  # what PyTorch does for a 1x1 output
    if torch.is_grad_enabled() and x.requires_grad:
        return AdaptiveAvgPoolFunction.apply(x, output_size)
    return adaptive_avg_forward(x, output_size)
