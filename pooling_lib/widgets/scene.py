"""Everything one explorer frame shows, as plain data: which cells are padding, which the
current window reads, the arithmetic, the formula, the PyTorch call and the check.

A :class:`Scene` is what the drawing code draws and what the tests inspect, so the tests
assert on exactly what the reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from pooling_lib.widgets.compute import Evaluation, reference_name, vectorized_name
from pooling_lib.widgets.explain import arithmetic, shape_formula, torch_call
from pooling_lib.widgets.geometry import BEYOND, Window, cell_kind, extent
from pooling_lib.widgets.settings import PoolSettings

__all__ = ["Scene", "build_scene", "as_batch"]

MAX_SIDE = 16


def as_batch(x: torch.Tensor) -> torch.Tensor:
    """``(H, W)``, ``(C, H, W)`` or ``(1, C, H, W)`` -> float ``(1, C, H, W)``.

    Raises ValueError for other shapes, for a batch larger than one, and for sides above 16
    (the explorer draws every cell), and TypeError for a non-tensor.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() == 2:
        x = x[None, None]
    elif x.dim() == 3:
        x = x[None]
    elif x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(
            f"X must have shape (H, W), (C, H, W) or (1, C, H, W), got {tuple(x.shape)}"
        )
    if x.shape[1] < 1 or not 1 <= x.shape[2] <= MAX_SIDE or not 1 <= x.shape[3] <= MAX_SIDE:
        raise ValueError(
            f"X must have at least one channel and sides between 1 and {MAX_SIDE} "
            f"(every cell is drawn), got shape {tuple(x.shape)}"
        )
    if x.is_complex():
        raise TypeError(f"X must be real, got dtype {x.dtype}")
    if not x.is_floating_point():
        x = x.to(torch.float32)
    return x.detach().cpu()


@dataclass(frozen=True)
class Scene:
    """One frame of the explorer. Rows/columns use input indices: padding rows are negative
    or ``>= H``."""

    plane: list[list[float]]
    settings: PoolSettings
    channel: int
    n_channels: int
    rows: tuple[int, int]
    cols: tuple[int, int]
    torch_call: str
    error: str | None = None
    out_shape: tuple[int, int] | None = None
    output: list[list[float]] | None = None
    position: tuple[int, int] | None = None
    window: Window | None = None
    value: float | None = None
    arithmetic: str | None = None
    formula: list[str] = field(default_factory=list)
    check: str = ""
    matches: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.plane), len(self.plane[0]))

    def kind(self, r: int, c: int) -> str:
        return cell_kind(r, c, self.shape, self.settings.padding)

    @property
    def highlighted(self) -> list[tuple[int, int]]:
        """The cells the current window reads (input, padding and beyond), row by row."""
        return [] if self.window is None else self.window.cells

    @property
    def beyond_cells(self) -> list[tuple[int, int]]:
        """Cells drawn past the padding because ceil_mode windows hang over the edge."""
        return [
            (r, c)
            for r in range(*self.rows)
            for c in range(*self.cols)
            if self.kind(r, c) == BEYOND
        ]

    @property
    def caption(self) -> str:
        """``'Y[0, 1] = max(...) = 7'``: the arithmetic with the output cell named."""
        if self.position is None or self.arithmetic is None:
            return ""
        i, j = self.position
        name = f"Y[{self.channel}, {i}, {j}]" if self.n_channels > 1 else f"Y[{i}, {j}]"
        return f"{name} = {self.arithmetic}"


def _check_text(settings: PoolSettings, evaluation: Evaluation) -> tuple[str, bool]:
    vec = f"pooling_lib.{vectorized_name(settings)}"
    ref = reference_name(settings)
    if evaluation.reference_error is not None:
        return f"✗ {ref} failed: {evaluation.reference_error}", False
    if evaluation.matches:
        return f"✓ {vec} matches {ref}", True
    return (
        f"✗ mismatch: {vec} differs from {ref} (max |diff| = {evaluation.max_abs_diff:.3g})",
        False,
    )


def build_scene(
    x: torch.Tensor,
    settings: PoolSettings,
    evaluation: Evaluation,
    channel: int = 0,
    position: tuple[int, int] = (0, 0),
) -> Scene:
    """The frame for input ``x`` of shape ``(1, C, H, W)`` at output ``position``.

    ``position`` is clamped into the output grid; ``channel`` must be in ``range(C)``.
    """
    n_channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    if not 0 <= channel < n_channels:
        raise ValueError(f"channel must be in range({n_channels}), got {channel}")
    s = settings.effective()
    plane = x[0, channel].tolist()
    call = torch_call(s)
    if not evaluation.ok or evaluation.output is None or evaluation.out_shape is None:
        # Draw the input with whatever padding can be drawn; the message says what is wrong.
        pad = tuple(min(max(p, 0), 4) for p in s.padding)
        drawn = PoolSettings.create(s.mode, s.kernel, s.step, pad, s.dilation, s.ceil_mode)
        return Scene(
            plane=plane,
            settings=drawn,
            channel=channel,
            n_channels=n_channels,
            rows=(-pad[0], height + pad[0]),
            cols=(-pad[1], width + pad[1]),
            torch_call=call,
            error=evaluation.error,
        )
    out_h, out_w = evaluation.output.shape[-2:]
    i = min(max(position[0], 0), out_h - 1)
    j = min(max(position[1], 0), out_w - 1)
    window = Window.at((i, j), (height, width), s.kernel, s.step, s.padding, s.dilation)
    output = evaluation.output[channel].tolist()
    value = float(output[i][j])
    check, matches = _check_text(s, evaluation)
    return Scene(
        plane=plane,
        settings=s,
        channel=channel,
        n_channels=n_channels,
        rows=extent(height, out_h, s.kernel[0], s.step[0], s.padding[0], s.dilation[0]),
        cols=extent(width, out_w, s.kernel[1], s.step[1], s.padding[1], s.dilation[1]),
        torch_call=call,
        out_shape=(out_h, out_w),
        output=output,
        position=(i, j),
        window=window,
        value=value,
        arithmetic=arithmetic(plane, window, s, value),
        formula=shape_formula((height, width), s, evaluation.out_shape),
        check=check,
        matches=matches,
    )
