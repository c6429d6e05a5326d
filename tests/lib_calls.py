"""One call of every public function of ``pooling_lib.functional``, for the tests that run
the whole API through one property (layouts, empty shapes, autograd modes).

``CALLS[name] = (dims, call)``: ``call(module, x)`` calls the function of that name from
``module`` (``torch.nn.functional`` or ``pooling_lib.functional``) on ``x`` of shape
``(N, C, *spatial)`` or ``(C, *spatial)`` with ``dims`` spatial dimensions, always with
indices where the function can return them, and returns a tuple of tensors.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _tuple(result) -> tuple[torch.Tensor, ...]:
    return result if isinstance(result, tuple) else (result,)


def _unpool(m, x):
    # the indices come from PyTorch's max_pool2d, so both libraries unpool the same thing
    if x.shape[-3] == 0:  # PyTorch's max_pool2d rejects 0 channels: empty indices
        values = x[..., ::2, ::2]
        indices = torch.zeros(values.shape, dtype=torch.int64)
    else:
        values, indices = F.max_pool2d(x, 2, 2, return_indices=True)
    return m.max_unpool2d(values, indices, 2, 2, output_size=x.shape[-2:])


CALLS = {
    "max_pool1d": (1, lambda m, x: m.max_pool1d(x, 3, 2, 1, return_indices=True)),
    "max_pool2d": (2, lambda m, x: m.max_pool2d(x, (2, 3), (2, 1), 1, return_indices=True)),
    "max_pool3d": (3, lambda m, x: m.max_pool3d(x, 2, 1, 1, return_indices=True)),
    "avg_pool1d": (1, lambda m, x: m.avg_pool1d(x, 3, 2, 1)),
    "avg_pool2d": (2, lambda m, x: m.avg_pool2d(x, (2, 3), (2, 1), 1)),
    "avg_pool3d": (3, lambda m, x: m.avg_pool3d(x, 2, 1, 1)),
    "adaptive_max_pool1d": (1, lambda m, x: m.adaptive_max_pool1d(x, 3, return_indices=True)),
    "adaptive_max_pool2d": (2, lambda m, x: m.adaptive_max_pool2d(x, (3, 2), return_indices=True)),
    "adaptive_max_pool2d_1x1": (2, lambda m, x: m.adaptive_max_pool2d(x, 1, return_indices=True)),
    "adaptive_avg_pool1d": (1, lambda m, x: m.adaptive_avg_pool1d(x, 3)),
    "adaptive_avg_pool2d": (2, lambda m, x: m.adaptive_avg_pool2d(x, (3, 2))),
    "adaptive_avg_pool2d_1x1": (2, lambda m, x: m.adaptive_avg_pool2d(x, 1)),
    "lp_pool1d": (1, lambda m, x: m.lp_pool1d(x, 2, 2)),
    "lp_pool2d": (2, lambda m, x: m.lp_pool2d(x, 2, 2)),
    "max_unpool2d": (2, _unpool),
}


def call(name: str, module, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    return _tuple(CALLS[name][1](module, x))
