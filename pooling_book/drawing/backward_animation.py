"""The backward pass of 2-D max or average pooling, animated one output at a time.

The backward pass visits the outputs in order; output ``(i, j)`` hands its upstream
gradient ``G[i, j]`` to the input cells its window chose: all of it to the window's (first)
maximum for max pooling, ``G[i, j] / (k_h * k_w)`` to every cell for average pooling
(``count_include_pad=True``: shares that fall on padding are dropped). This is
``pooling_lib.loops.max_pool2d_backward`` / ``avg_pool2d_backward``, one step per frame.

* :func:`backward_steps` lists the steps (which cells receive what, and the gradient so far);
* :func:`backward_animation` draws them as a self-contained HTML player (matplotlib's
  ``to_jshtml``): the input with the window, the upstream gradient ``G`` with the current
  output, and the input gradient accumulated so far.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from IPython.display import HTML
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from pooling_book.drawing.geometry import INPUT, Window
from pooling_book.drawing.keywords import settings_from_call
from pooling_book.drawing.palette import ACCENT, ACCENT_FILL, RECEIVE
from pooling_book.drawing.value_grid import draw_value_grid
from pooling_book.i18n import _
from pooling_lib import loops
from pooling_lib.shapes import PoolArgs, check_pool_args

__all__ = ["BackwardStep", "backward_animation", "backward_steps"]


@dataclass(frozen=True)
class BackwardStep:
    """Output ``(i, j)`` of the backward pass: its window (``rows``, ``cols``, padding
    included), the input cells that receive gradient and how much each gets, and the
    input gradient after this step (shape ``(H, W)``)."""

    position: tuple[int, int]
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    receivers: tuple[tuple[int, int], ...]
    share: float
    grad_so_far: torch.Tensor


def _check_2d(name: str, t: object) -> torch.Tensor:
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"backward_steps: {name} must be a torch.Tensor, got {type(t).__name__}")
    if t.dim() != 2:
        raise ValueError(f"backward_steps: {name} must be 2-D (H, W), got shape {tuple(t.shape)}")
    return t


_MODES = ("max", "avg")
# The title of a frame: what output (i, j) sends where (msgids of pooling_book.i18n).
_BACKWARD_TITLES = {
    "max": "max pooling, backward: output ({i}, {j}) sends all of G[i,j] to the maximum",
    "avg": "avg pooling, backward: output ({i}, {j}) sends G[i,j]/window size to each",
}
_DRAWS = ("kernel_size", "stride", "padding")


def _pool_args(fn: str, X: torch.Tensor, pool: tuple, keywords: dict) -> tuple[str, PoolArgs]:
    s = settings_from_call(fn, pool, keywords, modes=_MODES, draws=_DRAWS)
    args = check_pool_args(fn, s.kernel_size, s.step, s.padding, input_shape=(1, *X.shape))
    return s.mode, args


def backward_steps(
    X: torch.Tensor,
    *pool: object,
    grad_output: torch.Tensor | None = None,
    **keywords: object,
) -> list[BackwardStep]:
    """The steps of the backward pass of pooling ``X`` (shape ``(H, W)``).

    The pooling is given as ``mode='max'`` (default) or ``'avg'`` plus ``F.max_pool2d`` /
    ``F.avg_pool2d``'s ``kernel_size, stride, padding`` (positional or by name), or as one
    :class:`~pooling_book.settings.PoolSettings`; dilation, ``ceil_mode`` and the other
    average keywords keep their defaults. ``grad_output`` (shape ``(H_out, W_out)`` by
    :func:`pooling_lib.shapes.pooled_size`, default all ones) is the upstream gradient. The
    last step's ``grad_so_far`` equals ``loops.max_pool2d_backward`` (max) or
    ``loops.avg_pool2d_backward`` (avg) bit for bit. Raises ``TypeError``/``ValueError``
    naming the argument for a wrong ``X``, ``grad_output`` or pooling setting.
    """
    fn = "backward_steps"
    X = _check_2d("X", X).detach()
    mode, args = _pool_args(fn, X, pool, keywords)
    out_h, out_w = args.output_size
    if grad_output is None:
        grad_output = torch.ones(out_h, out_w, dtype=X.dtype)
    grad_output = _check_2d("grad_output", grad_output)
    if tuple(grad_output.shape) != (out_h, out_w):
        raise ValueError(
            f"{fn}: grad_output of shape {tuple(grad_output.shape)} must have the output's "
            f"shape {(out_h, out_w)}"
        )
    (k_h, k_w), (s_h, s_w), (p_h, p_w) = args.kernel_size, args.stride, args.padding
    H, W = X.shape
    if mode == "max":
        _values, index = loops.max_pool2d(
            X[None], (k_h, k_w), (s_h, s_w), (p_h, p_w), return_indices=True
        )
        index = index[0]
    grad = torch.zeros(H, W, dtype=grad_output.dtype)
    steps = []
    for i in range(out_h):
        for j in range(out_w):
            window = Window.at((i, j), (H, W), (k_h, k_w), (s_h, s_w), (p_h, p_w))
            rows, cols = window.rows, window.cols
            if mode == "max":
                flat = int(index[i, j])
                receivers = ((flat // W, flat % W),)
                share = grad_output[i, j]
            else:
                receivers = tuple(window.cells_of(INPUT))  # shares on padding are dropped
                share = grad_output[i, j] / (k_h * k_w)
            for r, c in receivers:
                grad[r, c] += share
            steps.append(BackwardStep((i, j), rows, cols, receivers, float(share), grad.clone()))
    return steps


def backward_animation(
    X: torch.Tensor,
    *pool: object,
    grad_output: torch.Tensor | None = None,
    interval: int = 1000,
    dpi: float = 90,
    **keywords: object,
) -> HTML:
    """A player (HTML and JavaScript, no kernel needed) of :func:`backward_steps` (same
    arguments; ``interval`` is the time per frame in milliseconds).

    Each frame shows the input ``X`` (shape ``(H, W)``) with the window of one output and
    the cells it sends gradient to (green), the upstream gradient ``grad_output`` (shape
    ``(H_out, W_out)``) with that output, and the input gradient accumulated so far.
    """
    X = _check_2d("X", X)
    mode, args = _pool_args("backward_animation", X, pool, keywords)
    steps = backward_steps(X, mode=mode, grad_output=grad_output, **_keywords(args))
    G = torch.ones(args.output_size) if grad_output is None else grad_output
    pad = args.padding
    H, W = X.shape
    width = (W + 2 * pad[1]) + G.shape[1] + W + 3
    fig = Figure(figsize=(0.5 * width, 0.5 * (max(H + 2 * pad[0], G.shape[0]) + 2.2)), dpi=dpi)
    axes = [fig.add_axes((x0, 0.02, w, 0.8)) for x0, w in _columns(W + 2 * pad[1], G.shape[1], W)]
    fmt = "g" if mode == "max" else ".2f"

    def draw(t: int) -> list:
        step = steps[t]
        for ax in axes:
            ax.clear()
        window = {(r, c): ACCENT_FILL for r in step.rows for c in step.cols}
        window.update({cell: RECEIVE for cell in step.receivers})
        draw_value_grid(axes[0], X, window, "g", pad)
        r0, c0 = step.rows[0], step.cols[0]
        axes[0].add_patch(
            Rectangle((c0, -r0 - len(step.rows)), len(step.cols), len(step.rows),
                      fill=False, edgecolor=ACCENT, linewidth=2.5)
        )  # fmt: skip
        draw_value_grid(axes[1], G, {step.position: ACCENT_FILL}, "g")
        draw_value_grid(axes[2], step.grad_so_far, dict.fromkeys(step.receivers, RECEIVE), fmt)
        i, j = step.position
        axes[0].set_title(_("input X"), fontsize=10)
        axes[1].set_title(_("upstream gradient, G[{i},{j}]").format(i=i, j=j), fontsize=10)
        axes[2].set_title(_("gradient of X so far"), fontsize=10)
        fig.suptitle(_(_BACKWARD_TITLES[mode]).format(i=i, j=j), fontsize=10)
        return []

    animation = FuncAnimation(fig, draw, frames=len(steps), interval=interval, repeat=True)
    return HTML(animation.to_jshtml(default_mode="once"))


def _columns(*widths: int) -> list[tuple[float, float]]:
    """Left edge and width (figure fractions) of three panels, in proportion to ``widths``."""
    gap = 1.0
    total = sum(widths) + gap * (len(widths) + 1)
    out, x = [], gap
    for w in widths:
        out.append((x / total, w / total))
        x += w + gap
    return out


def _keywords(args: PoolArgs) -> dict[str, tuple[int, ...]]:
    """The checked window arguments as keywords."""
    return {"kernel_size": args.kernel_size, "stride": args.stride, "padding": args.padding}
