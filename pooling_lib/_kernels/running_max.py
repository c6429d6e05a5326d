"""The maximum of every window, one dimension at a time, in a number of tensor operations that
does not grow with the window.

A window of max pooling is a box, so its maximum is the maximum over its last dimension,
then over the one before, and so on: the kernels reduce the innermost dimension first
(``W``, then ``H``, then ``D``). Along one dimension, three ways to take every window's
maximum, chosen by the window's shape (``Axis.strategy``):

* ``view``: windows that do not overlap (``stride >= kernel_size``, no dilation) are a
  strided view of the input (``Tensor.unfold``); one reduction over the view's last
  dimension takes them all;
* ``slots``: a small window (at most ``SMALL_WINDOW`` slots) is the running maximum of its
  slots, each slot a strided slice of the input (the slot loop of the chapter "From loops
  to vectors");
* ``doubling``: for a large, overlapping window, the maximum of every run of 2 elements
  is the elementwise maximum of the input and the input shifted by one; of every run of 4,
  that of the runs of 2 and the runs of 2 shifted by two; and so on. After ``log2(k)``
  such steps every run of ``h`` (the largest power of two ``<= k``) is known, and a window
  of ``k`` is the union of two runs of ``h`` that overlap: the one at its start and the
  one ending at its end. So ``log2(k) + 1`` elementwise maxima replace ``k - 1``; this is
  the idea of the sparse table of range-maximum queries, and of van Herk's and Gil and
  Werman's constant-time running maxima.

Values only, windows of up to ``SMALL_VALUES_WINDOW`` slots take the ``slots`` (their
maxima go into the output, no temporaries). 2-d windows that tile the input (``tiled``:
adaptive pooling from a multiple, ``max_pool2d`` with ``stride == kernel_size``, at least
``TILED_INNER`` columns) are reduced over their rows first (``_row_max``: elementwise maxima
of whole input rows, vectorized), then over each window's columns; with positions, ``_tiled``
finds the maximum's column and row on tensors of a window row's size.

Adaptive windows differ in length by at most one and start anywhere: when the input length is
a multiple of the output length they are a ``view``; otherwise ``doubling`` up to the
shorter length and two gathers (``index_select``) of the runs at each window's start and
end, or, values only and at most ``ADAPTIVE_SLICES`` outputs, one ``amax`` per window.

Which element is the maximum: PyTorch scans a window in row-major order and lets an
element replace the running maximum when it is strictly greater or is NaN, so the first
maximum wins a tie and the last NaN wins among NaNs. The combination of an earlier part
``a`` and a later part ``b`` of a window, "``b`` if ``b > a`` or ``b`` is NaN, else ``a``",
gives that element for any split of the window into consecutive parts, also for two parts
that overlap (the doubling's last step): if ``b > a``, ``b``'s maximum is greater than
everything in ``a``, the overlap included, so it lies after ``a`` and is the window's first
maximum; otherwise ``a``'s first maximum is; a NaN in ``b`` is the window's last NaN, and a
NaN found only in ``a`` is not in the overlap, so it is the last one too. Reducing the
innermost dimension first keeps row-major order: the first row holding the maximum wins,
and within it the first column. ``Tensor.max(dim)`` gives the first maximum (and the
first NaN, which ``view`` corrects to the last one).

Padding is a copy of the input's slab (per chunk of planes) extended with the lowest value
(``-inf``, or the smallest integer). A padding cell can only be chosen where every real cell
of its window is the lowest value too; PyTorch's index there is the window's first real cell
(``-1`` when there is none), so ``window_max`` replaces the index of every output equal to the
lowest value by that cell (``first_real_index``).

What the doubling costs against a small window (measured, ``bench/bench_pooling.py``'s growth
figure, one thread, 8x64 planes, 4000 outputs, stride 1): a window of 256 takes
``log2(256) + 1 = 9`` elementwise maxima, about 0.56 ns per input element each, so 4.9 ns per
element, against 0.9 ns for a window of 2 (one maximum and the -0.0 check): about 5.6 times,
not the 2 that issue 17 asks for. Fewer passes would need van Herk's and Gil and Werman's
prefix and suffix maxima in blocks of ``k``: three passes, but two of them running maxima,
and PyTorch's only one, ``torch.cummax``, is a scalar loop that also writes int64 indices
(2.7 ns per element, more than the nine maxima together). A reduction over ``k`` strided
copies at once (``amax`` over an ``as_strided`` view of 4 slots) costs as much as the two
maxima it replaces. So the doubling stays: its cost grows with ``log2(k)``, not with ``k``.
"""

from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from pooling_lib._kernels.common import lowest

# A window of at most this many slots along a dimension is reduced slot by slot (``slots``):
# then the strided slices are cheaper than the copies ``doubling`` makes.
SMALL_WINDOW = 4
# Values only, the slots write into the output (no temporaries): up to this many slots they
# beat doubling's fewer passes over two temporaries of the input's size (measured, ``bench/
# bench_pooling.py --only "text max_pool1d 5/1"``: 4 slots against 3 doublings).
SMALL_VALUES_WINDOW = 8


@dataclass(frozen=True)
class Axis:
    """The windows along one spatial dimension of length ``n``: output ``o`` (of ``out``) reads
    positions ``o * stride - padding + a * dilation`` for ``a < kernel``, or, ``adaptive``,
    ``[floor(o * n / out), ceil((o + 1) * n / out))``."""

    n: int
    out: int
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    adaptive: bool = False

    @property
    def strategy(self) -> str:
        return self.strategy_for(track=True)

    def strategy_for(self, track: bool) -> str:
        """``view``, ``slots`` or ``doubling`` (module docstring); values only (``track``
        false), windows of up to ``SMALL_VALUES_WINDOW`` slots take the slots."""
        if self.adaptive:
            return "view" if self.n % self.out == 0 else "doubling"
        if self.kernel == 1:
            return "view"
        if self.dilation == 1 and self.stride >= self.kernel > SMALL_WINDOW:
            return "view"
        small = SMALL_WINDOW if track else SMALL_VALUES_WINDOW
        return "slots" if self.kernel <= small else "doubling"

    def regular(self) -> Axis:
        """An adaptive axis whose windows do not overlap, as a regular one."""
        if self.adaptive and self.out and self.n % self.out == 0:
            k = self.n // self.out
            return Axis(self.n, self.out, k, k)
        return self


def pool_axes(spatial, args) -> tuple[Axis, ...]:
    """The axes of a max pooling call (``args``: a ``PoolArgs`` with ``output_size``)."""
    return tuple(
        Axis(n, o, k, s, p, d)
        for n, o, k, s, p, d in zip(
            spatial, args.output_size, args.kernel_size, args.stride, args.padding,
            args.dilation, strict=True,
        )
    )  # fmt: skip


def adaptive_axes(spatial, output_size) -> tuple[Axis, ...]:
    return tuple(
        Axis(n, o, adaptive=True).regular() for n, o in zip(spatial, output_size, strict=True)
    )


def _index(ndim: int, dim: int, s: slice) -> tuple:
    index = [slice(None)] * ndim
    index[dim] = s
    return tuple(index)


@functools.lru_cache(maxsize=256)
def _positions(length: int, dim: int, ndim: int, device, step: int = 1) -> torch.Tensor:
    """``0, step, 2 * step, ...`` along ``dim`` (int32: elementwise int64 is slow). Cached:
    callers never modify it."""
    shape = [1] * ndim
    shape[dim] = length
    dtype = torch.int32 if length * step < 2**31 else torch.int64
    return torch.arange(0, length * step, step, dtype=dtype, device=device).view(shape)


def _combine(a, b, pa, pb, nan: bool, out=None):
    """The maximum of an earlier part ``a`` and a later part ``b`` of windows, and (``pa``
    given) the position of the winner: ``pb`` where ``b > a`` (or ``b`` is NaN, if ``nan``
    says NaNs may occur), else ``pa``.

    The winner's position is ``maximum(pa, m * pb)``: when ``b`` wins, its position lies
    after ``a``'s (``b``'s maximum is greater than all of ``a``, the overlap included; a NaN
    in ``b`` is the window's last), so no ``where`` is needed (``torch.where`` is many times
    slower than ``maximum`` on the CPU). The values are ``torch.maximum``'s: a tie of +0.0
    and -0.0 or a NaN may get other bits than PyTorch's, which ``window_max``'s callers
    restore from the positions where that matters."""
    if pa is None:
        return torch.maximum(a, b, out=out) if out is not None else torch.maximum(a, b), None
    v = torch.maximum(a, b)
    m = torch.gt(b, a)
    if nan:
        m |= torch.isnan(b)
    return v, torch.maximum(pa, m * pb)


def _pad(v: torch.Tensor, dim: int, left: int, right: int) -> torch.Tensor:
    """``v`` extended along ``dim`` by ``left`` and ``right`` lowest values (``right < 0``
    cuts)."""
    if right < 0:
        v = v.narrow(dim, 0, v.shape[dim] + right)
        right = 0
    if left == 0 and right == 0:
        return v
    widths = [0, 0] * (v.dim() - 1 - dim) + [left, right]
    return F.pad(v, widths, value=lowest(v.dtype))


def _along(v: torch.Tensor, dim: int, axis: Axis, track: bool, nan: bool, out=None):
    """Window maxima of ``v`` along ``dim``: values, and (``track``) the position of each
    maximum along ``dim`` in the input (any position where a padding cell won).

    ``out`` (values only): a tensor of the result's shape to write the values into, so that
    no temporary as large as the result is made; the values returned are then ``out``."""
    ndim, device = v.dim(), v.device
    if track:
        out = None
    if axis.adaptive:
        return _into(out, *_along_adaptive(v, dim, axis, track, nan, out))
    k, s, p, d, n_out = axis.kernel, axis.stride, axis.padding, axis.dilation, axis.out
    span = (n_out - 1) * s + (k - 1) * d + 1  # padded cells the windows reach
    if span > 2 * axis.n + 2 * SMALL_WINDOW:  # mostly padding: never make it
        return _into(out, *_along_clipped(v, dim, axis, track, nan))
    v = _pad(v, dim, p, span - p - axis.n)
    strategy = axis.strategy_for(track)
    starts = slice(0, (n_out - 1) * s + 1, s)
    pos = None
    if strategy == "view" and k == 1:
        result = v[_index(ndim, dim, starts)]
        if track:
            pos = _positions(n_out, dim, ndim, device, s)
    elif strategy == "view":
        windows = v.unfold(dim, k, s)  # (..., out, ..., k)
        if not track:
            result = windows.amax(-1) if out is None else torch.amax(windows, -1, out=out)
        else:
            result, a = windows.max(-1)
            if nan:  # Tensor.max gives a window's first NaN, PyTorch the last
                ones = torch.arange(1, k + 1, device=device)
                last = (torch.isnan(windows) * ones).amax(-1) - 1
                a = torch.where(torch.isnan(result), last, a)
            pos = a + _positions(n_out, dim, ndim, device, s)
    elif strategy == "slots":
        result = v[_index(ndim, dim, starts)]
        base = _positions(n_out, dim, ndim, device, s) if track else None
        pos = base
        for a in range(1, k):
            b = v[_index(ndim, dim, slice(a * d, a * d + (n_out - 1) * s + 1, s))]
            result, pos = _combine(result, b, pos, base + a * d if track else None, nan, out)
    else:
        runs, pos_runs, h = _doubling(v, dim, k, d, track, nan)
        last = (k - h) * d
        end = slice(last, last + (n_out - 1) * s + 1, s)
        pa = pos_runs[_index(ndim, dim, starts)] if track else None
        pb = pos_runs[_index(ndim, dim, end)] if track else None
        result, pos = _combine(
            runs[_index(ndim, dim, starts)], runs[_index(ndim, dim, end)], pa, pb, nan, out
        )
    if track and (p or span > axis.n):  # a padding cell's position: any real one
        pos = (pos - p).clamp_(0, axis.n - 1) if p else pos.clamp(max=axis.n - 1)
    return _into(out, result, pos)


def _into(out, result, pos):
    """``(result, pos)``, the values copied into ``out`` if given and not already there."""
    if out is not None and result is not out:
        out.copy_(result)
        result = out
    return result, pos


def _doubling(v: torch.Tensor, dim: int, k: int, d: int, track: bool, nan: bool):
    """Maxima of every run of ``h`` slots (``h`` the largest power of two ``<= k``, slots
    ``d`` apart) along ``dim``, starting at each position; their positions (``track``)."""
    ndim = v.dim()
    pos = _positions(v.shape[dim], dim, ndim, v.device) if track else None
    # Values only, two steps or more: the steps write into two buffers in turn (``out=``),
    # not into a new tensor each (fewer allocations, each one fresh memory to fault in).
    buffers = None
    h, step = 1, 0
    while 2 * h <= k:
        length = v.shape[dim] - h * d
        head, tail = _index(ndim, dim, slice(0, length)), _index(ndim, dim, slice(h * d, None))
        if track:
            pa, pb = pos[head], pos[tail]
            v, pos = _combine(v[head], v[tail], pa, pb, nan)
        else:
            if buffers is None and k >= 4:
                first = torch.empty(v[head].shape, dtype=v.dtype, device=v.device)
                buffers = (first, torch.empty_like(first))
            out = buffers[step % 2].narrow(dim, 0, length) if buffers else None
            v, _ = _combine(v[head], v[tail], None, None, nan, out)
        h, step = 2 * h, step + 1
    return v, pos, h


def _along_clipped(v: torch.Tensor, dim: int, axis: Axis, track: bool, nan: bool):
    """Windows that reach far into the padding: each window's real slots, from the first
    real one ``lo`` on, ``count`` of them, ``dilation`` apart, are the union of the runs of
    ``h`` (the largest power of two ``<= count``) at ``lo`` and ending at its last real slot.
    The doubling keeps every level (``log2(n)`` of them, each at most the input's size) and
    each group of windows with the same ``h`` gathers from its level. So the work is bounded
    by the input's size, not the window's (a window of padding only gets the lowest value)."""
    n, d = axis.n, axis.dilation
    start = torch.arange(axis.out) * axis.stride - axis.padding
    first = torch.where(start < 0, (-start + d - 1) // d, 0)
    lo = start + first * d
    last = torch.clamp((n - 1 - start) // d, max=axis.kernel - 1)  # the last real slot
    count = torch.clamp(last - first + 1, min=0)
    levels = [(v, _positions(n, dim, v.dim(), v.device) if track else None)]
    h = 1
    while 2 * h <= int(count.max()):
        runs, run_pos = levels[-1]
        length = runs.shape[dim] - h * d
        head = _index(v.dim(), dim, slice(0, length))
        tail = _index(v.dim(), dim, slice(h * d, h * d + length))
        pa, pb = (run_pos[head], run_pos[tail]) if track else (None, None)
        levels.append(_combine(runs[head], runs[tail], pa, pb, nan))
        h *= 2
    shape = list(v.shape)
    shape[dim] = axis.out
    result = torch.full(shape, lowest(v.dtype), dtype=v.dtype, device=v.device)
    pos = torch.zeros(shape, dtype=torch.int64, device=v.device) if track else None
    level = torch.where(count > 0, torch.log2(count.clamp(min=1).double()).floor().long(), -1)
    for j, (runs, run_pos) in enumerate(levels):
        group = torch.nonzero(level == j).flatten()
        if group.numel() == 0:
            continue
        a_at, b_at = lo[group], lo[group] + (count[group] - 2**j) * d
        a, b = runs.index_select(dim, a_at), runs.index_select(dim, b_at)
        if track:
            pa = run_pos.expand(runs.shape).index_select(dim, a_at)
            pb = run_pos.expand(runs.shape).index_select(dim, b_at)
        else:
            pa = pb = None
        values, where = _combine(a, b, pa, pb, nan)
        result.index_copy_(dim, group, values)
        if track:
            pos.index_copy_(dim, group, where.long())
    return result, pos


# Values only, adaptive windows along a dimension pooled to at most this many outputs are
# reduced one window at a time (``amax`` of a slice, written into the result): no temporary
# of the input's size, where the doubling makes two (measured, ``bench/bench_pooling.py
# --only spatial --memory``: the spatial pyramid 1, 2, 3, 6 on 8x256x13x13).
ADAPTIVE_SLICES = 8


def _along_adaptive(v: torch.Tensor, dim: int, axis: Axis, track: bool, nan: bool, out=None):
    if not track and axis.out <= ADAPTIVE_SLICES:
        shape = list(v.shape)
        shape[dim] = axis.out
        result = torch.empty(shape, dtype=v.dtype, device=v.device) if out is None else out
        for o in range(axis.out):
            start, end = (o * axis.n) // axis.out, -((-(o + 1) * axis.n) // axis.out)
            window = v.narrow(dim, start, end - start)
            torch.amax(window, dim, keepdim=True, out=result.narrow(dim, o, 1))
        return result, None
    starts, ends = _adaptive_bounds(axis.n, axis.out, v.device)
    shortest = _adaptive_shortest(axis.n, axis.out) or int((ends - starts).min())
    runs, pos, h = _doubling(v, dim, shortest, 1, track, nan)
    last = ends - h  # the run of h that ends where the window ends
    a, b = runs.index_select(dim, starts), runs.index_select(dim, last)
    pa = pos.index_select(dim, starts) if track else None
    pb = pos.index_select(dim, last) if track else None
    return _combine(a, b, pa, pb, nan, out)


@functools.lru_cache(maxsize=256)
def _adaptive_shortest(n: int, out: int) -> int | None:
    """The shortest adaptive window's length, from Python integers up to 1024 outputs (no
    tensor operations); None past that."""
    if out > 1024:
        return None
    return min(-((-(i + 1) * n) // out) - (i * n) // out for i in range(out))


@functools.lru_cache(maxsize=256)
def _adaptive_bounds(n: int, out: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    if out <= 1024:  # from Python integers: two tensor operations on a cache miss, not eight
        starts = [(i * n) // out for i in range(out)]
        ends = [-((-(i + 1) * n) // out) for i in range(out)]
        return torch.tensor(starts, device=device), torch.tensor(ends, device=device)
    i = torch.arange(out)
    return ((i * n) // out).to(device), (-((-(i + 1) * n) // out)).to(device)


def window_max(
    x: torch.Tensor, axes: tuple[Axis, ...], track: bool, nan: bool = False, out=None
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Window maxima of ``x`` (``(B, C, *spatial)``, one ``Axis`` per spatial dimension) and,
    with ``track``, the flat index (``h * W + w`` etc.; int32 while it fits) of each
    window's maximum by PyTorch's rule, before ``first_real_index``'s correction of padding
    cells.

    ``nan``: NaNs may occur (without it the index of a window holding a NaN is wrong; its
    value is NaN, so callers see that and run again). The values are ``torch.maximum``'s
    (see ``_combine``). ``out`` (values only): where to write them (see ``_along``)."""
    if track:
        out = None
    if all(a.out == 1 and a.padding == 0 and a.kernel >= a.n for a in axes):
        return _into(out, *_global(x, track))  # one window over each whole plane
    if not track and tiled(axes):  # the maxima of the columns, then of each window's
        cells = _row_max(_tile_rows(x, axes)).unflatten(3, (axes[1].out, axes[1].kernel))
        return (cells.amax(4) if out is None else torch.amax(cells, 4, out=out)), None
    if track and not nan and tiled(axes):
        if max(a.kernel for a in axes) <= 8 and sys.byteorder == "little":
            return _tiled(x, axes)
        return _tiled_ties(x, axes)
    strides = [math.prod(x.shape[2 + j + 1 :]) for j in range(len(axes))]
    # int32 flat indices while they fit (elementwise int64 is slow), int64 at the end
    dtype = torch.int32 if math.prod(x.shape[2:]) < 2**31 else torch.int64
    v, index = x, None
    for j in reversed(range(len(axes))):
        dim = 2 + j
        v, pos = _along(v, dim, axes[j], track, nan, out if j == 0 else None)
        if track:
            pos = pos.expand(v.shape)
            if index is None:
                index = pos.to(dtype) * strides[j] if strides[j] != 1 else pos.to(dtype)
            else:
                inner = index.gather(dim, pos.long())
                index = torch.add(inner, pos.to(dtype), alpha=strides[j])
    return v, index  # int32 while it fits (copied into the int64 result by the caller)


# 2-d windows that tile the input with at least this many columns take their maxima (and
# positions) from the row maxima (``_row_max``, ``_tiled``; measured, ``bench/bench_pooling.py
# --only``: ``adaptive_max_pool2d`` from 56x56 to 7x7; on 2x2 windows with positions the slot
# slices are faster).
TILED_INNER = SMALL_WINDOW + 1


def tiled(axes: tuple[Axis, ...]) -> bool:
    """Whether the windows are 2-d and sit side by side without padding, gaps or dilation
    (each cell in at most one window), at least ``TILED_INNER`` columns wide."""
    return (
        len(axes) == 2
        and axes[-1].kernel >= TILED_INNER
        and all(
            not a.adaptive and a.padding == 0 and a.dilation == 1 and a.stride == a.kernel
            and a.out * a.kernel <= a.n
            for a in axes
        )
    )  # fmt: skip


def _tile_rows(x: torch.Tensor, axes: tuple[Axis, ...]) -> torch.Tensor:
    """The part of ``x`` that tiling windows read, as ``(B, C, oh, kh, ow * kw)`` (a view)."""
    ah, aw = axes
    return (
        x.narrow(2, 0, ah.out * ah.kernel)
        .narrow(3, 0, aw.out * aw.kernel)
        .unflatten(2, (ah.out, ah.kernel))
    )


def _row_max(v: torch.Tensor) -> torch.Tensor:
    """The elementwise maximum over dimension 3 of ``v`` (``(B, C, oh, kh, W)``, a view of
    the input): ``kh - 1`` maxima of whole rows, accumulated in one buffer of a row's size
    (contiguous inner loops, where a reduction over ``kh`` or over a window's columns runs
    at a fixed cost per short run)."""
    kh = v.shape[3]
    if kh == 1:
        return v.select(3, 0)
    acc = torch.maximum(v.select(3, 0), v.select(3, 1))
    for a in range(2, kh):
        torch.maximum(acc, v.select(3, a), out=acc)
    return acc


def _first_byte(word: torch.Tensor) -> torch.Tensor:
    """For int64 words made of 8 booleans (``view``), the position of the first true one
    (the lowest set byte: little-endian), >= 0 (0 where none is true).

    ``word & -word`` keeps the lowest set bit, ``2**(8 * j)``, which float32 holds exactly;
    its exponent field, ``127 + 8 * j``, shifted right by 26 bits is ``15 + j``."""
    low = (word & -word).float().view(torch.int32)
    return ((low >> 26) - 15).clamp_(min=0)


def _eq_bytes(a: torch.Tensor, b: torch.Tensor, dim: int) -> torch.Tensor:
    """``a == b`` (at most 8 along ``dim``) as int64 words, one per position of the other
    dimensions: byte ``j`` of a word is the comparison at ``j`` along ``dim``."""
    shape = list(a.shape)
    n = shape.pop(dim)
    if n == 8 and dim == a.dim() - 1 and a.is_contiguous():
        buffer = torch.eq(a, b)  # contiguous, like ``a``: the words are its bytes
    else:
        buffer = torch.zeros((*shape, 8), dtype=torch.bool, device=a.device)
        torch.eq(a, b, out=buffer.movedim(-1, dim).narrow(dim, 0, n))
    return buffer.view(torch.uint8).view(torch.int64).squeeze(-1)


def _tiled(x: torch.Tensor, axes: tuple[Axis, ...]):
    """Maxima and flat positions of 2-d windows that tile the input (no NaN in them), by the
    maxima of each window's columns (``_row_max``: the one pass over the input) and small
    tensors after it.

    A window's maximum is the largest of its column maxima. Where exactly one column of
    each window holds it (counted by ``==``: +0.0 next to -0.0 in another column counts
    twice), that column holds PyTorch's element, the first maximum in row-major order: the
    column's first row equal to the maximum, read back from the input (``gather``, ``kh``
    cells per window). Where some window has two (ties across columns) the chunk takes
    ``_tiled_ties``; a NaN window counts none, and its index is wrong as ``window_max``
    allows. The first true of up to 8 booleans is read from their bytes as one int64
    (``_first_byte``), which is cheaper than a product and a reduction over 8 bytes.

    Measured (``adaptive_max_pool2d`` 16x64x56x56 to 7x7 with indices, one thread, one
    chunk, medians in one process, over several runs): ``_tiled_ties`` 14 ms; this 5.3 to
    6.5 ms; PyTorch 5.7 to 5.8 ms. Its fixed part is about thirty operations, each with a
    cost of a few microseconds, so it takes large chunks (``max.TILED_CHUNK``)."""
    (ah, aw), (B, C) = axes, x.shape[:2]
    kh, kw, oh, ow = ah.kernel, aw.kernel, ah.out, aw.out
    v = _tile_rows(x, axes)
    cells = _row_max(v).unflatten(3, (ow, kw))  # (B, C, oh, ow, kw): column maxima
    values = cells.amax(4)
    hit = _eq_bytes(cells, values.unsqueeze(4), 4)
    if bool((hit & (hit - 1)).any()):  # two columns or more hold the maximum
        return _tiled_ties(x, axes)
    dtype = torch.int32 if x.shape[2] * x.shape[3] < 2**31 else torch.int64
    column = _first_byte(hit).to(dtype) + _positions(ow, 3, 4, x.device, kw)
    read = v.gather(4, column.long().unsqueeze(3).expand(B, C, oh, kh, ow))
    row = _first_byte(_eq_bytes(read, values.unsqueeze(3), 3)).to(dtype)
    index = (_positions(oh, 2, 4, x.device, kh) + row) * x.shape[3] + column
    return values, index.to(dtype)


def _tiled_ties(x: torch.Tensor, axes: tuple[Axis, ...]):
    """Maxima and flat positions of 2-d windows that tile the input (no NaN in them).

    The input is viewed as ``(B, C, oh, kh, ow, kw)`` (no copy) and reduced over the rows of
    each window first: a reduction over a dimension that is not the innermost runs
    vectorized across the outputs, while ``Tensor.max`` over the columns first (the per-axis
    path) reads every window's row by itself, at a fixed cost per row. Four passes over the
    input, two of them on bytes: the column maxima (``amax`` over ``kh``); ``==`` the
    window's maximum (the maximum of the column maxima, a small tensor); that times
    ``kh - row``; and its ``amax`` over ``kh``, ``kh`` minus the first row holding the
    maximum in each column (``argmax`` would say the same, but it is not vectorized).
    PyTorch's element, the first maximum in row-major order, is then the first column of
    the first row over the columns (small tensors again). ``==`` also makes the first of
    +0.0 and -0.0 win, as PyTorch's strict ``>`` does; a NaN equals nothing, so windows with
    NaNs take the per-axis path (``window_max``'s ``nan``)."""
    (ah, aw), (B, C) = axes, x.shape[:2]
    kh, kw, oh, ow = ah.kernel, aw.kernel, ah.out, aw.out
    v = x.narrow(2, 0, oh * kh).narrow(3, 0, ow * kw).unflatten(3, (ow, kw)).unflatten(2, (oh, kh))
    columns = v.amax(3, keepdim=True)  # (B, C, oh, 1, ow, kw)
    values = columns.amax(5, keepdim=True)  # (B, C, oh, 1, ow, 1)
    hit = torch.eq(v, values.expand(columns.shape).contiguous()).view(torch.uint8)
    score_dtype = torch.uint8 if kh < 256 else torch.int32
    rank = torch.arange(kh, 0, -1, dtype=score_dtype, device=x.device).view(kh, 1, 1)
    first = (hit * rank).amax(3)  # kh - the first row with the maximum, 0 if none
    # the largest (first * kw + kw - 1 - column): the first row, then the first column
    dtype = torch.int32 if x.shape[2] * x.shape[3] < 2**31 else torch.int64
    reverse = torch.arange(kw - 1, -1, -1, dtype=dtype, device=x.device)
    key = (first.to(dtype) * kw + reverse).amax(4)  # (B, C, oh, ow)
    row = kh - torch.div(key, kw, rounding_mode="floor")
    column = kw - 1 - key % kw
    W = x.shape[3]
    rows = _positions(oh, 2, 4, x.device, kh) + row
    index = rows * W + _positions(ow, 3, 4, x.device, kw) + column
    return values.view(B, C, oh, ow), index.to(dtype)


def _global(x: torch.Tensor, track: bool):
    """The maximum of each whole plane: one reduction (``Tensor.max`` gives the first maximum;
    the last NaN comes from the flipped plane)."""
    B, C = x.shape[:2]
    planes = x.reshape(B, C, -1)
    shape = (B, C) + (1,) * (x.dim() - 2)
    if not track:
        return planes.amax(-1).view(shape), None
    values, index = planes.max(-1)
    if values.dtype.is_floating_point:
        nan = torch.isnan(values)
        if bool(nan.any()):  # the last NaN: the first one of the reversed plane
            last = planes.shape[-1] - 1 - torch.isnan(planes.flip(-1)).byte().argmax(-1)
            index = torch.where(nan, last, index)
    return values.view(shape), index.view(shape)


def has_left_padding(axes: tuple[Axis, ...]) -> bool:
    return any(a.padding for a in axes)


@functools.lru_cache(maxsize=256)
def first_real_index(axes: tuple[Axis, ...], device) -> torch.Tensor:
    """Flat index of each window's first real (not padding) cell in row-major order, shape
    ``(out, ...)``; -1 for a window of padding only. PyTorch's index where all of a window's
    cells are the lowest value."""
    dims = len(axes)
    flat = torch.zeros([a.out for a in axes], dtype=torch.int64)
    empty = torch.zeros([a.out for a in axes], dtype=torch.bool)
    stride = 1
    for j in reversed(range(dims)):
        a = axes[j]
        start = torch.arange(a.out) * a.stride - a.padding
        first = torch.where(start < 0, (-start + a.dilation - 1) // a.dilation, 0)
        position = start + first * a.dilation
        missing = (first >= a.kernel) | (position >= a.n)
        shape = [1] * dims
        shape[j] = -1
        flat = flat + (position * stride).view(shape)
        empty = empty | missing.view(shape)
        stride *= a.n
    return flat.masked_fill(empty, -1).to(device)
