"""The words and numbers an explorer shows beside its grids.

* :func:`arithmetic`: what one output cell computes, with the window's values filled in,
  e.g. ``"max(5, 6, 9, 10) = 10"`` or ``"(0 + 1 + 3 + 4) / 4 = 2.0"``;
* :func:`shape_formula`: the output-size formula with the current numbers filled in;
* :func:`torch_call`: the equivalent ``torch.nn`` layer, ready to copy.

The numbers on the right of ``=`` are given by the caller (they come from pooling_lib);
:func:`window_value` recomputes them from the window alone, so tests can check the two agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pooling_lib.widgets.geometry import INPUT, PAD, Window
from pooling_lib.widgets.settings import PoolSettings

__all__ = [
    "arithmetic",
    "divisor",
    "fmt_cell",
    "fmt_result",
    "fmt_value",
    "shape_formula",
    "torch_call",
    "window_value",
]

_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")
MINUS_INF = "−∞"


def fmt_value(value: float) -> str:
    """An input value the short way: ``4.0 -> '4'``, ``2.5 -> '2.5'``, ``-inf -> '−∞'``."""
    if math.isinf(value):
        return MINUS_INF if value < 0 else "∞"
    text = f"{value:.4g}"
    return "0" if text == "-0" else text


def fmt_cell(value: float) -> str:
    """A value short enough for a grid cell: whole numbers as they are, others rounded to
    two decimals below 10 (``1.1111 -> '1.11'``, ``2.5 -> '2.5'``, ``-0.0512 -> '-0.05'``),
    one decimal below 1000 (``-33.78 -> '-33.8'``) and 3 significant digits above. The
    arithmetic line under the grids shows more digits."""
    if math.isinf(value) or math.isnan(value):
        return fmt_value(value)
    if value == int(value) and abs(value) < 1e4:
        return str(int(value))
    if abs(value) >= 1000:
        return f"{value:.3g}"
    text = f"{value:.{1 if abs(value) >= 10 else 2}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_result(value: float) -> str:
    """A computed average the way Python prints floats: ``2.0``, ``2.5``, ``1.111``."""
    if math.isnan(value) or math.isinf(value):
        return fmt_value(value)
    if value == int(value) and abs(value) < 1e6:
        return f"{value:.1f}"
    return f"{value:.4g}"


def _fmt_norm(p: float) -> str:
    return str(int(p)) if float(p).is_integer() else f"{p:g}"


def _window_terms(
    plane: Sequence[Sequence[float]], window: Window, settings: PoolSettings
) -> tuple[list[float], list[float]]:
    """(values the window reads, padding included, in order; values of its input cells).

    Padding reads as ``-inf`` for max pooling and ``0`` otherwise; cells beyond the
    padding (``ceil_mode`` overhang) are not read at all.
    """
    pad_value = -math.inf if settings.mode == "max" else 0.0
    values: list[float] = []
    inputs: list[float] = []
    for r, c in window.cells:
        kind = window.kind((r, c))
        if kind == INPUT:
            values.append(float(plane[r][c]))
            inputs.append(float(plane[r][c]))
        elif kind == PAD:
            values.append(pad_value)
    return values, inputs


def divisor(window: Window, settings: PoolSettings) -> int:
    """What an average pooling divides by at this window.

    ``count_include_pad=True`` counts the padding cells the window covers, ``False`` only
    the input cells; cells beyond the padding (``ceil_mode``) never count.
    """
    s = settings.effective()
    n_input = len(window.cells_of(INPUT))
    if s.mode == "avg" and s.count_include_pad:
        return n_input + len(window.cells_of(PAD))
    return n_input


def window_value(plane: Sequence[Sequence[float]], window: Window, settings: PoolSettings) -> float:
    """The output value computed from the window alone (PyTorch's semantics)."""
    s = settings.effective()
    values, inputs = _window_terms(plane, window, s)
    n_input = len(inputs)
    if s.mode == "max":
        return max(values)
    if s.mode == "avg":
        return sum(inputs) / divisor(window, s)
    p = s.norm_type
    total = sum(v**p for v in inputs) * (s.kernel[0] * s.kernel[1]) / n_input
    try:
        return total ** (1.0 / p) if total >= 0 or float(1.0 / p).is_integer() else math.nan
    except (OverflowError, ZeroDivisionError):
        return math.inf


def _fmt_power(value: float, p: float) -> str:
    base = fmt_value(value)
    if p == 1:
        return base
    if value < 0:
        base = f"({base})"
    return base + _fmt_norm(p).translate(_SUPERSCRIPT)


def arithmetic(
    plane: Sequence[Sequence[float]], window: Window, settings: PoolSettings, result: float
) -> str:
    """The computation of one output cell, e.g. ``"max(−∞, 1, 4, 5) = 5"``.

    Padding reads as ``−∞`` in a max and ``0`` in an average; with
    ``count_include_pad=False`` the padding zeros are left out of the sum and the count.
    Cells beyond the padding (windows added by ``ceil_mode``) are left out.
    """
    s = settings.effective()
    values, inputs = _window_terms(plane, window, s)
    n_input = len(inputs)
    if s.mode == "max":
        return f"max({', '.join(fmt_value(v) for v in values)}) = {fmt_value(result)}"
    if s.mode == "avg":
        summed = values if s.count_include_pad else inputs
        return (
            f"({' + '.join(fmt_value(v) for v in summed)}) / {divisor(window, s)}"
            f" = {fmt_result(result)}"
        )
    p = s.norm_type
    k = s.kernel[0] * s.kernel[1]
    summed = f"({' + '.join(_fmt_power(v, p) for v in inputs)})"
    if n_input != k:
        # torch.nn.functional.lp_pool2d is avg_pool2d(x**p) * kh*kw: where a ceil_mode
        # window hangs over the edge the average divides by the cells inside, so the sum
        # is scaled by kh*kw / (cells inside).
        summed = f"{summed} · {k}/{n_input}"
    if p == 1:
        return f"{summed} = {fmt_result(result)}"
    if n_input != k:
        summed = f"({summed})"
    return f"{summed}^(1/{_fmt_norm(p)}) = {fmt_result(result)}"


def _axis_formula(
    name: str, size: int, k: int, s: int, p: int, d: int, ceil_mode: bool, out: int
) -> str:
    numerator = size + 2 * p - d * (k - 1) - 1
    lo, hi = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    if numerator < 0:
        raw = None
    else:
        raw = (-(-numerator // s) if ceil_mode else numerator // s) + 1
    text = (
        f"{name}_out = {lo}({size} + 2·{p} − {d}·({k}−1) − 1) / {s}{hi} + 1"
        f" = {lo}{numerator}/{s}{hi} + 1"
    )
    if raw is None or raw == out:
        return f"{text} = {out}"
    # PyTorch's ceil_mode rule: a last window that would start in the right padding is dropped.
    return f"{text} = {raw} − 1 = {out}  (the last window would start in the right padding)"


def shape_formula(
    shape: tuple[int, int], settings: PoolSettings, out_shape: tuple[int, int]
) -> list[str]:
    """Both lines of the output-size formula, filled in, ending in ``out_shape``.

    ``out_shape`` is pooling_lib's answer (``pooling_lib.shapes.pooled_size``); the
    intermediate numbers are only spelled out for the reader.
    """
    s = settings.effective()
    return [
        _axis_formula(
            name,
            shape[a],
            s.kernel[a],
            s.step[a],
            s.padding[a],
            s.dilation[a],
            s.ceil_mode,
            out_shape[a],
        )
        for a, name in enumerate(("H", "W"))
    ]


def _fmt_arg(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def torch_call(settings: PoolSettings) -> str:
    """The ``torch.nn`` layer with these settings, default arguments left out.

    >>> torch_call(PoolSettings.create("max", 3, stride=2, padding=1))
    'nn.MaxPool2d(kernel_size=3, stride=2, padding=1)'
    """
    s = settings.effective()
    args = []
    if s.mode == "lp":
        args.append(f"norm_type={_fmt_norm(s.norm_type)}")
    args.append(f"kernel_size={_fmt_arg(s.kernel)}")
    if s.step != s.kernel:
        args.append(f"stride={_fmt_arg(s.step)}")
    if s.padding != (0, 0):
        args.append(f"padding={_fmt_arg(s.padding)}")
    if s.dilation != (1, 1):
        args.append(f"dilation={_fmt_arg(s.dilation)}")
    if s.ceil_mode:
        args.append("ceil_mode=True")
    if s.mode == "avg" and not s.count_include_pad:
        args.append("count_include_pad=False")
    layer = {"max": "MaxPool2d", "avg": "AvgPool2d", "lp": "LPPool2d"}[s.mode]
    return f"nn.{layer}({', '.join(args)})"
