"""Window geometry for the vectorized pooling kernels.

Vectorized pooling loops over the *slots* of the window (kernel offsets), not over output
positions. For slot ``a`` of one spatial dimension, output ``o`` reads input position
``o * stride - padding + a * dilation``. The outputs for which that position lies inside the
input form a contiguous range ``o0:o1``, and the positions they read form the strided slice
``i0 : i0 + (o1 - o0 - 1) * stride + 1 : stride``. Restricting each slot to that range is
the implicit padding: padded positions are never read, so no padded copy of the input is made.

The helpers here compute those slices, per dimension and for whole windows (slots numbered in
row-major order, the order PyTorch scans a window in), the first in-bounds slot of every
window, and the index tables that turn slot numbers into flat input indices.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import torch

from pooling_lib.shapes import PoolArgs, window_positions


@dataclass(frozen=True)
class Slot:
    """One slot of the window: its row-major number and the output/input slices it pairs."""

    index: int
    offsets: tuple[int, ...]  # the slot's position in the window, one entry per dimension
    out: tuple  # index for the output: (..., slice, slice)
    inp: tuple  # index for the input: (..., strided slice, strided slice)


def slot_slices_1d(n: int, out: int, k: int, s: int, p: int, d: int) -> list[tuple | None]:
    """For each slot ``a`` in ``range(k)``: ``(out_slice, in_slice)``, or ``None`` if no output
    of this dimension sees an input element at that slot."""
    res: list[tuple | None] = []
    for a in range(k):
        shift = a * d - p  # input position = o * s + shift
        o0 = max(0, -(shift // s))  # first o with o * s + shift >= 0
        o1 = min(out, (n - 1 - shift) // s + 1)
        if o1 <= o0:
            res.append(None)
            continue
        i0 = o0 * s + shift
        res.append((slice(o0, o1), slice(i0, i0 + (o1 - o0 - 1) * s + 1, s)))
    return res


@functools.lru_cache(maxsize=256)
def window_slots(spatial: tuple[int, ...], args: PoolArgs) -> tuple[Slot, ...]:
    """All non-empty slots of the window, in row-major order (PyTorch's scan order)."""
    assert args.output_size is not None
    per_dim = [
        slot_slices_1d(n, o, k, s, p, d)
        for n, o, k, s, p, d in zip(
            spatial, args.output_size, args.kernel_size, args.stride, args.padding,
            args.dilation, strict=True,
        )
    ]  # fmt: skip
    slots = []
    for index, offsets in enumerate(itertools.product(*(range(k) for k in args.kernel_size))):
        parts = [per_dim[dim][a] for dim, a in enumerate(offsets)]
        if any(part is None for part in parts):
            continue
        full = all(q[0] == slice(0, n) for q, n in zip(parts, args.output_size, strict=True))
        out = (Ellipsis,) if full else (Ellipsis, *(q[0] for q in parts))
        inp = (Ellipsis, *(q[1] for q in parts))
        slots.append(Slot(index, offsets, out, inp))
    return tuple(slots)


def _first_valid_1d(n: int, out: int, k: int, s: int, p: int, d: int) -> list[int]:
    """For each output position, the first slot that reads an input element (``k`` if none)."""
    res = []
    for o in range(out):
        positions = window_positions(o, k, s, p, d)
        res.append(next((a for a, i in enumerate(positions) if 0 <= i < n), k))
    return res


@functools.lru_cache(maxsize=256)
def first_valid_slots(
    spatial: tuple[int, ...], args: PoolArgs, sentinel: int, dtype: torch.dtype, device
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Row-major number of each window's first in-bounds slot, shape ``output_size``.

    Windows that hold only padding get ``sentinel``; the second result is a boolean mask of
    them (``None`` when there are none, the usual case).
    """
    assert args.output_size is not None
    dims = len(spatial)
    table = torch.zeros(args.output_size, dtype=torch.int64)
    empty = torch.zeros(args.output_size, dtype=torch.bool)
    mult = 1
    for dim in reversed(range(dims)):
        k = args.kernel_size[dim]
        first = torch.tensor(
            _first_valid_1d(
                spatial[dim], args.output_size[dim], k, args.stride[dim], args.padding[dim],
                args.dilation[dim],
            )
        )  # fmt: skip
        shape = [1] * dims
        shape[dim] = -1
        table = table + (first * mult).view(shape)
        empty = empty | (first == k).view(shape)
        mult *= k
    has_empty = bool(empty.any())
    table = table.masked_fill(empty, sentinel)
    return table.to(dtype=dtype, device=device), (empty.to(device) if has_empty else None)


def plane_strides(spatial: tuple[int, ...]) -> tuple[int, ...]:
    """Strides, in elements, of a contiguous plane of shape ``spatial`` (``h * W + w`` etc.)."""
    strides = []
    acc = 1
    for n in reversed(spatial):
        strides.append(acc)
        acc *= n
    return tuple(reversed(strides))


@functools.lru_cache(maxsize=256)
def index_base_and_offsets(
    spatial: tuple[int, ...], args: PoolArgs, device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Flat input index of window slot ``kk`` at output ``o`` is ``base[o] + offset[kk]``:
    ``base`` (shape ``output_size``) is the window's top-left corner, which may lie in the
    padding, ``offset`` (length ``prod(kernel_size)``) the slot's displacement from it."""
    assert args.output_size is not None
    dims = len(spatial)
    strides = plane_strides(spatial)
    base = torch.zeros(args.output_size, dtype=torch.int64)
    for dim in range(dims):
        shape = [1] * dims
        shape[dim] = -1
        start = torch.arange(args.output_size[dim]) * args.stride[dim] - args.padding[dim]
        base = base + (start * strides[dim]).view(shape)
    offsets = torch.tensor(
        [
            sum(a * args.dilation[dim] * strides[dim] for dim, a in enumerate(slot))
            for slot in itertools.product(*(range(k) for k in args.kernel_size))
        ],
        dtype=torch.int64,
    )
    return base.to(device), offsets.to(device)


@dataclass(frozen=True)
class Phase:
    """The input positions ``phase, phase + stride, ...`` (per dimension) and the slots that
    read them. ``view`` selects the phase from the input (a strided view); ``shape`` is its
    spatial shape; ``slots`` pairs each slot with its slice of the phase (contiguous rows)."""

    view: tuple
    shape: tuple[int, ...]
    slots: tuple[tuple[Slot, tuple], ...]


@functools.lru_cache(maxsize=256)
def phases(spatial: tuple[int, ...], args: PoolArgs) -> tuple[Phase, ...]:
    """Group the window slots by the phase (position modulo stride) of the input they read.

    Slot ``a`` reads ``o * s + shift`` with ``shift = a * dilation - padding``: phase
    ``shift % s``, element ``o + shift // s`` of that phase. Each input position belongs to
    one phase, so accumulating a phase's slots in a contiguous buffer and copying the buffer
    into its strided view adds the same numbers in the same order as adding every slot into
    the strided input directly, with contiguous (vectorized) additions.
    """
    groups: dict[tuple[int, ...], list] = {}
    for slot in window_slots(spatial, args):
        key, index = [], [Ellipsis]
        for dim, a in enumerate(slot.offsets):
            s = args.stride[dim]
            shift = a * args.dilation[dim] - args.padding[dim]
            out = slot.out[1 + dim] if len(slot.out) > 1 else slice(0, args.output_size[dim])
            q = shift // s
            key.append(shift % s)
            index.append(slice(out.start + q, out.stop + q))
        groups.setdefault(tuple(key), []).append((slot, tuple(index)))
    result = []
    for key, members in groups.items():
        view = (Ellipsis, *(slice(ph, None, s) for ph, s in zip(key, args.stride, strict=True)))
        shape = tuple(
            len(range(ph, n, s)) for ph, n, s in zip(key, spatial, args.stride, strict=True)
        )
        result.append(Phase(view, shape, tuple(members)))
    return tuple(result)
