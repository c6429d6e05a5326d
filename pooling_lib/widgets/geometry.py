"""Where a pooling window falls on the padded input: pure geometry, no drawing, no tensors.

Along one axis of size ``n`` with kernel ``k``, stride ``s``, padding ``p`` and dilation
``d``, output index ``i`` reads the input rows ``i*s - p + a*d`` for ``a = 0 .. k-1``
(PyTorch's rule). A row ``r`` is

* ``"input"`` when ``0 <= r < n``,
* ``"pad"`` when it lies in the implicit padding, ``-p <= r < 0`` or ``n <= r < n + p``
  (max pooling reads it as ``-inf``, average pooling as ``0``),
* ``"beyond"`` when ``r >= n + p``: only windows that ``ceil_mode=True`` adds reach there,
  and PyTorch ignores those cells (they count neither in a max nor in a divisor).

A 2-D cell takes the "worst" kind of its row and its column (beyond > pad > input).
Rows and columns strictly between the cells a dilated window reads are its *gaps*.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INPUT", "PAD", "BEYOND", "Window", "axis_cells", "axis_kind", "cell_kind", "extent"]

INPUT = "input"
PAD = "pad"
BEYOND = "beyond"
_RANK = {INPUT: 0, PAD: 1, BEYOND: 2}


def axis_cells(index: int, kernel: int, stride: int, padding: int, dilation: int) -> list[int]:
    """Rows (or columns) output ``index`` reads: ``index*stride - padding + a*dilation``."""
    start = index * stride - padding
    return [start + a * dilation for a in range(kernel)]


def axis_kind(r: int, size: int, padding: int) -> str:
    """``"input"``, ``"pad"`` or ``"beyond"`` for row ``r`` of an axis of ``size`` cells."""
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


def extent(
    size: int, out: int, kernel: int, stride: int, padding: int, dilation: int
) -> tuple[int, int]:
    """The rows to draw along one axis: ``[first, last)`` covering the padded input and
    every window of the ``out`` outputs (windows that ``ceil_mode`` adds may reach past
    ``size + padding``)."""
    last = size + padding
    if out > 0:
        last = max(last, axis_cells(out - 1, kernel, stride, padding, dilation)[-1] + 1)
    return (-padding, last)


@dataclass(frozen=True)
class Window:
    """The window of output cell ``(i, j)``: the rows and columns it reads, in order.

    ``cells`` lists ``(r, c)`` row by row, as the arithmetic reads them; ``gaps`` lists
    the cells inside the window's bounding box that dilation skips.
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
        kernel: tuple[int, int],
        stride: tuple[int, int],
        padding: tuple[int, int],
        dilation: tuple[int, int],
    ) -> Window:
        """The window of output ``position = (i, j)`` on an input of ``shape = (H, W)``."""
        rows = axis_cells(position[0], kernel[0], stride[0], padding[0], dilation[0])
        cols = axis_cells(position[1], kernel[1], stride[1], padding[1], dilation[1])
        return cls(tuple(rows), tuple(cols), shape, padding)

    @property
    def cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r in self.rows for c in self.cols]

    @property
    def box(self) -> tuple[int, int, int, int]:
        """``(r0, c0, r1, c1)``: the bounding box, ``r1``/``c1`` exclusive."""
        return (self.rows[0], self.cols[0], self.rows[-1] + 1, self.cols[-1] + 1)

    @property
    def gaps(self) -> list[tuple[int, int]]:
        r0, c0, r1, c1 = self.box
        read = set(self.cells)
        return [(r, c) for r in range(r0, r1) for c in range(c0, c1) if (r, c) not in read]

    def kind(self, cell: tuple[int, int]) -> str:
        return cell_kind(cell[0], cell[1], self.shape, self.padding)

    def cells_of(self, kind: str) -> list[tuple[int, int]]:
        """The window's cells of one kind (``"input"``, ``"pad"`` or ``"beyond"``), in order."""
        return [cell for cell in self.cells if self.kind(cell) == kind]

    @property
    def overhangs(self) -> bool:
        """Whether part of the window lies beyond the padded input (only under ceil_mode)."""
        return bool(self.cells_of(BEYOND))
