"""Sphinx extension: keep each page of the book light (issue: a chapter page must download
at most 1.5 MB gzip-compressed).

The theme (pydata-sphinx-theme, under sphinx-book-theme) loads Font Awesome twice: its CSS
draws every ``<i class="fa-...">`` icon with the Font Awesome webfont (``fa-solid-900.woff2``,
about 150 kB), and its template adds ``scripts/fontawesome.js`` (about 0.5 MB gzip-compressed),
Font Awesome's SVG framework, which replaces the same icons by inline SVGs once more. The
book adds no icons of its own, so after the build this extension removes that ``<script>``
from every page; the icons stay, drawn by the webfont. ``tests/test_browser_explorer.py``
measures every page's download and checks the icons are still drawn.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

# The theme's tag (static/webpack-macros.html, head_js_preload).
FONTAWESOME_JS = re.compile(
    r"""[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?"""
)


def drop_fontawesome_js(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished`` handler: remove the theme's Font Awesome script from every page."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        lean = FONTAWESOME_JS.sub("", text)
        if lean != text:
            page.write_text(lean, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", drop_fontawesome_js)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
