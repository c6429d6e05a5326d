"""Pooling written as plain Python loops over output positions: the teaching reference.

Read these functions in class; use the vectorized ones at the package top level for speed.
They follow PyTorch's semantics exactly (see ``pooling_lib.functional``) and are tested
against it, but they are slow: a Python loop runs once per output element and window slot.

* ``pool2d(X, pool_size, mode)``: the seed's function (d2l), on a 2-D tensor, no padding.
* ``max_pool1d/max_pool2d``, ``avg_pool1d/avg_pool2d``: ``torch.nn.functional`` signatures,
  inputs ``(C, L)``/``(N, C, L)`` and ``(C, H, W)``/``(N, C, H, W)``.
* ``max_pool2d_backward`` and ``avg_pool2d_backward``: the gradient with respect to the input.

Output size (per spatial dimension, see ``pooling_lib.shapes.pooled_size``)::

    out = floor((in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1
"""

from __future__ import annotations

import functools

import torch

from pooling_lib.shapes import check_divisor_override, check_input, check_pool_args

__all__ = [
    "pool2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool2d_backward",
    "avg_pool2d_backward",
]


def _check_seed_pool2d(fn):
    """Validate the arguments of the seed's ``pool2d`` before its loops run.

    The seed's code (kept character for character below) silently returns zeros for an
    unknown ``mode`` and an empty tensor for a window larger than the input; here both
    raise an error that names the parameter and the rule.
    """

    @functools.wraps(fn)
    def checked(X: torch.Tensor, pool_size: tuple[int, int], mode: str = "max") -> torch.Tensor:
        if not isinstance(X, torch.Tensor):
            raise TypeError(f"pool2d: X must be a torch.Tensor, got {type(X).__name__}")
        if X.dim() != 2:
            raise ValueError(f"pool2d: X must be 2-D (H, W), got shape {tuple(X.shape)}")
        if (
            not isinstance(pool_size, (tuple, list))
            or len(pool_size) != 2
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in pool_size)
        ):
            raise TypeError(
                f"pool2d: pool_size must be a pair of ints (p_h, p_w), got {pool_size!r}"
            )
        p_h, p_w = pool_size
        if p_h < 1 or p_w < 1:
            raise ValueError(f"pool2d: pool_size must be positive, got {tuple(pool_size)}")
        if p_h > X.shape[0] or p_w > X.shape[1]:
            raise ValueError(
                f"pool2d: pool_size {tuple(pool_size)} must fit inside X of shape "
                f"{tuple(X.shape)} (output size H-p_h+1, W-p_w+1 must be at least 1)"
            )
        if mode not in ("max", "avg"):
            raise ValueError(f"pool2d: mode must be 'max' or 'avg', got {mode!r}")
        return fn(X, pool_size, mode)

    return checked


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
# PyTorch's pooling, one output element at a time.


def _lowest(dtype: torch.dtype) -> float:
    """The implicit padding value of max pooling: -inf (or the smallest integer)."""
    return float("-inf") if dtype.is_floating_point else torch.iinfo(dtype).min


def _sum_dtype(dtype: torch.dtype) -> torch.dtype:
    """PyTorch sums float16/bfloat16 windows in float32, other dtypes in their own type."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def max_pool2d(
    input: torch.Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """2-D max pooling with loops; ``torch.nn.functional.max_pool2d``'s signature.

    Input ``(N, C, H, W)`` or ``(C, H, W)``; output ``(N, C, H_out, W_out)`` with
    ``H_out = floor((H + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1`` (ceil with
    ``ceil_mode``). ``return_indices`` adds the position ``h * W + w`` of each maximum. A window
    that holds only padding gives ``-inf`` and index ``-1``.
    """
    check_input("max_pool2d", input, 2, allow_integer=True)
    args = check_pool_args(
        "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode, dims=2,
        input_shape=input.shape,
    )  # fmt: skip
    X = input if input.dim() == 4 else input.unsqueeze(0)
    N, C, H, W = X.shape
    (k_h, k_w), (s_h, s_w) = args.kernel_size, args.stride
    (p_h, p_w), (d_h, d_w) = args.padding, args.dilation
    out_h, out_w = args.output_size
    Y = torch.empty((N, C, out_h, out_w), dtype=X.dtype, device=X.device)
    I = torch.empty((N, C, out_h, out_w), dtype=torch.int64, device=X.device)  # noqa: E741
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    best, best_index = _lowest(X.dtype), -1
                    for a in range(k_h):
                        for b in range(k_w):
                            h = i * s_h - p_h + a * d_h  # row of window slot (a, b)
                            w = j * s_w - p_w + b * d_w
                            if not (0 <= h < H and 0 <= w < W):
                                continue  # implicit padding: never the maximum
                            v = X[n, c, h, w].item()
                            # the first maximum wins; a NaN always wins (so the last NaN does)
                            if best_index == -1 or v > best or v != v:
                                best, best_index = v, h * W + w
                    Y[n, c, i, j] = best
                    I[n, c, i, j] = best_index
    if input.dim() == 3:
        Y, I = Y[0], I[0]  # noqa: E741
    return (Y, I) if return_indices else Y


def max_pool1d(
    input: torch.Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """1-D max pooling with loops; ``torch.nn.functional.max_pool1d``'s signature.

    Input ``(N, C, L)`` or ``(C, L)``; output ``(N, C, L_out)`` with
    ``L_out = floor((L + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``.
    """
    check_input("max_pool1d", input, 1, allow_integer=True)
    args = check_pool_args(
        "max_pool1d", kernel_size, stride, padding, dilation, ceil_mode, dims=1,
        input_shape=input.shape,
    )  # fmt: skip
    X = input if input.dim() == 3 else input.unsqueeze(0)
    N, C, L = X.shape
    (k,), (s,), (p,), (d,) = args.kernel_size, args.stride, args.padding, args.dilation
    (out_l,) = args.output_size
    Y = torch.empty((N, C, out_l), dtype=X.dtype, device=X.device)
    I = torch.empty((N, C, out_l), dtype=torch.int64, device=X.device)  # noqa: E741
    for n in range(N):
        for c in range(C):
            for i in range(out_l):
                best, best_index = _lowest(X.dtype), -1
                for a in range(k):
                    t = i * s - p + a * d
                    if 0 <= t < L:
                        v = X[n, c, t].item()
                        if best_index == -1 or v > best or v != v:
                            best, best_index = v, t
                Y[n, c, i], I[n, c, i] = best, best_index
    if input.dim() == 2:
        Y, I = Y[0], I[0]  # noqa: E741
    return (Y, I) if return_indices else Y


def _avg_window(start: int, k: int, p: int, size: int) -> tuple[int, int, int]:
    """One dimension of an avg-pooling window: the clipped range and the length counted
    with ``count_include_pad`` (PyTorch stops that count at the end of the right padding)."""
    end = min(start + k, size + p)
    with_pad = end - start
    return max(start, 0), min(end, size), with_pad


def avg_pool2d(
    input: torch.Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override=None,
) -> torch.Tensor:
    """2-D average pooling with loops; ``torch.nn.functional.avg_pool2d``'s signature.

    Input ``(N, C, H, W)`` or ``(C, H, W)``; output ``(N, C, H_out, W_out)`` with
    ``H_out = floor((H + 2*padding - kernel_size) / stride) + 1`` (ceil with ``ceil_mode``).
    The divisor is ``divisor_override`` if given, else the window size (``count_include_pad``)
    or the number of input elements in the window. The sum runs in PyTorch's order and type,
    so the result equals ``torch.nn.functional.avg_pool2d`` on the CPU bit for bit.
    """
    check_input("avg_pool2d", input, 2, allow_integer=(torch.int64,))
    args = check_pool_args(
        "avg_pool2d", kernel_size, stride, padding, 1, ceil_mode, dims=2, input_shape=input.shape
    )
    divisor_override = check_divisor_override("avg_pool2d", divisor_override)
    X = input if input.dim() == 4 else input.unsqueeze(0)
    N, C, H, W = X.shape
    (k_h, k_w), (s_h, s_w), (p_h, p_w) = args.kernel_size, args.stride, args.padding
    out_h, out_w = args.output_size
    Y = torch.empty((N, C, out_h, out_w), dtype=X.dtype, device=X.device)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    h0, h1, pad_h = _avg_window(i * s_h - p_h, k_h, p_h, H)
                    w0, w1, pad_w = _avg_window(j * s_w - p_w, k_w, p_w, W)
                    total = torch.zeros((), dtype=_sum_dtype(X.dtype), device=X.device)
                    for h in range(h0, h1):
                        for w in range(w0, w1):
                            total += X[n, c, h, w]  # padding adds zero: skip it
                    if divisor_override is not None:
                        divisor = divisor_override
                    elif count_include_pad:
                        divisor = pad_h * pad_w
                    else:
                        divisor = (h1 - h0) * (w1 - w0)
                    Y[n, c, i, j] = total / divisor
    return Y if input.dim() == 4 else Y[0]


def avg_pool1d(
    input: torch.Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> torch.Tensor:
    """1-D average pooling with loops; ``torch.nn.functional.avg_pool1d``'s signature.

    Input ``(N, C, L)`` or ``(C, L)``; output ``(N, C, L_out)`` with
    ``L_out = floor((L + 2*padding - kernel_size) / stride) + 1``.
    """
    check_input("avg_pool1d", input, 1, allow_integer=(torch.int64,))
    args = check_pool_args(
        "avg_pool1d", kernel_size, stride, padding, 1, ceil_mode, dims=1, input_shape=input.shape
    )
    X = input if input.dim() == 3 else input.unsqueeze(0)
    N, C, L = X.shape
    (k,), (s,), (p,) = args.kernel_size, args.stride, args.padding
    (out_l,) = args.output_size
    Y = torch.empty((N, C, out_l), dtype=X.dtype, device=X.device)
    for n in range(N):
        for c in range(C):
            for i in range(out_l):
                t0, t1, with_pad = _avg_window(i * s - p, k, p, L)
                total = torch.zeros((), dtype=_sum_dtype(X.dtype), device=X.device)
                for t in range(t0, t1):
                    total += X[n, c, t]
                Y[n, c, i] = total / (with_pad if count_include_pad else t1 - t0)
    return Y if input.dim() == 3 else Y[0]


def max_pool2d_backward(
    grad_output: torch.Tensor,
    input: torch.Tensor,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
) -> torch.Tensor:
    """Gradient of ``max_pool2d`` with respect to ``input`` (same shape as ``input``).

    Each output's gradient goes to the first maximum of its window (the one ``max_pool2d``'s
    index names); a window of padding only passes no gradient. Sums run over the outputs in
    order, as PyTorch's do, so the result is bit-exact.
    """
    _, I = max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)  # noqa: E741
    _check_grad_output("max_pool2d_backward", grad_output, I.shape)
    batched = input.dim() == 4
    G = grad_output if batched else grad_output.unsqueeze(0)
    I = I if batched else I.unsqueeze(0)  # noqa: E741
    N, C, out_h, out_w = G.shape
    W = input.shape[-1]
    grad_input = torch.zeros(N, C, *input.shape[-2:], dtype=G.dtype, device=G.device)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    index = I[n, c, i, j].item()
                    if index >= 0:
                        grad_input[n, c, index // W, index % W] += G[n, c, i, j]
    return grad_input if batched else grad_input[0]


def avg_pool2d_backward(
    grad_output: torch.Tensor,
    input: torch.Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override=None,
) -> torch.Tensor:
    """Gradient of ``avg_pool2d`` with respect to ``input`` (same shape as ``input``).

    Each output's gradient, divided by its window's divisor, is added to every input element
    of the window (padding takes its share and drops it). Bit-exact with PyTorch on the CPU.
    """
    check_input("avg_pool2d_backward", input, 2)
    args = check_pool_args(
        "avg_pool2d_backward", kernel_size, stride, padding, 1, ceil_mode, dims=2,
        input_shape=input.shape,
    )  # fmt: skip
    divisor_override = check_divisor_override("avg_pool2d_backward", divisor_override)
    _check_grad_output("avg_pool2d_backward", grad_output, (*input.shape[:-2], *args.output_size))
    batched = input.dim() == 4
    G = grad_output if batched else grad_output.unsqueeze(0)
    N, C, out_h, out_w = G.shape
    H, W = input.shape[-2:]
    (k_h, k_w), (s_h, s_w), (p_h, p_w) = args.kernel_size, args.stride, args.padding
    grad_input = torch.zeros(N, C, H, W, dtype=G.dtype, device=G.device)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    h0, h1, pad_h = _avg_window(i * s_h - p_h, k_h, p_h, H)
                    w0, w1, pad_w = _avg_window(j * s_w - p_w, k_w, p_w, W)
                    if divisor_override is not None:
                        divisor = divisor_override
                    elif count_include_pad:
                        divisor = pad_h * pad_w
                    else:
                        divisor = (h1 - h0) * (w1 - w0)
                    share = G[n, c, i, j] / divisor
                    for h in range(h0, h1):
                        for w in range(w0, w1):
                            grad_input[n, c, h, w] += share
    return grad_input if batched else grad_input[0]


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
