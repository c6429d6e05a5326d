"""Run one pooling setting through pooling_lib: the vectorized result, the loop check, or
the error message pooling_lib raises.

The explorer never computes a pooled value itself: the output grid shows
``pooling_lib.max_pool2d`` / ``avg_pool2d`` / ``lp_pool2d`` and is compared with the
teaching loops in ``pooling_lib.loops``. Invalid settings are not raised but returned as
the exact message pooling_lib gave, so the widget can show it and stay usable.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import torch

from pooling_lib.widgets.settings import PoolSettings

__all__ = ["Evaluation", "evaluate", "reference_name", "vectorized_name"]


def vectorized_name(settings: PoolSettings) -> str:
    """The pooling_lib function that computes the output, e.g. ``'max_pool2d'``."""
    return f"{settings.mode}_pool2d"


def reference_name(settings: PoolSettings) -> str:
    """What the output is checked against, e.g. ``'loops.max_pool2d'``."""
    loops = importlib.import_module("pooling_lib.loops")
    if settings.mode == "lp" and not hasattr(loops, "lp_pool2d"):
        return "(loops.avg_pool2d(x**p)·kh·kw)^(1/p)"
    return f"loops.{settings.mode}_pool2d"


def _call(module: object, settings: PoolSettings, x: torch.Tensor) -> torch.Tensor:
    s = settings.effective()
    if s.mode == "max":
        return module.max_pool2d(  # type: ignore[attr-defined]
            x,
            kernel_size=s.kernel,
            stride=s.step,
            padding=s.padding,
            dilation=s.dilation,
            ceil_mode=s.ceil_mode,
        )
    if s.mode == "avg":
        return module.avg_pool2d(  # type: ignore[attr-defined]
            x,
            kernel_size=s.kernel,
            stride=s.step,
            padding=s.padding,
            ceil_mode=s.ceil_mode,
            count_include_pad=s.count_include_pad,
        )
    if hasattr(module, "lp_pool2d"):
        return module.lp_pool2d(  # type: ignore[attr-defined]
            x, s.norm_type, kernel_size=s.kernel, stride=s.step, ceil_mode=s.ceil_mode
        )
    # The loops module has no lp_pool2d: use PyTorch's definition on top of the loop average.
    out = module.avg_pool2d(  # type: ignore[attr-defined]
        x.pow(s.norm_type), kernel_size=s.kernel, stride=s.step, padding=0, ceil_mode=s.ceil_mode
    )
    return (
        (torch.sign(out) * torch.relu(out.abs()))
        .mul(s.kernel[0] * s.kernel[1])
        .pow(1.0 / s.norm_type)
    )


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one setting on one input of shape ``(1, C, H, W)``.

    Either ``error`` holds pooling_lib's message (and the tensors are None), or
    ``output`` and ``reference`` have shape ``(C, H_out, W_out)``.
    """

    output: torch.Tensor | None
    reference: torch.Tensor | None
    out_shape: tuple[int, int] | None
    error: str | None
    reference_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def matches(self) -> bool:
        """Whether the vectorized output equals the loop version (NaN equal to NaN)."""
        if self.output is None or self.reference is None:
            return False
        if self.output.shape != self.reference.shape:
            return False
        if self.out_shape != tuple(self.output.shape[-2:]):
            return False
        return bool(
            torch.allclose(self.output, self.reference, rtol=1e-5, atol=1e-6, equal_nan=True)
        )

    @property
    def max_abs_diff(self) -> float:
        if self.output is None or self.reference is None:
            return float("nan")
        if self.output.shape != self.reference.shape:
            return float("inf")
        diff = (self.output - self.reference).abs().nan_to_num(0.0)
        return float(diff.max()) if diff.numel() else 0.0


def _pooled_shape(shape: tuple[int, int], settings: PoolSettings) -> tuple[int, int]:
    shapes = importlib.import_module("pooling_lib.shapes")
    s = settings.effective()
    return tuple(  # type: ignore[return-value]
        shapes.pooled_size(
            shape[a], s.kernel[a], s.step[a], s.padding[a], s.dilation[a], s.ceil_mode
        )
        for a in range(2)
    )


def evaluate(x: torch.Tensor, settings: PoolSettings) -> Evaluation:
    """Pool ``x`` of shape ``(1, C, H, W)`` with pooling_lib; never raises for bad settings.

    A ``ValueError``/``TypeError`` from pooling_lib becomes ``Evaluation.error`` with its
    message unchanged; any other exception becomes an error naming its type.
    """
    lib = importlib.import_module("pooling_lib")
    loops = importlib.import_module("pooling_lib.loops")
    try:
        output = _call(lib, settings, x)[0]
    except (ValueError, TypeError) as exc:
        return Evaluation(None, None, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - the widget must stay usable
        return Evaluation(None, None, None, f"pooling_lib failed: {type(exc).__name__}: {exc}")
    try:
        reference = _call(loops, settings, x)[0]
        reference_error = None
    except Exception as exc:  # noqa: BLE001 - shown as a failed check, not raised
        reference, reference_error = None, f"{type(exc).__name__}: {exc}"
    out_shape = _pooled_shape(tuple(x.shape[-2:]), settings)  # type: ignore[arg-type]
    return Evaluation(output, reference, out_shape, None, reference_error)
