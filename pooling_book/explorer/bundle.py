"""The explorer's front end is a few small ES modules; this joins them into one file.

The modules, in dependency order (each imports only modules before it, by ``./name.js``):

* ``strings.js``: every word the explorer shows, in English and in Chinese (one table per
  language, chosen by the widget's ``lang`` or the page's language);
* ``pooling.js``: the pooling, a port of ``pooling_lib.loops`` and of the rules of
  ``pooling_lib.shapes``;
* ``model.js``: the state (a local model for the site, presets, resizing, which outputs read
  an input cell, a seeded random generator);
* ``style.js``: the stylesheet, from ``pooling_book.drawing.palette``;
* ``drawing.js``: the grids, their indices, the window, the arithmetic;
* ``controls.js``: the controls, the focused ones first and the rest under "more settings";
* ``predict.js``: predict mode (questions, answers checked at once, the score);
* ``shift.js``: the shift explorer (max pooling and blur pooling of a shifted input);
* ``explorer.js``: the view that puts them together, the site's ``mountAll``, the widget.

Two joins of the same text:

* :func:`widget_module`: one ES module, the anywidget's ``_esm`` (a widget's module cannot
  load a second file);
* :func:`site_bundle`: one classic script that defines ``window.PoolingExplorer`` and mounts
  every explorer of the page; the website serves it (``tools/vendor_assets.py``) because a
  classic script also runs from a page opened from disk (``file://``), where browsers refuse
  ES module imports.
"""

from __future__ import annotations

import re
from importlib import resources

__all__ = ["MODULES", "module_text", "widget_module", "site_bundle"]

MODULES: tuple[str, ...] = (
    "strings.js",
    "pooling.js",
    "model.js",
    "style.js",
    "drawing.js",
    "controls.js",
    "predict.js",
    "shift.js",
    "explorer.js",
)

_IMPORT = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./([a-z]+\.js)";\n', re.MULTILINE)


def module_text(name: str) -> str:
    """The source of one module (package data of ``pooling_book.explorer``)."""
    return resources.files("pooling_book.explorer").joinpath(name).read_text(encoding="utf-8")


def _joined() -> str:
    parts = []
    for k, name in enumerate(MODULES):
        text = module_text(name)
        for imported in _IMPORT.findall(text):
            if imported not in MODULES[:k]:
                raise ValueError(
                    f"explorer module {name} imports ./{imported}, which must be one of the "
                    f"modules before it: {MODULES[:k]}"
                )
        parts.append(f"// ---- {name}\n" + _IMPORT.sub("", text))
    return "\n".join(parts)


def widget_module() -> str:
    """The modules as one ES module (their imports of each other dropped)."""
    return _joined()


def site_bundle() -> str:
    """The modules as one classic script: ``window.PoolingExplorer`` holds what they export,
    and every explorer on the page is mounted now and once the page is parsed. When the last
    of them is mounted, the page's ``<html>`` records the time (``data-explorers-mounted-ms``,
    ``performance.now()``) and whether MathJax had typeset anything yet
    (``data-mathjax-before-explorers``), for the tests and ``make bench``."""
    body = _joined()
    names = re.findall(r"^export (?:async )?(?:function|const|let|class) (\w+)", body, re.M)
    body = re.sub(r"^export default ", "const widget = ", body, flags=re.M)
    body = re.sub(r"^export ", "", body, flags=re.M)
    api = ", ".join([*names, "widget"])
    return (
        "// The pooling explorer for the book's website (pooling_book/explorer/bundle.py joined\n"
        "// its ES modules into this classic script, which also runs from file:// pages).\n"
        '(function () {\n"use strict";\n'
        f"{body}\n"
        f"window.PoolingExplorer = {{ {api} }};\n"
        "function mountPage() {\n"
        "  if (!mountAll()) return;\n"
        "  const d = document.documentElement.dataset;\n"
        "  d.explorersMountedMs = String(Math.round(performance.now()));\n"
        '  d.mathjaxBeforeExplorers = String(document.querySelector("mjx-container") !== null);\n'
        "}\n"
        "mountPage();\n"
        'if (document.readyState === "loading") '
        'document.addEventListener("DOMContentLoaded", mountPage);\n'
        "})();\n"
    )
