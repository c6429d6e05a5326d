"""Open every page of the built book in headless Chromium and fail on anything broken.

A page fails on: a console error or uncaught exception, a failed request (network error
or HTTP status >= 400), any request to a host other than 127.0.0.1 (they are aborted, so
this also proves the site works with no CDN reachable), raw TeX in the visible text after
MathJax ran, an image that did not load, a widget view that was not rendered, an explorer
that was not drawn, a serious or critical axe-core violation in the book's content, or a
download over 1.5 MB gzip-compressed (each page's figure is printed).
Screenshots of every page's first screen land in ``_build/screenshots/`` (whole pages with
``POOLING_FULL_SCREENSHOTS=1``).
"""

from __future__ import annotations

import functools
import re
import threading

import pytest
from site_checks import (
    RAW_TEX,
    SCREENSHOT_DIR,
    TWO_FRAMES,
    QuietHandler,
    ThreadingServer,
    inspect_site_page,
    switch_problems,
)

from pooling_book.explorer.widget import SITE_MODULE

MAX_PAGE_BYTES = 1_500_000  # what one page may download, gzip-compressed


def test_every_page_works_offline(site_pages, inspect_page, site_root_url):
    """Every page of the English edition passes ``inspect_page``, downloads at most
    1.5 MB gzip, and, once its scripts ran, shows the one language switcher to the same
    page of the Chinese edition (test_i18n_site checks it without scripts and clicks it)."""
    assert "index.html" in site_pages, site_pages
    problems = []
    for page in site_pages:
        report = inspect_page(page)
        problems += report.problems()
        problems += switch_problems(report.language_switches, report.url, site_root_url)
        assert report.screenshot is not None and report.screenshot.stat().st_size > 0
        print(f"{report.gzip_bytes / 1e6:5.2f} MB gzip  {page}")
        if report.gzip_bytes > MAX_PAGE_BYTES:
            problems.append(f"{page}: downloads {report.gzip_bytes / 1e6:.2f} MB gzip (> 1.5 MB)")
    assert not problems, "\n".join(problems)
    assert len(list(SCREENSHOT_DIR.rglob("*.png"))) >= len(site_pages)


def test_book_pages_load_mathjax_and_the_explorer_from_the_site(built_site, site_pages):
    """Pages with math or an explorer load the vendored copies, never a CDN; no page loads
    the ipywidgets HTML manager, RequireJS or the theme's Font Awesome script."""
    script_src = re.compile(r"""<script\b[^>]*\ssrc=["']([^"']+)""", re.IGNORECASE)
    pages_with_math = pages_with_explorer = 0
    for page in site_pages:
        html = (built_site / page).read_text(encoding="utf-8")
        sources = script_src.findall(html)
        mathjax = [src for src in sources if "mathjax" in src.lower()]
        assert all("vendor/mathjax/tex-mml-chtml.js" in src for src in mathjax), (page, mathjax)
        if 'class="math' in html:
            pages_with_math += 1
            assert mathjax, f"{page} has math but loads no MathJax"
        if 'class="pooling-explorer"' in html:
            pages_with_explorer += 1
            assert SITE_MODULE in html, page
        for unwanted in ("require.js", "embed-amd.js", "fontawesome.js"):
            assert not [src for src in sources if unwanted in src], (page, unwanted)
    assert pages_with_math, "no page has math: is MathJax really exercised?"
    assert pages_with_explorer >= 5, "the chapters' explorers are missing"
    for asset in (
        "vendor/mathjax/tex-mml-chtml.js",
        SITE_MODULE,
        "vendor/font-awesome/css/font-awesome.min.css",
    ):
        assert (built_site / asset).is_file(), asset


def test_no_page_scrolls_sideways_on_a_phone(browser, built_site, site_url, site_pages):
    """At 390 px (a phone) no page is wider than the screen: long inline code wraps
    (``_static/book.css``), tables and code blocks scroll inside themselves."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    wide = {}
    for path in site_pages:
        if 'http-equiv="refresh"' in (built_site / path).read_text(encoding="utf-8").lower():
            continue  # a redirect (index.html): its target is a page of its own
        page.goto(site_url + path, wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    page.close()
    assert not wide, f"pages that scroll sideways at 390 px (their width in px): {wide}"


def _edge_darkness(png: bytes) -> tuple[float, float]:
    """Mean darkness (0 white .. 255 black) of the leftmost and rightmost 6 px of a
    screenshot, over the middle half of its height."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    w, h = image.size
    rows = range(h // 4, 3 * h // 4)

    def darkness(columns: range) -> float:
        values = [255 - image.getpixel((x, y)) for x in columns for y in rows]
        return sum(values) / len(values)

    return darkness(range(6)), darkness(range(w - 6, w))


def test_a_formula_wider_than_a_phone_shows_a_shadow_where_it_goes_on(browser, site_url):
    """At 390 px the output-size formula of "The output shape" is wider than the page and
    scrolls in its box; a shadow marks the side where part of it is hidden: the right one
    before scrolling, both halfway, the left one at the end (``_static/book.css``). Each
    shadow is what the page's pixels at that edge lose when the box's background is
    removed (the glyphs there are the same in both screenshots)."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    page.goto(site_url + "notebooks/output_shape.html", wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")
    formula = page.locator('mjx-container[display="true"]').first
    formula.scroll_into_view_if_needed()
    width, scroll = formula.evaluate("(n) => [n.clientWidth, n.scrollWidth]")
    assert scroll > width + 40, (scroll, width)  # the formula is wider than its box
    shadows = {}
    for where, left in (("start", 0), ("middle", (scroll - width) // 2), ("end", scroll)):
        formula.evaluate("(n, x) => { n.scrollLeft = x; n.style.background = ''; }", left)
        page.evaluate(TWO_FRAMES)
        shown = _edge_darkness(formula.screenshot())
        formula.evaluate("(n) => { n.style.background = 'none'; }")
        page.evaluate(TWO_FRAMES)
        bare = _edge_darkness(formula.screenshot())
        shadows[where] = tuple(round(a - b, 1) for a, b in zip(shown, bare, strict=True))
    page.close()
    dark, none = 15, 2  # mean darkness a shadow adds at an edge, at least / at most
    (l0, r0), (l1, r1), (l2, r2) = shadows["start"], shadows["middle"], shadows["end"]
    assert abs(l0) <= none and r0 >= dark, shadows
    assert l1 >= dark and r1 >= dark, shadows
    assert l2 >= dark and abs(r2) <= none, shadows


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("the window $p_h \\times p_w$ slides", True),
        ("$$\\frac{a}{b}$$", True),
        ("inline \\(x\\) math", True),
        ("n_h - p_h + 1 rows", False),
        ("costs 5 dollars", False),
    ],
)
def test_raw_tex_pattern(text, raw):
    """The detector the browser test relies on finds unrendered TeX and nothing else."""
    assert bool(RAW_TEX.search(text)) is raw


BROKEN_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<script src="https://cdn.example.invalid/lib.js"></script>
</head><body>
<p>Unrendered: $$\\frac{a}{b}$$</p>
<img src="missing.png" alt="missing">
<p style="color:#ccc;background:#fff">Grey on white: too little contrast.</p>
<script>console.error("boom");</script>
<script src="absent.js"></script>
</body></html>
"""


def test_page_checker_reports_every_kind_of_problem(browser, tmp_path):
    """The checker itself can fail: a page with one problem of each kind is caught."""
    (tmp_path / "broken.html").write_text(BROKEN_PAGE, encoding="utf-8")
    server = ThreadingServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        report = inspect_site_page(browser, url, "broken.html", screenshot_dir=tmp_path / "shots")
        skipping = inspect_site_page(
            browser, url, "broken.html", screenshot_dir=None, axe_skip=("color-contrast",)
        )
    finally:
        server.shutdown()
        server.server_close()
    assert report.external_requests == ["https://cdn.example.invalid/lib.js"]
    assert any("boom" in error for error in report.console_errors), report.console_errors
    assert any("absent.js" in failure for failure in report.failed_requests)
    assert any("missing.png" in failure for failure in report.failed_requests)
    assert any("missing.png" in image for image in report.broken_images)
    assert any("frac" in tex for tex in report.raw_tex), report.raw_tex
    assert any("color-contrast" in v for v in report.axe_violations), report.axe_violations
    assert not any("color-contrast" in v for v in skipping.axe_violations)
    assert skipping.raw_tex == report.raw_tex and skipping.screenshot is None
    assert (tmp_path / "shots" / "broken.png").stat().st_size > 0
