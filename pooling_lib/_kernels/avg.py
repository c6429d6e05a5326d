"""Vectorized average pooling: a loop over window slots adding strided slices.

PyTorch's CPU kernel sums each window in row-major order, starting from 0, in float32 for
float16/bfloat16 inputs and in the input's dtype otherwise, then divides once by the divisor
(and, for contiguous inputs, adds the quotient to a zeroed output, so -0.0 becomes +0.0).
Adding the slots in row-major order does the same additions in the same order, so the
forward pass is bit-exact with PyTorch's CPU kernels (and so within PyTorch's own rounding
of the CUDA kernels elsewhere). Where windows of ``SCATTER_WINDOW`` cells or more tile a
contiguous input, one ``scatter_add_`` does the same additions in the same order
(``_scatter_sums``), in one pass instead of one strided pass per slot.

The divisor of output ``o`` is ``divisor_override`` if given; else, with
``count_include_pad``, the window's size clipped at the end of the right padding (PyTorch
counts padding but not the part of a ``ceil_mode`` window beyond it); else the number of
input elements in the window.

The backward pass adds ``grad_output / divisor`` (rounded to the gradient's dtype, as PyTorch
does) to every input element of the window, slots in reverse row-major order: an input
element then receives the contributions of its outputs in output order, as in PyTorch's
loop, so the gradient is bit-exact too.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch

from pooling_lib._kernels import geometry as geo
from pooling_lib._kernels.common import (
    chunks,
    empty,
    in_format,
    linear_pool,
    memory_format,
    sum_dtype,
)
from pooling_lib.shapes import PoolArgs, window_start


@functools.lru_cache(maxsize=256)
def divisor_table(
    spatial: tuple[int, ...],
    args: PoolArgs,
    count_include_pad: bool,
    divisor_override: int | None,
    dtype: torch.dtype,
    device,
) -> torch.Tensor | int:
    """The divisor of every output (shape ``output_size``), or ``divisor_override``."""
    if divisor_override is not None:
        return divisor_override
    assert args.output_size is not None
    dims = len(spatial)
    table = torch.ones(args.output_size, dtype=torch.int64)
    for dim in range(dims):
        n, k, s, p = spatial[dim], args.kernel_size[dim], args.stride[dim], args.padding[dim]
        start = window_start(torch.arange(args.output_size[dim]), s, p)
        end = torch.clamp(start + k, max=n + p)
        if count_include_pad:
            length = end - start
        else:
            length = torch.clamp(end, max=n) - torch.clamp(start, min=0)
        shape = [1] * dims
        shape[dim] = -1
        table = table * length.view(shape)
    return table.to(dtype=dtype, device=device)


# The scatter path's index holds one int64 per cell of a plane: used up to this plane size.
SCATTER_PLANE = 1 << 16
# ... and for windows of at least this many cells (measured, ``make bench``: on 2x2 windows
# the four slot slices are as fast; on 2x2x2 and 8x8 the scatter is 2-5x faster).
SCATTER_WINDOW = 8


def tiles(spatial: tuple[int, ...], args: PoolArgs) -> bool:
    """Whether the windows tile the input exactly: side by side, no padding, no dilation,
    every cell in one window."""
    assert args.output_size is not None
    return all(
        k == s and p == 0 and d == 1 and o * k == n
        for n, o, k, s, p, d in zip(
            spatial, args.output_size, args.kernel_size, args.stride, args.padding,
            args.dilation, strict=True,
        )
    )  # fmt: skip


@functools.lru_cache(maxsize=16)
def tile_index(spatial: tuple[int, ...], kernel: tuple[int, ...], device) -> torch.Tensor:
    """For each cell of a plane (row-major), the flat index of the output whose window holds
    it, when the windows (``kernel``) tile the plane; shape ``(1, 1, cells)``, int64."""
    flat = torch.zeros((), dtype=torch.int64)
    for n, k in zip(spatial, kernel, strict=True):
        flat = flat.unsqueeze(-1) * (n // k) + torch.arange(n) // k
    return flat.reshape(1, 1, -1).to(device)


def _scatter_sums(acc: torch.Tensor, x: torch.Tensor, args: PoolArgs) -> bool:
    """Window sums of tiling windows by one ``scatter_add_``, where it adds in PyTorch's
    order: on the CPU its loop visits each plane's cells in memory order, so on a contiguous
    input every output receives its window's cells in row-major order, starting from 0, each
    addition rounded to ``acc``'s dtype, as PyTorch's kernel adds them (bit-exact), with one
    vectorized pass instead of one strided pass per window cell. Returns False where that
    does not hold (then nothing is done)."""
    spatial = tuple(x.shape[2:])
    cells = math.prod(spatial)
    if not (
        x.device.type == "cpu"  # elsewhere scatter_add_ adds in no fixed order
        and acc.dtype == x.dtype
        and x.is_contiguous()
        and acc.is_contiguous()
        and 0 < cells <= SCATTER_PLANE
        and math.prod(args.kernel_size) >= SCATTER_WINDOW
        and tiles(spatial, args)
    ):
        return False
    B, C = x.shape[:2]
    index = tile_index(spatial, tuple(args.kernel_size), x.device).expand(B, C, cells)
    acc.zero_().view(B, C, -1).scatter_add_(2, index, x.view(B, C, cells))
    return True


def add_window_sums_(acc: torch.Tensor, x: torch.Tensor, args: PoolArgs) -> torch.Tensor:
    """``acc`` (zeroed here) gets the sum of every window of ``x``, slot by slot in row-major
    order starting from 0, as PyTorch's CPU kernels add (in ``acc``'s dtype): by one scatter
    where windows of at least ``SCATTER_WINDOW`` cells tile a contiguous input
    (``_scatter_sums``), else by a strided slice of ``x`` per window slot."""
    if _scatter_sums(acc, x, args):
        return acc
    acc.zero_()
    for slot in geo.window_slots(tuple(x.shape[2:]), args):
        acc[slot.out].add_(x[slot.inp])
    return acc


def avg_pool_forward(
    x: torch.Tensor, args: PoolArgs, count_include_pad: bool, divisor_override: int | None
) -> torch.Tensor:
    """Average pooling of ``x`` of shape ``(B, C, *spatial)`` -> ``(B, C, *output_size)``."""
    B, C, *spatial = x.shape
    spatial = tuple(spatial)
    # PyTorch's avg_pool3d returns contiguous outputs for every layout
    fmt = torch.contiguous_format if len(spatial) == 3 else None
    out = empty((B, C, *args.output_size), x, fmt=fmt)
    if out.numel() == 0 or x.is_meta:
        return out
    acc_dtype = sum_dtype(x.dtype)
    divisor = divisor_table(spatial, args, count_include_pad, divisor_override, acc_dtype, x.device)
    # PyTorch's kernel for contiguous inputs stores 0 + sum / divisor, which turns a -0.0
    # (a zero sum over a negative divisor_override, or an underflow) into +0.0; its kernel
    # for 2-d channels-last inputs stores sum / divisor.
    plus_zero = memory_format(x) != torch.channels_last
    for bs, cs in chunks(x):
        whole = bs == slice(None) and cs == slice(None)
        xc, oc = (x, out) if whole else (x[bs, cs], out[bs, cs])
        acc = (
            oc if acc_dtype == x.dtype else torch.empty(oc.shape, dtype=acc_dtype, device=x.device)
        )
        add_window_sums_(acc, xc, args)
        if x.dtype.is_floating_point:
            torch.div(acc, divisor, out=oc)
        else:  # int64, as PyTorch: C++ integer division, truncating toward zero
            torch.div(acc, divisor, rounding_mode="trunc", out=oc)
        if plus_zero and x.dtype.is_floating_point:
            oc.add_(0.0)  # x + 0.0 == x, except -0.0 -> +0.0
    return out


def avg_pool_backward(
    grad_output: torch.Tensor,
    input_shape: torch.Size,
    args: PoolArgs,
    count_include_pad: bool,
    divisor_override: int | None,
) -> torch.Tensor:
    """Gradient of average pooling with respect to its input (shape ``input_shape``)."""
    spatial = tuple(input_shape[2:])
    dtype = grad_output.dtype
    grad_input = torch.zeros(input_shape, dtype=dtype, device=grad_output.device)
    if grad_input.numel() == 0 or grad_output.numel() == 0 or grad_output.is_meta:
        return grad_input
    divisor = divisor_table(
        spatial, args, count_include_pad, divisor_override, sum_dtype(dtype), grad_output.device
    )
    window = geo.window_slots(spatial, args)
    phases = geo.phases(spatial, args)
    # Adding into strided views is slow (no vectorization): when several slots share a phase
    # (e.g. kernel 3, stride 2), sum each phase in a contiguous buffer and copy it once.
    by_phase = max(args.stride) > 1 and len(phases) < len(window)
    for bs, cs in chunks(grad_input):
        gi = grad_input[bs, cs]
        # PyTorch computes grad / divisor in the gradient's dtype (float math, rounded once).
        sh = torch.div(grad_output[bs, cs].to(sum_dtype(dtype)), divisor).to(dtype)
        if not by_phase:
            for slot in reversed(window):  # an input gets its outputs' shares in output order
                gi[slot.inp].add_(sh[slot.out])
            continue
        for phase in phases:
            buffer = torch.zeros((*gi.shape[:2], *phase.shape), dtype=dtype, device=gi.device)
            for slot, index in reversed(phase.slots):
                buffer[index].add_(sh[slot.out])
            gi[phase.view].copy_(buffer)
    return grad_input


@dataclass(frozen=True)
class AvgPoolOp:
    """Average pooling as a linear map, for ``common.LinearPool``: ``forward`` pools,
    ``backward`` spreads a gradient back over the windows (the transposed map)."""

    spatial: tuple[int, ...]
    args: PoolArgs
    count_include_pad: bool
    divisor_override: int | None
    input_format: torch.memory_format  # the layout of the gradient, as PyTorch's

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return avg_pool_forward(x, self.args, self.count_include_pad, self.divisor_override)

    def backward(self, grad: torch.Tensor) -> torch.Tensor:
        shape = torch.Size((*grad.shape[:2], *self.spatial))
        grad_input = avg_pool_backward(
            grad, shape, self.args, self.count_include_pad, self.divisor_override
        )
        return in_format(grad_input, self.input_format)


def avg_pool(
    x: torch.Tensor, args: PoolArgs, count_include_pad: bool, divisor_override: int | None
) -> torch.Tensor:
    """Average pooling of ``(B, C, *spatial)``, through autograd when ``x`` needs a gradient."""
    spatial = tuple(x.shape[2:])
    # PyTorch's avg_pool3d gives contiguous outputs and gradients for every layout
    fmt = torch.contiguous_format if len(spatial) == 3 else memory_format(x)
    op = AvgPoolOp(spatial, args, count_include_pad, divisor_override, fmt)
    return linear_pool(x, op)
