"""Output sizes and argument checks shared by every pooling function in pooling_lib.

Public API (other modules and the widgets code against these exact names):

``pooled_size(size, kernel_size, stride, padding, dilation=1, ceil_mode=False) -> int``
    PyTorch's output-size rule for one spatial dimension::

        out = floor_or_ceil((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1

    and, with ``ceil_mode=True``, the last window is dropped when it would start in the
    right padding, i.e. when ``(out - 1) * stride >= size + padding``.
    The value can be 0 or negative for a window larger than the padded input;
    ``check_pool_args`` turns that into an error.

``check_pool_args(fn, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, *,
dims=2, input_shape=None) -> PoolArgs``
    Validates and normalizes the arguments of a ``dims``-dimensional pooling call named
    ``fn`` (used in the messages, e.g. ``"max_pool2d"``). Integers become ``dims``-tuples,
    ``stride=None`` (or an empty sequence) becomes ``kernel_size``. With ``input_shape`` (the
    full input shape, e.g. ``(N, C, H, W)``) it also checks the number of dimensions and
    computes the output size. Returns a :class:`PoolArgs`.

``check_input(fn, input, dims, *, allow_integer=False) -> None``
    The tensor checks: a ``torch.Tensor`` with ``dims + 1`` or ``dims + 2`` dimensions, a
    floating dtype (or an integer one where ``allow_integer``), non-empty non-batch dims.

``check_kernel_fits_input(fn, input_shape, kernel_size)``: ``avg_pool3d``'s extra rule.

``check_divisor_override(fn, divisor_override)``, ``check_adaptive_output_size(fn,
output_size, input_shape, dims) -> tuple[int, ...]``, ``check_norm_type(fn, norm_type)``,
``check_bool(fn, name, value)`` and ``check_int(fn, name, value)`` cover the remaining
arguments. ``window_start`` / ``window_positions`` (the window rule) and ``adaptive_bounds``
(the adaptive window rule) say which inputs a window reads.

Every error is a ``ValueError`` (a value breaks a rule) or ``TypeError`` (a value of the
wrong type) raised here, and its message names the function, the parameter, its value and
the rule, e.g.::

    max_pool2d: padding=(2, 2) must be at most half the kernel size:
    padding <= kernel_size // 2 = (1, 1) (kernel_size=(3, 3))

The rules are PyTorch's (2.x, checked by trying each one):

* ``kernel_size``, ``stride`` and ``dilation`` are positive integers, and they and
  ``padding`` are at most ``2**31 - 1`` (``INT_MAX``: PyTorch's kernels hold them in a C int);
* an adaptive output has at most ``2**60`` elements (``MAX_OUTPUT_ELEMENTS``: beyond that
  PyTorch's size calculations overflow);
* ``0 <= padding <= kernel_size // 2``. PyTorch checks both
  ``padding <= ((kernel_size - 1) * dilation + 1) // 2`` (half the effective kernel) and
  ``padding <= kernel_size // 2``; the second is never weaker, so dilation does not relax the
  bound (``max_pool2d(x, 3, 1, padding=2, dilation=2)`` is rejected by PyTorch too);
* every output size is at least 1;
* ``avg_pool3d`` only: the unpadded input is at least ``kernel_size`` in every dimension;
* ``divisor_override`` is ``None`` or a non-zero int (negative ones are allowed);
* 1-d pooling takes ``(C, L)`` or ``(N, C, L)``, 2-d ``(C, H, W)`` or ``(N, C, H, W)``,
  3-d ``(C, D, H, W)`` or ``(N, C, D, H, W)``; only the batch dimension ``N`` may be 0.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import torch

__all__ = [
    "PoolArgs",
    "pooled_size",
    "check_pool_args",
    "check_input",
    "check_divisor_override",
    "check_kernel_fits_input",
    "check_adaptive_output_size",
    "adaptive_bounds",
    "window_start",
    "window_positions",
    "check_bool",
    "check_int",
    "check_norm_type",
]


@dataclass(frozen=True)
class PoolArgs:
    """Normalized pooling arguments, one entry per spatial dimension, as
    ``check_pool_args`` returns them.

    Args:
        kernel_size, stride, padding, dilation: tuples of ints, one per spatial dimension.
        ceil_mode: round output sizes up.
        output_size: the output's spatial size, ``None`` when ``check_pool_args`` was called
            without ``input_shape``.

    Example:
        >>> args = check_pool_args("avg_pool1d", 2, dims=1)
        >>> args.kernel_size, args.stride, args.padding, args.output_size
        ((2,), (2,), (0,), None)
    """

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    output_size: tuple[int, ...] | None = None


def _fmt(value: object) -> str:
    """``repr`` for messages, with tuples of one element shown as plain values."""
    return repr(value)


def _as_int(
    fn: str, name: str, value: object, whole: object, rule: str = "an int or a tuple of ints"
) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{fn}: {name}={_fmt(whole)} must be {rule}, not bool")
    try:
        return operator.index(value)  # ints, numpy ints, 0-d integer tensors
    except TypeError:
        raise TypeError(
            f"{fn}: {name}={_fmt(whole)} must be {rule}, got {type(value).__name__}"
        ) from None


def check_int(fn: str, name: str, value: object, whole: object = None, rule: str = "an int") -> int:
    """``value`` as a Python int, as PyTorch's argument parser takes ints.

    Args:
        fn: the function's name, used in the message.
        name: the parameter's name.
        value: the value to check: ints, numpy integers and 0-d integer tensors are accepted
            (``operator.index``); ``bool`` and floats are not.
        whole: the argument ``value`` is part of, shown in the message (default ``value``).
        rule: what the parameter must be, for the message.

    Returns:
        the int.

    Raises:
        TypeError: ``value`` is not an integer; the message names ``fn``, ``name``, the
            value and the rule.

    Example:
        >>> import numpy as np
        >>> check_int("max_unpool2d", "output_size", np.int64(4))
        4

    Source: PyTorch's argument parser (``int`` and ``int[]`` parameters).
    """
    return _as_int(fn, name, value, value if whole is None else whole, rule)


def _ntuple(fn: str, name: str, value: object, dims: int) -> tuple[int, ...]:
    """``value`` as a ``dims``-tuple of ints: an int is repeated, a sequence must have ``dims``
    entries (PyTorch also accepts a 1-element sequence, repeated)."""
    if isinstance(value, (tuple, list, torch.Size)):
        items = tuple(_as_int(fn, name, v, value) for v in value)
        if len(items) == 1 and dims > 1:
            items = items * dims
        if len(items) != dims:
            raise ValueError(
                f"{fn}: {name}={_fmt(value)} must be a single int or a tuple of {dims} ints, "
                f"got {len(items)} values"
            )
        return items
    return (_as_int(fn, name, value, value),) * dims


def _show(t: tuple[int, ...]) -> str:
    return str(t[0]) if len(t) == 1 else str(t)


def pooled_size(
    size: int,
    kernel_size: int,
    stride: int,
    padding: int,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Number of pooling windows along one dimension, by PyTorch's rule.

    Args:
        size: the input length (without padding), ``>= 0``.
        kernel_size, stride, dilation: positive ints.
        padding: a non-negative int (added on both sides).
        ceil_mode: round up instead of down.

    Returns:
        ``out = floor((size + 2*padding - dilation*(kernel_size-1) - 1 [+ stride-1 if
        ceil_mode]) / stride) + 1``; with ``ceil_mode`` a last window starting in the right
        padding (``(out-1)*stride >= size + padding``) is dropped. May be 0 or negative when
        the dilated window does not fit into the padded input (``check_pool_args`` turns
        that into an error).

    Raises:
        TypeError: an argument is not an int (numpy integers are accepted).
        ValueError: ``kernel_size``, ``stride`` or ``dilation`` below 1, or a negative
            ``padding`` or ``size``.

    Example:
        >>> pooled_size(4, 3, 2, 1)
        2
        >>> pooled_size(5, 2, 2, 1, ceil_mode=True)  # a window at 5 would start in the padding
        3

    Source: PyTorch's ``pooling_output_shape`` (``aten/src/ATen/native/Pool.h``), the Shape
    sections of ``torch.nn.MaxPool2d`` and ``torch.nn.AvgPool2d``.
    """
    fn = "pooled_size"
    size = _as_int(fn, "size", size, size)
    kernel_size = _as_int(fn, "kernel_size", kernel_size, kernel_size)
    stride = _as_int(fn, "stride", stride, stride)
    padding = _as_int(fn, "padding", padding, padding)
    dilation = _as_int(fn, "dilation", dilation, dilation)
    for name, value in (("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)):
        if value < 1:
            raise ValueError(f"{fn}: {name}={value} must be at least 1")
    if padding < 0:
        raise ValueError(f"{fn}: padding={padding} must be non-negative")
    if size < 0:
        raise ValueError(f"{fn}: size={size} must be non-negative")
    numerator = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if ceil_mode:
        numerator += stride - 1
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def window_start(index: int, stride: int, padding: int) -> int:
    """Input position where the window of output ``index`` starts, along one dimension.

    The one definition of PyTorch's window rule; drawings, explorers and kernels derive
    their windows from it.

    Args:
        index: the output position.
        stride: step between windows.
        padding: padding on the left (the window starts inside it when the result is < 0).

    Returns:
        ``index * stride - padding``.

    Example:
        >>> window_start(2, stride=2, padding=1)
        3

    Source: ``torch.nn.MaxPool2d``'s documentation, ``out(i) = max over m of
    input(stride * i + dilation * m)`` on the padded input.
    """
    return index * stride - padding


def window_positions(
    index: int, kernel_size: int, stride: int, padding: int, dilation: int = 1
) -> list[int]:
    """Input positions the window of output ``index`` reads, slot by slot, along one
    dimension.

    Args:
        index: the output position.
        kernel_size: number of slots.
        stride, padding: as for ``window_start``.
        dilation: spacing between slots.

    Returns:
        ``[window_start(index, stride, padding) + a * dilation for a in
        range(kernel_size)]``. Positions ``< 0`` or ``>= size`` lie in the padding (or, with
        ``ceil_mode``, past it).

    Example:
        >>> window_positions(1, kernel_size=3, stride=2, padding=1, dilation=2)
        [1, 3, 5]

    Source: ``torch.nn.MaxPool2d``'s documentation (see ``window_start``).
    """
    start = window_start(index, stride, padding)
    return [start + a * dilation for a in range(kernel_size)]


def check_pool_args(
    fn: str,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    ceil_mode: bool = False,
    *,
    dims: int = 2,
    input_shape: Sequence[int] | None = None,
) -> PoolArgs:
    """Validate and normalize the window arguments of the ``dims``-d pooling function
    ``fn``.

    Args:
        fn: the function's name, used in the messages (e.g. ``"max_pool2d"``).
        kernel_size, stride, padding, dilation: an int or a sequence of ``dims`` ints each
            (numpy integers, 0-d integer tensors and ``torch.Size`` are accepted; a
            1-element sequence is repeated); ``stride=None`` (or empty) means
            ``kernel_size``.
        ceil_mode: a bool.
        dims: the number of spatial dimensions.
        input_shape: the full input shape (batch and channel dims included), to check the
            number of dimensions and compute the output size.

    Returns:
        a ``PoolArgs`` of ``dims``-tuples; ``output_size`` is filled in when
        ``input_shape`` is given.

    Raises:
        TypeError: a non-integer size or a non-bool ``ceil_mode``.
        ValueError: a rule of this module's docstring is broken: kernel, stride or dilation
            below 1, ``padding`` outside ``[0, kernel_size // 2]``, an input of the wrong
            number of dimensions or an output size below 1. The message names ``fn``, the
            parameter, its value and the rule.

    Example:
        >>> check_pool_args("max_pool2d", 3, 1, 1, input_shape=(1, 1, 5, 5)).output_size
        (5, 5)
        >>> check_pool_args("max_pool2d", 3, padding=2)
        Traceback (most recent call last):
        ...
        ValueError: max_pool2d: padding=2 must be at most half the kernel size: ...

    Source: the argument checks of PyTorch's pooling (``aten/src/ATen/native/Pool.h``,
    ``pool2d_shape_check``), tried one by one.
    """
    if (
        _plain(kernel_size)
        and (stride is None or _plain(stride))
        and _plain(padding)
        and _plain(dilation)
        and type(ceil_mode) is bool
        and (input_shape is None or all(type(n) is int for n in input_shape))
    ):  # plain ints: the checks are cached (pooling calls them on every call)
        shape = None if input_shape is None else tuple(input_shape)
        return _check_pool_args_cached(
            fn, kernel_size, stride, padding, dilation, ceil_mode, dims, shape
        )
    return _check_pool_args(
        fn, kernel_size, stride, padding, dilation, ceil_mode, dims, input_shape
    )


def _plain(value: object) -> bool:
    return type(value) is int or (type(value) is tuple and all(type(v) is int for v in value))


@functools.lru_cache(maxsize=1024)
def _check_pool_args_cached(fn, kernel_size, stride, padding, dilation, ceil_mode, dims, shape):
    return _check_pool_args(fn, kernel_size, stride, padding, dilation, ceil_mode, dims, shape)


def _check_pool_args(fn, kernel_size, stride, padding, dilation, ceil_mode, dims, input_shape):
    k = _ntuple(fn, "kernel_size", kernel_size, dims)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        s = k
    else:
        s = _ntuple(fn, "stride", stride, dims)
    p = _ntuple(fn, "padding", padding, dims)
    d = _ntuple(fn, "dilation", dilation, dims)
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"{fn}: ceil_mode={ceil_mode!r} must be a bool")
    given = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    for name, value in (("kernel_size", k), ("stride", s), ("dilation", d)):
        if min(value) < 1:
            raise ValueError(f"{fn}: {name}={given[name]!r} must be positive (each entry >= 1)")
    if min(p) < 0:
        raise ValueError(f"{fn}: padding={padding!r} must be non-negative (each entry >= 0)")
    for name, value in (("kernel_size", k), ("stride", s), ("padding", p), ("dilation", d)):
        if max(value) > INT_MAX:
            raise ValueError(
                f"{fn}: {name}={given[name]!r} is too large: each entry must be at most "
                f"2**31 - 1 = {INT_MAX} (PyTorch's pooling kernels hold it in a C int)"
            )
    half = tuple(ki // 2 for ki in k)
    if any(pi > hi for pi, hi in zip(p, half, strict=True)):
        raise ValueError(
            f"{fn}: padding={padding!r} must be at most half the kernel size: "
            f"padding <= kernel_size // 2 = {_show(half)} (kernel_size={kernel_size!r}"
            + (f"; dilation={dilation!r} does not change this bound)" if max(d) > 1 else ")")
        )
    out = None
    if input_shape is not None:
        shape = tuple(input_shape)
        _check_ndim(fn, shape, dims)
        spatial = shape[-dims:]
        out = tuple(
            pooled_size(n, ki, si, pi, di, ceil_mode)
            for n, ki, si, pi, di in zip(spatial, k, s, p, d, strict=True)
        )
        if min(out) < 1:
            eff = tuple((ki - 1) * di + 1 for ki, di in zip(k, d, strict=True))
            raise ValueError(
                f"{fn}: output size would be {_show(out)} for input size {_show(spatial)} "
                f"(kernel_size={_show(k)}, stride={_show(s)}, padding={_show(p)}, "
                f"dilation={_show(d)}); it must be at least 1: the window of effective size "
                f"{_show(eff)} must fit into the padded input of size "
                f"{_show(tuple(n + 2 * pi for n, pi in zip(spatial, p, strict=True)))}"
            )
    return PoolArgs(k, s, p, d, ceil_mode, out)


# The largest window size, stride, padding or dilation: PyTorch's 2-d and 3-d pooling (and
# avg_pool1d) refuse larger ones ("value cannot be converted to type int without overflow").
INT_MAX = 2**31 - 1
# The most elements an adaptive output may have: 8 bytes each (the int64 indices of
# adaptive max pooling) must fit in a 64-bit size, where PyTorch's numel or storage size
# calculation overflows.
MAX_OUTPUT_ELEMENTS = 2**60

_INTEGER_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
_LAYOUTS = {
    1: "(C, L) or (N, C, L)",
    2: "(C, H, W) or (N, C, H, W)",
    3: "(C, D, H, W) or (N, C, D, H, W)",
}


def _check_ndim(fn: str, shape: tuple[int, ...], dims: int) -> None:
    if len(shape) not in (dims + 1, dims + 2):
        raise ValueError(
            f"{fn}: input of shape {shape} must have {dims + 1} or {dims + 2} dimensions, "
            f"{_LAYOUTS[dims]}"
        )
    non_batch = shape[-(dims + 1) :]
    if min(non_batch) < 1:
        raise ValueError(
            f"{fn}: input of shape {shape} must have non-empty channel and spatial dimensions "
            f"(only the batch dimension N of {_LAYOUTS[dims].split(' or ')[1]} may be 0)"
        )


def check_input(
    fn: str, input: object, dims: int, *, allow_integer: bool | tuple[torch.dtype, ...] = False
) -> None:
    """Check that ``input`` is a tensor that ``dims``-d pooling accepts.

    Args:
        fn: the function's name, used in the messages.
        input: the tensor to check.
        dims: the number of spatial dimensions.
        allow_integer: ``True`` to accept every integer dtype (max pooling), or a tuple of
            the integer dtypes accepted (``(torch.int64,)`` for average pooling, as in
            PyTorch).

    Returns:
        ``None``.

    Raises:
        TypeError: ``input`` is not a tensor, or its dtype is not accepted.
        ValueError: ``input`` does not have ``dims + 1`` or ``dims + 2`` dimensions, or an
            empty dimension other than the batch.

    Example:
        >>> check_input("avg_pool2d", torch.zeros(2, 3, 4, dtype=torch.int32), 2)
        Traceback (most recent call last):
        ...
        TypeError: avg_pool2d: input.dtype=torch.int32 is not supported; input must have ...

    Source: PyTorch's pooling input checks (``pool2d_shape_check``), tried one by one.
    """
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"{fn}: input must be a torch.Tensor, got {type(input).__name__}")
    dt = input.dtype
    if dt.is_floating_point:
        ok = dt.itemsize > 1  # the float8 types have no arithmetic
    elif allow_integer is True:
        ok = dt in _INTEGER_DTYPES
    else:
        ok = bool(allow_integer) and dt in allow_integer
    if not ok:
        if allow_integer is True:
            kinds = "a floating or integer dtype"
        elif allow_integer:
            kinds = "a floating dtype or " + " or ".join(str(d) for d in allow_integer)
        else:
            kinds = "a floating dtype"
        raise TypeError(f"{fn}: input.dtype={dt} is not supported; input must have {kinds}")
    _check_ndim(fn, tuple(input.shape), dims)


def check_kernel_fits_input(
    fn: str, input_shape: Sequence[int], kernel_size: tuple[int, ...]
) -> None:
    """PyTorch's extra rule for ``avg_pool3d``: the unpadded input is at least the
    kernel in every dimension.

    Args:
        fn: the function's name, used in the message.
        input_shape: the full input shape.
        kernel_size: the normalized kernel size.

    Returns:
        ``None``.

    Raises:
        ValueError: the input is smaller than the kernel in some dimension.

    Example:
        >>> check_kernel_fits_input("avg_pool3d", (1, 1, 2, 4, 4), (3, 3, 3))
        Traceback (most recent call last):
        ...
        ValueError: avg_pool3d: input of spatial size (2, 4, 4) must be at least ...

    Source: ``torch.nn.functional.avg_pool3d`` (``avg_pool3d_out_frame``'s check).
    """
    spatial = tuple(input_shape[-len(kernel_size) :])
    if any(n < k for n, k in zip(spatial, kernel_size, strict=True)):
        raise ValueError(
            f"{fn}: input of spatial size {_show(spatial)} must be at least kernel_size="
            f"{_show(kernel_size)} in every dimension (for {fn} padding does not count)"
        )


def check_divisor_override(fn: str, divisor_override: object) -> int | None:
    """``divisor_override`` must be ``None`` or a non-zero int (PyTorch allows negative
    ones).

    Args:
        fn: the function's name, used in the message.
        divisor_override: the value to check (numpy integers are accepted).

    Returns:
        the value as a Python int, or ``None``.

    Raises:
        TypeError: not an int (a tuple, a float, a bool).
        ValueError: 0.

    Example:
        >>> check_divisor_override("avg_pool2d", (2, 2))
        Traceback (most recent call last):
        ...
        TypeError: avg_pool2d: divisor_override=(2, 2) must be None or a non-zero int ...

    Source: ``torch.nn.functional.avg_pool2d``.
    """
    if divisor_override is None:
        return None
    rule = "None or a non-zero int (one divisor for every window)"
    value = _as_int(fn, "divisor_override", divisor_override, divisor_override, rule)
    if value == 0:
        raise ValueError(f"{fn}: divisor_override=0 must be {rule}")
    return value


def check_adaptive_output_size(
    fn: str, output_size: object, input_shape: Sequence[int], dims: int
) -> tuple[int, ...]:
    """Normalize ``output_size`` of adaptive pooling.

    Args:
        fn: the function's name, used in the messages.
        output_size: an int, or a sequence of ``dims`` ints or ``None`` (``None`` keeps that
            input size); numpy integers are accepted.
        input_shape: the full input shape.
        dims: the number of spatial dimensions.

    Returns:
        a ``dims``-tuple of ints ``>= 0`` (PyTorch returns an empty tensor for 0).

    Raises:
        TypeError: an entry is not an int or ``None``.
        ValueError: a negative entry, or a sequence of the wrong length.

    Example:
        >>> check_adaptive_output_size("adaptive_avg_pool2d", (3, None), (1, 5, 7), 2)
        (3, 7)

    Source: ``torch.nn.functional.adaptive_avg_pool2d`` and ``torch.nn.AdaptiveAvgPool2d``.
    """
    spatial = tuple(input_shape[-dims:])
    if isinstance(output_size, (tuple, list, torch.Size)):
        items = list(output_size)
        if len(items) != dims:
            raise ValueError(
                f"{fn}: output_size={output_size!r} must be an int or a tuple of {dims} ints "
                f"(or None), got {len(items)} values"
            )
    else:
        items = [output_size] * dims
    out = []
    for value, n in zip(items, spatial, strict=True):
        if value is None:
            out.append(n)
            continue
        v = _as_int(fn, "output_size", value, output_size)
        if v < 0:
            raise ValueError(
                f"{fn}: output_size={output_size!r} must be non-negative (each entry >= 0)"
            )
        out.append(v)
    elements = math.prod(input_shape[:-dims]) * math.prod(out)
    if elements > MAX_OUTPUT_ELEMENTS:
        raise ValueError(
            f"{fn}: output_size={output_size!r} is too large: the output would have "
            f"{elements} elements (shape {(*input_shape[:-dims], *out)}), more than 2**60, "
            f"the most whose size in bytes fits a 64-bit integer"
        )
    return tuple(out)


def adaptive_bounds(i: int, in_size: int, out_size: int) -> tuple[int, int]:
    """Window ``[start, end)`` of adaptive pooling output ``i`` along one dimension.

    Args:
        i: the output position.
        in_size: the input length.
        out_size: the output length.

    Returns:
        ``(floor(i * in_size / out_size), ceil((i + 1) * in_size / out_size))``.

    Example:
        >>> [adaptive_bounds(i, 5, 2) for i in range(2)]
        [(0, 3), (2, 5)]

    Source: PyTorch's ``start_index`` and ``end_index``
    (``aten/src/ATen/native/AdaptivePooling.h``).
    """
    return (i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)


def check_bool(fn: str, name: str, value: object) -> None:
    """A flag (``ceil_mode``, ``count_include_pad``, ...) must be a ``bool``, as in
    PyTorch.

    Args:
        fn: the function's name, used in the message.
        name: the parameter's name.
        value: the value to check.

    Returns:
        ``None``.

    Raises:
        TypeError: ``value`` is not a bool.

    Example:
        >>> check_bool("avg_pool2d", "count_include_pad", 1)
        Traceback (most recent call last):
        ...
        TypeError: avg_pool2d: count_include_pad=1 must be a bool (True or False)

    Source: PyTorch's argument parser (``bool`` parameters of ``torch.nn.functional``).
    """
    if not isinstance(value, bool):
        raise TypeError(f"{fn}: {name}={value!r} must be a bool (True or False)")


def check_norm_type(fn: str, norm_type: object) -> float:
    """``norm_type`` (the ``p`` of the p-norm) as a float.

    Args:
        fn: the function's name, used in the message.
        norm_type: any real number but 0 and NaN (``inf``, ``-inf`` and numpy numbers
            included).

    Returns:
        ``float(norm_type)``.

    Raises:
        TypeError: not a real number (a string, a bool).
        ValueError: 0 or NaN.

    Example:
        >>> check_norm_type("lp_pool2d", "two")
        Traceback (most recent call last):
        ...
        TypeError: lp_pool2d: norm_type='two' must be a real number (the p of the p-norm), got str

    Source: ``torch.nn.functional.lp_pool2d`` (which rejects 0).
    """
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real):
        raise TypeError(
            f"{fn}: norm_type={norm_type!r} must be a real number (the p of the p-norm), "
            f"got {type(norm_type).__name__}"
        )
    p = float(norm_type)
    if p == 0 or math.isnan(p):
        raise ValueError(
            f"{fn}: norm_type={norm_type!r} must be a non-zero number (the p of the p-norm)"
        )
    return p
