"""Plumbing shared by the pooling kernels: output layout, work chunks, padding value, the
accumulation dtype and the ordered scatter-add that makes gradients bit-exact with PyTorch."""

from __future__ import annotations

import math

import torch

# Work on about this many input elements at a time, so that a chunk of input and output stays
# in the CPU cache while every slot of the window passes over it (measured on the benchmark
# workloads: 2**18 floats is 2-3x faster than whole tensors on 100 MB inputs).
CHUNK_ELEMENTS = 1 << 18


def memory_format(x: torch.Tensor) -> torch.memory_format:
    """The layout PyTorch gives pooling outputs: channels-last inputs keep it."""
    if x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last):
        if not x.is_contiguous():
            return torch.channels_last
    if x.dim() == 5 and x.is_contiguous(memory_format=torch.channels_last_3d):
        if not x.is_contiguous():
            return torch.channels_last_3d
    return torch.contiguous_format


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
    return [
        (slice(b, b + 1), slice(c, min(C, c + per))) for b in range(B) for c in range(0, C, per)
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
) -> torch.Tensor:
    """``grad_input[index[o]] += grad_output[o]`` per plane, outputs in order (bit-exact).

    ``index_of(bs, cs)`` gives the flat input indices of the chunk ``[bs, cs]`` of planes
    (made chunk by chunk, so that no full int64 index tensor is needed). ``empty`` masks
    outputs that pass no gradient; their index must be a valid one (0).
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
