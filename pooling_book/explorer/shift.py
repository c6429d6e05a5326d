"""The shift explorer: how max pooling and blur pooling answer a shift of their input.

``explore_shift(X)`` shows ``X`` (``(H, W)``) shifted to the right by 0 to ``max_shift``
pixels (a slider; ``torch.roll`` along the width), and side by side its 2×2 max pooling at
stride 2 and its blur pooling (a 2×2 max at stride 1, then
:class:`pooling_book.training.BlurPool2d`), as the aliasing section of "Pooling in a
network" defines them. The view is ``shift.js`` (one of the explorer's modules); on the
website the output's ``text/html`` part carries its state, as for :class:`Explorer`.
"""

from __future__ import annotations

import anywidget
import torch
import traitlets

from pooling_book.drawing import palette
from pooling_book.explorer.widget import (
    LANGUAGES,
    ShownOnTheSite,
    default_language,
    esm_source,
    static_page,
)

__all__ = ["ShiftExplorer", "explore_shift", "shifted_outputs"]


def shifted_outputs(X: torch.Tensor, shift: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Max pooling (2×2, stride 2) and blur pooling of ``X`` (``(H, W)``) rolled right by
    ``shift``: what the shift explorer shows, computed with pooling_lib and BlurPool2d."""
    from pooling_book.training import BlurPool2d
    from pooling_lib import functional

    x = torch.roll(X.float(), shift, dims=-1)[None, None]
    dense = functional.max_pool2d(x, 2, stride=1)
    return functional.max_pool2d(x, 2)[0, 0], BlurPool2d(1)(dense)[0, 0]


class ShiftExplorer(ShownOnTheSite, anywidget.AnyWidget):
    """A slider shifts ``X`` (``(H, W)``, ``H, W >= 3``) by 0 to ``max_shift`` pixels; the
    view shows its max pooling and its blur pooling side by side. Traits: ``shift`` (the
    slider), ``max_shift``, ``values``/``shape`` (the input). Raises ``TypeError`` or
    ``ValueError`` naming the parameter for another input."""

    _esm = esm_source()
    kind = traitlets.Unicode("shift").tag(sync=True)
    values = traitlets.List().tag(sync=True)
    shape = traitlets.List(traitlets.Int()).tag(sync=True)
    shift = traitlets.Int(0).tag(sync=True)
    max_shift = traitlets.Int(3).tag(sync=True)
    palette = traitlets.Dict().tag(sync=True)
    lang = traitlets.Enum(LANGUAGES, default_value="").tag(sync=True)

    def __init__(self, X: torch.Tensor, max_shift: int = 3, lang: str | None = None) -> None:
        if not isinstance(X, torch.Tensor):
            raise TypeError(f"explore_shift: X must be a torch.Tensor, got {type(X).__name__}")
        if X.dim() != 2 or min(X.shape) < 3 or not torch.isfinite(X).all():
            raise ValueError(
                f"explore_shift: X of shape {tuple(X.shape)} must be (H, W) with H, W >= 3 "
                "and finite values"
            )
        if isinstance(max_shift, bool) or not isinstance(max_shift, int) or max_shift < 1:
            raise ValueError(f"explore_shift: max_shift={max_shift!r} must be an int >= 1")
        super().__init__(
            values=[float(v) for v in X.detach().float().flatten().tolist()],
            shape=list(X.shape),
            max_shift=max_shift,
            palette={name: getattr(palette, name) for name in palette.__all__},
            lang=default_language() if lang is None else lang,
        )

    @traitlets.validate("shift")
    def _valid_shift(self, proposal):
        if not 0 <= proposal["value"] <= self.max_shift:
            raise ValueError(
                f"explore_shift: shift={proposal['value']} must be in [0, {self.max_shift}]"
            )
        return proposal["value"]

    def __repr__(self) -> str:
        """The widget from its state alone (no memory address: stored outputs stay stable)."""
        return (
            f"ShiftExplorer(X of shape {tuple(self.shape)}, shift={self.shift}, "
            f"max_shift={self.max_shift})"
        )

    def static_html(self) -> str:
        """The shift explorer for a page without a kernel (state as JSON, the site's loader)."""
        names = ("kind", "values", "shape", "shift", "max_shift", "palette")
        state = {k: getattr(self, k) for k in names}
        summary = (
            f"Shift explorer: X of shape {tuple(self.shape)} shifted by 0 to {self.max_shift} "
            "pixels, max pooling and blur pooling side by side. It runs in the browser on the "
            "book's website and as a live widget in Jupyter."
        )
        return static_page(state, summary)


def explore_shift(X: torch.Tensor, *, max_shift: int = 3) -> ShiftExplorer:
    """Shift ``X`` (``(H, W)``) by 0 to ``max_shift`` pixels with a slider and compare its max
    pooling with its blur pooling (:func:`shifted_outputs` computes what the view shows)."""
    return ShiftExplorer(X, max_shift=max_shift)
