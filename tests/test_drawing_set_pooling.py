"""pooling_book.drawing.set_pooling: the token figure shades the positions each pooling
reads, and the multiset figure says which readouts tell a pair apart, from the library."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest
import torch

from pooling_book.drawing.palette import ACCENT_FILL, BAD, OK
from pooling_book.drawing.set_pooling import (
    TOKEN_POOLINGS,
    draw_multisets,
    draw_token_pooling,
    token_positions_read,
)
from pooling_lib.sets import masked_mean

LENGTHS, LENGTH = [5, 3, 7, 2], 7


def test_positions_read_match_the_poolings():
    """The masked mean's positions are those pooling_lib.sets.masked_mean averages: a
    one-hot input at position c changes the output of row r iff c is read."""
    mask = torch.arange(LENGTH)[None] < torch.tensor(LENGTHS)[:, None]
    read = token_positions_read("masked mean", LENGTHS, LENGTH)
    for c in range(LENGTH):
        x = torch.zeros(len(LENGTHS), LENGTH, 1)
        x[:, c] = 1.0
        changed = masked_mean(x, mask)[:, 0] != 0
        assert changed.tolist() == [c in r for r in read]
    assert token_positions_read("CLS token", LENGTHS, LENGTH) == [{0}] * 4
    assert all(len(r) == LENGTH for r in token_positions_read("mean of all positions", LENGTHS, 7))


def test_token_figure_fills_exactly_the_positions_read():
    fig = draw_token_pooling(LENGTHS, LENGTH)
    accent, bad = mcolors.to_rgba(ACCENT_FILL), mcolors.to_rgba(BAD)
    cells = {p.get_gid(): p for ax in fig.axes for p in ax.patches}
    assert len(cells) == len(TOKEN_POOLINGS) * len(LENGTHS) * LENGTH
    for k, pooling in enumerate(TOKEN_POOLINGS):
        read = token_positions_read(pooling, LENGTHS, LENGTH)
        for r, n in enumerate(LENGTHS):
            for c in range(LENGTH):
                cell = cells[f"{k}-{r}-{c}"]
                assert (cell.get_facecolor() == accent) == (c in read[r])
                assert (cell.get_edgecolor() == bad) == (c in read[r] and c >= n)


def test_bad_token_arguments():
    with pytest.raises(ValueError, match="pooling='sum' must be one of"):
        token_positions_read("sum", LENGTHS, LENGTH)
    with pytest.raises(ValueError, match=r"lengths=\[8\] must lie between 1 and length=7"):
        draw_token_pooling([8], 7)


def test_multiset_figure_marks_what_each_readout_tells_apart():
    pairs = {"proportions": ([0, 1], [0, 0, 1, 1]), "elements": ([0, 1], [0, 1, 1])}
    fig = draw_multisets(pairs)
    texts = {t.get_gid(): t for ax in fig.axes for t in ax.texts if t.get_gid()}
    apart = {gid: mcolors.to_rgba(t.get_color()) == mcolors.to_rgba(OK) for gid, t in texts.items()}
    assert apart == {
        "0-sum": True, "0-mean": False, "0-max": False,
        "1-sum": True, "1-mean": True, "1-max": False,
    }  # fmt: skip
    assert texts["1-mean"].get_text() == "mean: (0.5, 0.5) ≠ (0.333, 0.667)"
