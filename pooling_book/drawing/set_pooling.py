"""Figures of pooling over sets (the chapter on pooling beyond images).

* :func:`draw_token_pooling`: a padded batch of token sequences, one row per sequence, and
  for each way of pooling it to one vector per row the positions it reads: the first
  (CLS) token, every position (the unmasked mean, which reads the padding too) or the
  real tokens only (the masked mean of :func:`pooling_lib.sets.masked_mean`).
* :func:`draw_multisets`: pairs of multisets of two kinds of element, as rows of dots,
  with their sum, mean and max computed by :mod:`pooling_lib.sets`' readouts; a readout
  that gives both multisets of a pair the same value is shown in red.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from pooling_book.drawing.palette import (
    ACCENT,
    ACCENT_FILL,
    BAD,
    CELL_FILL,
    GRID_EDGE,
    MUTED_TEXT,
    NATIVE,
    OK,
    PAD_FILL,
    PAD_TEXT,
    TEXT,
)
from pooling_book.i18n import _
from pooling_lib.sets import global_add_pool, global_max_pool, global_mean_pool

__all__ = ["TOKEN_POOLINGS", "draw_multisets", "draw_token_pooling", "token_positions_read"]

TOKEN_POOLINGS = ("CLS token", "mean of all positions", "masked mean")


def token_positions_read(pooling: str, lengths: Sequence[int], length: int) -> list[set[int]]:
    """For each sequence, the positions ``pooling`` (one of :data:`TOKEN_POOLINGS`) reads.

    Sequence ``i`` has real tokens at positions ``0 .. lengths[i]-1`` (position 0 is the
    CLS token) and padding up to ``length``.
    """
    if pooling not in TOKEN_POOLINGS:
        raise ValueError(f"pooling={pooling!r} must be one of {TOKEN_POOLINGS}")
    if any(not 1 <= n <= length for n in lengths):
        raise ValueError(f"lengths={list(lengths)} must lie between 1 and length={length}")
    if pooling == "CLS token":
        return [{0} for _ in lengths]
    if pooling == "mean of all positions":
        return [set(range(length)) for _ in lengths]
    return [set(range(n)) for n in lengths]


def draw_token_pooling(lengths: Sequence[int], length: int) -> Figure:
    """One panel per pooling of :data:`TOKEN_POOLINGS`; rows are sequences, columns positions.

    Real tokens are white, padding grey (``pad``); the cells a pooling reads are filled
    with the accent colour, and padding it reads is outlined in red.

    Returns:
        the figure; cells carry gids ``"{panel}-{row}-{position}"`` with
        ``panel = 0, 1, 2`` in the order of :data:`TOKEN_POOLINGS`.
    """
    n = len(lengths)
    fig = Figure(figsize=(2.3 * len(TOKEN_POOLINGS), 0.33 * n + 0.7), dpi=100)
    axes = fig.subplots(1, len(TOKEN_POOLINGS))
    for k, (ax, pooling) in enumerate(zip(axes, TOKEN_POOLINGS, strict=True)):
        read = token_positions_read(pooling, lengths, length)
        for r, real in enumerate(lengths):
            for c in range(length):
                pad = c >= real
                face = ACCENT_FILL if c in read[r] else (PAD_FILL if pad else CELL_FILL)
                edge = BAD if pad and c in read[r] else GRID_EDGE
                ax.add_patch(
                    Rectangle(
                        (c, r), 1, 1, facecolor=face, edgecolor=edge,
                        linewidth=1.6 if edge == BAD else 0.8, gid=f"{k}-{r}-{c}",
                    )
                )  # fmt: skip
                label = _("pad") if pad else ("CLS" if c == 0 else "")
                if label:
                    ax.text(
                        c + 0.5, r + 0.5, label, ha="center", va="center", fontsize=6.5,
                        color=PAD_TEXT if pad else TEXT,
                    )  # fmt: skip
        ax.set_xlim(-0.1, length + 0.1)
        ax.set_ylim(n + 0.1, -0.1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(_(pooling), fontsize=9, color=BAD if pooling.startswith("mean") else TEXT)
    fig.tight_layout()
    return fig


def draw_multisets(
    pairs: dict[str, tuple[Sequence[int], Sequence[int]]], kinds: Sequence[str] = ("a", "b")
) -> Figure:
    """Each pair of multisets as two rows of dots, with the three readouts of each.

    Args:
        pairs: ``{title: (left, right)}``, each multiset a list of element kinds
            (indices into ``kinds``); element ``k`` has the one-hot feature vector ``e_k``.
        kinds: the names of the kinds, drawn in the accent and the blue colour.

    Returns:
        the figure; a readout's text has gid ``"{pair}-{readout}"`` (``readout`` one of
        ``sum``, ``mean``, ``max``): green with ``≠`` if it tells the two multisets apart,
        red with ``=`` if it does not.
    """
    colours = (ACCENT, NATIVE)
    fig = Figure(figsize=(2.4 * len(pairs), 2.1), dpi=100)
    axes = fig.subplots(1, len(pairs))
    readouts = {"sum": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}
    for p, (ax, (title, (left, right))) in enumerate(zip(axes, pairs.items(), strict=True)):
        x = torch.eye(len(kinds))[list(left) + list(right)]
        batch = torch.tensor([0] * len(left) + [1] * len(right))
        for row, members in enumerate((left, right)):
            for j, kind in enumerate(members):
                ax.add_patch(Circle((j + 0.5, 3.4 - row), 0.32, color=colours[kind]))
            ax.text(-0.2, 3.4 - row, "AB"[row], ha="right", va="center", fontsize=9)
        for line, (name, readout) in enumerate(readouts.items()):
            values = readout(x, batch)
            same = torch.equal(values[0], values[1])
            shown = [", ".join(f"{v:.3g}" for v in row.tolist()) for row in values]
            sign = "=" if same else "≠"
            ax.text(
                -0.2, 1.6 - 0.55 * line, f"{_(name)}: ({shown[0]}) {sign} ({shown[1]})",
                fontsize=8, va="center", color=BAD if same else OK, gid=f"{p}-{name}",
            )  # fmt: skip
        ax.set_xlim(-0.9, 4.6)
        ax.set_ylim(0.2, 4.2)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(_(title), fontsize=9)
    legend = ";  ".join(
        _("{colour}: {name}, feature {feature}").format(
            colour=_(colour), name=name, feature=tuple(torch.eye(len(kinds))[k].int().tolist())
        )
        for k, (name, colour) in enumerate(zip(kinds, ("orange", "blue"), strict=False))
    )
    fig.text(0.5, 0.02, legend, ha="center", fontsize=8, color=MUTED_TEXT)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
