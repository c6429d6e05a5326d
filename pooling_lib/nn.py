"""Pooling modules mirroring ``torch.nn``, computed by pooling_lib's vectorized functions.

Each class subclasses its ``torch.nn`` namesake, so constructor arguments, attributes and
``repr`` (``extra_repr``) are PyTorch's own, and ``isinstance(m, torch.nn.MaxPool2d)`` holds;
only ``forward`` differs: it calls ``pooling_lib.functional``. Two further differences:
the window arguments are checked when the module is built (PyTorch checks them on the first
call), and the pooling follows pooling_lib's documented fixes (a window of padding only gives
-inf and index -1; ``LPPool1d/2d`` give the true power sum unless built with
``torch_compatible=True``, see ``pooling_lib.functional.lp_pool2d``). So
``pooling_lib.nn.MaxPool2d(3, padding=1, stride=2)`` can replace
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
    """1-D max pooling as a module: ``torch.nn.MaxPool1d``.

    Args:
        kernel_size, stride, padding, dilation, return_indices, ceil_mode: as for
            ``pooling_lib.functional.max_pool1d`` (in ``torch.nn``'s order).

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, with
          ``L_out = floor((L_in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> MaxPool1d(2)(torch.tensor([[1.0, 3.0, 2.0, 5.0]]))
        tensor([[3., 5.]])

    Source: ``torch.nn.MaxPool1d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

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
    """2-D max pooling as a module: ``torch.nn.MaxPool2d``.

    Args:
        kernel_size, stride, padding, dilation, return_indices, ceil_mode: as for
            ``pooling_lib.functional.max_pool2d`` (in ``torch.nn``'s order).

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, with
          ``H_out = floor((H_in + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1)
          / stride[0]) + 1`` and ``W_out`` likewise

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> MaxPool2d(2, stride=1)(torch.tensor([[[1.0, 2.0], [4.0, 3.0]]]))
        tensor([[[4.]]])

    Source: ``torch.nn.MaxPool2d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
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
    """3-D max pooling as a module: ``torch.nn.MaxPool3d``.

    Args:
        kernel_size, stride, padding, dilation, return_indices, ceil_mode: as for
            ``pooling_lib.functional.max_pool3d`` (in ``torch.nn``'s order).

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``
        - Output: ``(N, C, D_out, H_out, W_out)``, per dimension
          ``out = floor((in + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> MaxPool3d(2)(torch.arange(8.0).view(1, 2, 2, 2))
        tensor([[[[7.]]]])

    Source: ``torch.nn.MaxPool3d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

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
    """1-D average pooling as a module: ``torch.nn.AvgPool1d``.

    Args:
        kernel_size, stride, padding, ceil_mode, count_include_pad: as for
            ``pooling_lib.functional.avg_pool1d``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, with
          ``L_out = floor((L_in + 2*padding - kernel_size) / stride) + 1``

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> AvgPool1d(2)(torch.tensor([[1.0, 3.0, 2.0, 5.0]]))
        tensor([[2.0000, 3.5000]])

    Source: ``torch.nn.AvgPool1d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

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
    """2-D average pooling as a module: ``torch.nn.AvgPool2d``.

    Args:
        kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override: as for
            ``pooling_lib.functional.avg_pool2d``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, with
          ``H_out = floor((H_in + 2*padding[0] - kernel_size[0]) / stride[0]) + 1`` and
          ``W_out`` likewise

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> AvgPool2d(2)(torch.tensor([[[1.0, 2.0], [4.0, 3.0]]]))
        tensor([[[2.5000]]])

    Source: ``torch.nn.AvgPool2d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

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
    """3-D average pooling as a module: ``torch.nn.AvgPool3d``.

    Args:
        kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override: as for
            ``pooling_lib.functional.avg_pool3d``.

    Shape:
        - Input: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)``
        - Output: ``(N, C, D_out, H_out, W_out)``, per dimension
          ``out = floor((in + 2*padding - kernel_size) / stride) + 1``

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> AvgPool3d(2)(torch.arange(8.0).view(1, 2, 2, 2))
        tensor([[[[3.5000]]]])

    Source: ``torch.nn.AvgPool3d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

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
    """1-D adaptive max pooling as a module: ``torch.nn.AdaptiveMaxPool1d``.

    Args:
        output_size, return_indices: as for ``pooling_lib.functional.adaptive_max_pool1d``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, with ``L_out = output_size``

    Raises:
        TypeError, ValueError: called with a bad input or a bad argument (checked on the
            call, as in PyTorch); the message names the parameter, its value and the rule.

    Example:
        >>> AdaptiveMaxPool1d(2)(torch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]))
        tensor([[3., 5.]])

    Source: ``torch.nn.AdaptiveMaxPool1d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

    def forward(self, input: torch.Tensor):
        return PF.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(torch.nn.AdaptiveMaxPool2d):
    """2-D adaptive max pooling as a module: ``torch.nn.AdaptiveMaxPool2d``.

    Args:
        output_size, return_indices: as for ``pooling_lib.functional.adaptive_max_pool2d``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, with
          ``(H_out, W_out) = output_size`` (``None`` keeps that input size)

    Raises:
        TypeError, ValueError: called with a bad input or a bad argument (checked on the
            call, as in PyTorch); the message names the parameter, its value and the rule.

    Example:
        >>> AdaptiveMaxPool2d((1, None))(torch.arange(6.0).view(1, 2, 3))
        tensor([[[3., 4., 5.]]])

    Source: ``torch.nn.AdaptiveMaxPool2d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

    def forward(self, input: torch.Tensor):
        return PF.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(torch.nn.AdaptiveAvgPool1d):
    """1-D adaptive average pooling as a module: ``torch.nn.AdaptiveAvgPool1d``.

    Args:
        output_size: as for ``pooling_lib.functional.adaptive_avg_pool1d``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, with ``L_out = output_size``

    Raises:
        TypeError, ValueError: called with a bad input or a bad argument (checked on the
            call, as in PyTorch); the message names the parameter, its value and the rule.

    Example:
        >>> AdaptiveAvgPool1d(1)(torch.tensor([[1.0, 3.0, 2.0, 6.0]]))
        tensor([[3.]])

    Source: ``torch.nn.AdaptiveAvgPool1d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(torch.nn.AdaptiveAvgPool2d):
    """2-D adaptive average pooling as a module: ``torch.nn.AdaptiveAvgPool2d``.

    Args:
        output_size: as for ``pooling_lib.functional.adaptive_avg_pool2d``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, with
          ``(H_out, W_out) = output_size`` (``None`` keeps that input size)

    Raises:
        TypeError, ValueError: called with a bad input or a bad argument (checked on the
            call, as in PyTorch); the message names the parameter, its value and the rule.

    Example:
        >>> AdaptiveAvgPool2d(1)(torch.arange(4.0).view(1, 2, 2))
        tensor([[[1.5000]]])

    Source: ``torch.nn.AdaptiveAvgPool2d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

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
    """1-D power-average pooling as a module: ``torch.nn.LPPool1d``.

    Args:
        norm_type, kernel_size, stride, ceil_mode, torch_compatible: as for
            ``pooling_lib.functional.lp_pool1d`` (``torch_compatible`` is keyword-only and
            off by default: the true power sum, see there).

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``
        - Output: ``(N, C, L_out)`` or ``(C, L_out)``, with
          ``L_out = floor((L_in - kernel_size) / stride) + 1``

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> LPPool1d(2, 2)(torch.tensor([[3.0, 4.0, 0.0, 1.0]]))
        tensor([[5., 1.]])

    Source: ``torch.nn.LPPool1d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

    _dims = 1

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.lp_pool1d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode,
            torch_compatible=self.torch_compatible,
        )  # fmt: skip


class LPPool2d(_LPPoolNd, torch.nn.LPPool2d):
    """2-D power-average pooling as a module: ``torch.nn.LPPool2d``.

    Args:
        norm_type, kernel_size, stride, ceil_mode, torch_compatible: as for
            ``pooling_lib.functional.lp_pool2d`` (``torch_compatible`` is keyword-only and
            off by default: the true power sum, see there).

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, with
          ``H_out = floor((H_in - kernel_size[0]) / stride[0]) + 1`` and ``W_out`` likewise

    Raises:
        TypeError, ValueError: built with a bad argument (checked here; PyTorch checks on
            the first call) or called with a bad input; the message names the parameter,
            its value and the rule.

    Example:
        >>> LPPool2d(2, 2)(torch.tensor([[[3.0, 4.0], [0.0, 0.0]]]))
        tensor([[[5.]]])

    Source: ``torch.nn.LPPool2d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

    _dims = 2

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return PF.lp_pool2d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode,
            torch_compatible=self.torch_compatible,
        )  # fmt: skip


class MaxUnpool2d(torch.nn.MaxUnpool2d):
    """Partial inverse of ``MaxPool2d`` as a module: ``torch.nn.MaxUnpool2d``.

    Args:
        kernel_size, stride, padding: those of the ``MaxPool2d``; ``forward(input,
            indices, output_size=None)`` as ``pooling_lib.functional.max_unpool2d``.

    Shape:
        - Input and indices: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``, with
          ``H_out = (H_in - 1) * stride[0] - 2 * padding[0] + kernel_size[0]`` unless
          ``output_size`` says otherwise

    Raises:
        TypeError, ValueError: called with a bad input or a bad argument (checked on the
            call, as in PyTorch); the message names the parameter, its value and the rule.

    Example:
        >>> x = torch.tensor([[[1.0, 2.0], [4.0, 3.0]]])
        >>> pooled, indices = MaxPool2d(2, return_indices=True)(x)
        >>> MaxUnpool2d(2)(pooled, indices)
        tensor([[[0., 0.],
                 [4., 0.]]])

    Source: ``torch.nn.MaxUnpool2d`` (PyTorch 2.x), computed by ``pooling_lib.functional``.
    """

    def forward(
        self, input: torch.Tensor, indices: torch.Tensor, output_size: list[int] | None = None
    ) -> torch.Tensor:
        return PF.max_unpool2d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )
