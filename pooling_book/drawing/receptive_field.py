"""Receptive fields of stacks of convolution and pooling layers, computed layer by layer.

Along one spatial axis, a layer with kernel size ``k``, stride ``s``, padding ``p`` and dilation
``d`` covers ``k_eff = d * (k - 1) + 1`` input positions. Starting from the input
(``r_0 = 1``, ``j_0 = 1``, ``c_0 = 0``) the recurrences (Araujo et al., 2019) are::

    j_l = j_{l-1} * s_l                                (jump: input pixels between neighbours)
    r_l = r_{l-1} + (k_eff_l - 1) * j_{l-1}            (receptive field size)
    c_l = c_{l-1} + ((k_eff_l - 1) / 2 - p_l) * j_{l-1} (centre of the first unit's field)

so output unit ``i`` of layer ``l`` sees the input positions
``c_l + i * j_l - (r_l - 1) / 2`` to ``c_l + i * j_l + (r_l - 1) / 2`` (inclusive; positions
below 0 or past the end are padding).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from torch import nn

__all__ = ["Window", "ReceptiveField", "window_of", "receptive_fields"]

# Modules that act on each position separately: they leave the receptive field unchanged.
_POINTWISE = (
    nn.Identity,
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.GELU,
    nn.SiLU,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Dropout,
    nn.Dropout2d,
    nn.BatchNorm1d,
    nn.BatchNorm2d,
)


@dataclass(frozen=True)
class Window:
    """Geometry of one sliding-window layer along one axis."""

    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    def __post_init__(self) -> None:
        for name, low in (("kernel_size", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"Window: {name} must be an int, got {value!r}")
            if value < low:
                raise ValueError(f"Window: {name} must be >= {low}, got {value}")


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of the units of one layer along one axis, in input pixels.

    ``size`` is the number of input positions one unit sees, ``jump`` the distance in input
    positions between the fields of neighbouring units, and ``start`` the centre of the field of
    unit 0 (a half-integer when ``size`` is even; negative values lie in the padding).
    """

    size: int
    jump: int
    start: float

    def span(self, index: int) -> tuple[float, float]:
        """First and last input position (inclusive) seen by output unit ``index``."""
        centre = self.start + index * self.jump
        half = (self.size - 1) / 2
        return centre - half, centre + half


def _axis_value(value: object, axis: int, what: str, module: nn.Module) -> int:
    if isinstance(value, (tuple, list)):
        value = value[axis]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(
            f"window_of: {type(module).__name__}.{what} must be an int or a tuple of ints, "
            f"got {value!r}"
        )
    return value


def window_of(module: nn.Module, axis: int = 0) -> Window | None:
    """The sliding-window geometry of ``module`` along spatial ``axis`` (0 = height, 1 = width).

    Returns ``None`` for point-wise modules (activations, dropout, batch norm, identity), which
    leave receptive fields unchanged. Any module with ``kernel_size`` and ``stride`` attributes
    (``nn.Conv2d``, ``nn.MaxPool2d``, ``nn.AvgPool2d`` and the ``pooling_lib.nn`` modules) is
    read as a window; ``padding='same'`` is read as ``dilation * (kernel_size - 1) // 2`` on the
    leading side. Other modules (``nn.Flatten``, ``nn.Linear``, adaptive pooling, ...) raise a
    ``TypeError``: their field is not a sliding window.
    """
    if axis not in (0, 1):
        raise ValueError(f"window_of: axis must be 0 (height) or 1 (width), got {axis!r}")
    if isinstance(module, _POINTWISE):
        return None
    if not (hasattr(module, "kernel_size") and hasattr(module, "stride")):
        raise TypeError(
            f"window_of: module must be a sliding-window layer (with kernel_size and stride) or "
            f"a point-wise layer, got {type(module).__name__}"
        )
    k = _axis_value(module.kernel_size, axis, "kernel_size", module)
    stride = module.stride if module.stride is not None else module.kernel_size
    s = _axis_value(stride, axis, "stride", module)
    d = _axis_value(getattr(module, "dilation", 1), axis, "dilation", module)
    padding = getattr(module, "padding", 0)
    if padding == "valid":
        padding = 0
    elif padding == "same":
        padding = d * (k - 1) // 2
    p = _axis_value(padding, axis, "padding", module)
    return Window(kernel_size=k, stride=s, padding=p, dilation=d)


def _flatten(layers: Iterable[nn.Module | Window]) -> list[Window]:
    out: list[Window] = []
    for layer in layers:
        if isinstance(layer, Window):
            out.append(layer)
        elif isinstance(layer, nn.Sequential):
            out.extend(_flatten(layer))
        elif isinstance(layer, nn.Module):
            window = window_of(layer)
            if window is not None:
                out.append(window)
        else:
            raise TypeError(
                f"receptive_fields: each layer must be an nn.Module or a Window, "
                f"got {type(layer).__name__}"
            )
    return out


def receptive_fields(layers: Iterable[nn.Module | Window]) -> list[ReceptiveField]:
    """Receptive field after each sliding-window layer of ``layers``, along the height axis.

    ``layers`` may mix :class:`Window` objects and ``torch.nn`` modules (``nn.Sequential`` is
    expanded; point-wise modules are skipped). Entry ``l`` of the result describes the units of
    the ``l``-th window layer; an empty stack gives ``[]``.

    Example: two 3x3 convolutions each followed by 2x2 max pooling give sizes 3, 4, 8, 10.
    """
    size, jump, start = 1, 1, 0.0
    out: list[ReceptiveField] = []
    for w in _flatten(layers):
        k_eff = w.dilation * (w.kernel_size - 1) + 1
        start += ((k_eff - 1) / 2 - w.padding) * jump
        size += (k_eff - 1) * jump
        jump *= w.stride
        out.append(ReceptiveField(size=size, jump=jump, start=start))
    return out
