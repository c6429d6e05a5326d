"""Screenshots of the explorers on the built site, at 1280 px and at 390 px (a phone).

    .venv/bin/python docs/screenshots/take.py [SITE]     # SITE: a built _build/html

Serves SITE (default ``_build/html``; ``make book`` first) on 127.0.0.1 and, in headless
Chromium, takes the views listed in ``JOBS`` (a focused explorer while an input cell is
hovered, the full one, a wrong prediction, the shift explorer at a shift of one, the
front page's explorer) into this folder.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SITE = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[1] / "_build" / "html"
OUT = str(HERE) + "/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE))
)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = f"http://127.0.0.1:{server.server_address[1]}/"
FULL = ".pooling-explorer[data-mounted]:not(:has(.pe-more))"
JOBS = [  # (file name, page, the explorer: its index or a selector, what the reader does)
    ("explorer-front-page", "book/index.html", 0, None),
    ("explorer-focused-padding", "notebooks/explorer.html", 4, "hover-input"),
    ("explorer-full", "notebooks/explorer.html", FULL, None),
    ("explorer-predict", "notebooks/pooling.html", -1, "predict-wrong"),
    ("explorer-shift", "notebooks/pooling_in_networks.html", ".pe-shift", "shift1"),
]
TO_TOP = """(el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80)"""


def act(el, action) -> None:
    if action == "hover-input":
        el.query_selector('.pe-input .pe-cell[data-r="1"][data-c="1"]').hover()
    elif action == "predict-wrong":
        answer = el.query_selector('[name="predict-answer"]')
        answer.fill("3")
        answer.press("Enter")
        el.evaluate(TO_TOP)
    elif action == "shift1":
        el.query_selector('[name="shift"]').fill("1")


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium")
    for width in (1280, 390):
        for name, path, which, action in JOBS:
            page = browser.new_page(
                viewport={"width": width, "height": 1000 if width > 600 else 844}
            )
            page.goto(BASE + path)
            page.wait_for_selector(".pooling-explorer[data-mounted]")
            if isinstance(which, str):
                el = page.query_selector(which)
            else:
                el = page.query_selector_all(".pooling-explorer[data-mounted]")[which]
            el.evaluate(TO_TOP)
            act(el, action)
            page.wait_for_timeout(400)  # the window's transition (a still picture only)
            page.screenshot(path=f"{OUT}{name}-{width}.png")
            print("wrote", f"{name}-{width}.png")
            page.close()
    browser.close()
server.shutdown()
