"""Window geometry for the slot loops of the average pooling kernels.

Vectorized average pooling loops over the *slots* of the window (kernel offsets), not over output
positions. For slot ``a`` of one spatial dimension, output ``o`` reads input position
``o * stride - padding + a * dilation``. The outputs for which that position lies inside the
input form a contiguous range ``o0:o1``, and the positions they read form the strided slice
``i0 : i0 + (o1 - o0 - 1) * stride + 1 : stride``. Restricting each slot to that range is
the implicit padding: padded positions are never read, so no padded copy of the input is made.

The helpers here compute those slices, per dimension and for whole windows (slots numbered in
row-major order, the order PyTorch scans a window in), and group slots by phase for the
backward pass. Slots that read no input element are never visited, so their number, not the
window's size, sets the work. (Max pooling does not loop over slots: ``running_max``.)
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from pooling_lib.shapes import PoolArgs


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
    res: list[tuple | None] = [None] * k
    for a, pair in real_slots_1d(n, out, k, s, p, d):
        res[a] = pair
    return res


def real_slots_1d(n: int, out: int, k: int, s: int, p: int, d: int) -> list[tuple]:
    """``(a, (out_slice, in_slice))`` for the slots ``a`` at which some output reads an input
    element (``slot_slices_1d`` without the others): only those are visited, so a window
    reaching far into the padding costs no more than one that fits the input."""
    # slot a reads o * s + a * d - p for o < out: some of it lies in [0, n) only for
    # (p - (out - 1) * s) / d <= a <= (n - 1 + p) / d
    first = max(0, -((-(p - (out - 1) * s)) // d))
    last = min(k - 1, (n - 1 + p) // d)
    res = []
    for a in range(first, last + 1):
        shift = a * d - p  # input position = o * s + shift
        o0 = max(0, -(shift // s))  # first o with o * s + shift >= 0
        o1 = min(out, (n - 1 - shift) // s + 1)
        if o1 <= o0:
            continue
        i0 = o0 * s + shift
        res.append((a, (slice(o0, o1), slice(i0, i0 + (o1 - o0 - 1) * s + 1, s))))
    return res


@functools.lru_cache(maxsize=256)
def window_slots(spatial: tuple[int, ...], args: PoolArgs) -> tuple[Slot, ...]:
    """All non-empty slots of the window, in row-major order (PyTorch's scan order)."""
    assert args.output_size is not None
    per_dim = [
        dict(real_slots_1d(n, o, k, s, p, d))
        for n, o, k, s, p, d in zip(
            spatial, args.output_size, args.kernel_size, args.stride, args.padding,
            args.dilation, strict=True,
        )
    ]  # fmt: skip
    slots = []
    for offsets in itertools.product(*(sorted(real) for real in per_dim)):
        index = 0
        for a, k in zip(offsets, args.kernel_size, strict=True):
            index = index * k + a  # row-major number of the slot
        parts = [per_dim[dim][a] for dim, a in enumerate(offsets)]
        full = all(q[0] == slice(0, n) for q, n in zip(parts, args.output_size, strict=True))
        out = (Ellipsis,) if full else (Ellipsis, *(q[0] for q in parts))
        inp = (Ellipsis, *(q[1] for q in parts))
        slots.append(Slot(index, offsets, out, inp))
    return tuple(slots)


def plane_strides(spatial: tuple[int, ...]) -> tuple[int, ...]:
    """Strides, in elements, of a contiguous plane of shape ``spatial`` (``h * W + w`` etc.)."""
    strides = []
    acc = 1
    for n in reversed(spatial):
        strides.append(acc)
        acc *= n
    return tuple(reversed(strides))


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
