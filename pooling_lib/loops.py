"""Pooling written as plain Python loops over output positions: the teaching reference.

Read these functions in class; use the vectorized ones at the package top level for speed.
"""

from __future__ import annotations

import functools

import torch

__all__ = ["pool2d"]


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
            raise TypeError(f"pool2d: pool_size must be a pair of ints (p_h, p_w), got {pool_size!r}")
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
