"""The book's pooling-window figure: checked through its artists, not its pixels."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest
import torch
from matplotlib.figure import Figure

from pooling_book.drawing.figures import draw_pooling_window, format_value, window_formula
from pooling_book.drawing.palette import ACCENT_FILL

SEED_X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])


def _by_gid(fig: Figure) -> dict[str, object]:
    ax = fig.axes[0]
    artists = list(ax.patches) + list(ax.texts)
    found = {a.get_gid(): a for a in artists if a.get_gid()}
    assert len(found) == len([a for a in artists if a.get_gid()]), "gids must be unique"
    return found


def _highlighted(fig: Figure, kind: str) -> set[tuple[int, int]]:
    """Cells of grid ``kind`` ('input' or 'output') filled with the accent colour."""
    accent = mcolors.to_rgba(ACCENT_FILL)
    cells = set()
    for gid, artist in _by_gid(fig).items():
        if gid.startswith(f"{kind}-cell-") and artist.get_facecolor() == accent:
            _, _, r, c = gid.split("-")
            cells.add((int(r), int(c)))
    return cells


def _grid_texts(fig: Figure, kind: str) -> dict[tuple[int, int], str]:
    out = {}
    for gid, artist in _by_gid(fig).items():
        if gid.startswith(f"{kind}-value-"):
            _, _, r, c = gid.split("-")
            out[(int(r), int(c))] = artist.get_text()
    return out


def test_seed_max_window_top_left():
    fig = draw_pooling_window(SEED_X, (2, 2), (0, 0), "max")
    assert isinstance(fig, Figure)
    artists = _by_gid(fig)
    assert artists["formula"].get_text() == "max(0, 1, 3, 4) = 4"
    assert _highlighted(fig, "input") == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert _highlighted(fig, "output") == {(0, 0)}
    assert _grid_texts(fig, "input") == {(r, c): str(3 * r + c) for r in range(3) for c in range(3)}
    # The seed's printed max-pooling result: [[4, 5], [7, 8]].
    assert _grid_texts(fig, "output") == {(0, 0): "4", (0, 1): "5", (1, 0): "7", (1, 1): "8"}
    assert artists["title-input"].get_text() == "input 3×3"
    assert artists["title-output"].get_text() == "output 2×2"


def test_window_outline_covers_exactly_the_window():
    fig = draw_pooling_window(SEED_X, (2, 2), (1, 1), "avg")
    artists = _by_gid(fig)
    window = artists["window"]
    # Input row r is drawn between y = H - r - 1 and y = H - r; window rows 1..2, cols 1..2.
    assert (window.get_x(), window.get_y()) == (1, 0)
    assert (window.get_width(), window.get_height()) == (2, 2)
    target = artists["output-highlight"]
    cell = artists["output-cell-1-1"]
    assert (target.get_x(), target.get_y()) == (cell.get_x(), cell.get_y())
    assert artists["formula"].get_text() == "(4 + 5 + 7 + 8) / 4 = 6"
    assert _highlighted(fig, "input") == {(1, 1), (1, 2), (2, 1), (2, 2)}
    assert _highlighted(fig, "output") == {(1, 1)}
    # The seed's printed average-pooling result: [[2, 3], [5, 6]].
    assert _grid_texts(fig, "output") == {(0, 0): "2", (0, 1): "3", (1, 0): "5", (1, 1): "6"}


def test_arrow_ends_at_the_highlighted_output_cell():
    for position in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        fig = draw_pooling_window(SEED_X, (2, 2), position, "max")
        artists = _by_gid(fig)
        cell = artists[f"output-cell-{position[0]}-{position[1]}"]
        x0, y0 = cell.get_x(), cell.get_y()
        end = artists["arrow"]._posA_posB[1]
        assert x0 - 0.2 <= end[0] <= x0 + 1.2 and y0 - 0.2 <= end[1] <= y0 + 1.2, position


def test_non_square_window_and_fractional_values():
    X = torch.arange(25.0).reshape(5, 5)
    fig = draw_pooling_window(X, (2, 3), (1, 1), "avg")
    artists = _by_gid(fig)
    assert artists["formula"].get_text() == "(6 + 7 + 8 + 11 + 12 + 13) / 6 = 9.5"
    assert _highlighted(fig, "input") == {(r, c) for r in (1, 2) for c in (1, 2, 3)}
    assert _highlighted(fig, "output") == {(1, 1)}
    assert artists["title-output"].get_text() == "output 4×3"
    assert (artists["window"].get_width(), artists["window"].get_height()) == (3, 2)


def test_helpers():
    assert format_value(4.0) == "4"
    assert format_value(2.5) == "2.5"
    assert window_formula(torch.tensor([[1.0, 9.0]]), 9.0, "max") == "max(1, 9) = 9"
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'min'"):
        window_formula(torch.tensor([[1.0]]), 1.0, "min")


@pytest.mark.parametrize(
    ("position", "error", "message"),
    [
        ((2, 0), ValueError, r"position \(2, 0\) must index the output of shape \(2, 2\)"),
        ((0, -1), ValueError, r"position \(0, -1\)"),
        ((0,), TypeError, r"position must be a pair of ints"),
        ((0.0, 0), TypeError, r"position must be a pair of ints"),
    ],
)
def test_bad_position(position, error, message):
    with pytest.raises(error, match=message):
        draw_pooling_window(SEED_X, (2, 2), position, "max")


def test_bad_mode_is_rejected_by_pool2d():
    with pytest.raises(ValueError, match="mode"):
        draw_pooling_window(SEED_X, (2, 2), (0, 0), "min")
