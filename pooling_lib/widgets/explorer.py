"""The live pooling explorer: ipywidgets controls around one redrawn matplotlib frame.

Every control change builds the settings, runs them through pooling_lib (cached per
setting, so stepping the position does not recompute the pooling), builds the
:class:`~pooling_lib.widgets.scene.Scene` and redraws the image. Nothing raises into the
notebook: an invalid setting shows pooling_lib's own message and leaves every control usable.

Drive it from Python (this is what the tests do)::

    ex = PoolingExplorer(torch.arange(16.0).reshape(4, 4), kernel_size=3, padding=1, stride=2)
    ex.set(mode="avg", count_include_pad=False)
    ex.step()                       # next output cell, row by row (what Play does)
    ex.scene.arithmetic, ex.scene.highlighted, ex.error
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as widgets
import torch
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from pooling_lib.widgets.captions import call_html, status_html
from pooling_lib.widgets.compute import Evaluation, evaluate
from pooling_lib.widgets.drawing import PALETTE, draw_scene, encode_png, new_figure
from pooling_lib.widgets.scene import Scene, as_batch, build_scene
from pooling_lib.widgets.settings import MODES, PoolSettings

__all__ = ["PoolingExplorer"]

_PAIRS = ("kernel", "stride", "padding", "dilation")
# set()'s argument names (torch.nn's) -> the pair of sliders they move.
_PAIR_ARGS = {
    "kernel_size": "kernel",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
}
_LABEL_WIDTH = "90px"


class _Looks:
    """One Layout/style model per kind, shared by all of one explorer's controls.

    Each ipywidgets model is saved with the notebook's widget state; sharing them keeps
    a notebook with a dozen explorers small (a Layout model alone is about 1 kB).
    """

    def __init__(self) -> None:
        self.plain = widgets.Layout()
        self.slider = widgets.Layout(width="260px")
        self.slider_style = widgets.SliderStyle(description_width=_LABEL_WIDTH)
        self.label_style = DescriptionStyle(description_width=_LABEL_WIDTH)
        self.html_style = HTMLStyle()

    def int_slider(self, description: str, value: int, low: int, high: int) -> widgets.IntSlider:
        return widgets.IntSlider(
            value=value,
            min=min(low, value),
            max=max(high, value),
            description=description,
            continuous_update=False,
            layout=self.slider,
            style=self.slider_style,
        )

    def html(self) -> widgets.HTML:
        return widgets.HTML(layout=self.plain, style=self.html_style)

    def hbox(self, children: list) -> widgets.HBox:
        return widgets.HBox(children, layout=self.plain)


class PoolingExplorer(widgets.VBox):
    """Slide a pooling window over ``X`` of shape ``(H, W)``, ``(C, H, W)`` or ``(1, C, H, W)``.

    The keyword arguments are those of ``torch.nn.MaxPool2d``/``AvgPool2d``/``LPPool2d``
    plus ``mode`` (``"max"``, ``"avg"`` or ``"lp"``), the ``channel`` shown and the output
    ``position`` ``(i, j)`` whose window is highlighted. Output shape ``(C, H_out, W_out)``
    with ``H_out = ⌊(H + 2·padding − dilation·(kernel−1) − 1)/stride⌋ + 1`` (⌈⌉ under
    ``ceil_mode``), the same for ``W_out``.

    Raises ``TypeError``/``ValueError`` only for an ``X`` it cannot draw; invalid pooling
    settings are shown inside the widget instead.
    """

    def __init__(
        self,
        X: torch.Tensor,
        *,
        mode: str = "max",
        kernel_size: int | tuple[int, int] = 2,
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        norm_type: float = 2,
        channel: int = 0,
        position: tuple[int, int] = (0, 0),
        dpi: float = 80,
    ) -> None:
        self.x = as_batch(X)
        settings = PoolSettings.create(
            mode, kernel_size, stride, padding, dilation, ceil_mode, count_include_pad, norm_type
        )
        n_channels, height, width = self.x.shape[1:]
        if not 0 <= channel < n_channels:
            raise ValueError(f"channel must be in range({n_channels}), got {channel}")
        side = max(height, width)
        self._figure = new_figure(dpi)
        self._cache: dict[PoolSettings, Evaluation] = {}
        self._holding = False
        self._scene: Scene | None = None
        self.render_error: str | None = None

        looks = _Looks()
        slider = looks.int_slider
        self.mode = widgets.ToggleButtons(
            options=list(MODES),
            value=settings.mode,
            description="mode",
            style=widgets.ToggleButtonsStyle(description_width=_LABEL_WIDTH, button_width="80px"),
            layout=looks.plain,
        )
        step = settings.step
        self.kernel = (
            slider("kernel h", settings.kernel[0], 1, side + 2),
            slider("kernel w", settings.kernel[1], 1, side + 2),
        )
        self.stride = (slider("stride h", step[0], 1, side), slider("stride w", step[1], 1, side))
        self.padding = (
            slider("padding h", settings.padding[0], 0, side // 2 + 1),
            slider("padding w", settings.padding[1], 0, side // 2 + 1),
        )
        self.dilation = (
            slider("dilation h", settings.dilation[0], 1, 4),
            slider("dilation w", settings.dilation[1], 1, 4),
        )
        check_style = CheckboxStyle()
        self.ceil_mode = widgets.Checkbox(
            value=settings.ceil_mode,
            description="ceil_mode",
            indent=False,
            layout=looks.plain,
            style=check_style,
        )
        self.count_include_pad = widgets.Checkbox(
            value=settings.count_include_pad,
            description="count_include_pad",
            indent=False,
            layout=looks.plain,
            style=check_style,
        )
        norms = sorted({1.0, 2.0, 3.0, settings.norm_type})
        self.norm_type = widgets.Dropdown(
            options=[(f"{p:g}", p) for p in norms],
            value=settings.norm_type,
            description="norm_type",
            style=looks.label_style,
            layout=widgets.Layout(width="200px"),
        )
        self.channel = slider("channel", channel, 0, n_channels - 1)
        self.channel.disabled = n_channels == 1
        self.i = slider("output i", max(position[0], 0), 0, 0)
        self.j = slider("output j", max(position[1], 0), 0, 0)
        self.i.continuous_update = self.j.continuous_update = True  # a redraw takes ~20 ms
        self.play = widgets.Play(
            value=0, min=0, max=0, interval=800, description="play", layout=looks.plain
        )
        # flex-start: a VBox would stretch the image to its width and blur it
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(max_width="100%", align_self="flex-start")
        )
        self.status = looks.html()
        self.call = looks.html()

        controls = widgets.VBox(
            [
                self.mode,
                looks.hbox([self.kernel[0], self.kernel[1]]),
                looks.hbox([self.stride[0], self.stride[1]]),
                looks.hbox([self.padding[0], self.padding[1]]),
                looks.hbox([self.dilation[0], self.dilation[1]]),
                looks.hbox([self.ceil_mode, self.count_include_pad, self.norm_type]),
                looks.hbox([self.channel]),
                looks.hbox([self.play, self.i, self.j]),
            ],
            layout=looks.plain,
        )
        super().__init__([controls, self.image, self.call, self.status], layout=looks.plain)
        for control in self._controls():
            control.observe(self._on_change, names="value")
        self.play.observe(self._on_play, names="value")
        self._i_j_max()
        self._holding = True
        self.i.value = min(max(position[0], 0), self.i.max)
        self.j.value = min(max(position[1], 0), self.j.max)
        self._holding = False
        self.refresh(compact=True)  # the image a saved notebook keeps: small

    # ------------------------------------------------------------------ state

    def _controls(self) -> Iterator[widgets.ValueWidget]:
        yield self.mode
        for name in _PAIRS:
            yield from getattr(self, name)
        yield from (self.ceil_mode, self.count_include_pad, self.norm_type, self.channel)
        yield from (self.i, self.j)

    @property
    def settings(self) -> PoolSettings:
        """The settings the controls show, with those the mode ignores reset."""
        return PoolSettings(
            mode=self.mode.value,
            kernel=(self.kernel[0].value, self.kernel[1].value),
            stride=(self.stride[0].value, self.stride[1].value),
            padding=(self.padding[0].value, self.padding[1].value),
            dilation=(self.dilation[0].value, self.dilation[1].value),
            ceil_mode=self.ceil_mode.value,
            count_include_pad=self.count_include_pad.value,
            norm_type=float(self.norm_type.value),
        ).effective()

    @property
    def evaluation(self) -> Evaluation:
        """pooling_lib's result for the current settings (cached per setting)."""
        settings = self.settings
        found = self._cache.get(settings)
        if found is None:
            if len(self._cache) > 256:
                self._cache.clear()
            found = self._cache[settings] = evaluate(self.x, settings)
        return found

    @property
    def scene(self) -> Scene:
        """What the image shows now."""
        assert self._scene is not None
        return self._scene

    @property
    def error(self) -> str | None:
        """pooling_lib's message for an invalid setting, else None."""
        return self.scene.error

    @property
    def png(self) -> bytes:
        return bytes(self.image.value)

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls with one redraw at the end."""
        outer = self._holding
        self._holding = True
        try:
            yield
        finally:
            self._holding = outer
        if not outer:
            self.refresh()

    def set(self, **values: object) -> PoolingExplorer:
        """Set controls by name, then redraw once: ``mode``, ``kernel_size``, ``stride``,
        ``padding``, ``dilation`` (ints or pairs), ``ceil_mode``, ``count_include_pad``,
        ``norm_type``, ``channel``, ``position``. Unknown names raise TypeError."""
        with self.hold():
            for name, value in values.items():
                pair = _PAIR_ARGS.get(name)
                if pair is not None:
                    h, w = (value, value) if isinstance(value, int) else value  # type: ignore[misc]
                    getattr(self, pair)[0].value = h
                    getattr(self, pair)[1].value = w
                elif name == "position":
                    self._i_j_max()
                    self.i.value, self.j.value = value  # type: ignore[misc]
                elif name in ("mode", "ceil_mode", "count_include_pad", "norm_type", "channel"):
                    getattr(self, name).value = value
                else:
                    raise TypeError(f"set() got an unknown control {name!r}")
        return self

    def step(self) -> tuple[int, int]:
        """Move to the next output cell, row by row, wrapping at the end (what Play does)."""
        if self.error is not None:
            return (self.i.value, self.j.value)
        out_h, out_w = self.scene.out_shape  # type: ignore[misc]
        flat = (self.i.value * out_w + self.j.value + 1) % (out_h * out_w)
        with self.hold():
            self.i.value, self.j.value = divmod(flat, out_w)
        return (self.i.value, self.j.value)

    # ------------------------------------------------------------------ updates

    def _on_change(self, change: dict) -> None:
        if not self._holding:
            self.refresh()

    def _on_play(self, change: dict) -> None:
        if self._holding or self.error is not None:
            return
        out_w = self.scene.out_shape[1]  # type: ignore[index]
        with self.hold():
            self.i.value, self.j.value = divmod(int(change["new"]), out_w)

    def _i_j_max(self) -> None:
        """Fit the position sliders and Play to the output grid of the current settings."""
        evaluation = self.evaluation
        out_h, out_w = evaluation.output.shape[-2:] if evaluation.output is not None else (1, 1)
        self.i.max, self.j.max = max(out_h - 1, 0), max(out_w - 1, 0)
        self.play.max = max(out_h * out_w - 1, 0)

    def _enable(self, settings: PoolSettings, ok: bool) -> None:
        for name in ("padding", "dilation"):
            for control in getattr(self, name):
                control.disabled = not settings.uses(name)
        self.count_include_pad.disabled = not settings.uses("count_include_pad")
        self.norm_type.disabled = not settings.uses("norm_type")
        for control in (self.i, self.j, self.play):
            control.disabled = not ok

    def refresh(self, compact: bool = False) -> None:
        """Recompute and redraw from the controls. Never raises: a failure is shown.

        ``compact`` stores a small palette PNG (slower to encode): used for the first
        drawing, which is what a saved notebook keeps; redraws after a control change
        use a fast full-colour PNG.
        """
        was = self._holding
        self._holding = True
        try:
            settings = self.settings
            evaluation = self.evaluation
            self._i_j_max()
            self._enable(settings, evaluation.ok)
            position = (self.i.value, self.j.value)
            if evaluation.ok:
                out_w = evaluation.output.shape[-1]  # type: ignore[union-attr]
                self.play.value = position[0] * out_w + position[1]
            scene = build_scene(self.x, settings, evaluation, self.channel.value, position)
            self._scene = scene
            draw_scene(self._figure, scene)
            self._figure.canvas.draw()
            self.image.value = encode_png(self._figure, PALETTE if compact else None)
            self.call.value = call_html(scene)
            self.status.value = status_html(scene)
            self.render_error = None
        except Exception as exc:  # noqa: BLE001 - keep the notebook and the controls alive
            self.render_error = f"{type(exc).__name__}: {exc}"
            self.status.value = (
                "<div style='color:#c62828'><b>The explorer failed to draw:</b> "
                f"{html.escape(self.render_error)}</div>"
            )
        finally:
            self._holding = was

    def __repr__(self) -> str:
        shape = tuple(self.x.shape)
        return f"PoolingExplorer(X of shape {shape}, {self.scene.torch_call})"
