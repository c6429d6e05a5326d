"""Vectorized max pooling as a loop over window slots, animated one slot at a time.

Output ``(i, j)`` of a ``k_h × k_w`` max pooling with stride ``(s_h, s_w)`` reads, in window
slot ``(a, b)``, the padded input at row ``i*s_h + a`` and column ``j*s_w + b``. For a fixed
slot, the cells that all outputs read form one strided slice of the padded input,
``Xp[a : a + s_h*(H_out-1) + 1 : s_h, b : b + s_w*(W_out-1) + 1 : s_w]``, of the output's shape.
So ``Y = max(Y, slice)`` over the ``k_h * k_w`` slots is max pooling: one tensor operation
per slot instead of one Python step per output and slot.

* :func:`slot_steps` lists the steps: the slot, the cells its slice reads, the slice, and
  ``Y`` after the step (the last equals ``torch.nn.functional.max_pool2d``);
* :func:`slot_animation` draws them as a self-contained HTML player (``to_jshtml``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from IPython.display import HTML
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from pooling_book.drawing.keywords import settings_from_call
from pooling_book.drawing.palette import ACCENT_FILL, RECEIVE
from pooling_book.drawing.value_grid import draw_value_grid
from pooling_book.i18n import _
from pooling_lib.shapes import PoolArgs, check_pool_args, window_positions

__all__ = ["SlotStep", "slot_animation", "slot_steps"]


@dataclass(frozen=True)
class SlotStep:
    """Window slot ``slot = (a, b)``: the input cells its slice reads (row, column of the
    unpadded input; negative or too large in the padding), the slice (shape
    ``(H_out, W_out)``) and the output after ``Y = max(Y, slice)``."""

    slot: tuple[int, int]
    cells: tuple[tuple[int, int], ...]
    values: torch.Tensor
    output: torch.Tensor


_DRAWS = ("kernel_size", "stride", "padding")


def _max_args(fn: str, X: object, args: tuple, kwargs: dict) -> PoolArgs:
    if not isinstance(X, torch.Tensor) or X.dim() != 2:
        got = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(f"{fn}: X must be a 2-D tensor (H, W), got {got}")
    s = settings_from_call(fn, args, kwargs, modes=("max",), draws=_DRAWS)
    return check_pool_args(fn, s.kernel_size, s.step, s.padding, input_shape=(1, *X.shape))


def slot_steps(X: torch.Tensor, *pool: object, **keywords: object) -> list[SlotStep]:
    """The ``k_h * k_w`` steps of max pooling ``X`` (shape ``(H, W)``) slot by slot.

    The pooling is given as ``F.max_pool2d``'s ``kernel_size, stride, padding`` (positional
    or by name) or as one :class:`~pooling_book.settings.PoolSettings` (mode ``'max'``, no
    dilation, no ``ceil_mode``). Output shape ``(H_out, W_out)`` by
    :func:`pooling_lib.shapes.pooled_size`. Raises ``ValueError`` for an ``X`` that is not
    2-D and for settings PyTorch refuses (the message of ``pooling_lib.shapes``).
    """
    args = _max_args("slot_steps", X, pool, keywords)
    (k_h, k_w), (s_h, s_w), (p_h, p_w) = args.kernel_size, args.stride, args.padding
    out_h, out_w = args.output_size
    Xp = F.pad(X.detach(), (p_w, p_w, p_h, p_h), value=float("-inf"))
    Y = torch.full((out_h, out_w), float("-inf"), dtype=X.dtype)
    steps = []
    for a in range(k_h):
        for b in range(k_w):
            values = Xp[a : a + s_h * (out_h - 1) + 1 : s_h, b : b + s_w * (out_w - 1) + 1 : s_w]
            Y = torch.maximum(Y, values)
            cells = tuple(
                (window_positions(i, k_h, s_h, p_h)[a], window_positions(j, k_w, s_w, p_w)[b])
                for i in range(out_h)
                for j in range(out_w)
            )
            steps.append(SlotStep((a, b), cells, values.clone(), Y.clone()))
    return steps


def slot_animation(
    X: torch.Tensor, *pool: object, interval: int = 1200, dpi: float = 90, **keywords: object
) -> HTML:
    """A player (HTML and JavaScript, no kernel needed) of :func:`slot_steps` (same pooling
    arguments): the padded input with the cells of one slot's slice, the slice, and ``Y`` so
    far. ``interval`` is the time per frame in milliseconds."""
    args = _max_args("slot_animation", X, pool, keywords)
    steps = slot_steps(X, args.kernel_size, args.stride, args.padding)
    pad = args.padding
    H, W = X.shape
    out_h, out_w = steps[0].values.shape
    widths = (W + 2 * pad[1], out_w, out_w)
    height = max(H + 2 * pad[0], out_h)
    fig = Figure(figsize=(0.55 * (sum(widths) + 4), 0.55 * height + 1.3), dpi=dpi)
    gap, total = 1.0, sum(widths) + 4.0
    axes, x = [], gap
    for w in widths:
        axes.append(fig.add_axes((x / total, 0.03, w / total, 0.78)))
        x += w + gap
    k_h, k_w = args.kernel_size

    def draw(t: int) -> list:
        step = steps[t]
        previous = steps[t - 1].output if t else torch.full_like(step.output, float("-inf"))
        for ax in axes:
            ax.clear()
        draw_value_grid(axes[0], X, dict.fromkeys(step.cells, ACCENT_FILL), "g", pad)
        draw_value_grid(axes[1], step.values, {}, "g")
        changed = {
            (i, j): RECEIVE
            for i in range(out_h)
            for j in range(out_w)
            if step.output[i, j] != previous[i, j]
        }
        draw_value_grid(axes[2], step.output, changed, "g")
        a, b = step.slot
        axes[0].set_title(_("input: slot ({a}, {b}) of every window").format(a=a, b=b), fontsize=10)
        axes[1].set_title(_("that slice"), fontsize=10)
        axes[2].set_title(_("Y = max(Y, slice)"), fontsize=10)
        fig.suptitle(
            _("step {t} of {n}: one tensor operation per window slot").format(t=t + 1, n=k_h * k_w),
            fontsize=10,
        )
        return []

    animation = FuncAnimation(fig, draw, frames=len(steps), interval=interval, repeat=True)
    return HTML(animation.to_jshtml(default_mode="once"))
