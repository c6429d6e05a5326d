"""The pooling explorer as an anywidget: ``explorer.js`` draws it, Python checks it.

Every control of the view is a synced trait, named as ``torch.nn.functional``'s keywords::

    ex = explore(torch.arange(16.0).reshape(4, 4), kernel_size=3, padding=1, stride=2)
    ex.kernel_size = (2, 2)      # the view redraws
    ex.mode = "avg"
    ex.settings                  # PoolSettings(mode='avg', kernel_size=(2, 2), ...)
    ex.position                  # [i, j], the output cell the reader looks at

Whenever a setting, the input values, the batch or the channel change (from Python or from
the view), :meth:`Explorer.check` pools the tensor with ``pooling_lib.functional`` and with
the teaching loops of ``pooling_lib.loops`` and puts the outcome in the ``python`` trait: the
view shows whether they agree and whether the browser's drawing shows the same values. An
invalid setting is not raised: ``python["error"]`` holds pooling_lib's message, which the
view shows as its own (the browser words the rules the same way).

Outside a kernel (the book's website) the output's ``text/html`` part carries the same
module: :meth:`Explorer.static_html`.
"""

from __future__ import annotations

import html
import json
import math
import os

import anywidget
import torch
import traitlets

from pooling_book.drawing import palette
from pooling_book.settings import KEYWORDS, MODES, PoolSettings, as_pair
from pooling_lib import functional, loops

__all__ = ["CONTROLS", "Explorer", "esm_source", "format_value", "SITE_MODULE"]

# The controls an explorer can show first (``controls=[...]``); the rest go under "more
# settings". "size" is the input's H and W, shown on every explorer in the row above its
# grids with the output's size (typing an output size sets a kernel, stride and padding that
# give it); naming it lets predict mode draw random sizes. "values" are the presets, "view"
# values/gradient.
CONTROLS: tuple[str, ...] = ("size", *KEYWORDS, "batch", "channel", "values", "view")

# Where the book's website serves the explorer: one classic script (the modules bundled by
# bundle.site_bundle, staged by tools/vendor_assets.py), so that it also runs from a page
# opened from disk (file://), where browsers refuse to import ES modules.
SITE_MODULE = "vendor/pooling-explorer/explorer.iife.js"
# The book's pages load it in their head, under this id (tools/explorer_script.py).
SCRIPT_ID = "pooling-explorer-js"
_LOADER = (
    "<script>(function () {"
    "var root = document.documentElement.dataset.content_root;"
    "if (root === undefined) return;"
    "if (window.PoolingExplorer) return window.PoolingExplorer.mountAll();"
    f'if (document.getElementById("{SCRIPT_ID}")) return;'
    'var s = document.createElement("script");'
    f's.id = "{SCRIPT_ID}";'
    f's.src = root + "{SITE_MODULE}";'
    "document.head.appendChild(s);"
    "})();</script>"
)


# The languages of the view's words (strings.js); "" means the page's language.
LANGUAGES: tuple[str, ...] = ("", "en", "zh-CN")


def default_language() -> str:
    """The view's language in a kernel, from ``POOLING_BOOK_LANG`` as
    :mod:`pooling_book.i18n` reads it for the figures: ``"zh-CN"`` for ``zh_CN`` (the
    Chinese edition executes with it), ``"en"`` for ``en``, ``""`` (the page's language)
    when it is unset or empty."""
    from pooling_book import i18n

    if not os.environ.get(i18n.ENV_VAR, "").strip():
        return ""
    return "zh-CN" if i18n.LANGUAGE == "zh_CN" else "en"


def esm_source() -> str:
    """The widget's one ES module: the front end's modules joined (a widget's module cannot
    load a second file; :func:`pooling_book.explorer.bundle.widget_module`)."""
    from pooling_book.explorer.bundle import widget_module

    return widget_module()


def format_value(v: float) -> str:
    """A value as the drawing prints it (``formatValue`` in pooling.js): at most two
    decimals, halves rounded away from zero, ``nan``, ``inf``, ``-inf``."""
    from decimal import ROUND_HALF_UP, Decimal

    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def _as_json(v: float) -> float | str:
    return v if math.isfinite(v) else ("NaN" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def _from_json(v: float | str) -> float:
    return float(v)


class _Pair(traitlets.List):
    """An ``(h, w)`` pair of ints; an int ``k`` means ``(k, k)`` (PyTorch's convention)."""

    def __init__(self, default: tuple[int, int], **kwargs) -> None:
        super().__init__(traitlets.Int(), default_value=list(default), minlen=2, maxlen=2, **kwargs)

    def validate(self, obj, value):
        try:
            value = list(as_pair(value, self.name))
        except TypeError as exc:
            raise traitlets.TraitError(str(exc)) from None
        return super().validate(obj, value)


def static_page(state: dict, summary: str) -> str:
    """An explorer for a page without a kernel: its ``state`` as JSON in a ``<div>`` that the
    site's script turns into the view, ``summary`` for readers without JavaScript, and the
    loader of that script."""
    return (
        f'<div class="pooling-explorer" data-state="{html.escape(json.dumps(state))}">'
        f"<p>{html.escape(summary)}</p></div>{_LOADER}"
    )


class ShownOnTheSite:
    """Mixin for the explorers' widgets: the output's ``text/html`` part is their
    ``static_html()``, which the book's website shows (Jupyter shows the live widget)."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = self.static_html()
        data["text/plain"] = repr(self)
        return bundle


class Explorer(ShownOnTheSite, anywidget.AnyWidget):
    """Slide a pooling window over ``X`` of shape ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``.

    Traits (synced with the view): the pooling keywords of :class:`PoolSettings`
    (``mode``, ``kernel_size``, ``stride``, ``padding``, ``dilation`` as ``[h, w]`` lists,
    ``ceil_mode``, ``count_include_pad``, ``divisor_override``, ``norm_type``), ``batch``
    and ``channel`` (the plane shown), ``position`` (the output cell ``[i, j]``), ``view``
    (``"values"`` or ``"gradient"``), ``values`` and ``shape`` (the input, flattened, and
    its ``[N, C, H, W]``; the reader edits cells and resizes H and W in the view),
    ``controls`` (the names, from :data:`CONTROLS`, shown first; the rest are under "more
    settings"; ``[]`` shows all), ``predict`` (predict mode: output values hidden until the
    reader answers), ``lang`` (the language of the view's words: ``"en"``, ``"zh-CN"``, or
    ``""`` for the page's; by default :func:`default_language`) and ``python`` (the check,
    read-only). Raises ``TypeError``/``ValueError``
    naming ``X`` for a tensor of another shape, ``ValueError`` for an unknown control.
    """

    _esm = esm_source()

    values = traitlets.List().tag(sync=True)
    shape = traitlets.List(traitlets.Int()).tag(sync=True)
    dtype = traitlets.Unicode("float32").tag(sync=True)
    mode = traitlets.Enum(MODES, default_value="max").tag(sync=True)
    kernel_size = _Pair((2, 2)).tag(sync=True)
    stride = _Pair((2, 2)).tag(sync=True)
    padding = _Pair((0, 0)).tag(sync=True)
    dilation = _Pair((1, 1)).tag(sync=True)
    ceil_mode = traitlets.Bool(False).tag(sync=True)
    count_include_pad = traitlets.Bool(True).tag(sync=True)
    divisor_override = traitlets.Int(None, allow_none=True).tag(sync=True)
    norm_type = traitlets.Float(2.0).tag(sync=True)
    batch = traitlets.Int(0).tag(sync=True)
    channel = traitlets.Int(0).tag(sync=True)
    position = traitlets.List(traitlets.Int(), default_value=[0, 0]).tag(sync=True)
    view = traitlets.Enum(("values", "gradient"), default_value="values").tag(sync=True)
    python = traitlets.Dict().tag(sync=True)
    live = traitlets.Bool(True).tag(sync=True)
    controls = traitlets.List(traitlets.Unicode()).tag(sync=True)
    predict = traitlets.Bool(False).tag(sync=True)
    palette = traitlets.Dict().tag(sync=True)
    # the language of the view's words: "en", "zh-CN", or "" for the page's language
    lang = traitlets.Enum(LANGUAGES, default_value="").tag(sync=True)

    def __init__(self, X: torch.Tensor, settings: PoolSettings | None = None, **kwargs) -> None:
        X = _as_batch(X)
        settings = (settings or PoolSettings()).effective()
        super().__init__(
            values=[_as_json(v) for v in X.flatten().tolist()],
            shape=list(X.shape),
            dtype="float64" if X.dtype == torch.float64 else "float32",
            palette={name: getattr(palette, name) for name in palette.__all__},
            **{k: v for k, v in settings.as_dict().items()},
            **({"lang": default_language()} | kwargs),
        )
        self.check()

    @property
    def X(self) -> torch.Tensor:
        """The input as the view shows it (after the reader's edits), ``(N, C, H, W)``."""
        dtype = torch.float64 if self.dtype == "float64" else torch.float32
        flat = torch.tensor([_from_json(v) for v in self.values], dtype=dtype)
        return flat.reshape(self.shape)

    @property
    def settings(self) -> PoolSettings:
        """The view's current settings."""
        return PoolSettings.create(**{name: self._setting(name) for name in KEYWORDS})

    def _setting(self, name: str):
        value = getattr(self, name)
        return tuple(value) if isinstance(value, list) else value

    @traitlets.validate("batch", "channel")
    def _valid_index(self, proposal):
        name, value = proposal["trait"].name, proposal["value"]
        size = self.shape[0 if name == "batch" else 1]
        if not 0 <= value < size:
            raise ValueError(f"explore: {name}={value} must be in [0, {size})")
        return value

    @traitlets.validate("controls")
    def _valid_controls(self, proposal):
        value = list(proposal["value"])
        unknown = [name for name in value if name not in CONTROLS]
        if unknown or len(set(value)) != len(value):
            raise ValueError(
                f"explore: controls={value!r} must name each control at most once, "
                f"from {CONTROLS} ([] shows them all)"
            )
        return value

    @traitlets.validate("shape")
    def _valid_shape(self, proposal):
        shape = list(proposal["value"])
        if len(shape) != 4 or min(shape) < 1:
            raise ValueError(f"explore: shape={shape} must be [N, C, H, W], each at least 1")
        return shape

    @traitlets.observe(*KEYWORDS, "values", "shape", "batch", "channel")
    def _changed(self, change) -> None:
        # The view resizes the input by sending the new shape and values one after the
        # other: check once both have arrived.
        if len(self.values) == math.prod(self.shape):
            self.check()

    def check(self) -> dict:
        """Pool with ``pooling_lib.functional`` and ``pooling_lib.loops``, compare, and store
        the outcome in ``self.python`` (also returned)."""
        s = self.settings
        x = self.X
        fn = f"{s.mode}_pool2d"
        state = {
            "settings": {name: self._setting(name) for name in KEYWORDS},
            "batch": self.batch,
            "channel": self.channel,
            "input": list(self.values),
        }
        try:
            out = _pool(functional, s, x)
        except (ValueError, TypeError) as exc:
            self.python = state | {"ok": True, "error": str(exc), "check": f"pooling_lib: {exc}"}
            return self.python
        reference, name = _reference(s, x)
        same = out.shape == reference.shape and bool(
            torch.allclose(out, reference, rtol=1e-5, atol=1e-6, equal_nan=True)
        )
        shape = tuple(out.shape)
        verdict = "agree" if same else "DISAGREE"
        plane = out[self.batch, self.channel].flatten().tolist()
        self.python = state | {
            "ok": same,
            "error": None,
            "shape": list(shape),
            "values": [format_value(v) for v in plane],
            "check": f"Python: pooling_lib.functional.{fn} and {name} {verdict} on the whole "
            f"input (output shape {shape}).",
        }
        return self.python

    def __repr__(self) -> str:
        """What the widget is, from its state alone (no memory address), so that a notebook's
        stored ``text/plain`` output is the same on every run: the call, the input's shape
        and the output's shape (or the rule the setting breaks)."""
        s = self.settings
        args = ", ".join(f"{k}={v!r}" for k, v in s.call_kwargs().items())
        outcome = (
            f"output shape {tuple(self.python['shape'])}"
            if self.python.get("shape")
            else f"error: {self.python.get('error')}"
        )
        return f"Explorer({s.mode}_pool2d(X of shape {tuple(self.shape)}, {args}); {outcome})"

    def static_html(self) -> str:
        """The explorer for a page without a kernel: the state as JSON in a ``<div>`` that the
        site's copy of ``explorer.js`` turns into the same view, and a sentence for readers
        without JavaScript."""
        state = {name: getattr(self, name) for name in self.keys if not name.startswith("_")}
        # the site shows the page's language (an edition's <html lang>), not the kernel's
        dropped = ("layout", "tabbable", "tooltip", "lang")
        state = {k: v for k, v in state.items() if k not in dropped}
        state["live"] = False
        s = self.settings
        if self.lang == "zh-CN":
            outcome = (
                f"输出形状为 {tuple(self.python['shape'])}。"
                if self.python.get("shape")
                else f"{self.python.get('error')} "
            )
            summary = (
                f"汇聚探索器：对形状为 {tuple(self.shape)} 的 X 做 {s.mode}_pool2d。{outcome}"
                "它在本书网站的浏览器中运行，在 Jupyter 中是一个实时的小部件。"
            )
            return static_page(state, summary)
        summary = (
            f"Pooling explorer: {s.mode}_pool2d on X of shape {tuple(self.shape)}. "
            + (
                f"Output shape {tuple(self.python['shape'])}. "
                if self.python.get("shape")
                else f"{self.python.get('error')} "
            )
            + "It runs in the browser on the book's website and as a live widget in Jupyter."
        )
        return static_page(state, summary)


def _as_batch(X: object) -> torch.Tensor:
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"explore: X must be a torch.Tensor, got {type(X).__name__}")
    if X.dim() not in (2, 3, 4) or X.numel() == 0:
        raise ValueError(
            f"explore: X of shape {tuple(X.shape)} must be (H, W), (C, H, W) or (N, C, H, W) "
            "and not empty"
        )
    if X.dtype not in (torch.float32, torch.float64):
        X = X.float()
    while X.dim() < 4:
        X = X.unsqueeze(0)
    return X.detach().cpu()


def _pool(module, s: PoolSettings, x: torch.Tensor) -> torch.Tensor:
    return getattr(module, f"{s.mode}_pool2d")(x, **s.call_kwargs())


def _reference(s: PoolSettings, x: torch.Tensor) -> tuple[torch.Tensor, str]:
    """The teaching loops' result for the same call, and the loop function's name."""
    return _pool(loops, s, x), f"pooling_lib.loops.{s.mode}_pool2d"
