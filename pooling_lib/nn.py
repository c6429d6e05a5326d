"""Pooling modules mirroring ``torch.nn``, computed by pooling_lib's vectorized functions.

Each class subclasses its ``torch.nn`` namesake, so constructor arguments, attributes and
``repr`` (``extra_repr``) are PyTorch's own, and ``isinstance(m, torch.nn.MaxPool2d)`` holds;
only ``forward`` differs: it calls ``pooling_lib.functional``. Two further differences:
the window arguments are checked when the module is built (PyTorch checks them on the first
call), and the pooling follows pooling_lib's documented fixes (a window of padding only gives
-inf and index -1). So ``pooling_lib.nn.MaxPool2d(3, padding=1, stride=2)`` can replace
``torch.nn.MaxPool2d(3, padding=1, stride=2)`` and prints the same values.

Shapes are those of ``torch.nn``; e.g. ``MaxPool2d``: ``(N, C, H_in, W_in)`` or
``(C, H_in, W_in)`` -> ``(N, C, H_out, W_out)`` with
``H_out = floor((H_in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``.
"""

from __future__ import annotations

import torch

from pooling_lib import functional as PF
from pooling_lib.shapes import (
    check_bool,
    check_divisor_override,
    check_norm_type,
    check_pool_args,
)

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "LPPool1d",
    "LPPool2d",
    "MaxUnpool2d",
]


class _CheckedMaxPool:
    _dims = 2

    def _check(self) -> None:
        check_pool_args(
            type(self).__name__, self.kernel_size, self.stride, self.padding, self.dilation,
            self.ceil_mode, dims=self._dims,
        )  # fmt: skip


class MaxPool1d(torch.nn.MaxPool1d, _CheckedMaxPool):
    """``torch.nn.MaxPool1d``: ``(N, C, L_in)`` or ``(C, L_in)`` -> ``(N, C, L_out)``,
    ``L_out = floor((L_in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``."""

    _dims = 1

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._check()

    def forward(self, input: torch.Tensor):
        return PF.max_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.dilation,
            ceil_mode=self.ceil_mode, return_indices=self.return_indices,
        )  # fmt: skip


class MaxPool2d(torch.nn.MaxPool2d, _CheckedMaxPool):
    """``torch.nn.MaxPool2d``: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` ->
    ``(N, C, H_out, W_out)``,
    ``H_out = floor((H_in + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1) / stride[0]) + 1``.
    """

    _dims = 2

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._check()

    def forward(self, input: torch.Tensor):
        return PF.max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation,
            ceil_mode=self.ceil_mode, return_indices=self.return_indices,
        )  # fmt: skip


class MaxPool3d(torch.nn.MaxPool3d, _CheckedMaxPool):
    """``torch.nn.MaxPool3d``: ``(N, C, D_in, H_in, W_in)`` -> ``(N, C, D_out, H_out, W_out)``,
    each ``out = floor((in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``."""

    _dims = 3

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._check()

    def forward(self, input: torch.Tensor):
        return PF.max_pool3d(
            input, self.kernel_size, self.stride, self.padding, self.dilation,
            ceil_mode=self.ceil_mode, return_indices=self.return_indices,
        )  # fmt: skip


class AvgPool1d(torch.nn.AvgPool1d):
    """``torch.nn.AvgPool1d``: ``(N, C, L_in)`` or ``(C, L_in)`` -> ``(N, C, L_out)``,
    ``L_out = floor((L_in + 2*padding - kernel_size) / stride) + 1``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        check_pool_args(
            "AvgPool1d", self.kernel_size, self.stride, self.padding, 1, self.ceil_mode, dims=1
        )

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.avg_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad,
        )  # fmt: skip


class _AvgPoolNd:
    _dims = 2

    def _check(self) -> None:
        name = type(self).__name__
        check_pool_args(
            name, self.kernel_size, self.stride, self.padding, 1, self.ceil_mode, dims=self._dims
        )
        check_divisor_override(name, self.divisor_override)


class AvgPool2d(torch.nn.AvgPool2d, _AvgPoolNd):
    """``torch.nn.AvgPool2d``: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` ->
    ``(N, C, H_out, W_out)``, ``H_out = floor((H_in + 2*padding[0] - kernel_size[0]) /
    stride[0]) + 1``."""

    _dims = 2

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._check()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.avg_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad, self.divisor_override,
        )  # fmt: skip


class AvgPool3d(torch.nn.AvgPool3d, _AvgPoolNd):
    """``torch.nn.AvgPool3d``: ``(N, C, D_in, H_in, W_in)`` -> ``(N, C, D_out, H_out, W_out)``,
    each ``out = floor((in + 2*padding - kernel_size) / stride) + 1``."""

    _dims = 3

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._check()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.avg_pool3d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad, self.divisor_override,
        )  # fmt: skip


class AdaptiveMaxPool1d(torch.nn.AdaptiveMaxPool1d):
    """``torch.nn.AdaptiveMaxPool1d``: ``(N, C, L_in)`` -> ``(N, C, output_size)``."""

    def forward(self, input: torch.Tensor):
        return PF.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(torch.nn.AdaptiveMaxPool2d):
    """``torch.nn.AdaptiveMaxPool2d``: ``(N, C, H_in, W_in)`` -> ``(N, C, *output_size)``."""

    def forward(self, input: torch.Tensor):
        return PF.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(torch.nn.AdaptiveAvgPool1d):
    """``torch.nn.AdaptiveAvgPool1d``: ``(N, C, L_in)`` -> ``(N, C, output_size)``."""

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(torch.nn.AdaptiveAvgPool2d):
    """``torch.nn.AdaptiveAvgPool2d``: ``(N, C, H_in, W_in)`` -> ``(N, C, *output_size)``."""

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.adaptive_avg_pool2d(input, self.output_size)


class _LPPoolNd:
    """What ``LPPool1d`` and ``LPPool2d`` add to PyTorch's modules: ``norm_type`` and the
    window checked when the module is built, and the ``torch_compatible`` switch of
    ``pooling_lib.functional.lp_pool2d`` (off: the true power sum, see there)."""

    _dims = 2

    def __init__(
        self,
        norm_type: float,
        kernel_size,
        stride=None,
        ceil_mode: bool = False,
        *,
        torch_compatible: bool = False,
    ) -> None:
        name = type(self).__name__
        check_norm_type(name, norm_type)
        check_pool_args(name, kernel_size, stride, 0, 1, ceil_mode, dims=self._dims)
        super().__init__(norm_type, kernel_size, stride, ceil_mode)
        check_bool(name, "torch_compatible", torch_compatible)
        self.torch_compatible = torch_compatible

    def extra_repr(self) -> str:
        extra = super().extra_repr()
        return extra + ", torch_compatible=True" if self.torch_compatible else extra


class LPPool1d(_LPPoolNd, torch.nn.LPPool1d):
    """``torch.nn.LPPool1d``: ``(N, C, L_in)`` -> ``(N, C, L_out)``,
    ``L_out = floor((L_in - kernel_size) / stride) + 1``."""

    _dims = 1

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.lp_pool1d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode,
            torch_compatible=self.torch_compatible,
        )  # fmt: skip


class LPPool2d(_LPPoolNd, torch.nn.LPPool2d):
    """``torch.nn.LPPool2d``: ``(N, C, H_in, W_in)`` -> ``(N, C, H_out, W_out)``,
    ``H_out = floor((H_in - kernel_size[0]) / stride[0]) + 1``."""

    _dims = 2

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.lp_pool2d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode,
            torch_compatible=self.torch_compatible,
        )  # fmt: skip


class MaxUnpool2d(torch.nn.MaxUnpool2d):
    """``torch.nn.MaxUnpool2d``: ``(N, C, H_in, W_in)`` -> ``(N, C, H_out, W_out)``,
    ``H_out = (H_in - 1) * stride[0] - 2 * padding[0] + kernel_size[0]``."""

    def forward(
        self, input: torch.Tensor, indices: torch.Tensor, output_size: list[int] | None = None
    ) -> torch.Tensor:
        return PF.max_unpool2d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )
