"""Generalized mean (GeM) pooling: a global power mean with a learnable exponent.

For the ``m = H*W`` values ``x_j`` of one channel,

    GeM_p(x) = ((1/m) * sum_j x_j**p) ** (1/p),

the *power mean* of the channel: ``p = 1`` gives global average pooling and ``p -> inf``
global max pooling. Radenović, Tolias and Chum (2019) pool the last feature map of an
image-retrieval network this way and learn ``p`` with the other weights. The values must be
positive, so they are clamped to ``eps`` first (they follow a ReLU, so they are never
negative, but a whole channel can be 0): the clamp keeps the gradients finite for such a
channel, where the root of a zero mean and ``log 0`` in the derivative by ``p`` would give
NaN. (It is not needed for ``x**p`` itself, whose gradient at 0 is 0 for ``p > 1``.)

It is the power mean of ``pooling_lib.functional.lp_pool2d``'s power sum: ``gem`` equals
``lp_pool2d(x, p, (H, W)) / (H*W) ** (1/p)``. ``gem`` computes it as
``M * mean((x/M)**p) ** (1/p)`` with ``M`` the channel's maximum, which is the same number
but does not overflow for large ``p``.
"""

from __future__ import annotations

import math

import torch

__all__ = ["GeM", "gem"]


def _check_p(fn: str, p: object) -> None:
    value = p.detach() if isinstance(p, torch.Tensor) else p
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 and value.ndim != 1:
            raise ValueError(f"{fn}: p of shape {tuple(value.shape)} must be a number or (C,)")
        bad = ~(torch.isfinite(value) & (value > 0))
        if bool(bad.any()):
            raise ValueError(f"{fn}: p={value.tolist()} must be positive and finite")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{fn}: p={value!r} must be a number or a tensor")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{fn}: p={value!r} must be positive and finite")


def gem(input: torch.Tensor, p: float | torch.Tensor = 3.0, eps: float = 1e-6) -> torch.Tensor:
    """Generalized-mean pooling of each channel over its whole height and width.

    ``((1/(H*W)) * sum over the plane of clamp(x, min=eps)**p) ** (1/p)`` per channel.
    ``p = 1`` is ``adaptive_avg_pool2d(x, 1)`` (for inputs ``>= eps``); as ``p`` grows it
    tends to ``adaptive_max_pool2d(x, 1)``.

    Args:
        input: floating point tensor ``(N, C, H, W)`` or ``(C, H, W)``.
        p: the exponent, positive and finite: a number, a 1-element tensor, or one per
            channel ``(C,)``; a tensor with ``requires_grad`` is learned through this.
        eps: inputs below ``eps`` are raised to it (default ``1e-6``), so that the
            gradients stay finite (not NaN) for a channel that is 0 everywhere.

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``
        - Output: ``(N, C, 1, 1)`` or ``(C, 1, 1)``, as ``adaptive_avg_pool2d(input, 1)``

    Returns:
        the pooled tensor.

    Raises:
        TypeError: ``input`` is not a floating point tensor, or ``p`` not a number.
        ValueError: ``input`` is not 3-d or 4-d, ``p`` is not positive and finite, has the
            wrong number of entries, or ``eps`` is not positive.

    Example:
        >>> x = torch.tensor([[[[1.0, 2.0], [3.0, 6.0]]]])
        >>> gem(x, p=1.0).flatten().item()
        3.0
        >>> round(gem(x, p=1000.0).item(), 2)  # close to the maximum, 6
        5.99

    Source: Radenović, Tolias and Chum (2019, TPAMI), "Fine-tuning CNN image retrieval with no
    human annotation", equation of GeM pooling (their code clamps to ``eps=1e-6``).
    """
    fn = "gem"
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"{fn}: input must be a torch.Tensor, got {type(input).__name__}")
    if not input.is_floating_point():
        raise TypeError(f"{fn}: input.dtype={input.dtype} must be a floating point dtype")
    if input.ndim not in (3, 4):
        raise ValueError(
            f"{fn}: input.shape={tuple(input.shape)} must be (N, C, H, W) or (C, H, W)"
        )
    _check_p(fn, p)
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise ValueError(f"{fn}: eps={eps!r} must be a positive number")
    channels = input.shape[-3]
    if isinstance(p, torch.Tensor):
        if p.numel() not in (1, channels):
            raise ValueError(
                f"{fn}: p has {p.numel()} entries; it must have 1 or one per channel ({channels})"
            )
        p = p.to(input.dtype).reshape(-1, 1, 1)
    x = input.clamp(min=eps)
    top = x.detach().amax(dim=(-2, -1), keepdim=True)  # the result does not depend on it
    return top * (x / top).pow(p).mean(dim=(-2, -1), keepdim=True).pow(1 / p)


class GeM(torch.nn.Module):
    """Generalized-mean pooling with a learnable exponent ``p``: see :func:`gem`.

    Args:
        p: the initial exponent (default 3.0, the initial value of the authors' code).
        eps: the clamp of :func:`gem` (default ``1e-6``).
        per_channel: learn one exponent per channel instead of one for all; then
            ``num_channels`` is required.
        num_channels: the number of channels ``C`` (only with ``per_channel``).

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``
        - Output: ``(N, C, 1, 1)`` or ``(C, 1, 1)``

    Raises:
        TypeError, ValueError: built with a bad ``p``, ``eps`` or ``num_channels``, or
            called with a bad input (see :func:`gem`); the message names the value.

    Example:
        >>> pool = GeM()
        >>> pool.p
        Parameter containing:
        tensor([3.], requires_grad=True)
        >>> pool(torch.ones(2, 4, 5, 5)).shape
        torch.Size([2, 4, 1, 1])

    Source: Radenović, Tolias and Chum (2019); the module of their ``cirtorch`` code
    (``cirtorch.layers.pooling.GeM``), with ``p`` a parameter of shape ``(1,)``.
    """

    def __init__(
        self,
        p: float = 3.0,
        eps: float = 1e-6,
        per_channel: bool = False,
        num_channels: int | None = None,
    ) -> None:
        super().__init__()
        _check_p("GeM", p)
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
            raise ValueError(f"GeM: eps={eps!r} must be a positive number")
        if per_channel:
            if isinstance(num_channels, bool) or not isinstance(num_channels, int):
                raise TypeError(
                    f"GeM: num_channels={num_channels!r} must be an int with per_channel=True"
                )
            if num_channels < 1:
                raise ValueError(f"GeM: num_channels={num_channels} must be at least 1")
        elif num_channels is not None:
            raise ValueError(
                f"GeM: num_channels={num_channels!r} is only used with per_channel=True"
            )
        self.eps = float(eps)
        self.p = torch.nn.Parameter(torch.full((num_channels if per_channel else 1,), float(p)))

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return gem(input, self.p, self.eps)

    def extra_repr(self) -> str:
        p = self.p.detach()
        shown = f"{p.item():.4g}" if p.numel() == 1 else f"({p.numel()} values)"
        return f"p={shown}, eps={self.eps}"
