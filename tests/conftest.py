"""Shared pytest fixtures for the whole book (helpers they use: ``tests/site_checks.py``).

* The root ``conftest.py`` sets the environment of ``tools/notebook_env.py`` for every
  run (nbval kernels inherit it), the one ``make notebooks`` executes notebooks with.
* Session fixtures for site tests, meant to be reused by any test that needs the site:

  ``book_build``   one build of both editions per run (whichever xdist worker asks first),
                   ``tools/i18n_build.py --all``
                   (``jupyter-book build . -W -n --keep-going --all`` for each language;
                   a ``BookBuild``: return code, log, site root, warnings);
  ``built_site``   ``Path`` of the English edition, ``_build/html/en``, after that build
                   succeeded; ``built_site_zh``: the Chinese one, ``_build/html/zh-cn``;
  ``site_pages``   every HTML page of the English edition, relative to ``built_site``
                   (``site_pages_zh``: of the Chinese edition, relative to ``built_site_zh``);
  ``site_url``     ``http://127.0.0.1:<free port>/en/``: a thread serves the whole site
                   (``_build/html``: both editions and the root redirect) and this is the
                   English edition; ``site_url_zh`` is ``.../zh-cn/``, ``site_root_url``
                   the site root;
  ``browser``      a Playwright Chromium ``Browser`` (Debian's /usr/bin/chromium, headless);
  ``inspect_page`` ``inspect_page("notebooks/pooling.html")`` opens a page and returns a
                   ``PageReport`` of what went wrong (console errors, failed or external
                   requests, raw TeX, broken images, unrendered widgets) and saves a
                   screenshot of its first screen under ``_build/screenshots/``;
                   ``inspect_page_zh`` does the same for the Chinese edition, without
                   screenshots or axe's colour-contrast rule.

* Without a browser: in CI (``CI`` set) the browser tests fail; elsewhere they skip.
* Every test starts from ``torch.manual_seed(0)`` (autouse fixture), so no test's random
  inputs depend on which tests ran before it.
* Tests that use the site or the browser run last, after unit tests and notebooks.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from site_checks import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EDITION_PREFIXES,
    SCREENSHOT_DIR,
    VENDOR_STAGE,
    BookBuild,
    PageReport,
    QuietHandler,
    ThreadingServer,
    build_book,
    inspect_site_page,
    site_pages_of,
)


@pytest.fixture(autouse=True)
def _torch_seeded_per_test() -> None:
    """Every test starts from the same state of torch's global generator, so a test that
    draws with ``torch.randn`` and no generator sees the same numbers whatever ran before
    it (``-k``, ``-x`` or a new test elsewhere cannot change its inputs)."""
    import torch  # here, not at the top: site-only runs need not import it early

    torch.manual_seed(0)


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every process of this run: under pytest-xdist each worker has a
    base temp folder of its own inside the run's folder (``.../pytest-N/popen-gwK``)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """Build the book once per test run (staged vendor assets are required).

    Under pytest-xdist (``make test`` runs two workers) the first worker that asks builds,
    holding a lock; the others wait for it and read its outcome, so no worker serves or
    browses the site while another one rebuilds it. Screenshots of an earlier run are
    removed at the same moment, so ``_build/screenshots`` shows exactly this run's pages."""
    if not (VENDOR_STAGE / "VERSIONS.json").is_file():
        pytest.fail(
            "the site's vendored JavaScript is not staged in _build/site-extra; "
            "run `make assets` (npm ci + tools/vendor_assets.py) first"
        )
    record = _run_folder(tmp_path_factory) / "book-build.json"
    with FileLock(f"{record}.lock"):
        if record.is_file():
            return BookBuild.from_json(record.read_text(encoding="utf-8"))
        shutil.rmtree(SCREENSHOT_DIR, ignore_errors=True)
        build = build_book()
        record.write_text(build.to_json(), encoding="utf-8")
        return build


@pytest.fixture(scope="session")
def built_root(book_build: BookBuild) -> Path:
    """``_build/html`` (both editions) after a successful build of the whole book."""
    if book_build.returncode != 0 or book_build.warnings:
        tail = "\n".join(book_build.log.splitlines()[-40:])
        pytest.fail(f"the book does not build cleanly (see test_book_build):\n{tail}")
    return book_build.html_dir


@pytest.fixture(scope="session")
def built_site(built_root: Path, book_build: BookBuild) -> Path:
    """The English edition, ``_build/html/en``."""
    return book_build.edition_dir("en")


@pytest.fixture(scope="session")
def built_site_zh(built_root: Path, book_build: BookBuild) -> Path:
    """The Chinese edition, ``_build/html/zh-cn`` (same page paths as the English)."""
    return book_build.edition_dir("zh_CN")


@pytest.fixture(scope="session")
def site_pages(built_site: Path) -> list[str]:
    """Every HTML page of the English edition, relative to its folder, sorted."""
    return site_pages_of(built_site)


@pytest.fixture(scope="session")
def site_pages_zh(built_site_zh: Path) -> list[str]:
    """Every HTML page of the Chinese edition, relative to its folder, sorted."""
    return site_pages_of(built_site_zh)


@pytest.fixture(scope="session")
def site_root_url(built_root: Path) -> Iterator[str]:
    """Serve the whole site (``_build/html``) on 127.0.0.1 (a free port) for the session."""
    handler = functools.partial(QuietHandler, directory=str(built_root))
    server = ThreadingServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site_root_url: str, book_build: BookBuild) -> str:
    """The English edition's URL, ``http://127.0.0.1:<port>/en/``."""
    return f"{site_root_url}{EDITION_PREFIXES['en']}/"


@pytest.fixture(scope="session")
def site_url_zh(site_root_url: str, book_build: BookBuild) -> str:
    """The Chinese edition's URL, ``http://127.0.0.1:<port>/zh-cn/``."""
    return f"{site_root_url}{EDITION_PREFIXES['zh_CN']}/"


def _no_browser(reason: str) -> None:
    """In CI a missing browser fails the run; locally the browser tests are skipped."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and the browser is unavailable: {reason}")
    pytest.skip(f"browser unavailable ({reason}); install it with `apt-get install chromium`")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """A headless Chromium (Debian's /usr/bin/chromium) driven by Playwright."""
    if not CHROMIUM.exists():
        _no_browser(
            f"{CHROMIUM} not found"
            + (" (but chromium is on PATH)" if shutil.which("chromium") else "")
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - playwright is pinned in requirements
        _no_browser(f"playwright is not importable: {err}")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as err:  # noqa: BLE001 - any launch failure means no browser
            _no_browser(f"Chromium does not start: {err}")
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def inspect_page(browser, site_url: str) -> Callable[[str], PageReport]:
    """``inspect_page(page_path)`` -> ``PageReport``; see ``site_checks.inspect_site_page``.
    Screenshots go to ``_build/screenshots`` (emptied when the book is built)."""
    return functools.partial(inspect_site_page, browser, site_url, screenshot_dir=SCREENSHOT_DIR)


@pytest.fixture(scope="session")
def inspect_page_zh(browser, site_url_zh: str) -> Callable[[str], PageReport]:
    """``inspect_page`` for the Chinese edition: ``inspect_page_zh("notebooks/x.html")``
    opens ``zh-cn/notebooks/x.html``; no screenshot and no axe ``color-contrast`` rule (the
    editions share one stylesheet: the English pages have both)."""
    return functools.partial(
        inspect_site_page,
        browser,
        site_url_zh,
        screenshot_dir=None,
        axe_skip=("color-contrast",),
    )
