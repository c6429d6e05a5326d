"""Draw a :class:`~pooling_lib.widgets.scene.Scene` with matplotlib.

Left: the input with its padding (dashed, unfilled, reading ``−∞`` or ``0``), the current
window shaded cell by cell (so the gaps dilation leaves stay white inside the window's
dashed outline) and, under ``ceil_mode``, the hatched cells where windows hang past the
padding. Right: the output with the current cell shaded. Below: the arithmetic, the
output-size formula and a key to the line styles, or pooling_lib's error message. (The
PyTorch call and the loop check are text beside the image, in each view, so they can be
copied and need not be drawn in every frame.)

Uses a bare :class:`matplotlib.figure.Figure` (no pyplot), so drawing never shows a figure
in a notebook by itself, and polygon collections plus one :class:`TextGrid` per grid so a
redraw stays fast.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import Affine2D, Transform
from PIL import Image

from pooling_lib.widgets.explain import MINUS_INF, fmt_cell
from pooling_lib.widgets.geometry import BEYOND, INPUT, PAD
from pooling_lib.widgets.scene import Scene
from pooling_lib.widgets.textgrid import Label, TextGrid

__all__ = ["draw_scene", "encode_png", "new_figure", "render_png", "scene_size"]

ACCENT = "#e8772e"
ACCENT_FILL = "#fde3cf"
EDGE = "#8c8c8c"
FAINT = "#c8c8c8"
PAD_TEXT = "#9a9a9a"
OUTPUT_FILL = "#eef3fa"
TEXT = "#222222"
OK = "#1a7f37"
BAD = "#c62828"

CELL = 0.42  # inches per grid cell, at least (wider when the values are long)
CHAR = 0.08  # inches per character of a cell label, at the cell font size
GAP = 0.9  # inches between input and output
MARGIN = 0.35
TITLE = 0.45
LINE = 0.24
FONT = 10
WRAP_MIN_WIDTH = 6.4  # inches: room for the text lines
PALETTE = 32  # colours of the stored PNGs: the drawings are flat, 32 look like full colour

_PROPS = {
    "title": FontProperties(size=FONT),
    "normal": FontProperties(size=FONT),
    "bold": FontProperties(size=FONT, weight="bold"),
    "small": FontProperties(size=FONT - 1),
    "pad": FontProperties(size=FONT - 1, style="italic"),
    "index": FontProperties(size=FONT - 3),
    "legend": FontProperties(size=FONT - 2),
}


def _legend(scene: Scene) -> str:
    """A key to the line styles that appear in this frame."""
    s = scene.settings
    parts = []
    if s.padding != (0, 0):
        parts.append(f"dashed: padding (reads {MINUS_INF if s.mode == 'max' else '0'})")
    if scene.window is not None and scene.window.gaps:
        parts.append("white cells inside the orange outline: gaps dilation skips")
    if scene.beyond_cells:
        parts.append("hatched: past the padding, where ceil_mode windows hang over (ignored)")
    return " · ".join(parts)


def _text_lines(scene: Scene, width_in: float) -> list[tuple[str, str, str]]:
    """(text, colour, font key) for every line under the grids, wrapped to the width."""
    chars = max(40, int(width_in * 72 / (FONT * 0.6)))
    lines: list[tuple[str, str, str]] = []

    def add(text: str, colour: str = TEXT, font: str = "normal") -> None:
        size = _PROPS[font].get_size_in_points()
        width = int(chars * FONT / size)
        for part in textwrap.wrap(text, width, subsequent_indent="    ") or [""]:
            lines.append((part, colour, font))

    if scene.error is not None:
        add("Invalid setting: " + scene.error, BAD)
        return lines
    add(scene.caption)
    for formula in scene.formula:
        add(formula, TEXT, "small")
    legend = _legend(scene)
    if legend:
        add(legend, PAD_TEXT, "legend")
    return lines


def cell_size(scene: Scene) -> float:
    """Inches per grid cell: :data:`CELL`, or wider so the longest value fits."""
    values = [v for row in scene.plane for v in row]
    values += [v for row in scene.output or [] for v in row]
    longest = max((len(fmt_cell(v)) for v in values), default=1)
    return max(CELL, CHAR * longest + 0.1)


def scene_size(scene: Scene) -> tuple[float, float, list[tuple[str, str, str]]]:
    """Figure (width, height) in inches and the text lines laid out for that width."""
    n_rows = scene.rows[1] - scene.rows[0]
    n_cols = scene.cols[1] - scene.cols[0]
    out_h, out_w = scene.out_shape or (0, 0)
    cell = cell_size(scene)
    grids_w = n_cols * cell + (GAP + out_w * cell if out_w else 0)
    width = max(grids_w + 2 * MARGIN, WRAP_MIN_WIDTH)
    lines = _text_lines(scene, width - 2 * MARGIN)
    grid_h = max(n_rows, out_h) * cell
    height = TITLE + grid_h + 0.25 + LINE * len(lines) + 0.15
    return width, height, lines


def new_figure(dpi: float = 80) -> Figure:
    """A figure with an Agg canvas attached, ready for :func:`draw_scene`."""
    fig = Figure(dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _squares(cells: list[tuple[int, int]], inset: float = 0.0) -> np.ndarray:
    """Corner arrays ``(N, 4, 2)`` of unit squares at ``(row, col)`` cells, in (x, y) order."""
    if not cells:
        return np.zeros((0, 4, 2))
    rc = np.asarray(cells, dtype=float)
    x0, y0 = rc[:, 1:2] + inset, rc[:, 0:1] + inset
    x1, y1 = rc[:, 1:2] + 1 - inset, rc[:, 0:1] + 1 - inset
    return np.stack(
        [np.hstack([x0, y0]), np.hstack([x1, y0]), np.hstack([x1, y1]), np.hstack([x0, y1])],
        axis=1,
    )


def _grid_transform(
    fig: Figure, left: float, top: float, first_row: int, first_col: int, cell: float
):
    """Grid coordinates (column, row) -> display, with cell ``(first_row, first_col)`` at
    ``left``/``top`` inches from the figure's top-left corner, ``cell`` inches a cell."""
    height = fig.get_size_inches()[1]
    return (
        Affine2D()
        .translate(-first_col, -first_row)
        .scale(cell, -cell)
        .translate(left, height - top)
        + fig.dpi_scale_trans
    )


def _add(fig: Figure, transform: Transform, verts: np.ndarray, **style) -> None:
    if len(verts):
        fig.add_artist(PolyCollection(verts, closed=True, transform=transform, **style))


def _draw_input(fig: Figure, scene: Scene, left: float, top: float) -> None:
    r0, r1 = scene.rows
    c0, c1 = scene.cols
    transform = _grid_transform(fig, left, top, r0, c0, cell_size(scene))
    pad_text = MINUS_INF if scene.settings.mode == "max" else "0"
    read = set(scene.highlighted)
    kinds: dict[str, list[tuple[int, int]]] = {INPUT: [], PAD: [], BEYOND: []}
    labels: list[Label] = []
    for r in range(r0, r1):
        for c in range(c0, c1):
            kind = scene.kind(r, c)
            kinds[kind].append((r, c))
            in_window = (r, c) in read
            if kind == INPUT:
                prop = _PROPS["bold" if in_window else "normal"]
                labels.append(Label(c + 0.5, r + 0.5, fmt_cell(scene.plane[r][c]), TEXT, prop))
            elif kind == PAD:
                colour = ACCENT if in_window else PAD_TEXT
                labels.append(Label(c + 0.5, r + 0.5, pad_text, colour, _PROPS["pad"]))
    labels += [
        Label(c0 - 0.15, r + 0.5, str(r), PAD_TEXT, _PROPS["index"], "right") for r in range(r0, r1)
    ]
    labels += [Label(c + 0.5, r0 - 0.25, str(c), PAD_TEXT, _PROPS["index"]) for c in range(c0, c1)]
    window = [cell for cell in scene.highlighted if scene.kind(*cell) != BEYOND]
    beyond = [cell for cell in scene.highlighted if scene.kind(*cell) == BEYOND]
    # The window's cells are shaded underneath; the grid lines go on top.
    _add(fig, transform, _squares(window), facecolor=ACCENT_FILL, edgecolor="none")
    _add(fig, transform, _squares(kinds[INPUT]), facecolor="none", edgecolor=EDGE, linewidth=1.0)
    _add(
        fig,
        transform,
        _squares(kinds[PAD]),
        facecolor="none",
        edgecolor=EDGE,
        linewidth=1.0,
        linestyle=(0, (3, 2)),
    )
    _add(
        fig,
        transform,
        _squares(kinds[BEYOND]),
        facecolor="none",
        edgecolor=FAINT,
        linewidth=0.8,
        linestyle=(0, (1, 2)),
        hatch="///",
    )
    _add(
        fig,
        transform,
        _squares(beyond),
        facecolor="none",
        edgecolor=ACCENT,
        linewidth=0.8,
        hatch="xx",
    )
    _add(
        fig,
        transform,
        _squares(window, inset=0.07),
        facecolor="none",
        edgecolor=ACCENT,
        linewidth=1.4,
    )
    if scene.window is not None:
        b0, a0, b1, a1 = scene.window.box
        box = np.array([[[a0, b0], [a1, b0], [a1, b1], [a0, b1]]], dtype=float)
        _add(
            fig,
            transform,
            box,
            facecolor="none",
            edgecolor=ACCENT,
            linewidth=2.2,
            linestyle=(0, (5, 2)),
        )
    fig.add_artist(TextGrid(labels, transform))


def _draw_output(fig: Figure, scene: Scene, left: float, top: float) -> None:
    out_h, out_w = scene.out_shape  # type: ignore[misc]
    i, j = scene.position  # type: ignore[misc]
    transform = _grid_transform(fig, left, top, 0, 0, cell_size(scene))
    cells = [(r, c) for r in range(out_h) for c in range(out_w)]
    _add(fig, transform, _squares(cells), facecolor=OUTPUT_FILL, edgecolor=EDGE, linewidth=1.0)
    _add(
        fig,
        transform,
        _squares([(i, j)]),
        facecolor=ACCENT_FILL,
        edgecolor=ACCENT,
        linewidth=2.2,
    )
    output = scene.output or []
    labels = [
        Label(
            c + 0.5,
            r + 0.5,
            fmt_cell(output[r][c]),
            TEXT,
            _PROPS["bold" if (r, c) == (i, j) else "normal"],
        )
        for r, c in cells
    ]
    labels += [
        Label(-0.15, r + 0.5, str(r), PAD_TEXT, _PROPS["index"], "right") for r in range(out_h)
    ]
    labels += [Label(c + 0.5, -0.25, str(c), PAD_TEXT, _PROPS["index"]) for c in range(out_w)]
    fig.add_artist(TextGrid(labels, transform))


def draw_scene(fig: Figure, scene: Scene, size: tuple[float, float] | None = None) -> Figure:
    """Clear ``fig`` and draw ``scene`` on it, sizing the figure to the grids.

    ``size`` (inches) fixes the figure size instead, so that the frames of an animation
    all have the same size (use the largest :func:`scene_size` of the frames).
    """
    width, height, lines = scene_size(scene)
    if size is not None:
        width, height = size
    fig.clear()
    fig.set_size_inches(width, height)
    n_rows = scene.rows[1] - scene.rows[0]
    n_cols = scene.cols[1] - scene.cols[0]
    cell = cell_size(scene)
    _draw_input(fig, scene, MARGIN, TITLE)
    s = scene.settings
    channel = f"[{scene.channel}]" if scene.n_channels > 1 else ""
    title = f"input X{channel}: {scene.shape[0]}×{scene.shape[1]}"
    if s.padding != (0, 0):
        title += f", padding ({s.padding[0]}, {s.padding[1]})"
    # Page coordinates: inches from the top-left corner.
    page = Affine2D().scale(1, -1).translate(0, height) + fig.dpi_scale_trans
    labels = [Label(MARGIN, 0.15, title, TEXT, _PROPS["title"], "left")]
    if scene.out_shape is not None:
        out_h, out_w = scene.out_shape
        left = MARGIN + n_cols * cell + GAP
        _draw_output(fig, scene, left, TITLE)
        labels.append(
            Label(left, 0.15, f"output Y{channel}: {out_h}×{out_w}", TEXT, _PROPS["title"], "left")
        )
    top = TITLE + max(n_rows, (scene.out_shape or (0, 0))[0]) * cell + 0.2
    for k, (text, colour, font) in enumerate(lines):
        labels.append(Label(MARGIN, top + LINE * k + LINE / 2, text, colour, _PROPS[font], "left"))
    fig.add_artist(TextGrid(labels, page))
    return fig


def encode_png(fig: Figure, colours: int | None = PALETTE) -> bytes:
    """PNG bytes of ``fig`` as last drawn.

    ``colours`` quantizes to a palette of that many colours: the drawings are flat, so 32
    look the same as full colour at a quarter of the size; use it for images that are
    stored (frames, and the state a notebook saves). ``None`` keeps full colour with light
    compression, about twice as fast: the live explorer's redraws.
    """
    width, height = fig.canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba()).convert("RGB")
    buf = io.BytesIO()
    if colours is None:
        image.save(buf, format="png", compress_level=1)
    else:
        image = image.quantize(colours, method=Image.Quantize.FASTOCTREE)
        image.save(buf, format="png", compress_level=9)
    return buf.getvalue()


def render_png(
    scene: Scene,
    fig: Figure | None = None,
    dpi: float = 80,
    colours: int | None = PALETTE,
    size: tuple[float, float] | None = None,
) -> bytes:
    """The scene as PNG bytes (reusing ``fig`` when given); see :func:`encode_png`."""
    fig = fig if fig is not None else new_figure(dpi)
    fig.set_dpi(dpi)
    draw_scene(fig, scene, size)
    fig.canvas.draw()
    return encode_png(fig, colours)
