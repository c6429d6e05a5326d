"""Plumbing shared by the pooling kernels: output layout, work chunks, padding value, the
accumulation dtype and the ordered scatter-add that makes gradients bit-exact with PyTorch."""

from __future__ import annotations

import itertools
import math

import torch

# Work on about this many input elements at a time, so that a chunk of input and output stays
# in the CPU cache while every slot of the window passes over it (measured on the benchmark
# workloads: 2**18 floats is 2-3x faster than whole tensors on 100 MB inputs).
CHUNK_ELEMENTS = 1 << 18


def _strides_like_channels_last(sizes, strides, order) -> bool:
    """PyTorch's ``is_channels_last_strides_2d/3d`` (c10/core/MemoryFormat.h): the strides
    grow along ``order`` (channels first, batch last); ambiguous cases count as contiguous."""
    if strides[1] == 0:
        return False
    least = 0
    for d in order:
        if sizes[d] == 0 or strides[d] < least:
            return False
        if d == 0 and least == strides[1]:
            return False
        least = strides[d] * (sizes[d] if sizes[d] > 1 else 1)
    return True


def memory_format(x: torch.Tensor) -> torch.memory_format:
    """The layout PyTorch gives pooling outputs: ``input.suggest_memory_format()``.

    Channels-last strides (dense or not, e.g. ``x.contiguous(memory_format=channels_last)[:,
    ::2]``) give ``channels_last`` (4-d) or ``channels_last_3d`` (5-d), anything else
    ``contiguous_format``. A 3-d ``(N, C, L)`` input is judged as PyTorch's 1-d pooling sees
    it, as ``(N, C, 1, L)``: ``channels_last`` when the channels are its innermost dimension.
    """
    if x.dim() == 3:
        (n, c, length), (s0, s1, s2) = x.shape, x.stride()
        return memory_format_of((n, c, 1, length), (s0, s1, s2 * length, s2), 4)
    return memory_format_of(tuple(x.shape), x.stride(), x.dim())


def memory_format_of(sizes, strides, dim: int) -> torch.memory_format:
    if dim == 4 and _strides_like_channels_last(sizes, strides, (1, 3, 2, 0)):
        return torch.channels_last
    if dim == 5 and _strides_like_channels_last(sizes, strides, (1, 4, 3, 2, 0)):
        return torch.channels_last_3d
    return torch.contiguous_format


def empty(
    shape, like: torch.Tensor, dtype: torch.dtype | None = None, fmt: torch.memory_format = None
) -> torch.Tensor:
    """An uninitialised output of ``shape`` in the layout PyTorch gives for input ``like``
    (``memory_format(like)`` unless ``fmt`` is given; a channels-last 3-d output is
    ``(N, L, C)`` permuted)."""
    dtype = like.dtype if dtype is None else dtype
    fmt = memory_format(like) if fmt is None else fmt
    if len(shape) == 3 and fmt == torch.channels_last:
        n, c, length = shape
        return torch.empty((n, length, c), dtype=dtype, device=like.device).permute(0, 2, 1)
    if fmt != torch.contiguous_format and len(shape) != like.dim():
        fmt = torch.contiguous_format
    return torch.empty(shape, dtype=dtype, device=like.device, memory_format=fmt)


def in_layout_of(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``t`` (same shape as the output for input ``like``) in ``like``'s output layout."""
    return in_format(t, memory_format(like))


def in_format(t: torch.Tensor, fmt: torch.memory_format) -> torch.Tensor:
    """``t`` in the layout ``fmt`` (a copy only if its strides differ; for a 3-d ``t``,
    ``channels_last`` means channels innermost, see ``memory_format``)."""
    if transformed(t):  # under torch.func transforms strides are not observable
        return t
    target = empty(t.shape, t, fmt=fmt)
    if target.stride() == t.stride():
        return t
    return target.copy_(t)


def chunks(x: torch.Tensor, target: int = CHUNK_ELEMENTS) -> list[tuple[slice, slice]]:
    """Split the (batch, channel) planes of ``x`` (shape ``(B, C, *spatial)``) into groups of
    about ``target`` input elements. Off the CPU the whole tensor is one chunk."""
    B, C = x.shape[:2]
    if x.device.type != "cpu" or x.numel() <= target:
        return [(slice(None), slice(None))]
    plane = max(1, math.prod(x.shape[2:]))
    per = max(1, target // plane)  # planes per chunk
    if per >= B * C:
        return [(slice(None), slice(None))]
    if per >= C:  # whole batch items
        nb = per // C
        return [(slice(b, min(B, b + nb)), slice(None)) for b in range(0, B, nb)]
    # channels split into equal parts, as many as the target gives rounded to the nearest (64
    # channels of 20 per target: 22, 21, 21, not 20, 20, 20, 4: each chunk costs a fixed
    # Python and dispatch time, about 0.2 ms with indices; measured, ResNet stem fwd+bwd)
    parts = max(1, round(C / per))
    bounds = [C * i // parts for i in range(parts + 1)]
    return [
        (slice(b, b + 1), slice(lo, hi)) for b in range(B) for lo, hi in itertools.pairwise(bounds)
    ]


def lowest(dtype: torch.dtype) -> float | int:
    """Implicit padding value of max pooling: -inf, or the smallest value of an integer type."""
    return float("-inf") if dtype.is_floating_point else torch.iinfo(dtype).min


def sum_dtype(dtype: torch.dtype) -> torch.dtype:
    """PyTorch sums float16/bfloat16 windows in float32, other dtypes in their own type."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def scatter_gradient(
    grad_output: torch.Tensor,
    index_of,
    input_shape: torch.Size,
    empty: torch.Tensor | None,
    disjoint: bool = False,
) -> torch.Tensor:
    """``grad_input[index[o]] += grad_output[o]`` per plane, outputs in order (bit-exact).

    ``index_of(bs, cs)`` gives the flat input indices of the chunk ``[bs, cs]`` of planes
    (made chunk by chunk, so that no full int64 index tensor is needed). ``empty`` masks
    outputs that pass no gradient; their index must be a valid one (0).

    ``disjoint``: no two outputs share an index (windows that do not overlap), so each input
    gets at most one addition to 0, ``0 + g``, which is ``g + 0.0`` in every dtype (``-0.0``
    becomes ``+0.0``), written by ``scatter_`` (measured: 0.24 ms against ``scatter_add_``'s
    0.41 ms for the 16x64x7x7 gradient of adaptive max pooling from 56x56).
    """
    B, C = input_shape[:2]
    grad_input = torch.zeros(
        (B, C, int(torch.Size(input_shape[2:]).numel())),
        dtype=grad_output.dtype,
        device=grad_output.device,
    )
    if grad_input.numel() == 0 or grad_output.numel() == 0:
        return grad_input.view(input_shape)
    for bs, cs in chunks(grad_output, CHUNK_ELEMENTS // 4):
        g = grad_output[bs, cs]
        if empty is not None:
            g = g.masked_fill(empty, -0.0)  # x + (-0.0) == x for every x: no contribution
        gi = grad_input[bs, cs]
        index = index_of(bs, cs).reshape(*gi.shape[:2], -1)
        if disjoint and empty is None:
            gi.scatter_(2, index, (g + 0.0).reshape(*gi.shape[:2], -1))
        else:
            accumulate_(gi, index, g.reshape(*gi.shape[:2], -1))
    return grad_input.view(input_shape)


def accumulate_(target: torch.Tensor, index: torch.Tensor, source: torch.Tensor) -> None:
    """``target[b, c, index[b, c, m]] += source[b, c, m]`` for ``m`` in order, each addition
    rounded to ``target``'s dtype, as PyTorch's CPU pooling kernels add gradients.

    ``scatter_add_`` does that for float32/float64 but sums float16/bfloat16 in float32, so
    those go through ``index_put_(accumulate=True)`` on the flattened (contiguous) target.
    """
    if target.dtype in (torch.float16, torch.bfloat16):
        B, C, L = target.shape
        planes = torch.arange(B * C, device=target.device).view(B, C, 1) * L
        flat = (index + planes).reshape(-1)
        target.view(-1).index_put_((flat,), source.reshape(-1), accumulate=True)
    else:
        target.scatter_add_(2, index, source)


def _has_tangent(t: torch.Tensor) -> bool:
    return torch.autograd.forward_ad.unpack_dual(t).tangent is not None


def transformed(t: torch.Tensor) -> bool:
    """Whether ``t`` is seen through a transform that the in-place kernels cannot run on: a
    ``torch.func`` wrapper (``grad``, ``vmap``, ``jvp``) or a forward-mode dual tensor."""
    return torch._C._functorch.is_functorch_wrapped_tensor(t) or _has_tangent(t)


def needs_function(x: torch.Tensor) -> bool:
    """Whether a kernel must run through its ``autograd.Function``: ``x`` needs a gradient
    (reverse mode), carries a tangent (forward mode) or is under a ``torch.func`` transform.
    Else the kernel runs directly, without autograd's bookkeeping."""
    return (torch.is_grad_enabled() and x.requires_grad) or transformed(x)


def plain_backward(grad: torch.Tensor) -> bool:
    """Whether a backward pass may use the fast in-place kernels on ``grad``: not on meta
    tensors, not under a transform, and not when the backward pass itself is differentiated
    (``create_graph=True``); then it runs differentiable operations instead."""
    return not (
        grad.is_meta or transformed(grad) or (torch.is_grad_enabled() and grad.requires_grad)
    )


def fold_vmap(in_dim: int, x: torch.Tensor) -> tuple[torch.Tensor, int]:
    """``vmap`` rule helper: move the vmapped dimension to the front and merge it with the
    batch dimension; returns the merged tensor and the vmap size (undo with ``unfold``)."""
    x = x.movedim(in_dim, 0)
    return x.reshape(x.shape[0] * x.shape[1], *x.shape[2:]), x.shape[0]


def unfold(t: torch.Tensor, size: int) -> torch.Tensor:
    return t.reshape(size, t.shape[0] // size if size else 0, *t.shape[1:])


def gather_by_index(t: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``t[b, c].flatten()[index[b, c]]`` (0 where the index is -1), with differentiable
    out-of-place operations: the forward-mode derivative of max pooling."""
    B, C = t.shape[:2]
    flat = index.reshape(B, C, -1)
    values = t.reshape(B, C, -1).gather(2, flat.clamp(min=0))
    return values.masked_fill(flat < 0, 0).reshape(index.shape)


def scatter_by_index(
    grad: torch.Tensor, index: torch.Tensor, input_shape: torch.Size
) -> torch.Tensor:
    """``grad_input[b, c].flatten()[index[b, c]] += grad[b, c]`` (skipping index -1), with
    differentiable out-of-place operations: the backward pass of max pooling when it is itself
    differentiated or transformed. Adds in output order, as ``scatter_gradient`` does."""
    B, C = grad.shape[:2]
    flat = index.reshape(B, C, -1)
    source = grad.reshape(B, C, -1).masked_fill(flat < 0, 0)
    cells = math.prod(input_shape[2:])
    zeros = torch.zeros((B, C, cells), dtype=grad.dtype, device=grad.device)
    flat = flat.clamp(min=0)
    if grad.dtype in (torch.float16, torch.bfloat16):  # each addition rounded, see accumulate_
        planes = torch.arange(B * C, device=grad.device).view(B, C, 1) * cells
        result = zeros.view(-1).index_put(
            ((flat + planes).reshape(-1),), source.reshape(-1), accumulate=True
        )
    else:
        result = zeros.scatter_add(2, flat, source)
    return result.reshape(B, C, *input_shape[2:])


class LinearPool(torch.autograd.Function):
    """``y = A x`` for a linear pooling map ``A`` given as ``op``: ``op.forward(x)`` computes
    ``A x`` and ``op.backward(g)`` computes ``A^T g`` with the fast kernels, on plain tensors.

    Each pass is the other's derivative, so the function is differentiable any number of
    times: backward runs ``A^T`` (through this function again when the backward pass is
    itself differentiated or transformed), forward mode (``jvp``) runs ``A`` on the tangent,
    and ``vmap`` merges the vmapped dimension into the batch.
    """

    @staticmethod
    def forward(x: torch.Tensor, op, transposed: bool) -> torch.Tensor:  # type: ignore[override]
        return op.backward(x) if transposed else op.forward(x)

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        _, ctx.op, ctx.transposed = inputs

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        if plain_backward(grad):
            return LinearPool.forward(grad, ctx.op, not ctx.transposed), None, None
        return LinearPool.apply(grad, ctx.op, not ctx.transposed), None, None

    @staticmethod
    def jvp(ctx, tangent: torch.Tensor, *_):  # type: ignore[override]
        return LinearPool.apply(tangent, ctx.op, ctx.transposed)

    @staticmethod
    def vmap(info, in_dims, x, op, transposed):
        flat, size = fold_vmap(in_dims[0], x)
        return unfold(LinearPool.apply(flat, op, transposed), size), 0


def linear_pool(x: torch.Tensor, op) -> torch.Tensor:
    """``op.forward(x)``, through ``LinearPool`` when autograd or a transform needs it."""
    return LinearPool.apply(x, op, False) if needs_function(x) else op.forward(x)
