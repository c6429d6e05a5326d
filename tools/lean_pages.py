"""Sphinx extension: after the build, make every page lighter and its content accessible.

Issue 9 asks that a chapter page download at most 1.5 MB gzip-compressed and that axe-core
find no serious or critical problem in the book's content. Four things in the HTML that
Sphinx, the theme, myst-nb and matplotlib write stand in the way; this extension rewrites
them in every page once the build has finished (``build-finished``):

1. **Font Awesome twice.** The theme (pydata-sphinx-theme, under sphinx-book-theme) draws
   every ``<i class="fa-...">`` icon with the Font Awesome webfont from its CSS, and its
   template also adds ``scripts/fontawesome.js`` (about 0.5 MB gzip-compressed), which
   replaces the same icons by inline SVGs. The script tag is removed; the icons stay.
2. **Hidden code cells.** myst-nb writes ``<summary aria-label="Toggle hidden content">``
   around the visible text "Show code cell source": a name that does not contain the
   visible label (axe: label-content-name-mismatch). The ``aria-label`` is removed, so the
   visible text names the control.
3. **The bibliography.** docutils writes ``<div role="list" class="citation-list">`` whose
   children are ``role="doc-biblioentry"``, not list items (axe: aria-required-children).
   The ``role`` is removed.
4. **matplotlib's JavaScript animations** (``Animation.to_jshtml``): the frame ``<img>`` has
   no ``alt`` and the frame slider no label. The image gets the text of the caption the
   book's animations print above it (or "Animation frame"), the slider the name
   "Animation frame".

``tests/test_browser.py`` runs axe-core and measures every page's download.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

FONTAWESOME_JS = re.compile(
    r"""[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?"""
)
TOGGLE_SUMMARY = '<summary aria-label="Toggle hidden content">'
CITATION_LIST = '<div role="list" class="citation-list">'
ANIMATION_IMG = re.compile(r'<img id="(_anim_img[0-9a-zA-Z_]+)">')
ANIMATION_SLIDER = re.compile(r'(<input id="_anim_slider[0-9a-zA-Z_]+" type="range")')
# The caption the book's animations print above matplotlib's player.
CAPTION = re.compile(r"<div class='pooling-animation'><div[^>]*>(.*?)</div>", re.DOTALL)


def _alt_texts(text: str) -> str:
    def alt_for(match: re.Match) -> str:
        before = text[max(0, match.start() - 20_000) : match.start()]
        captions = CAPTION.findall(before)
        words = re.sub(r"<[^>]+>", "", captions[-1]).strip() if captions else ""
        alt = html.escape(html.unescape(words) or "Animation frame", quote=True)
        return f'<img id="{match.group(1)}" alt="{alt}">'

    text = ANIMATION_IMG.sub(alt_for, text)
    return ANIMATION_SLIDER.sub(r'\1 aria-label="Animation frame"', text)


def fix_page(text: str) -> str:
    """The page ``text`` with the four rewrites of the module docstring."""
    text = FONTAWESOME_JS.sub("", text)
    text = text.replace(TOGGLE_SUMMARY, "<summary>")
    text = text.replace(CITATION_LIST, '<div class="citation-list">')
    return _alt_texts(text)


def fix_pages(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished`` handler: rewrite every HTML page of the build."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = fix_page(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", fix_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
