"""Vectorized pooling with ``torch.nn.functional``'s names, signatures and semantics.

Every function here is a drop-in for its ``torch.nn.functional`` namesake and gives the same
result as PyTorch on the CPU:

* max pooling (values, indices and gradients) bit for bit. NaN outputs are NaN where
  PyTorch's are (the window's last NaN wins the index; without ``return_indices`` and
  without autograd the NaN's sign/payload bits may differ);
* average pooling bit for bit too: the window sums are done in PyTorch's order and type
  (row-major, float32 for float16/bfloat16; int64 inputs are summed in int64 and divided
  with truncation, as PyTorch does); ``adaptive_avg_pool2d`` to 1x1 is a ``mean`` as in
  PyTorch. On other devices PyTorch's kernels sum in other orders, so there results agree
  to rounding (about 1 ulp of the window sum).

Where PyTorch misbehaves, pooling_lib does better: a max-pooling window made only of padding
(``dilation`` larger than the input allows, e.g.
``max_pool2d(torch.zeros(1, 1, 1, 4), (2, 1), None, (1, 0), (2, 2), return_indices=True)``)
gives -inf, index -1 and no gradient, where PyTorch returns indices outside the input and its
backward pass writes out of bounds. ``max_unpool2d`` skips index -1. ``lp_pool1d/2d`` return
the true power sum of each window (PyTorch scales a partial ``ceil_mode`` window by the full
kernel size, and on integer inputs with an integer ``norm_type`` in the functional form its
average pooling of the exact powers ``x**p`` takes an integer mean, truncated toward zero,
before multiplying back; ``torch_compatible=True`` gives PyTorch's formula),
and float16/bfloat16 gradients of adaptive average pooling are summed in float32 and rounded
once (PyTorch's saturate at 2048 in float16).

Layouts, empty shapes and autograd follow PyTorch too (``tests/test_lib_layouts.py``,
``tests/test_lib_empty.py``, ``tests/test_lib_autograd.py``):

* outputs and indices have PyTorch's strides: a channels-last input (dense or not, e.g.
  ``x.contiguous(memory_format=torch.channels_last)[:, ::2]``) gives a channels-last output,
  as ``Tensor.suggest_memory_format()`` decides, except where PyTorch's kernels do otherwise
  (``avg_pool3d`` and unbatched 1-d/2-d inputs: contiguous);
* a batch of 0 gives empty outputs; 0 channels are accepted by adaptive pooling and
  ``max_unpool2d`` (batched or not; PyTorch accepts a batched one only in
  ``adaptive_avg_pool*``, an unbatched one in all of them) and rejected by the others, as
  PyTorch does; an empty output
  (``output_size=0``) passes a zero gradient of the input's shape back, for max and average
  pooling alike (PyTorch's adaptive backward passes raise there);
* every function supports double backward (``create_graph=True``), forward-mode AD
  (``torch.func.jvp``, dual tensors), ``torch.func.grad``/``vmap`` and ``meta`` tensors; the
  fast kernels with data-dependent shortcuts run only on plain tensors, and indices that
  ``return_indices`` hands out are saved for backward, so modifying them in place raises
  PyTorch's "modified by an inplace operation".

Arguments are checked first (``pooling_lib.shapes``): a bad one raises ``ValueError`` or
``TypeError`` naming the parameter, its value and the rule.

Output size along each spatial dimension (``pooling_lib.shapes.pooled_size``)::

    out = floor((in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1

(``ceil`` instead of ``floor`` with ``ceil_mode=True``, dropping a last window that would start
in the right padding).
"""

from __future__ import annotations

import math

import torch

from pooling_lib._kernels.adaptive import adaptive_avg_pool, adaptive_max_pool
from pooling_lib._kernels.avg import avg_pool
from pooling_lib._kernels.common import in_layout_of, sum_dtype, transformed
from pooling_lib._kernels.max import max_pool
from pooling_lib.shapes import (
    check_adaptive_output_size,
    check_divisor_override,
    check_input,
    check_int,
    check_kernel_fits_input,
    check_norm_type,
    check_pool_args,
)

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "lp_pool1d",
    "lp_pool2d",
    "max_unpool2d",
]

IntOrTuple = int | tuple[int, ...] | list[int]


def _check_bool(fn: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{fn}: {name}={value!r} must be a bool")


def _batched(input: torch.Tensor, dims: int) -> torch.Tensor:
    """``(C, *spatial)`` -> ``(1, C, *spatial)``; batched inputs unchanged.

    PyTorch's 1-d and 2-d kernels treat an unbatched input as contiguous whatever its strides
    (its output layout follows ``suggest_memory_format()``, which is contiguous for 2-d and
    3-d tensors), so those are made contiguous; its 3-d kernels keep a channels-last layout.
    """
    if input.dim() == dims + 2:
        return input
    return (input if dims == 3 else input.contiguous()).unsqueeze(0)


def _check_input_maybe_no_channels(fn: str, input: object, dims: int) -> None:
    """``check_input``, except that 0 channels are accepted, batched or not (for adaptive
    pooling and ``max_unpool2d``).

    PyTorch accepts them in ``adaptive_avg_pool*``, ``max_unpool2d`` and unbatched
    ``adaptive_max_pool*`` but rejects batched ``adaptive_max_pool*`` with 0 channels; one
    rule here for all of them.
    """
    if isinstance(input, torch.Tensor) and input.dim() in (dims + 1, dims + 2):
        if input.shape[-(dims + 1)] == 0:  # check dtype and sizes on a 1-channel stand-in
            shape = (*input.shape[: -(dims + 1)], 1, *input.shape[-dims:])
            input = input.new_empty(()).expand(shape)
    check_input(fn, input, dims)


def _unbatch(result, input: torch.Tensor, dims: int):
    if input.dim() == dims + 2:
        return result
    if isinstance(result, tuple):
        return tuple(r.squeeze(0) for r in result)
    return result.squeeze(0)


def _max_pool(fn, dims, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    check_input(fn, input, dims, allow_integer=True)
    args = check_pool_args(
        fn, kernel_size, stride, padding, dilation, ceil_mode, dims=dims, input_shape=input.shape
    )
    _check_bool(fn, "return_indices", return_indices)
    result = max_pool(_batched(input, dims), args, return_indices)
    if dims == 3 and input.dim() == 4 and not input.is_contiguous():
        if input.unsqueeze(0).is_contiguous(memory_format=torch.channels_last_3d):
            # PyTorch keeps the layout of an unbatched channels-last (dense) 3-d input
            fmt = torch.channels_last_3d
            if return_indices:
                result = tuple(r.contiguous(memory_format=fmt) for r in result)
            else:
                result = result.contiguous(memory_format=fmt)
    return _unbatch(result, input, dims)


def max_pool1d(
    input: torch.Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """1-D max pooling, as ``torch.nn.functional.max_pool1d``.

    Each output is the largest input in its window: positions ``i*stride - padding +
    a*dilation`` for ``a < kernel_size``; padding is ``-inf`` and never wins.

    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)``, a floating or integer dtype.
        kernel_size: window length, an int (or a 1-tuple).
        stride: step between windows (default ``kernel_size``).
        padding: implicit ``-inf`` on both sides, at most ``kernel_size // 2``.
        dilation: spacing between the window's slots.
        ceil_mode: round the output length up (a last, partial window) instead of down.
        return_indices: also return the position of each maximum.

    Shape:
        ``L_out = floor((L_in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``
        (``ceil`` with ``ceil_mode``, dropping a last window that would start in the right
        padding).

    Returns:
        ``(N, C, L_out)`` (or ``(C, L_out)``) in ``input``'s dtype and memory format; with
        ``return_indices`` also the int64 positions of the maxima (-1 for a window of
        padding only). Values, indices and gradients are bit-exact with PyTorch on the CPU.

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``; the
        message names the parameter, its value and the rule.

    Example:
        >>> max_pool1d(torch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2, return_indices=True)
        (tensor([[3., 5.]]), tensor([[1, 3]]))

    Source: ``torch.nn.functional.max_pool1d`` (PyTorch 2.x).
    """
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool2d(
    input: torch.Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    Each output is the largest input in its window: rows ``i*stride[0] - padding[0] +
    a*dilation[0]`` for ``a < kernel_size[0]``, columns likewise; padding is ``-inf`` and
    never wins. Ties go to the first maximum in row-major window order; a NaN wins (the
    window's last NaN).

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``, a floating or integer dtype.
        kernel_size: window size, an int or ``(k_h, k_w)``.
        stride: step between windows (default ``kernel_size``).
        padding: implicit ``-inf`` on both sides, at most ``kernel_size // 2``.
        dilation: spacing between the window's slots.
        ceil_mode: round the output size up (a last, partial window) instead of down.
        return_indices: also return where each maximum is.

    Shape:
        ``H_out = floor((H_in + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1)
        / stride[0]) + 1`` and ``W_out`` likewise (``ceil`` with ``ceil_mode``, dropping a
        last window that would start in the right padding).

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``) in ``input``'s dtype and memory
        format; with ``return_indices`` also the int64 index ``h * W_in + w`` of each
        maximum within its plane (-1 for a window of padding only, where PyTorch returns an
        index outside the input). Values, indices and gradients are bit-exact with PyTorch
        on the CPU.

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``; the
        message names the parameter, its value and the rule.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0, 0.0], [4.0, 3.0, 5.0], [0.0, 1.0, 2.0]]])
        >>> max_pool2d(x, 2, stride=1)
        tensor([[[4., 5.],
                 [4., 5.]]])

    Source: ``torch.nn.functional.max_pool2d`` (PyTorch 2.x).
    """
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool3d(
    input: torch.Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """3-D max pooling, as ``torch.nn.functional.max_pool3d``: ``max_pool2d``'s rule
    in three dimensions.

    Args:
        input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``.
        kernel_size, stride, padding, dilation, ceil_mode, return_indices: as for
            ``max_pool2d``, an int or a 3-tuple each.

    Shape:
        per dimension, ``out = floor((in + 2*padding - dilation*(kernel_size-1) - 1) /
        stride) + 1`` (``ceil`` with ``ceil_mode``).

    Returns:
        ``(N, C, D_out, H_out, W_out)`` (or without ``N``); with ``return_indices`` also the
        int64 indices ``(d * H_in + h) * W_in + w``. Bit-exact with PyTorch on the CPU,
        with one exception: where every value a window reads is ``-inf``, the index is the
        window's first position, as PyTorch's contiguous kernel gives it; PyTorch 2.14's
        ``channels_last_3d`` kernel (with two or more channels) keeps there the index of the
        previous window of the same channel, a position outside the window
        (``tests/test_lib_large_windows.py`` shows it).

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``.

    Example:
        >>> max_pool3d(torch.arange(8.0).view(1, 2, 2, 2), 2)
        tensor([[[[7.]]]])

    Source: ``torch.nn.functional.max_pool3d`` (PyTorch 2.x).
    """
    return _max_pool(
        "max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def _avg_pool(
    fn, dims, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    check_input(fn, input, dims, allow_integer=(torch.int64,))
    args = check_pool_args(
        fn, kernel_size, stride, padding, 1, ceil_mode, dims=dims, input_shape=input.shape
    )
    if dims == 3:
        check_kernel_fits_input(fn, input.shape, args.kernel_size)
    _check_bool(fn, "count_include_pad", count_include_pad)
    divisor_override = check_divisor_override(fn, divisor_override)
    x = _batched(input, dims)
    if input.dim() == dims + 1 or dims == 3:
        # PyTorch runs its contiguous kernel on unbatched inputs and on every 3-d input,
        # whatever their strides (it matters for the sign of a zero result and for the
        # output's layout, see pooling_lib._kernels.avg).
        x = x.contiguous()
    out = avg_pool(x, args, count_include_pad, divisor_override)
    return _unbatch(out, input, dims)


def avg_pool1d(
    input: torch.Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> torch.Tensor:
    """1-D average pooling, as ``torch.nn.functional.avg_pool1d``.

    Each output is the sum of the real inputs in its window divided by the window length
    (``count_include_pad=True``, padding counted up to the end of the right padding) or by
    the number of real inputs.

    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)``, a floating dtype or int64.
        kernel_size: window length, an int (or a 1-tuple).
        stride: step between windows (default ``kernel_size``).
        padding: implicit zeros on both sides, at most ``kernel_size // 2``.
        ceil_mode: round the output length up (a last, partial window) instead of down.
        count_include_pad: count the padding in the divisor.

    Shape:
        ``L_out = floor((L_in + 2*padding - kernel_size) / stride) + 1`` (``ceil`` with
        ``ceil_mode``).

    Returns:
        ``(N, C, L_out)`` (or ``(C, L_out)``) in ``input``'s dtype; int64 sums are divided
        with truncation, as in PyTorch. Bit-exact with PyTorch on the CPU (same summation
        order and type).

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``.

    Example:
        >>> avg_pool1d(torch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2, padding=1)
        tensor([[0.5000, 2.5000, 4.5000]])

    Source: ``torch.nn.functional.avg_pool1d`` (PyTorch 2.x).
    """
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


def avg_pool2d(
    input: torch.Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> torch.Tensor:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    Each output is the sum of the real inputs in its window divided by
    ``divisor_override``, else by the window's size (``count_include_pad=True``; padding
    counted, but not beyond the right padding), else by the number of real inputs.

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``, a floating dtype or int64.
        kernel_size: window size, an int or ``(k_h, k_w)``.
        stride: step between windows (default ``kernel_size``).
        padding: implicit zeros on both sides, at most ``kernel_size // 2``.
        ceil_mode: round the output size up (a last, partial window) instead of down.
        count_include_pad: count the padding in the divisor.
        divisor_override: a non-zero int used as every window's divisor.

    Shape:
        ``H_out = floor((H_in + 2*padding[0] - kernel_size[0]) / stride[0]) + 1`` and
        ``W_out`` likewise (``ceil`` with ``ceil_mode``).

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``) in ``input``'s dtype and memory
        format (float16/bfloat16 windows summed in float32; int64 sums divided with
        truncation). Values and gradients are bit-exact with PyTorch on the CPU.

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``; the
        message names the parameter, its value and the rule.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0, 0.0], [4.0, 3.0, 5.0], [0.0, 1.0, 2.0]]])
        >>> avg_pool2d(x, 2, stride=1)
        tensor([[[2.5000, 2.5000],
                 [2.0000, 2.7500]]])

    Source: ``torch.nn.functional.avg_pool2d`` (PyTorch 2.x).
    """
    return _avg_pool(
        "avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
        divisor_override,
    )  # fmt: skip


def avg_pool3d(
    input: torch.Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> torch.Tensor:
    """3-D average pooling, as ``torch.nn.functional.avg_pool3d``: ``avg_pool2d``'s
    rule in three dimensions.

    Args:
        input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``, at least
            ``kernel_size`` in every dimension (PyTorch's rule for 3-d).
        kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override: as for
            ``avg_pool2d``, an int or a 3-tuple each.

    Shape:
        per dimension, ``out = floor((in + 2*padding - kernel_size) / stride) + 1`` (``ceil``
        with ``ceil_mode``).

    Returns:
        ``(N, C, D_out, H_out, W_out)`` (or without ``N``). Bit-exact with PyTorch on the
        CPU.

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``.

    Example:
        >>> avg_pool3d(torch.arange(8.0).view(1, 2, 2, 2), 2)
        tensor([[[[3.5000]]]])

    Source: ``torch.nn.functional.avg_pool3d`` (PyTorch 2.x).
    """
    return _avg_pool(
        "avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
        divisor_override,
    )  # fmt: skip


def adaptive_max_pool1d(
    input: torch.Tensor, output_size: int | tuple[int], return_indices: bool = False
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """1-D adaptive max pooling, as ``torch.nn.functional.adaptive_max_pool1d``: the
    windows are chosen so that the output has ``output_size`` elements.

    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)`` (``C`` may be 0), a floating dtype.
        output_size: ``L_out``, an int (or a 1-tuple).
        return_indices: also return the position of each maximum.

    Shape:
        ``L_out = output_size``; output ``i`` pools ``[floor(i*L_in/L_out),
        ceil((i+1)*L_in/L_out))``.

    Returns:
        ``(N, C, L_out)`` (or ``(C, L_out)``); with ``return_indices`` also the int64
        positions. Values, indices and gradients are bit-exact with PyTorch on the CPU.

    Raises:
        TypeError, ValueError: a bad ``input``, ``output_size`` or ``return_indices``; the
        message names the parameter, its value and the rule.

    Example:
        >>> adaptive_max_pool1d(torch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2)
        tensor([[3., 5.]])

    Source: ``torch.nn.functional.adaptive_max_pool1d`` (PyTorch 2.x).
    """
    fn = "adaptive_max_pool1d"
    _check_input_maybe_no_channels(fn, input, 1)
    (size,) = check_adaptive_output_size(fn, output_size, input.shape, 1)
    _check_bool(fn, "return_indices", return_indices)
    out, index = adaptive_max_pool(_batched(input, 1).unsqueeze(2), (1, size), return_indices)
    if not return_indices:
        return _unbatch(out.squeeze(2), input, 1)
    return _unbatch((out.squeeze(2), index.squeeze(2)), input, 1)


def adaptive_max_pool2d(
    input: torch.Tensor,
    output_size: int | None | tuple[int | None, int | None],
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """2-D adaptive max pooling, as ``torch.nn.functional.adaptive_max_pool2d``: the
    windows are chosen so that the output has ``output_size``.

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` (``C`` may be 0), a floating
            dtype.
        output_size: ``(H_out, W_out)`` or one int for both; ``None`` keeps that input size.
        return_indices: also return where each maximum is.

    Shape:
        ``(H_out, W_out) = output_size``; output row ``i`` pools rows ``[floor(i*H_in/H_out),
        ceil((i+1)*H_in/H_out))``, columns likewise.

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``); with ``return_indices`` also the
        int64 indices ``h * W_in + w``. Bit-exact with PyTorch on the CPU.

    Raises:
        TypeError, ValueError: a bad ``input``, ``output_size`` or ``return_indices``; the
        message names the parameter, its value and the rule.

    Example:
        >>> adaptive_max_pool2d(torch.arange(9.0).view(1, 3, 3), 2)
        tensor([[[4., 5.],
                 [7., 8.]]])

    Source: ``torch.nn.functional.adaptive_max_pool2d`` (PyTorch 2.x).
    """
    fn = "adaptive_max_pool2d"
    _check_input_maybe_no_channels(fn, input, 2)
    size = check_adaptive_output_size(fn, output_size, input.shape, 2)
    _check_bool(fn, "return_indices", return_indices)
    out, index = adaptive_max_pool(_batched(input, 2), size, return_indices)
    return _unbatch((out, index) if return_indices else out, input, 2)


def adaptive_avg_pool1d(input: torch.Tensor, output_size: int | tuple[int]) -> torch.Tensor:
    """1-D adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool1d``.

    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)`` (``C`` may be 0), a floating dtype.
        output_size: ``L_out``, an int (or a 1-tuple).

    Shape:
        ``L_out = output_size``; output ``i`` averages ``[floor(i*L_in/L_out),
        ceil((i+1)*L_in/L_out))``.

    Returns:
        ``(N, C, L_out)`` (or ``(C, L_out)``). Values bit-exact with PyTorch on the CPU;
        float16/bfloat16 gradients are summed in float32 and rounded once (PyTorch rounds
        every addition, and saturates: see ``adaptive_avg_pool2d``).

    Raises:
        TypeError, ValueError: a bad ``input`` or ``output_size``; the message names the
        parameter, its value and the rule.

    Example:
        >>> adaptive_avg_pool1d(torch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2)
        tensor([[2.0000, 3.6667]])

    Source: ``torch.nn.functional.adaptive_avg_pool1d`` (PyTorch 2.x).
    """
    fn = "adaptive_avg_pool1d"
    _check_input_maybe_no_channels(fn, input, 1)
    (size,) = check_adaptive_output_size(fn, output_size, input.shape, 1)
    if size == 1 and input.dim() == 2:  # PyTorch: a mean over the unbatched input as it is
        return input.unsqueeze(-2).mean((-2, -1), keepdim=True).squeeze(-2)
    if size == 1 and input.dim() == 2:  # PyTorch: a mean over the unbatched input as it is
        return input.unsqueeze(-2).mean((-2, -1), keepdim=True).squeeze(-2)
    out = adaptive_avg_pool(_batched(input, 1).unsqueeze(2), (1, size)).squeeze(2)
    return _unbatch(out, input, 1)


def adaptive_avg_pool2d(
    input: torch.Tensor, output_size: int | None | tuple[int | None, int | None]
) -> torch.Tensor:
    """2-D adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool2d``.

    Each output averages its window, dividing the sum by the window's height, then by its
    width, as PyTorch does; a 1x1 output is ``input.mean((-2, -1))``, as in PyTorch.

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` (``C`` may be 0), a floating
            dtype.
        output_size: ``(H_out, W_out)`` or one int for both; ``None`` keeps that input size.

    Shape:
        ``(H_out, W_out) = output_size``; output row ``i`` averages rows
        ``[floor(i*H_in/H_out), ceil((i+1)*H_in/H_out))``, columns likewise.

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``). Values bit-exact with PyTorch on
        the CPU: each window is summed in PyTorch's row-major order, one addition per cell,
        which keeps large windows (56x56 to 7x7) slower than PyTorch's kernel; exactness is
        chosen over speed (``pooling_lib._kernels.adaptive``, ``make bench``).
        float16/bfloat16 gradients are summed in float32 and rounded once, unlike
        PyTorch's, which round every addition: a 1x1 input upsampled to 64x64 gets the
        gradient 4096 here and 2048 (saturated) in PyTorch.

    Raises:
        TypeError, ValueError: a bad ``input`` or ``output_size``; the message names the
        parameter, its value and the rule.

    Example:
        >>> adaptive_avg_pool2d(torch.arange(9.0).view(1, 3, 3), 2)
        tensor([[[2., 3.],
                 [5., 6.]]])

    Source: ``torch.nn.functional.adaptive_avg_pool2d`` (PyTorch 2.x).
    """
    fn = "adaptive_avg_pool2d"
    _check_input_maybe_no_channels(fn, input, 2)
    if type(output_size) is int and output_size == 1:  # global pooling: nothing to check
        size = (1, 1)
    else:
        size = check_adaptive_output_size(fn, output_size, input.shape, 2)
    if size == (1, 1) and input.dim() == 3:  # PyTorch: a mean over the unbatched input as it is
        return input.mean((-2, -1), keepdim=True)
    return _unbatch(adaptive_avg_pool(_batched(input, 2), size), input, 2)


def _lp_root(power_sums: torch.Tensor, p: float) -> torch.Tensor:
    """``power_sums ** (1/p)``, with PyTorch's rule that a zero sum passes zero gradient
    (``sign(s) * relu(|s|)`` is ``s``, but its gradient is 0 where ``s`` is 0)."""
    return (torch.sign(power_sums) * torch.relu(torch.abs(power_sums))).pow(1.0 / p)


def lp_pool(
    fn: str,
    dims: int,
    input: torch.Tensor,
    norm_type: float,
    kernel_size,
    stride,
    ceil_mode: bool,
    torch_compatible: bool,
    *,
    avg_pool=None,
    max_pool=None,
) -> torch.Tensor:
    """The one definition of power-average (Lp) pooling, ``dims`` = 1 or 2, on top of the
    2-d pooling functions ``avg_pool`` and ``max_pool`` (by default this module's
    ``avg_pool2d`` and ``max_pool2d``; ``pooling_lib.loops`` passes its loop versions)::

        out = (sum over the window's inputs of x**p) ** (1/p)        p = norm_type

    ``p = inf`` is ``max |x|`` and ``p = -inf`` is ``min |x|`` over the window. The window
    sums are ``avg_pool2d(x**p, divisor_override=1)``: only real inputs count (there is no
    padding), also in a partial ``ceil_mode`` window. They are taken in float64 for int64
    inputs (the result has the default dtype, as PyTorch's) and in float32 for
    float16/bfloat16 ones (rounded once at the end). With ``torch_compatible=True`` it is
    PyTorch's own formula instead: ``avg_pool2d(x**p) * kernel_h * kernel_w`` in the input's
    dtype. 1-d pooling runs on planes of height 1.
    """
    avg_pool = avg_pool2d if avg_pool is None else avg_pool
    max_pool = max_pool2d if max_pool is None else max_pool
    check_input(fn, input, dims, allow_integer=(torch.int64,))
    p = check_norm_type(fn, norm_type)
    args = check_pool_args(
        fn, kernel_size, stride, 0, 1, ceil_mode, dims=dims, input_shape=input.shape
    )
    _check_bool(fn, "torch_compatible", torch_compatible)
    x = input if dims == 2 else input.unsqueeze(-2)  # (N, C, L) -> (N, C, 1, L)
    k = args.kernel_size if dims == 2 else (1, *args.kernel_size)
    s = args.stride if dims == 2 else (1, *args.stride)
    if p == math.inf:
        out = max_pool(x.abs(), k, s, 0, 1, ceil_mode)
    elif p == -math.inf:
        out = -max_pool(-x.abs(), k, s, 0, 1, ceil_mode)
    elif torch_compatible:  # an int p keeps int64 powers in integers, as in PyTorch
        power = norm_type if isinstance(norm_type, int) else p
        out = _lp_root(avg_pool(x.pow(power), k, s, 0, ceil_mode) * (k[0] * k[1]), p)
    else:
        result_dtype = x.dtype if x.is_floating_point() else torch.get_default_dtype()
        work = x.to(torch.float64 if not x.is_floating_point() else sum_dtype(x.dtype))
        power_sums = avg_pool(work.pow(p), k, s, 0, ceil_mode, True, 1)
        out = _lp_root(power_sums, p).to(result_dtype)
    return out if dims == 2 else out.squeeze(-2)


_LP_DOC = """

    ``out = (sum over the window's inputs of x**p) ** (1/p)`` with ``p = norm_type``
    (``pooling_lib.functional.lp_pool``, the one definition): ``p = 2`` is the Euclidean
    norm of the window, ``p = 1`` its sum (of signed values), ``p = inf`` its largest
    ``|x|``. Where a window's power sum is 0 the gradient is 0, as in PyTorch.

    Differences from PyTorch (``torch_compatible=True`` restores PyTorch's formula, for a
    drop-in that must reproduce a model trained with it):

    * ``ceil_mode=True``: a partial last window sums its real inputs; PyTorch scales their
      average by the full kernel size (``lp_pool1d([[[1, 2, 3, 4, 5]]], 1, 2,
      ceil_mode=True)`` is ``[3, 7, 5]`` here, ``[3, 7, 10]`` in PyTorch);
    * int64 inputs are raised to the power in floating point; PyTorch's functional form,
      given an *integer* ``norm_type``, computes ``x**p`` exactly in integers, then takes
      their integer mean, truncated toward zero, and multiplies it by the window size
      (``lp_pool1d(tensor([[[1, 2]]]), 2, 2)`` is ``sqrt(5)`` here, ``sqrt(2 * 2) = 2`` in
      PyTorch). With a float ``norm_type`` PyTorch does not truncate
      (``F.lp_pool1d(tensor([[1, 2, 3, 4]]), 2.0, 2)`` is ``[2.2361, 5.0]``), nor does
      ``nn.LPPool1d/2d``, which casts ``norm_type`` to float;
    * float16/bfloat16 inputs are computed in float32 and rounded once; PyTorch rounds
      ``x**p`` to the input's dtype first (it overflows for ``|x| ** p > 65504`` in float16).
"""


def lp_pool1d(
    input: torch.Tensor,
    norm_type: float,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    ceil_mode: bool = False,
    *,
    torch_compatible: bool = False,
) -> torch.Tensor:
    return lp_pool(
        "lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode, torch_compatible
    )


lp_pool1d.__doc__ = (
    """1-D power-average pooling, as ``torch.nn.functional.lp_pool1d``."""
    + _LP_DOC
    + """
    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)``, a floating dtype or int64.
        norm_type: ``p``, a real number other than 0 (``inf`` and ``-inf`` included).
        kernel_size: window length, an int (or a 1-tuple).
        stride: step between windows (default ``kernel_size``).
        ceil_mode: round the output size up (a last, partial window) instead of down.
        torch_compatible: compute with PyTorch's formula (see above).

    Shape:
        ``L_out = floor((L_in - kernel_size) / stride) + 1`` (``ceil`` with ``ceil_mode``,
        dropping a window that would start after the input).

    Returns:
        ``(N, C, L_out)`` (or ``(C, L_out)``) in ``input``'s dtype (the default float dtype
        for int64 inputs).

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes`` or
        ``norm_type`` is not a non-zero number; the message names the parameter, its value
        and the rule.

    Example:
        >>> lp_pool1d(torch.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 1, 2, ceil_mode=True)
        tensor([[[3., 7., 5.]]])
        >>> lp_pool1d(torch.tensor([[[1, 2]]]), 2, 2)
        tensor([[[2.2361]]])

    Source: ``torch.nn.functional.lp_pool1d`` (PyTorch 2.x), with the fixes above; the
    power-average pooling of Boureau, Ponce and LeCun, "A theoretical analysis of feature
    pooling in visual recognition" (ICML 2010).
    """
)


def lp_pool2d(
    input: torch.Tensor,
    norm_type: float,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    ceil_mode: bool = False,
    *,
    torch_compatible: bool = False,
) -> torch.Tensor:
    return lp_pool(
        "lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode, torch_compatible
    )


lp_pool2d.__doc__ = (
    """2-D power-average pooling, as ``torch.nn.functional.lp_pool2d``."""
    + _LP_DOC
    + """
    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``, a floating dtype or int64.
        norm_type: ``p``, a real number other than 0 (``inf`` and ``-inf`` included).
        kernel_size: window size, an int or ``(k_h, k_w)``.
        stride: step between windows (default ``kernel_size``).
        ceil_mode: round the output size up (a last, partial window) instead of down.
        torch_compatible: compute with PyTorch's formula (see above).

    Shape:
        ``H_out = floor((H_in - kernel_size[0]) / stride[0]) + 1`` (``ceil`` with
        ``ceil_mode``), ``W_out`` likewise.

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``) in ``input``'s dtype (the default
        float dtype for int64 inputs).

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes`` or
        ``norm_type`` is not a non-zero number; the message names the parameter, its value
        and the rule.

    Example:
        >>> lp_pool2d(torch.tensor([[[3.0, 4.0], [0.0, 0.0]]]), 2, 2)
        tensor([[[5.]]])

    Source: ``torch.nn.functional.lp_pool2d`` (PyTorch 2.x), with the fixes above; the
    power-average pooling of Boureau, Ponce and LeCun, "A theoretical analysis of feature
    pooling in visual recognition" (ICML 2010).
    """
)


def _unpool_output_size(
    fn: str, input: torch.Tensor, kernel, stride, padding, output_size
) -> tuple[int, int]:
    """PyTorch's rule: ``(in - 1) * stride + kernel_size - 2 * padding`` unless
    ``output_size`` is given, which must lie strictly within ``stride`` of that default."""
    default = tuple(
        (n - 1) * s + k - 2 * p
        for n, k, s, p in zip(input.shape[-2:], kernel, stride, padding, strict=True)
    )
    if output_size is None:
        size = default
    else:
        if not isinstance(output_size, (tuple, list, torch.Size)):
            raise TypeError(
                f"{fn}: output_size={output_size!r} must be a tuple of 2 (or 4) ints or None, "
                f"got {type(output_size).__name__}"
            )
        size = tuple(output_size)
        if len(size) == 4:
            size = size[2:]
        rule = "a tuple of 2 (or 4) ints or None"
        if len(size) != 2:
            raise ValueError(
                f"{fn}: output_size={output_size!r} must be {rule}, got {len(output_size)} values"
            )
        size = tuple(check_int(fn, "output_size", v, output_size, rule) for v in size)
        for dim in range(2):
            low, high = default[dim] - stride[dim], default[dim] + stride[dim]
            if not low < size[dim] < high:
                raise ValueError(
                    f"{fn}: output_size={output_size!r} is invalid: entry {dim} must lie strictly "
                    f"between {low} and {high} ((in - 1) * stride + kernel_size - 2 * padding "
                    f"= {default[dim]}, plus or minus stride)"
                )
    if min(size) < 1:
        raise ValueError(f"{fn}: the output size {size} must be positive")
    return size


def max_unpool2d(
    input: torch.Tensor,
    indices: torch.Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    output_size: tuple[int, ...] | None = None,
) -> torch.Tensor:
    """Partial inverse of ``max_pool2d``, as ``torch.nn.functional.max_unpool2d``.

    Puts ``input[n, c, i, j]`` at position ``indices[n, c, i, j]`` of an all-zero plane.

    Args:
        input: the maxima, ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        indices: int64 indices of the same shape, as ``max_pool2d(..., return_indices=True)``
            returns them; -1 (a window of padding only) is skipped.
        kernel_size, stride, padding: those of the ``max_pool2d`` call.
        output_size: ``(H_out, W_out)`` or ``(N, C, H_out, W_out)`` (ints, numpy integers or
            ``torch.Size``), to undo a pooling whose input size is ambiguous.

    Shape:
        ``H_out = (H_in - 1) * stride[0] - 2 * padding[0] + kernel_size[0]``, ``W_out``
        likewise, unless ``output_size`` gives another size within ``stride`` of it.

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``) in ``input``'s dtype.

    Raises:
        TypeError: ``indices`` is not an int64 tensor, ``output_size`` is not a tuple of ints.
        ValueError: ``indices`` has another shape than ``input``, holds an index outside
            ``[0, H_out * W_out)`` other than -1 (PyTorch raises a RuntimeError from its
            kernel), or ``output_size`` is out of range.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0], [4.0, 3.0]]])
        >>> pooled, indices = max_pool2d(x, 2, return_indices=True)
        >>> max_unpool2d(pooled, indices, 2)
        tensor([[[0., 0.],
                 [4., 0.]]])

    Source: ``torch.nn.functional.max_unpool2d`` (PyTorch 2.x).
    """
    fn = "max_unpool2d"
    _check_input_maybe_no_channels(fn, input, 2)
    args = check_pool_args(fn, kernel_size, stride, padding, 1, False, dims=2)
    if not isinstance(indices, torch.Tensor) or indices.dtype != torch.int64:
        got = indices.dtype if isinstance(indices, torch.Tensor) else type(indices).__name__
        raise TypeError(f"{fn}: indices must be an int64 tensor (from max_pool2d), got {got}")
    if indices.shape != input.shape:
        raise ValueError(
            f"{fn}: indices of shape {tuple(indices.shape)} must have the input's shape "
            f"{tuple(input.shape)}"
        )
    size = _unpool_output_size(fn, input, args.kernel_size, args.stride, args.padding, output_size)
    x = _batched(input, 2)
    n, c = x.shape[:2]
    cells = input.shape[-2] * input.shape[-1]
    idx = _batched(indices, 2).reshape(n, c, cells)
    plane = size[0] * size[1]
    # the index checks read values: not on meta tensors nor under torch.func transforms
    concrete = not (idx.is_meta or transformed(idx) or transformed(x))
    if concrete and idx.numel() and (int(idx.max()) >= plane or int(idx.min()) < -1):
        bad = idx[(idx >= plane) | (idx < -1)][0].item()
        raise ValueError(
            f"{fn}: indices hold {bad}, outside the output plane of {size[0]}x{size[1]} = "
            f"{plane} elements (valid: 0 <= index < {plane}, or -1 to skip)"
        )
    values = x.reshape(n, c, cells)
    skip = idx < 0
    spare = bool(skip.any()) if concrete else True  # a spare slot for index -1, dropped below
    out = torch.zeros((n, c, plane + spare), dtype=x.dtype, device=x.device)
    if spare:
        idx = idx.masked_fill(skip, plane)
    out = out.scatter(2, idx, values)
    if spare:
        out = out[..., :plane]
    out = in_layout_of(out.reshape(n, c, *size), x)  # PyTorch keeps a channels-last layout
    return _unbatch(out, input, 2)
