"""Where RoIPool and RoIAlign read a feature map: the rules of ``torchvision.ops``.

A region of interest (RoI) is a box ``(x1, y1, x2, y2)`` in image coordinates; the feature
map is ``spatial_scale`` times smaller (1/16 for a stride-16 backbone). Both poolings divide
the box into an ``output_size`` grid of *bins* and reduce each bin to one number.

* **RoIPool** (Girshick, 2015) first *rounds* the box to whole cells, then pools the cropped
  cells as adaptive max pooling does: bin ``i`` of ``n`` cells into ``m`` bins covers
  ``[floor(i*n/m), ceil((i+1)*n/m))`` (:func:`pooling_lib.shapes.adaptive_bounds`), up to
  torchvision's float32 arithmetic: it computes ``i * (n/m)`` with ``n/m`` rounded to
  float32, and for a few sizes a product lands just above an integer, so that a bin
  reaches one cell further (14 cells into 13 bins: ``13 * (14/13)`` is 14.000001 in
  float32, and the last bin ends at cell 15, not 14). :func:`roi_pool_bins` lists the
  cells as torchvision computes them.
* **RoIAlign** (He et al., 2017) rounds nothing: each bin is an exact ``1/m`` of the box, and
  its value is the average of the feature map, interpolated bilinearly, at a regular grid
  of sampling points inside it. :func:`roi_align_points` gives those points.

Coordinates: cell ``(r, c)`` of the feature map has its centre at ``(y, x) = (r, c)``.
RoIAlign's ``aligned=True`` first shifts the box by half a cell (``-0.5``), so that a box
edge at ``x`` (a cell *border* in image coordinates) is measured from cell centres;
``aligned=False`` is the original behaviour, kept for compatibility.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

import torch

__all__ = ["roi_align_box", "roi_align_points", "roi_pool_bins"]


def _box(fn: str, box: object) -> tuple[float, float, float, float]:
    values = box.tolist() if isinstance(box, torch.Tensor) else box
    if not isinstance(values, Sequence) or len(values) != 4:
        raise ValueError(f"{fn}: box={values!r} must be 4 numbers (x1, y1, x2, y2)")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{fn}: box={values!r} must be 4 numbers (x1, y1, x2, y2)")
    x1, y1, x2, y2 = (float(v) for v in values)
    if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
        raise ValueError(f"{fn}: box={values!r} must be finite")
    return x1, y1, x2, y2


def _pair(fn: str, name: str, value: object) -> tuple[int, int]:
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{fn}: {name}={value!r} must be an int or a pair of ints")
    if min(items) < 1:
        raise ValueError(f"{fn}: {name}={value!r} must be positive (each entry >= 1)")
    return items


def _scale(fn: str, spatial_scale: object) -> float:
    if isinstance(spatial_scale, bool) or not isinstance(spatial_scale, (int, float)):
        raise TypeError(f"{fn}: spatial_scale={spatial_scale!r} must be a number")
    if not (math.isfinite(spatial_scale) and spatial_scale > 0):
        raise ValueError(f"{fn}: spatial_scale={spatial_scale!r} must be positive and finite")
    return float(spatial_scale)


def _f32(v: float) -> float:
    """``v`` rounded to the nearest float32, as a Python float."""
    return struct.unpack("f", struct.pack("f", v))[0]


def _round(v: float) -> int:
    """C's ``round``: halves away from zero (Python's ``round`` rounds halves to even)."""
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def roi_pool_bins(
    box: Sequence[float] | torch.Tensor,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    input_size: tuple[int, int] | None = None,
) -> list[list[tuple[tuple[int, int], tuple[int, int]]]]:
    """The cells each bin of ``torchvision.ops.roi_pool`` takes the maximum of.

    The box is scaled and rounded to cells, ``r1 = round(y1 * spatial_scale)``,
    ``r2 = round(y2 * spatial_scale)`` (and ``c1``, ``c2`` from ``x``), and cells ``r1`` to
    ``r2`` *inclusive* form ``n = max(r2 - r1 + 1, 1)`` rows; bin row ``i`` of ``m`` covers
    rows ``r1 + floor(i * b)`` to ``r1 + ceil((i + 1) * b)`` (half-open), clipped to the
    map, where ``b = n / m``. As in torchvision for a float32 feature map, ``b``, each
    product and the scaled edges are rounded to float32, so the bins are those of
    ``adaptive_bounds(i, n, m)`` except where a product lands just above an integer
    (``(n, m) = (7, 13), (14, 13), (188, 11)``, ...): there the bin reaches one cell
    further. A bin left with no cell (the box lies outside the map) gives 0 in
    torchvision.

    Args:
        box: ``(x1, y1, x2, y2)`` in image coordinates, as one row of torchvision's
            ``boxes`` without the batch index.
        output_size: bins per column and row, ``(H_out, W_out)`` or one int for both.
        spatial_scale: feature-map cells per image pixel (e.g. ``1/16``).
        input_size: ``(H, W)`` of the feature map, to clip the bins (``None``: no clipping).

    Returns:
        ``bins[i][j] = ((row_start, row_end), (col_start, col_end))``, half-open ranges of
        cells, for bin row ``i`` and bin column ``j``.

    Raises:
        TypeError, ValueError: a bad box, output size, scale or input size; the message
            names the value and the rule.

    Example:
        >>> roi_pool_bins((1.2, 0.6, 5.7, 4.4), 2)[0]  # rounded to rows 1..4, columns 1..6
        [((1, 3), (1, 4)), ((1, 3), (4, 7))]

    Source: ``torchvision/csrc/ops/cpu/roi_pool_kernel.cpp`` (torchvision 0.29), after
    Girshick (2015), Fast R-CNN, section 2.1.
    """
    fn = "roi_pool_bins"
    x1, y1, x2, y2 = _box(fn, box)
    out_h, out_w = _pair(fn, "output_size", output_size)
    scale = _scale(fn, spatial_scale)
    limits = None if input_size is None else _pair(fn, "input_size", input_size)

    def axis(lo: float, hi: float, m: int, size: int | None) -> list[tuple[int, int]]:
        # torchvision computes in the feature map's dtype (float32 here): the scaled edge,
        # the bin size n/m and the products i*(n/m), (i+1)*(n/m) are each rounded to float32.
        start = _round(_f32(_f32(lo) * _f32(scale)))
        n = max(_round(_f32(_f32(hi) * _f32(scale))) - start + 1, 1)
        bin_size = _f32(n / m)  # exact in float64, then rounded once: as float32 division
        bounds = [
            (start + math.floor(_f32(i * bin_size)), start + math.ceil(_f32((i + 1) * bin_size)))
            for i in range(m)
        ]
        if size is not None:
            bounds = [tuple(min(max(b, 0), size) for b in pair) for pair in bounds]
        return bounds

    rows = axis(y1, y2, out_h, None if limits is None else limits[0])
    cols = axis(x1, x2, out_w, None if limits is None else limits[1])
    return [[(r, c) for c in cols] for r in rows]


def roi_align_points(
    box: Sequence[float] | torch.Tensor,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The sampling points of ``torchvision.ops.roi_align``, in cell coordinates.

    The box is scaled, and shifted by ``-0.5`` if ``aligned``: ``y1' = y1*scale - 0.5``.
    Its height ``h = y2' - y1'`` (at least 1 unless ``aligned``) is divided into ``m`` bins
    of height ``h/m``; each bin is sampled at ``g`` evenly spaced rows,
    ``y = y1' + i*h/m + (a + 0.5) * h/(m*g)`` for ``a = 0 .. g-1``, where
    ``g = sampling_ratio`` if it is positive, else ``ceil(h/m)``. Columns likewise. Output
    ``(i, j)`` is the mean of the bilinearly interpolated map over the ``g_h * g_w`` points
    ``(ys[i, a], xs[j, b])``.

    Args:
        box: ``(x1, y1, x2, y2)`` in image coordinates.
        output_size: ``(H_out, W_out)`` or one int for both.
        spatial_scale: feature-map cells per image pixel.
        sampling_ratio: sampling points per bin along each axis; ``<= 0`` chooses
            ``ceil(bin size)`` (torchvision's default, -1).
        aligned: shift the box by half a cell, as Detectron2 does (torchvision's default is
            ``False``).

    Returns:
        ``(ys, xs)``: ``ys`` of shape ``(H_out, g_h)``, ``xs`` of shape ``(W_out, g_w)``,
        float64, where cell ``(r, c)`` has its centre at ``(r, c)``.

    Raises:
        TypeError, ValueError: a bad box, output size, scale or sampling ratio.

    Example:
        >>> ys, xs = roi_align_points((0.0, 0.0, 4.0, 4.0), 2, sampling_ratio=2, aligned=True)
        >>> ys  # the centres of cells 0 to 3: two points per bin, two bins
        tensor([[0., 1.],
                [2., 3.]], dtype=torch.float64)

    Source: ``torchvision/csrc/ops/cpu/roi_align_common.h`` and ``roi_align_kernel.cpp``
    (torchvision 0.29), after He et al. (2017), Mask R-CNN, section 3.
    """
    fn = "roi_align_points"
    out_h, out_w = _pair(fn, "output_size", output_size)
    if isinstance(sampling_ratio, bool) or not isinstance(sampling_ratio, int):
        raise TypeError(f"{fn}: sampling_ratio={sampling_ratio!r} must be an int")
    top, left, height, width = _align_box(fn, box, spatial_scale, aligned)

    def axis(start: float, size: float, m: int) -> torch.Tensor:
        g = sampling_ratio if sampling_ratio > 0 else math.ceil(size / m)
        # g is 0 only for an empty box (aligned=True): no point, and torchvision gives 0
        i = torch.arange(m, dtype=torch.float64)[:, None]
        a = torch.arange(g, dtype=torch.float64)[None, :]
        return start + i * (size / m) + (a + 0.5) * (size / m) / g

    return axis(top, height, out_h), axis(left, width, out_w)


def _align_box(fn, box, spatial_scale, aligned) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = _box(fn, box)
    scale = _scale(fn, spatial_scale)
    if not isinstance(aligned, bool):
        raise TypeError(f"{fn}: aligned={aligned!r} must be a bool (True or False)")
    offset = 0.5 if aligned else 0.0
    top, left = y1 * scale - offset, x1 * scale - offset
    height, width = y2 * scale - offset - top, x2 * scale - offset - left
    if not aligned:  # the original RoIAlign makes every box at least one cell
        height, width = max(height, 1.0), max(width, 1.0)
    return top, left, height, width


def roi_align_box(
    box: Sequence[float] | torch.Tensor, spatial_scale: float = 1.0, aligned: bool = False
) -> tuple[float, float, float, float]:
    """The region RoIAlign samples, in cell coordinates: ``(top, left, height, width)``.

    ``top = y1 * spatial_scale - offset`` and ``height = (y2 - y1) * spatial_scale`` (at
    least 1 unless ``aligned``), with ``offset = 0.5`` if ``aligned`` else 0; ``left`` and
    ``width`` likewise. Its bins are ``height / H_out`` by ``width / W_out``.

    Args:
        box: ``(x1, y1, x2, y2)`` in image coordinates.
        spatial_scale: feature-map cells per image pixel.
        aligned: shift by half a cell, as :func:`roi_align_points`.

    Returns:
        ``(top, left, height, width)`` as floats; cell ``(r, c)`` has its centre at
        ``(r, c)``.

    Raises:
        TypeError, ValueError: a bad box, scale or ``aligned``.

    Example:
        >>> roi_align_box((2.0, 4.0, 10.0, 12.0), spatial_scale=0.5, aligned=True)
        (1.5, 0.5, 4.0, 4.0)

    Source: ``torchvision/csrc/ops/cpu/roi_align_kernel.cpp`` (torchvision 0.29).
    """
    return _align_box("roi_align_box", box, spatial_scale, aligned)
