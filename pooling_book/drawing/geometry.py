"""Which input cells a pooling window reads: the one window geometry of the book's drawings
and of the explorer. Pure: no drawing, no tensors.

Built on ``pooling_lib.shapes``: ``window_positions`` (output ``i`` reads positions
``i*stride - padding + a*dilation``, ``a = 0 .. kernel_size-1``) and ``pooled_size`` (how
many windows there are). Along an axis of ``size`` cells with ``padding``, a position ``r``
is

* ``"input"`` when ``0 <= r < size``;
* ``"pad"`` when it lies in the implicit padding, ``-padding <= r < 0`` or
  ``size <= r < size + padding`` (max pooling reads it as ``-inf``, average pooling as 0);
* ``"beyond"`` when ``r >= size + padding``: only a window that ``ceil_mode=True`` adds
  reaches there; PyTorch ignores those cells (they count in neither a max nor a divisor).

A 2-D cell takes the worse kind of its row and its column (beyond > pad > input). Cells
strictly between the ones a dilated window reads are its *gaps*.

All-padding windows: a dilated max window can read padding cells only (e.g. ``size=2,
kernel_size=2, padding=1, dilation=3`` reads positions -1 and 2). ``pooling_lib`` (like
PyTorch) then gives ``-inf`` and index ``-1``, and that output passes no gradient;
:attr:`Window.all_padding` says when this happens, and drawings mark such a window's output.
"""

from __future__ import annotations

from dataclasses import dataclass

from pooling_lib.shapes import pooled_size, window_positions

__all__ = [
    "INPUT",
    "PAD",
    "BEYOND",
    "Window",
    "axis_kind",
    "cell_kind",
    "extent",
    "output_shape",
]

INPUT = "input"
PAD = "pad"
BEYOND = "beyond"
_RANK = {INPUT: 0, PAD: 1, BEYOND: 2}


def axis_kind(r: int, size: int, padding: int) -> str:
    """``"input"``, ``"pad"`` or ``"beyond"`` for position ``r`` of an axis of ``size``."""
    if 0 <= r < size:
        return INPUT
    if -padding <= r < size + padding:
        return PAD
    return BEYOND


def cell_kind(r: int, c: int, shape: tuple[int, int], padding: tuple[int, int]) -> str:
    """The kind of 2-D cell ``(r, c)``: the worse of its row's and its column's kind."""
    kr = axis_kind(r, shape[0], padding[0])
    kc = axis_kind(c, shape[1], padding[1])
    return kr if _RANK[kr] >= _RANK[kc] else kc


def output_shape(
    shape: tuple[int, int],
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int] = (1, 1),
    ceil_mode: bool = False,
) -> tuple[int, int]:
    """``(H_out, W_out)`` by ``pooling_lib.shapes.pooled_size`` (may be <= 0 when the window
    does not fit; ``check_pool_args`` turns that into an error)."""
    return tuple(  # type: ignore[return-value]
        pooled_size(shape[a], kernel_size[a], stride[a], padding[a], dilation[a], ceil_mode)
        for a in range(2)
    )


def extent(
    size: int, out: int, kernel_size: int, stride: int, padding: int, dilation: int = 1
) -> tuple[int, int]:
    """The positions to draw along one axis, ``[first, last)``: the padded input and every
    window of the ``out`` outputs (a window ``ceil_mode`` adds may reach past it)."""
    last = size + padding
    if out > 0:
        last = max(last, window_positions(out - 1, kernel_size, stride, padding, dilation)[-1] + 1)
    return (-padding, last)


@dataclass(frozen=True)
class Window:
    """The window of one output cell: the rows and the columns it reads, in order.

    ``cells`` lists ``(r, c)`` row by row, as the arithmetic reads them; ``gaps`` lists the
    cells inside the window's bounding box that dilation skips.
    """

    rows: tuple[int, ...]
    cols: tuple[int, ...]
    shape: tuple[int, int]
    padding: tuple[int, int]

    @classmethod
    def at(
        cls,
        position: tuple[int, int],
        shape: tuple[int, int],
        kernel_size: tuple[int, int],
        stride: tuple[int, int],
        padding: tuple[int, int],
        dilation: tuple[int, int] = (1, 1),
    ) -> Window:
        """The window of output ``position = (i, j)`` on an input of ``shape = (H, W)``."""
        rows = window_positions(position[0], kernel_size[0], stride[0], padding[0], dilation[0])
        cols = window_positions(position[1], kernel_size[1], stride[1], padding[1], dilation[1])
        return cls(tuple(rows), tuple(cols), tuple(shape), tuple(padding))  # type: ignore[arg-type]

    @property
    def cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r in self.rows for c in self.cols]

    @property
    def box(self) -> tuple[int, int, int, int]:
        """``(r0, c0, r1, c1)``: the bounding box, ``r1`` and ``c1`` exclusive."""
        return (self.rows[0], self.cols[0], self.rows[-1] + 1, self.cols[-1] + 1)

    @property
    def gaps(self) -> list[tuple[int, int]]:
        r0, c0, r1, c1 = self.box
        read = set(self.cells)
        return [(r, c) for r in range(r0, r1) for c in range(c0, c1) if (r, c) not in read]

    def kind(self, cell: tuple[int, int]) -> str:
        return cell_kind(cell[0], cell[1], self.shape, self.padding)

    def cells_of(self, kind: str) -> list[tuple[int, int]]:
        """The window's cells of one kind (``"input"``, ``"pad"``, ``"beyond"``), in order."""
        return [cell for cell in self.cells if self.kind(cell) == kind]

    @property
    def overhangs(self) -> bool:
        """Whether part of the window lies beyond the padded input (only under ceil_mode)."""
        return bool(self.cells_of(BEYOND))

    @property
    def all_padding(self) -> bool:
        """Whether the window reads no input cell (only possible with dilation): its max is
        ``-inf`` and it passes no gradient."""
        return not self.cells_of(INPUT)
