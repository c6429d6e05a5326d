"""Pooling written as plain Python loops: the teaching reference.

Read these functions in class; use ``pooling_lib.functional`` (the package top level) for
speed. They follow PyTorch's semantics (``torch.nn.functional``'s pooling on the CPU; Lp
pooling as ``pooling_lib.functional.lp_pool2d`` documents) and their values are tested
against it bit for bit, but they are slow: Python runs once per window slot.

Each function is three small pieces:

* a *plane kernel* that pools one ``(H, W)`` plane, one output at a time, over the window
  positions of ``pooling_lib.shapes.window_positions`` (the one window rule);
* ``_each_plane``, the batch and channel loops: the kernel on every plane ``X[n, c]``;
* the public function: argument checks (``pooling_lib.shapes``), then ``_each_plane``.

The 1-d functions are the 2-d ones on planes of height 1, as PyTorch computes them. Each
backward pass sits right after its forward pass.

Outputs are built from the input with tensor operations (indexing, sums, ``torch.stack``),
so autograd flows through every loop function: ``loops.max_pool2d(x).sum().backward()``
fills ``x.grad`` just as PyTorch's ``max_pool2d`` does, and forward-mode AD (``torch.func.jvp``)
works too. The loops read values, so they need real ones: an input on the ``meta`` device
raises ``ValueError``. ``torch.func.vmap`` runs the average loops; over the max loops (which
compare values) and the seed's ``pool2d`` (which writes into ``Y`` in place) it raises
PyTorch's own error.

* ``pool2d(X, pool_size, mode)``: the seed's function (d2l), on a 2-D tensor, no padding.
* ``max_pool1d``, ``max_pool2d``, ``avg_pool1d``, ``avg_pool2d``, ``lp_pool1d``,
  ``lp_pool2d``: ``torch.nn.functional``'s signatures.
* ``max_pool2d_backward``, ``avg_pool2d_backward``: the gradient with respect to the input,
  written out as loops (what autograd computes for ``max_pool2d`` and ``avg_pool2d``).

Output size (per spatial dimension, ``pooling_lib.shapes.pooled_size``)::

    out = floor((in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1
"""

from __future__ import annotations

import functools
import operator

import torch

from pooling_lib._kernels.common import in_layout_of, lowest, sum_dtype
from pooling_lib.functional import lp_pool
from pooling_lib.shapes import (
    PoolArgs,
    check_bool,
    check_divisor_override,
    check_input,
    check_pool_args,
    window_positions,
    window_start,
)

__all__ = [
    "pool2d",
    "max_pool1d",
    "max_pool2d",
    "max_pool2d_backward",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool2d_backward",
    "lp_pool1d",
    "lp_pool2d",
]


def _check_seed_pool2d(fn):
    """Validate the arguments of the seed's ``pool2d`` before its loops run.

    The seed's code (kept character for character below) silently returns zeros for an
    unknown ``mode`` and an empty tensor for a window larger than the input; here both
    raise an error that names the parameter and the rule. Integers of any kind (numpy ones,
    0-d integer tensors) are accepted in ``pool_size``, as PyTorch accepts them.
    """

    @functools.wraps(fn)
    def checked(X: torch.Tensor, pool_size: tuple[int, int], mode: str = "max") -> torch.Tensor:
        if not isinstance(X, torch.Tensor):
            raise TypeError(f"pool2d: X must be a torch.Tensor, got {type(X).__name__}")
        if X.dim() != 2:
            raise ValueError(f"pool2d: X must be 2-D (H, W), got shape {tuple(X.shape)}")
        pool_size = _seed_pool_size(pool_size)
        p_h, p_w = pool_size
        if p_h < 1 or p_w < 1:
            raise ValueError(f"pool2d: pool_size={pool_size} must be positive (each entry >= 1)")
        if p_h > X.shape[0] or p_w > X.shape[1]:
            raise ValueError(
                f"pool2d: pool_size={pool_size} must fit inside X of shape "
                f"{tuple(X.shape)} (output size H-p_h+1, W-p_w+1 must be at least 1)"
            )
        if mode not in ("max", "avg"):
            raise ValueError(f"pool2d: mode={mode!r} must be 'max' or 'avg'")
        if mode == "avg" and not X.dtype.is_floating_point:
            raise TypeError(
                f"pool2d: mode='avg' needs a floating X (the mean of integers is a fraction), "
                f"got X.dtype={X.dtype}; convert with X.float()"
            )
        _check_values("pool2d", X)
        return fn(X, pool_size, mode)

    checked.__doc__ = _POOL2D_DOC
    return checked


_POOL2D_DOC = """2-D max or average pooling of a single plane, no padding, stride 1: the seed's
    function from *Dive into Deep Learning*, section "Pooling", kept character for character.

    Args:
        X: a 2-D tensor ``(H, W)``; a floating dtype for ``mode='avg'``.
        pool_size: ``(p_h, p_w)``, the window's height and width (ints, numpy integers).
        mode: ``'max'`` or ``'avg'``.

    Shape:
        ``(H_out, W_out) = (H - p_h + 1, W - p_w + 1)``: every window that fits.

    Returns:
        a float32 tensor (``torch.zeros``' default dtype, as in the seed), linked to ``X`` by
        autograd.

    Raises:
        TypeError: ``X`` is not a tensor, ``pool_size`` not a pair of ints, or ``mode='avg'``
            on an integer ``X``.
        ValueError: ``X`` is not 2-D, ``pool_size`` is not positive or does not fit, or
            ``mode`` is unknown (the seed's code silently returned zeros or an empty tensor).

    Example:
        >>> X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
        >>> pool2d(X, (2, 2))
        tensor([[4., 5.],
                [7., 8.]])
        >>> pool2d(X, (2, 2), 'avg')
        tensor([[2., 3.],
                [5., 6.]])

    Source: Zhang, Lipton, Li and Smola, *Dive into Deep Learning*, section "Pooling"
    (汇聚层, d2l.ai); equal to ``torch.nn.functional.max_pool2d(X[None], pool_size, 1)[0]``.
    """


def _seed_pool_size(pool_size: object) -> tuple[int, int]:
    """``pool_size`` as a pair of Python ints (``operator.index``: ints, numpy integers)."""
    rule = "must be a pair of ints (p_h, p_w)"
    if not isinstance(pool_size, (tuple, list)) or len(pool_size) != 2:
        raise TypeError(f"pool2d: pool_size={pool_size!r} {rule}")
    try:
        if any(isinstance(p, bool) for p in pool_size):
            raise TypeError
        return (operator.index(pool_size[0]), operator.index(pool_size[1]))
    except TypeError:
        raise TypeError(f"pool2d: pool_size={pool_size!r} {rule}") from None


def _check_values(fn: str, input: torch.Tensor) -> None:
    """The loops compare values: a tensor without values (``meta`` device) cannot be pooled."""
    if isinstance(input, torch.Tensor) and input.device.type == "meta":
        raise ValueError(
            f"{fn}: input is on the meta device and has no values; pooling_lib.loops compares "
            "values (pooling_lib.functional handles meta tensors)"
        )


# The seed's function, character for character (d2l, section "Pooling").
# fmt: off
@_check_seed_pool2d
def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h+1, X.shape[1] - p_w+1)) #输出的形状
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i,j] = X[i:i+p_h,j:j+p_w].max()
            elif mode == 'avg':
                Y[i,j] = X[i:i+p_h,j:j+p_w].mean()
    return Y
# fmt: on


# ---------------------------------------------------------------------------------------------
# The batch and channel loops, shared by every function below.


def _each_plane(pool_plane, *tensors: torch.Tensor) -> list[torch.Tensor]:
    """``pool_plane(t[n, c], ...)`` for every plane ``(n, c)`` of the ``(N, C, H, W)``
    ``tensors``; each result of ``pool_plane`` (a tuple) is stacked back to ``(N, C, ...)``."""
    N, C = tensors[0].shape[:2]
    if N * C == 0:  # no planes: pool a zero plane to learn the results' shapes and dtypes
        zero_plane = pool_plane(*(t.new_zeros(t.shape[2:]) for t in tensors))
        return [_linked(r.new_empty((N, C, *r.shape)), tensors[0]) for r in zero_plane]
    per_plane = [pool_plane(*(t[n, c] for t in tensors)) for n in range(N) for c in range(C)]
    return [torch.stack(results).unflatten(0, (N, C)) for results in zip(*per_plane, strict=True)]


def _linked(value: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``value`` linked to ``x`` by autograd, with gradient 0 (``x[:0].sum()`` is an empty
    sum), so that an output that reads no input still requires grad when ``x`` does."""
    return value + x[:0].sum().to(value.dtype) if value.is_floating_point() else value


def _batched(input: torch.Tensor, dims: int) -> torch.Tensor:
    """``(C, *spatial)`` -> ``(1, C, *spatial)``; ``(N, C, *spatial)`` unchanged."""
    return input if input.dim() == dims + 2 else input.unsqueeze(0)


def _as_2d(args: PoolArgs) -> PoolArgs:
    """1-d pooling arguments as 2-d ones on a plane of height 1 (how PyTorch pools in 1-d)."""
    return PoolArgs(
        (1, *args.kernel_size), (1, *args.stride), (0, *args.padding), (1, *args.dilation),
        args.ceil_mode, (1, *args.output_size),
    )  # fmt: skip


def _finish(out: torch.Tensor, input: torch.Tensor, dims: int) -> torch.Tensor:
    """Back to ``input``'s form: the layout PyTorch gives its output (``channels_last`` in,
    ``channels_last`` out), and no batch dimension if ``input`` had none."""
    out = in_layout_of(out, _batched(input, dims))
    return out if input.dim() == dims + 2 else out[0]


# ---------------------------------------------------------------------------------------------
# Max pooling.


def _max_pool2d_plane(x: torch.Tensor, args: PoolArgs) -> tuple[torch.Tensor, torch.Tensor]:
    """Max pooling of one plane ``x`` of shape ``(H, W)``: the maxima and their indices
    ``h * W + w``, each of shape ``args.output_size``."""
    H, W = x.shape
    (k_h, k_w), (s_h, s_w) = args.kernel_size, args.stride
    (p_h, p_w), (d_h, d_w) = args.padding, args.dilation
    out_h, out_w = args.output_size
    maxima, indices = [], []
    for i in range(out_h):
        for j in range(out_w):
            best, best_index = _linked(x.new_tensor(lowest(x.dtype)), x), -1  # padding only
            for h in window_positions(i, k_h, s_h, p_h, d_h):
                for w in window_positions(j, k_w, s_w, p_w, d_w):
                    if not (0 <= h < H and 0 <= w < W):
                        continue  # implicit padding: never the maximum
                    v = x[h, w]  # indexing keeps autograd's link to x
                    # the first maximum wins; a NaN always wins (so the last NaN does)
                    if best_index == -1 or v > best or v.isnan():
                        best, best_index = v, h * W + w
            maxima.append(best)
            indices.append(best_index)
    return (
        torch.stack(maxima).view(out_h, out_w),
        torch.tensor(indices, device=x.device).view(out_h, out_w),
    )


def max_pool2d(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """2-D max pooling with loops, as ``torch.nn.functional.max_pool2d``.

    Each output is the largest input in its window; the window of output ``(i, j)`` reads
    rows ``i*stride[0] - padding[0] + a*dilation[0]`` for ``a < kernel_size[0]`` and columns
    likewise. Padding never wins (it is ``-inf``); ties go to the first maximum in row-major
    window order, and a NaN wins over any number.

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``, a floating or integer dtype.
        kernel_size: window size, an int or ``(k_h, k_w)``.
        stride: step between windows (default ``kernel_size``).
        padding: implicit ``-inf`` padding on both sides, at most ``kernel_size // 2``.
        dilation: spacing between the window's slots.
        ceil_mode: round the output size up (a last, partial window) instead of down.
        return_indices: also return where each maximum is.

    Shape:
        ``H_out = floor((H_in + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1)
        / stride[0]) + 1`` (``ceil`` with ``ceil_mode``, dropping a last window that would
        start in the right padding), ``W_out`` likewise.

    Returns:
        the maxima ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``), in ``input``'s dtype
        and memory format, linked to ``input`` by autograd; with ``return_indices`` also the
        int64 indices ``h * W_in + w`` of the maxima within their plane. A window that holds
        only padding gives ``-inf`` and index ``-1`` (PyTorch returns an index outside the
        input there).

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``; the
        message names the parameter, its value and the rule. ``ValueError`` for a ``meta``
        input.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0, 0.0], [4.0, 3.0, 5.0], [0.0, 1.0, 2.0]]])
        >>> max_pool2d(x, 2, stride=1, return_indices=True)
        (tensor([[[4., 5.],
                 [4., 5.]]]), tensor([[[3, 5],
                 [3, 5]]]))

    Source: ``torch.nn.functional.max_pool2d`` (PyTorch 2.x, CPU kernel
    ``aten/src/ATen/native/cpu/MaxPoolKernel.cpp``), checked bit for bit by the tests.
    """
    check_input("max_pool2d", input, 2, allow_integer=True)
    args = check_pool_args(
        "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode, dims=2,
        input_shape=input.shape,
    )  # fmt: skip
    _check_values("max_pool2d", input)
    maxima, indices = _each_plane(lambda x: _max_pool2d_plane(x, args), _batched(input, 2))
    maxima, indices = _finish(maxima, input, 2), _finish(indices, input, 2)
    return (maxima, indices) if return_indices else maxima


def max_pool2d_backward(
    grad_output: torch.Tensor,
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
) -> torch.Tensor:
    """Gradient of ``max_pool2d`` with respect to ``input``, written out as loops.

    Each output's gradient goes to the maximum of its window (the input ``max_pool2d``'s
    index names); inputs that are no window's maximum get 0, and a window of padding only
    passes nothing. Sums run over the outputs in order, as PyTorch's do, so the result is
    bit-exact. Autograd flows through it to ``grad_output`` (double backward).

    Args:
        grad_output: the gradient of the loss with respect to ``max_pool2d``'s output.
        input, kernel_size, stride, padding, dilation, ceil_mode: as for ``max_pool2d``.

    Shape:
        ``grad_output`` has the shape of ``max_pool2d(input, ...)``; the result has
        ``input``'s shape.

    Returns:
        ``grad_input``, a tensor of ``input``'s shape in ``grad_output``'s dtype.

    Raises:
        TypeError, ValueError: as ``max_pool2d``, and when ``grad_output`` is not a tensor
        of the output's shape.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0, 0.0], [4.0, 3.0, 5.0], [0.0, 1.0, 2.0]]])
        >>> max_pool2d_backward(torch.ones(1, 2, 2), x, 2, stride=1)
        tensor([[[0., 0., 0.],
                 [2., 0., 2.],
                 [0., 0., 0.]]])

    Source: ``torch.nn.functional.max_pool2d``'s backward (``max_pool2d_with_indices_backward``).
    """
    _, indices = max_pool2d(input.detach(), kernel_size, stride, padding, dilation, ceil_mode, True)
    _check_grad_output("max_pool2d_backward", grad_output, indices.shape)
    H, W = input.shape[-2:]

    def plane(g: torch.Tensor, index: torch.Tensor) -> tuple[torch.Tensor]:
        grad = g.new_zeros(H, W)
        for i in range(g.shape[0]):
            for j in range(g.shape[1]):
                k = int(index[i, j])  # where the maximum of window (i, j) is
                if k >= 0:  # -1: a window of padding only
                    grad[k // W, k % W] += g[i, j]
        return (grad,)

    (grad_input,) = _each_plane(plane, _batched(grad_output, 2), _batched(indices, 2))
    return grad_input if input.dim() == 4 else grad_input[0]


def max_pool1d(
    input: torch.Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """1-D max pooling with loops, as ``torch.nn.functional.max_pool1d``: ``max_pool2d`` on
    planes of height 1 (PyTorch computes it so).

    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)``, a floating or integer dtype.
        kernel_size, stride, padding, dilation, ceil_mode, return_indices: as for
        ``max_pool2d``, one int each (or a 1-tuple).

    Shape:
        ``L_out = floor((L_in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``
        (``ceil`` with ``ceil_mode``).

    Returns:
        the maxima ``(N, C, L_out)`` (or ``(C, L_out)``), linked to ``input`` by autograd;
        with ``return_indices`` also their int64 positions ``t`` (``-1`` for a window of
        padding only).

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``.

    Example:
        >>> max_pool1d(torch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2)
        tensor([[3., 5.]])

    Source: ``torch.nn.functional.max_pool1d`` (PyTorch 2.x).
    """
    check_input("max_pool1d", input, 1, allow_integer=True)
    args = check_pool_args(
        "max_pool1d", kernel_size, stride, padding, dilation, ceil_mode, dims=1,
        input_shape=input.shape,
    )  # fmt: skip
    _check_values("max_pool1d", input)
    args = _as_2d(args)
    planes = _batched(input, 1).unsqueeze(-2)  # (N, C, 1, L)
    maxima, indices = _each_plane(lambda x: _max_pool2d_plane(x, args), planes)
    maxima, indices = _finish(maxima[..., 0, :], input, 1), _finish(indices[..., 0, :], input, 1)
    return (maxima, indices) if return_indices else maxima


# ---------------------------------------------------------------------------------------------
# Average pooling.


def _avg_window(start: int, k: int, p: int, size: int) -> tuple[int, int, int]:
    """One dimension of an avg-pooling window starting at ``start``: the range ``[first,
    end)`` of real inputs and the length counted with ``count_include_pad`` (PyTorch stops
    that count at the end of the right padding)."""
    end = min(start + k, size + p)
    with_pad = end - start
    return max(start, 0), min(end, size), with_pad


def _avg_windows(x_shape, args: PoolArgs, count_include_pad: bool, divisor_override):
    """Every window of a plane of shape ``x_shape``: ``((i, j), rows, cols, divisor)``."""
    (H, W), (k_h, k_w), (s_h, s_w) = x_shape, args.kernel_size, args.stride
    (p_h, p_w), (out_h, out_w) = args.padding, args.output_size
    for i in range(out_h):
        h0, h1, pad_h = _avg_window(window_start(i, s_h, p_h), k_h, p_h, H)
        for j in range(out_w):
            w0, w1, pad_w = _avg_window(window_start(j, s_w, p_w), k_w, p_w, W)
            if divisor_override is not None:
                divisor = divisor_override
            elif count_include_pad:
                divisor = pad_h * pad_w
            else:
                divisor = (h1 - h0) * (w1 - w0)
            yield (i, j), range(h0, h1), range(w0, w1), divisor


def _avg_pool2d_plane(x: torch.Tensor, args: PoolArgs, count_include_pad, divisor_override):
    """Average pooling of one plane ``x`` of shape ``(H, W)``."""
    means = []
    for _, rows, cols, divisor in _avg_windows(x.shape, args, count_include_pad, divisor_override):
        total = torch.zeros((), dtype=sum_dtype(x.dtype), device=x.device)
        for h in rows:
            for w in cols:
                total = total + x[h, w]  # padding adds zero: skipped
        if x.dtype.is_floating_point:
            means.append((total / divisor).to(x.dtype))
        else:  # int64, as PyTorch: an integer sum divided with truncation
            means.append(torch.div(total, divisor, rounding_mode="trunc"))
    return (torch.stack(means).view(args.output_size),)


def avg_pool2d(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> torch.Tensor:
    """2-D average pooling with loops, as ``torch.nn.functional.avg_pool2d``.

    Each output is the sum of the real inputs in its window (zero padding adds nothing)
    divided by ``divisor_override``, else by the window's size counting padding
    (``count_include_pad=True``; PyTorch stops that count at the end of the right padding,
    so a ``ceil_mode`` window that runs past it counts less), else by the number of real
    inputs. float16/bfloat16 windows are summed in float32 and rounded once; int64 sums are
    divided with truncation, as PyTorch does.

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``, a floating dtype or int64.
        kernel_size: window size, an int or ``(k_h, k_w)``.
        stride: step between windows (default ``kernel_size``).
        padding: implicit zero padding on both sides, at most ``kernel_size // 2``.
        ceil_mode: round the output size up (a last, partial window) instead of down.
        count_include_pad: count padding in the divisor.
        divisor_override: a non-zero int used as every window's divisor.

    Shape:
        ``H_out = floor((H_in + 2*padding[0] - kernel_size[0]) / stride[0]) + 1``
        (``ceil`` with ``ceil_mode``), ``W_out`` likewise.

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``) in ``input``'s dtype and memory
        format, linked to ``input`` by autograd.

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0, 0.0], [4.0, 3.0, 5.0], [0.0, 1.0, 2.0]]])
        >>> avg_pool2d(x, 2, stride=1)
        tensor([[[2.5000, 2.5000],
                 [2.0000, 2.7500]]])

    Source: ``torch.nn.functional.avg_pool2d`` (PyTorch 2.x, CPU kernel
    ``aten/src/ATen/native/cpu/AvgPoolKernel.cpp``), checked bit for bit by the tests.
    """
    check_input("avg_pool2d", input, 2, allow_integer=(torch.int64,))
    args = check_pool_args(
        "avg_pool2d", kernel_size, stride, padding, 1, ceil_mode, dims=2, input_shape=input.shape
    )
    check_bool("avg_pool2d", "count_include_pad", count_include_pad)
    divisor_override = check_divisor_override("avg_pool2d", divisor_override)
    _check_values("avg_pool2d", input)
    (means,) = _each_plane(
        lambda x: _avg_pool2d_plane(x, args, count_include_pad, divisor_override),
        _batched(input, 2),
    )
    return _finish(means, input, 2)


def avg_pool2d_backward(
    grad_output: torch.Tensor,
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> torch.Tensor:
    """Gradient of ``avg_pool2d`` with respect to ``input``, written out as loops.

    Each output's gradient, divided by its window's divisor, is added to every real input of
    the window (padding takes its share and drops it). Bit-exact with PyTorch on the CPU;
    autograd flows through it to ``grad_output``.

    Args:
        grad_output: the gradient of the loss with respect to ``avg_pool2d``'s output.
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override:
            as for ``avg_pool2d``.

    Shape:
        ``grad_output`` has the shape of ``avg_pool2d(input, ...)``; the result has
        ``input``'s shape.

    Returns:
        ``grad_input``, a tensor of ``input``'s shape in ``grad_output``'s dtype.

    Raises:
        TypeError, ValueError: as ``avg_pool2d``, and when ``grad_output`` is not a tensor
        of the output's shape.

    Example:
        >>> avg_pool2d_backward(torch.ones(1, 2, 2), torch.zeros(1, 3, 3), 2, stride=1)
        tensor([[[0.2500, 0.5000, 0.2500],
                 [0.5000, 1.0000, 0.5000],
                 [0.2500, 0.5000, 0.2500]]])

    Source: ``torch.nn.functional.avg_pool2d``'s backward (``avg_pool2d_backward``).
    """
    fn = "avg_pool2d_backward"
    check_input(fn, input, 2)
    args = check_pool_args(
        fn, kernel_size, stride, padding, 1, ceil_mode, dims=2, input_shape=input.shape
    )
    check_bool(fn, "count_include_pad", count_include_pad)
    divisor_override = check_divisor_override(fn, divisor_override)
    _check_grad_output(fn, grad_output, (*input.shape[:-2], *args.output_size))
    shape = tuple(input.shape[-2:])

    def plane(g: torch.Tensor) -> tuple[torch.Tensor]:
        grad = g.new_zeros(shape)
        for (i, j), rows, cols, divisor in _avg_windows(
            shape, args, count_include_pad, divisor_override
        ):
            grad[rows.start : rows.stop, cols.start : cols.stop] += g[i, j] / divisor
        return (grad,)

    (grad_input,) = _each_plane(plane, _batched(grad_output, 2))
    return grad_input if input.dim() == 4 else grad_input[0]


def avg_pool1d(
    input: torch.Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> torch.Tensor:
    """1-D average pooling with loops, as ``torch.nn.functional.avg_pool1d``:
    ``avg_pool2d`` on planes of height 1 (PyTorch computes it so).

    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)``, a floating dtype or int64.
        kernel_size, stride, padding, ceil_mode, count_include_pad: as for ``avg_pool2d``,
        one int each (or a 1-tuple).

    Shape:
        ``L_out = floor((L_in + 2*padding - kernel_size) / stride) + 1`` (``ceil`` with
        ``ceil_mode``).

    Returns:
        ``(N, C, L_out)`` (or ``(C, L_out)``), linked to ``input`` by autograd.

    Raises:
        TypeError, ValueError: an argument breaks a rule of ``pooling_lib.shapes``.

    Example:
        >>> avg_pool1d(torch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2)
        tensor([[2.0000, 3.5000]])

    Source: ``torch.nn.functional.avg_pool1d`` (PyTorch 2.x).
    """
    check_input("avg_pool1d", input, 1, allow_integer=(torch.int64,))
    args = check_pool_args(
        "avg_pool1d", kernel_size, stride, padding, 1, ceil_mode, dims=1, input_shape=input.shape
    )
    check_bool("avg_pool1d", "count_include_pad", count_include_pad)
    _check_values("avg_pool1d", input)
    args = _as_2d(args)
    planes = _batched(input, 1).unsqueeze(-2)  # (N, C, 1, L)
    (means,) = _each_plane(lambda x: _avg_pool2d_plane(x, args, count_include_pad, None), planes)
    return _finish(means[..., 0, :], input, 1)


# ---------------------------------------------------------------------------------------------
# Power-average (Lp) pooling: the loop average above, under the one Lp formula.


def lp_pool2d(
    input: torch.Tensor,
    norm_type: float,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    ceil_mode: bool = False,
    *,
    torch_compatible: bool = False,
) -> torch.Tensor:
    """2-D power-average pooling with loops: ``(sum over the window of x**p) ** (1/p)``,
    ``pooling_lib.functional.lp_pool`` (the one Lp formula) on the loop ``avg_pool2d`` (the
    window sums, ``divisor_override=1``) and ``max_pool2d`` (``p = inf``).

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``, a floating dtype or int64.
        norm_type, kernel_size, stride, ceil_mode, torch_compatible: as for
            ``pooling_lib.functional.lp_pool2d``.

    Shape:
        ``H_out = floor((H_in - kernel_size[0]) / stride[0]) + 1`` (``ceil`` with
        ``ceil_mode``), ``W_out`` likewise.

    Returns:
        ``(N, C, H_out, W_out)`` (or ``(C, H_out, W_out)``), linked to ``input`` by autograd.

    Raises:
        TypeError, ValueError: as ``pooling_lib.functional.lp_pool2d``.

    Example:
        >>> lp_pool2d(torch.tensor([[[3.0, 4.0], [0.0, 0.0]]]), 2, 2)
        tensor([[[5.]]])

    Source: ``torch.nn.functional.lp_pool2d`` (PyTorch 2.x), with pooling_lib's fixes.
    """
    _check_values("lp_pool2d", input)
    return lp_pool(
        "lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode, torch_compatible,
        avg_pool=avg_pool2d, max_pool=max_pool2d,
    )  # fmt: skip


def lp_pool1d(
    input: torch.Tensor,
    norm_type: float,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    ceil_mode: bool = False,
    *,
    torch_compatible: bool = False,
) -> torch.Tensor:
    """1-D power-average pooling with loops: ``lp_pool2d`` on planes of height 1.

    Args:
        input: ``(N, C, L_in)`` or ``(C, L_in)``, a floating dtype or int64.
        norm_type, kernel_size, stride, ceil_mode, torch_compatible: as for
            ``pooling_lib.functional.lp_pool1d``.

    Shape:
        ``L_out = floor((L_in - kernel_size) / stride) + 1`` (``ceil`` with ``ceil_mode``).

    Returns:
        ``(N, C, L_out)`` (or ``(C, L_out)``), linked to ``input`` by autograd.

    Raises:
        TypeError, ValueError: as ``pooling_lib.functional.lp_pool1d``.

    Example:
        >>> lp_pool1d(torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]]), 1, 2, ceil_mode=True)
        tensor([[3., 7., 5.]])

    Source: ``torch.nn.functional.lp_pool1d`` (PyTorch 2.x), with pooling_lib's fixes.
    """
    _check_values("lp_pool1d", input)
    return lp_pool(
        "lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode, torch_compatible,
        avg_pool=avg_pool2d, max_pool=max_pool2d,
    )  # fmt: skip


def _check_grad_output(fn: str, grad_output: object, shape: tuple[int, ...]) -> None:
    if not isinstance(grad_output, torch.Tensor):
        raise TypeError(
            f"{fn}: grad_output must be a torch.Tensor, got {type(grad_output).__name__}"
        )
    if tuple(grad_output.shape) != tuple(shape):
        raise ValueError(
            f"{fn}: grad_output of shape {tuple(grad_output.shape)} must have the output's "
            f"shape {tuple(shape)}"
        )
