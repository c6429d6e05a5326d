"""The one palette of the book's drawings: every figure, animation and explorer view takes
its colours from here, so a colour changes in one place.

Colours are hex strings that matplotlib, SVG and CSS all accept. The accent (orange) marks
the current window and its output; blue marks outputs and PyTorch's native kernels; green
marks cells that receive something (a gradient, a new value) and passed checks.
"""

from __future__ import annotations

__all__ = [
    "ACCENT",
    "ACCENT_FILL",
    "ACCENT_LIGHT",
    "BAD",
    "CELL_FILL",
    "CROSS",
    "DROPPED",
    "FAINT",
    "GRID_EDGE",
    "MUTED_TEXT",
    "NATIVE",
    "NATIVE_LIGHT",
    "OK",
    "OUTPUT_FILL",
    "PAD_FILL",
    "PAD_TEXT",
    "RECEIVE",
    "TEXT",
]

# The current window: its outline, its cells, and a lighter tint for secondary bars.
ACCENT = "#e8772e"
ACCENT_FILL = "#fde3cf"
ACCENT_LIGHT = "#f4b183"

# Grids of cells.
CELL_FILL = "#ffffff"
GRID_EDGE = "#8c8c8c"
PAD_FILL = "#f2f2f2"  # padding cells (dashed edges)
PAD_TEXT = "#9a9a9a"  # text inside padding cells
FAINT = "#c8c8c8"  # cells outside the current window, de-emphasised
DROPPED = "#b0b0b0"  # positions no window reads; also the loop version's bars
OUTPUT_FILL = "#eef3fa"  # output grids

# Cells that receive: a share of the gradient, or a newly written output value.
RECEIVE = "#c6e2c3"

# Text.
TEXT = "#222222"
MUTED_TEXT = "#777777"

# Marks.
CROSS = "#c0392b"  # a crossed-out window (dropped by ceil_mode's rule)
OK = "#1a7f37"  # a check that passed
BAD = "#c62828"  # a check that failed, an error message

# Benchmarks: PyTorch's native kernels and a lighter tint of them.
NATIVE = "#3b6ea8"
NATIVE_LIGHT = "#9dbbe0"
