"""The pooling explorer: one component, live in Jupyter and on the book's static website.

``explore(X, kernel_size=3, stride=2, padding=1)`` is all a chapter needs. The parts:

* the front end, small ES modules (:mod:`pooling_book.explorer.bundle` lists them and joins
  them): ``pooling.js``, the pooling in the browser, a port of ``pooling_lib.loops`` and of
  the argument rules of ``pooling_lib.shapes`` (same messages); ``model.js``, ``drawing.js``,
  ``controls.js``, ``predict.js``, ``shift.js``, ``style.js``; ``explorer.js``, the view
  that puts them together, an anywidget front end that also mounts itself on the website;
* :mod:`~pooling_book.explorer.widget`: :class:`Explorer`, the anywidget whose traits are the
  view's controls, checked in Python with ``pooling_lib``.
"""

from __future__ import annotations

import torch

from pooling_book.explorer.shift import ShiftExplorer, explore_shift
from pooling_book.explorer.widget import Explorer
from pooling_book.settings import PoolSettings

__all__ = ["Explorer", "ShiftExplorer", "explore", "explore_shift"]


def explore(
    X: torch.Tensor,
    *,
    mode: str = "max",
    kernel_size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    norm_type: float = 2.0,
    batch: int = 0,
    channel: int = 0,
    position: tuple[int, int] = (0, 0),
    controls: list[str] | tuple[str, ...] | None = None,
    predict: bool = False,
    lang: str | None = None,
) -> Explorer:
    """Explore pooling ``X`` of shape ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``.

    The keywords are ``torch.nn.functional.max_pool2d`` / ``avg_pool2d`` / ``lp_pool2d``'s,
    plus ``mode`` (``"max"``, ``"avg"`` or ``"lp"``) and the plane and output cell shown
    first (``batch``, ``channel``, ``position``). The output has shape
    ``(N, C, H_out, W_out)`` with
    ``H_out = floor((H + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1``
    (``ceil`` with ``ceil_mode``; ``pooling_lib.shapes.pooled_size``).

    ``controls`` names what the section teaches (``["padding"]``, ``["size", "stride"]``;
    names from :data:`~pooling_book.explorer.widget.CONTROLS`): those controls come first and
    every other one is under "more settings"; ``None`` shows them all. Above its grids every
    explorer shows the input's size H, W (editable, 1 to 16; a size out of range is refused
    with its rule; cells past ``X``'s own size are 0, a note says so, and a preset fills
    them) and the output's: typing an output size sets the kernel, stride and padding
    closest to the current ones that give it, avoiding where it can a window that is half
    padding or shorter than its stride (for that it may set dilation and ``ceil_mode`` back
    to those given here).
    ``predict=True`` starts in predict mode: the output's values are hidden and the reader
    types the value of the highlighted output cell (or the output's shape) and is told at
    once whether it is right. ``lang`` sets the language of the view's words (``"en"`` or
    ``"zh-CN"``); by default ``POOLING_BOOK_LANG`` decides in a kernel (``zh_CN``: Chinese)
    and the page's language on the book's website.

    Returns an :class:`Explorer` widget; as the last expression of a cell it shows the
    explorer. Invalid settings are shown with pooling_lib's message, not raised; a value of
    the wrong form (``kernel_size=1.5``, ``mode="min"``) raises ``TypeError``/``ValueError``.
    """
    settings = PoolSettings.create(
        mode=mode,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
        norm_type=norm_type,
    )
    if predict not in (True, False):
        raise TypeError(f"explore: predict={predict!r} must be True or False")
    return Explorer(
        X,
        settings,
        batch=batch,
        channel=channel,
        position=list(position),
        controls=list(controls or []),
        predict=predict,
        **({} if lang is None else {"lang": lang}),
    )
