"""Helpers for tests of the built site: building the book, serving it, and checking a
page in the browser. The fixtures in ``tests/conftest.py`` wrap them; import from here
(``from site_checks import RAW_TEX``) when a test needs a helper itself.
"""

from __future__ import annotations

import gzip
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).absolute().parent.parent
# POOLING_BUILD_OUT=/some/dir builds the test's site into /some/dir/_build (Jupyter Book's
# --path-output), so that several checkouts' sessions can build side by side.
OUT_ROOT = Path(os.environ.get("POOLING_BUILD_OUT") or ROOT).absolute()
BUILD_DIR = OUT_ROOT / "_build"
# The site: one folder per edition (tools/i18n_build.py), same page paths in each.
HTML_DIR = BUILD_DIR / "html"
EDITION_PREFIXES = {"en": "en", "zh_CN": "zh-cn"}  # Sphinx language -> site folder
SCREENSHOT_DIR = BUILD_DIR / "screenshots"
VENDOR_STAGE = ROOT / "_build" / "site-extra" / "vendor"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Folders of the built site that hold assets, not pages.
NON_PAGE_DIRS = {"_static", "_sources", "_images", "_downloads", "vendor"}


# --------------------------------------------------------------------------- book build


@dataclass
class BookBuild:
    """The outcome of one build of both editions (``tools/i18n_build.py --all``):
    ``html_dir`` is the site root, each edition in ``edition_dir(language)``."""

    returncode: int
    log: str
    html_dir: Path
    seconds: float

    def to_json(self) -> str:
        """The outcome as JSON, for the other workers of a pytest-xdist run."""
        return json.dumps({**asdict(self), "html_dir": str(self.html_dir)})

    @classmethod
    def from_json(cls, text: str) -> BookBuild:
        data = json.loads(text)
        return cls(**{**data, "html_dir": Path(data["html_dir"])})

    def edition_dir(self, language: str = "en") -> Path:
        """The folder of one edition (``en``: ``html/en``, ``zh_CN``: ``html/zh-cn``)."""
        return self.html_dir / EDITION_PREFIXES[language]

    @property
    def warnings(self) -> list[str]:
        """Lines of the log that report a warning or an error."""
        pattern = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b|Traceback|Exception occurred")
        return [line for line in self.log.splitlines() if pattern.search(line)]


def build_book(root: Path = ROOT) -> BookBuild:
    """Build both editions into a fresh ``root/_build/html`` (``en/`` and ``zh-cn/``),
    warnings as errors: ``tools/i18n_build.py --all``, what ``make book`` runs (with
    ``--all``, so warnings of unchanged pages are reported again)."""
    # Pages of chapters that left the table of contents would otherwise stay behind.
    out = OUT_ROOT if root == ROOT else root
    shutil.rmtree(out / "_build" / "html", ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(root / "tools" / "i18n_build.py"), "--all", "--out", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        # Without SOURCE_DATE_EPOCH (set for notebook kernels): Sphinx would clamp the
        # copyright year to it. The test builds exactly what `make book` builds.
        env={
            **{k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"},
            "NO_COLOR": "1",
            "TERM": "dumb",
        },
    )
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    # (tools/i18n_build.py drops the Sphinx environment of an edition that failed.)
    return BookBuild(proc.returncode, log, out / "_build" / "html", time.perf_counter() - start)


def site_pages_of(html_dir: Path) -> list[str]:
    """Every HTML page of a built site, relative to its root, sorted."""
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir)
        if rel.parts[0] not in NON_PAGE_DIRS:
            pages.append(rel.as_posix())
    return pages


# --------------------------------------------------------------------------- server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# --------------------------------------------------------------------------- page checks

# What MathJax leaves behind when it did not run: delimiters and TeX control words.
RAW_TEX = re.compile(
    r"\$\$|\\\(|\\\)|\\\[|\\\]"
    r"|\\(?:frac|dfrac|sum|prod|times|cdot|ldots|dots|left|right|lfloor|rfloor|lceil|rceil"
    r"|mathbf|mathrm|mathcal|text|begin|end|max|min|in|le|ge|leq|geq|infty|sqrt)\b"
    r"|(?<![\w$])\$[^\s$](?:[^$\n]{0,200}?[^\s$])?\$(?![\w$])"
)

_PAGE_TEXT_JS = """
() => {
  const skip = 'pre, code, script, style, noscript, textarea, mjx-container, .MathJax, '
             + 'mjx-assistive-mml, .highlight, .cell_input';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip)) continue;
    if (!el.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}
"""

_BROKEN_IMAGES_JS = """
async () => {
  const images = Array.from(document.images);
  for (const img of images) img.loading = 'eager';
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
    setTimeout(done, 10000);
  })));
  return images.filter(img => img.naturalWidth === 0)
               .map(img => img.currentSrc || img.getAttribute('src') || img.outerHTML);
}
"""

_MATHJAX_DONE_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    return true;
  }
  return false;
}
"""

_WIDGETS_JS = """
() => ({
  views: document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length,
  rendered: document.querySelectorAll('.widget-subarea > *').length,
})
"""


def _evaluate(page, script: str, arg=None):
    """``page.evaluate`` (with ``arg``) that survives a navigation (a redirect page such as the root
    ``index.html`` Jupyter Book writes) by waiting for the new page and trying again."""
    for attempt in range(5):
        try:
            return page.evaluate(script, arg)
        except Exception as err:  # noqa: BLE001 - playwright raises a generic Error
            if "context was destroyed" not in str(err) or attempt == 4:
                raise
            page.wait_for_load_state("load")
    raise AssertionError("unreachable")


# How long a page may keep a request open before the tour reports it (see settle()).
SETTLE_SECONDS = 60.0


@dataclass
class PageReport:
    """What one page did wrong in the browser (all lists empty: the page is fine)."""

    page: str
    url: str = ""  # where the page ended (a redirect page: the page it leads to)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    raw_tex: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    widget_problems: list[str] = field(default_factory=list)
    explorer_problems: list[str] = field(default_factory=list)
    axe_violations: list[str] = field(default_factory=list)
    gzip_bytes: int = 0
    # Every ``a.pi-language-switch`` as the page shows it once its scripts ran: text,
    # ``lang`` and resolved ``href`` (the tours check them, test_i18n_site says why).
    language_switches: list[dict[str, str]] = field(default_factory=list)
    screenshot: Path | None = None

    def problems(self) -> list[str]:
        out = []
        for name in (
            "console_errors",
            "failed_requests",
            "external_requests",
            "raw_tex",
            "broken_images",
            "widget_problems",
            "explorer_problems",
            "axe_violations",
        ):
            out += [
                f"{self.page}: {name.replace('_', ' ')}: {item}" for item in getattr(self, name)
            ]
        return out


# The language switcher each edition shows (``_templates/language-switcher.html``): to the
# other edition, labelled in that edition's language, with its ``lang``.
SWITCHES = {"en": ("zh_CN", "中文", "zh-CN"), "zh_CN": ("en", "English", "en")}


def switch_problems(switches: list[dict[str, str]], url: str, site_root_url: str) -> list[str]:
    """What is wrong with the language switchers (``PageReport.language_switches``) of the
    page at ``url`` (under ``site_root_url``): exactly one, labelled in the other edition's
    language with its ``lang``, leading to the same page path in the other edition."""
    prefix, _, path = url.removeprefix(site_root_url).partition("/")
    language = next((k for k, v in EDITION_PREFIXES.items() if v == prefix), None)
    if language is None:
        return [f"{url}: not a page of an edition under {site_root_url}"]
    if len(switches) != 1:
        return [f"{url}: {len(switches)} language switchers"]
    other, label, tag = SWITCHES[language]
    (switch,) = switches
    problems = []
    if switch["text"] != label or switch["lang"] != tag:
        problems.append(f"{url}: switcher {switch['text']!r} lang={switch['lang']}")
    expected = f"{site_root_url}{EDITION_PREFIXES[other]}/{path}"
    if switch["href"] != expected:
        problems.append(f"{url}: switcher leads to {switch['href']}, expected {expected}")
    return problems


# axe-core (npm devDependency, pinned in package.json; only the tests load it, the site does
# not serve it) checks the book's content: the article, without the theme's chrome.
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# ``skip``: rule ids not run (see ``inspect_site_page``'s ``axe_skip``).
_AXE_RUN_JS = """async (skip) => {
  const content =
    document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const rules = Object.fromEntries(skip.map((id) => [id, {enabled: false}]));
  const result = await axe.run(content, {resultTypes: ["violations"], rules});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${v.help} at ${n.target.join(" ")}`));
}"""
_LANGUAGE_SWITCHES_JS = """() => [...document.querySelectorAll("a.pi-language-switch")]
  .map((a) => ({text: a.innerText.trim(), lang: a.getAttribute("lang") || "", href: a.href}))"""
# A redirect page (the root ``index.html`` Jupyter Book writes): where its meta refresh goes.
_META_REFRESH = re.compile(
    r"""<meta\s[^>]*http-equiv=["']?refresh["']?[^>]*content=["'][^"';]*;\s*url=([^"']+)""",
    re.IGNORECASE,
)
# Every explorer the page's notebook outputs carry must have been drawn by its module
# (the pooling explorer's output grid, or the shift explorer's grids).
_EXPLORERS_JS = """() => [...document.querySelectorAll("div.pooling-explorer")]
  .filter((el) => !el.querySelector(".pe-output, .pe-shift .pe-grid"))
  .map((el) => "explorer not drawn: " + el.textContent.slice(0, 80))"""


# Gzip sizes by URL, for the whole test run: the site is static, so a URL's body is the same
# on every page, and most of a page's bytes are assets every page shares (the theme,
# MathJax, fonts). Compressing them again for each page cost about 8 s a page.
_GZIP_BYTES: dict[str, int] = {}


def _gzip_bytes(url: str, response) -> int | None:
    """The gzip (level 6) size of ``response``'s body, computed once per URL; None when
    Chromium no longer holds the body."""
    if url not in _GZIP_BYTES:
        try:
            _GZIP_BYTES[url] = len(gzip.compress(response.body(), 6))
        except Exception:  # noqa: BLE001 - a body Chromium no longer holds: not counted
            return None
    return _GZIP_BYTES[url]


# Full-page screenshots cost 2-3 s a page (the first screen 0.1-0.2 s); set this variable to
# 1 for screenshots of whole pages.
FULL_SCREENSHOTS = os.environ.get("POOLING_FULL_SCREENSHOTS") == "1"


# For page.evaluate: resolves after two animation frames (ResizeObserver callbacks and a
# scroll's repaint have run by then).
TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def inspect_site_page(
    browser,
    base_url: str,
    page_path: str,
    screenshot_dir: Path | None,
    axe_skip: tuple[str, ...] = (),
) -> PageReport:
    """Open ``page_path`` of the site at ``base_url`` and report what went wrong.

    Requests to any host other than 127.0.0.1 are aborted and reported. The report lists
    console errors and uncaught exceptions, failed requests (network failure or HTTP status
    >= 400), raw TeX left in the visible text once MathJax finished, images that did not
    load, widget views the ipywidgets HTML manager did not render, explorers their module
    did not draw, and axe-core's serious or critical violations inside the book's content.
    ``gzip_bytes`` is what the page downloaded, each response gzip-compressed (level 6;
    sizes are cached by URL for the run, since the site is static).
    ``axe_skip`` names axe-core rules not run (the Chinese edition skips ``color-contrast``,
    which depends only on the stylesheet both editions share: the English pages check it,
    and it is half of axe's time). A screenshot of the first screen (of the whole page with
    ``POOLING_FULL_SCREENSHOTS=1``) is saved as ``screenshot_dir/<page path>.png`` (none
    when ``screenshot_dir`` is None).
    The page is measured once every request it made has finished or failed (not after
    500 ms without requests, "networkidle"); a redirect page is followed to its target.
    """
    report = PageReport(page_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)

    def route(route_obj) -> None:
        url = route_obj.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            report.external_requests.append(url)
            route_obj.abort("blockedbyclient")
        else:
            route_obj.continue_()

    def on_request_failed(request) -> None:
        if urlsplit(request.url).hostname == "127.0.0.1":
            report.failed_requests.append(f"{request.url} ({request.failure})")

    def on_response(response) -> None:
        if response.status >= 400:
            report.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            report.console_errors.append(f"{message.text} [{where}]")

    bodies: dict[str, int] = {}
    # Requests not yet finished or failed: the page is measured once none is left (a
    # condition, where "networkidle" waited for 500 ms without a request on every page).
    pending: set = set()

    def on_finished(request) -> None:
        pending.discard(request)
        response = request.response()
        if response is not None and response.status < 400:
            size = _gzip_bytes(request.url, response)
            if size is not None:
                bodies[request.url] = size

    def on_failed(request) -> None:
        pending.discard(request)
        on_request_failed(request)

    def settle() -> None:
        """Wait until every request the page made so far has finished or failed (and any
        request those responses started in turn): Playwright dispatches ``requestfinished``
        and ``requestfailed`` (above) while the page waits. A request still open after
        ``SETTLE_SECONDS`` is reported as failed instead of hanging the test (a guard only:
        the site's server is local and answers in milliseconds)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while pending and time.monotonic() < deadline:
            page.wait_for_timeout(20)
        for request in list(pending):
            report.failed_requests.append(f"{request.url} (open after {SETTLE_SECONDS:.0f} s)")
        pending.clear()

    page.route("**/*", route)
    page.on("request", lambda request: pending.add(request))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("requestfinished", on_finished)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: report.console_errors.append(f"uncaught: {exc}"))
    try:
        url = urljoin(base_url, page_path)
        try:
            with urllib.request.urlopen(url) as served:  # the site's own server: 127.0.0.1
                refresh = _META_REFRESH.search(served.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError:  # reported by the browser below
            refresh = None
        page.goto(url, wait_until="load")
        if refresh:  # a redirect page: check the page it leads to, once it has loaded
            page.wait_for_url(urljoin(url, refresh.group(1).strip()), wait_until="load")
        _evaluate(page, _MATHJAX_DONE_JS)
        widgets = _evaluate(page, _WIDGETS_JS)
        if widgets["views"]:
            try:
                page.wait_for_function(
                    f"() => document.querySelectorAll('.widget-subarea > *').length >= "
                    f"{widgets['views']}",
                    timeout=20_000,
                )
            except Exception:  # noqa: BLE001 - reported below
                widgets = _evaluate(page, _WIDGETS_JS)
                report.widget_problems.append(
                    f"{widgets['rendered']} of {widgets['views']} widget views rendered"
                )
            _evaluate(page, _MATHJAX_DONE_JS)  # widgets may have queued more typesetting
        try:  # explorers draw once their script has run: wait for that, not for a time
            page.wait_for_function(f"() => ({_EXPLORERS_JS})().length === 0", timeout=10_000)
        except Exception:  # noqa: BLE001 - the undrawn ones are reported below
            pass
        text = _evaluate(page, _PAGE_TEXT_JS)
        for match in RAW_TEX.finditer(text):
            start = max(0, match.start() - 40)
            report.raw_tex.append(repr(text[start : match.end() + 40]))
        report.broken_images = _evaluate(page, _BROKEN_IMAGES_JS)
        report.explorer_problems = _evaluate(page, _EXPLORERS_JS)
        if AXE_JS.is_file():
            page.add_script_tag(path=str(AXE_JS))
            report.axe_violations = _evaluate(page, _AXE_RUN_JS, list(axe_skip))
        else:
            report.axe_violations = [f"{AXE_JS} missing: run `npm ci`"]
        report.language_switches = _evaluate(page, _LANGUAGE_SWITCHES_JS)
        report.url = page.url
        if screenshot_dir is not None:
            shot = screenshot_dir / f"{page_path.removesuffix('.html')}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=FULL_SCREENSHOTS)
            report.screenshot = shot
        settle()  # everything the page asked for, up to its screenshot, is counted
        report.gzip_bytes = sum(bodies.values())
    finally:
        context.close()
    return report
