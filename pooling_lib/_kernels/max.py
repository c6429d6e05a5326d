"""Vectorized max pooling: forward by a loop over window slots, backward by a scatter.

The forward pass keeps, for every output, the running maximum and the row-major number of
the slot that holds it (one byte per output when the window has at most 255 slots). It
replicates PyTorch's CPU rule: a slot replaces the maximum when its value is strictly greater
or is NaN, scanning the window in row-major order, starting from -inf at the first in-bounds
slot. So the first maximum wins a tie, and the last NaN wins when there are NaNs.

Two forms of the update, chosen per chunk of planes:

* general: ``m = (v > o) | isnan(v); o = where(m, v, o)``, bit-exact for every input;
* fast: ``m = v > o; o = maximum(o, v)``, used when the chunk holds neither NaN nor -0.0
  (checked with two cheap reductions). Then both forms give the same bits: equal floats
  have equal bits once +0.0/-0.0 and NaN are excluded. Without indices NaNs are allowed in
  the fast form: ``maximum`` propagates them (the NaN's sign and payload may differ from
  PyTorch's, which returns the window's last NaN; every NaN compares equal in the tests).

The slot numbers grow during the scan, so the slot of the last update is
``max(slot, m * kk)``, a cheap byte-wise operation instead of a ``where``.

The backward pass turns slot numbers into flat input indices and adds the output gradient
with ``scatter_add_``, which visits outputs in order, as PyTorch's kernel does, so the sums
are bit-exact.

A window that holds only padding (possible with dilation, e.g. ``kernel_size=2, dilation=2,
padding=1`` on an input of length 1) keeps the value -inf (the smallest integer for integer
dtypes), gets the index -1 and passes no gradient. PyTorch returns an index outside the
input there and its backward writes out of bounds.
"""

from __future__ import annotations

import torch

from pooling_lib._kernels import geometry as geo
from pooling_lib._kernels.common import (
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
    return x.view(int_dtype).min().item() == torch.iinfo(int_dtype).min


def _has_nan(x: torch.Tensor) -> bool:
    return bool(x.amax().isnan().item())


def _slot_dtype(n_slots: int) -> tuple[torch.dtype, int]:
    """Dtype of the slot numbers and the sentinel for windows of padding only."""
    if n_slots <= 255:
        return torch.uint8, 255
    return torch.int32, n_slots


def max_pool_forward(
    x: torch.Tensor, args: PoolArgs, need_slots: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Max pooling of ``x`` of shape ``(B, C, *spatial)``.

    Returns the output ``(B, C, *output_size)`` and, if ``need_slots``, the row-major window
    slot of each maximum (sentinel for windows of padding only, see ``_slot_dtype``).
    """
    B, C, *spatial = x.shape
    spatial = tuple(spatial)
    out_shape = (B, C, *args.output_size)
    out = empty(out_shape, x)
    n_slots = 1
    for k in args.kernel_size:
        n_slots *= k
    slot_dtype, sentinel = _slot_dtype(n_slots)
    slots = None
    if need_slots:
        slots = empty(out_shape, x, slot_dtype)
    if out.numel() == 0 or x.is_meta:  # meta tensors: shapes and layouts only
        return out, slots
    window = geo.window_slots(spatial, args)
    if need_slots:
        first, _ = geo.first_valid_slots(spatial, args, sentinel, slot_dtype, x.device)
    low = lowest(x.dtype)
    floating = x.dtype.is_floating_point
    for bs, cs in chunks(x):
        whole = bs == slice(None) and cs == slice(None)
        xc, oc = (x, out) if whole else (x[bs, cs], out[bs, cs])
        oc.fill_(low)
        if need_slots:
            sc = slots if whole else slots[bs, cs]
            sc.copy_(first.expand_as(sc))
        # The fast form is exact unless the chunk holds -0.0 (or NaN, where indices are kept).
        fast = not floating or not (
            _has_negative_zero(xc) or (need_slots and _has_nan(xc))
        )  # fmt: skip
        for slot in window:
            v = xc[slot.inp]
            o = oc[slot.out]
            if fast:
                m = torch.gt(v, o) if need_slots else None
                torch.maximum(o, v, out=o)
            else:
                m = torch.gt(v, o)
                m |= torch.isnan(v)
                o.copy_(torch.where(m, v, o))
            if need_slots and slot.index > 0:
                s = sc[slot.out]
                if slot_dtype == torch.uint8:
                    torch.maximum(s, m.view(torch.uint8) * slot.index, out=s)
                else:
                    torch.maximum(s, m.to(slot_dtype) * slot.index, out=s)
    return out, slots


def slots_to_indices(
    slots: torch.Tensor, spatial: tuple[int, ...], args: PoolArgs, empty_index: int = -1
) -> torch.Tensor:
    """Flat input indices (``h * W + w`` within each plane, int64) from window slot numbers.

    Windows of padding only get ``empty_index``.
    """
    index = empty(slots.shape, slots, torch.int64)
    if index.numel() == 0 or slots.is_meta:
        return index
    to_index = _IndexMaker(spatial, args, slots.device, empty_index)
    for bs, cs in chunks(slots):
        to_index(slots[bs, cs], out=index[bs, cs])
    return index


class _IndexMaker:
    """Turns slot numbers into flat input indices: ``base[o] + offset[slot]``."""

    def __init__(self, spatial, args: PoolArgs, device, empty_index: int) -> None:
        self.base, offsets = geo.index_base_and_offsets(spatial, args, device)
        n_slots = offsets.numel()
        _, sentinel = _slot_dtype(n_slots)
        # the sentinel slot (windows of padding only) gets offset 0, then empty_index below
        self.offsets = torch.cat([offsets, offsets.new_zeros(max(0, sentinel + 1 - n_slots))])
        _, self.empty = geo.first_valid_slots(spatial, args, sentinel, torch.int64, device)
        self.empty_index = empty_index

    def __call__(self, slots: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        index = torch.add(self.offsets[slots.long()], self.base, out=out)
        if self.empty is not None:
            index.masked_fill_(self.empty, self.empty_index)
        return index


class MaxPoolFunction(torch.autograd.Function):
    """Max pooling as an autograd function: backward, double backward, forward mode
    (``jvp``), ``torch.func`` transforms and ``vmap`` (see ``pooling_lib._kernels``).

    Returns the output and either the int64 indices (``return_indices``: saved for backward,
    so modifying them in place is detected as in PyTorch) or the window slot numbers.
    """

    @staticmethod
    def forward(x: torch.Tensor, args: PoolArgs, return_indices: bool):  # type: ignore[override]
        out, slots = max_pool_forward(x, args, need_slots=True)
        if return_indices:
            return out, slots_to_indices(slots, tuple(x.shape[2:]), args)
        return out, slots

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        x, args, return_indices = inputs
        ctx.args, ctx.return_indices, ctx.input_shape = args, return_indices, x.shape
        ctx.input_format = memory_format(x)  # PyTorch's gradient has the input's layout
        ctx.mark_non_differentiable(output[1])
        ctx.save_for_backward(output[1])
        ctx.save_for_forward(output[1])

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor, _grad_index):  # type: ignore[override]
        (found,) = ctx.saved_tensors
        spatial = tuple(ctx.input_shape[2:])
        if plain_backward(grad_output):
            if ctx.return_indices:
                skip = found < 0  # windows of padding only pass no gradient
                if bool(skip.any()):
                    grad_output = grad_output.masked_fill(skip, -0.0)
                index_of = lambda bs, cs: found[bs, cs].clamp(min=0)  # noqa: E731
                grad = scatter_gradient(grad_output, index_of, ctx.input_shape, None)
            else:
                grad = max_pool_backward(grad_output, found, spatial, ctx.args, ctx.input_shape)
        else:
            index = found if ctx.return_indices else _flat_index(found, spatial, ctx.args)
            grad = scatter_by_index(grad_output, index, ctx.input_shape)
        return in_format(grad, ctx.input_format), None, None

    @staticmethod
    def jvp(ctx, x_tangent: torch.Tensor, *_):  # type: ignore[override]
        (found,) = ctx.saved_tensors
        spatial = tuple(ctx.input_shape[2:])
        index = found if ctx.return_indices else _flat_index(found, spatial, ctx.args)
        return gather_by_index(x_tangent, index), None

    @staticmethod
    def vmap(info, in_dims, x, args, return_indices):
        flat, size = fold_vmap(in_dims[0], x)
        out, found = MaxPoolFunction.apply(flat, args, return_indices)
        return (unfold(out, size), unfold(found, size)), (0, 0)


def _flat_index(slots: torch.Tensor, spatial: tuple[int, ...], args: PoolArgs) -> torch.Tensor:
    """``slots_to_indices`` with out-of-place operations (for transformed tensors)."""
    return _IndexMaker(spatial, args, slots.device, empty_index=-1)(slots)


def max_pool_backward(
    grad_output: torch.Tensor,
    slots: torch.Tensor,
    spatial: tuple[int, ...],
    args: PoolArgs,
    input_shape: torch.Size,
) -> torch.Tensor:
    """Gradient of max pooling: each output's gradient goes to its (first) maximum."""
    to_index = _IndexMaker(spatial, args, slots.device, empty_index=0)
    return scatter_gradient(
        grad_output, lambda bs, cs: to_index(slots[bs, cs]), input_shape, to_index.empty
    )


def max_pool(
    x: torch.Tensor, args: PoolArgs, return_indices: bool
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Max pooling of ``(B, C, *spatial)``, through autograd when ``x`` needs a gradient."""
    if needs_function(x):
        out, index = MaxPoolFunction.apply(x, args, return_indices)
        return (out, index) if return_indices else out
    out, slots = max_pool_forward(x, args, need_slots=return_indices)
    if not return_indices:
        return out
    return out, slots_to_indices(slots, tuple(x.shape[2:]), args)
