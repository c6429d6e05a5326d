"""How fast the explorer redraws in the browser after a control change, and how soon the
explorer chapter is interactive.

    .venv/bin/python bench/bench_widgets.py [--repeats 40] [--json bench/results/widgets.json]

Targets (issue 9): median under 16 ms for an 8x8 input and under 100 ms for 64x64, in
Chromium on this machine. The page is the static site's view (the site's script,
``pooling_book.explorer.bundle.site_bundle``, with its local model, served from a temporary
folder on 127.0.0.1), so what is timed is exactly
what a reader's browser does: after each control change the explorer recomputes the pooling
(``pooling.js``), updates both grids, the text alternative, the arithmetic, the formula and
the PyTorch call. The view measures that redraw itself with ``performance.now()`` (it
stores it in ``data-redraw-ms``); the second figure adds the browser's style and layout of
the new drawing (forced by reading its size), from the control's event on. The schedule
alternates the kernel, stride, padding, mode and the output position. Prints the median
and 90th percentile per input size with the ratio to its target, and writes them as JSON.

Time to interactive (issue 19: within 1.5 s): the built site's explorer chapter
(``_build/html/en``, ``make book`` first; skipped without it) is opened ``--loads`` times from
127.0.0.1 in a fresh page each; the page records, with ``performance.now()`` from the start
of the navigation, when its last explorer was mounted (``data-explorers-mounted-ms``, set
by the site's script). The median and the largest of them are reported.
Reported, not asserted: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import platform
import statistics
import tempfile
import threading
from pathlib import Path

import torch

from pooling_book.explorer import explore
from pooling_book.explorer.bundle import site_bundle
from pooling_book.explorer.widget import SITE_MODULE

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
TARGETS_MS = {8: 16.0, 64: 100.0}
INTERACTIVE_TARGET_MS = 1500.0
SITE = ROOT / "_build" / "html" / "en"  # the English edition (make book builds en/ and zh-cn/)
CHAPTER = "notebooks/explorer.html"

# (control name, value) pairs applied in turn, each a real change of that control.
SCHEDULE = [
    ("kernel_size-h", "2"), ("kernel_size-h", "3"), ("stride-w", "1"), ("stride-w", "2"),
    ("padding-h", "0"), ("padding-h", "1"), ("mode", "avg"), ("mode", "max"),
    ("next", None), ("next", None),
]  # fmt: skip

TIME_CHANGES = """async ({schedule, repeats}) => {
  const el = document.querySelector(".pooling-explorer[data-mounted]");
  const redraw = [], layout = [];
  for (let r = 0; r < repeats; r++) {
    for (const [name, value] of schedule) {
      const input = el.querySelector(`[name="${name}"]`);
      const t0 = performance.now();
      if (value === null) input.click();
      else {
        input.value = value;
        input.dispatchEvent(new Event(input.tagName === "SELECT" ? "change" : "input"));
      }
      el.getBoundingClientRect(); // forces style and layout of the new drawing
      layout.push(performance.now() - t0);
      redraw.push(Number(el.dataset.redrawMs));
    }
  }
  return {redraw, layout};
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def page_for(size: int, folder: Path) -> None:
    """A page with one explorer of a seeded ``size`` x ``size`` input, as the site has it."""
    x = torch.randint(0, 10, (size, size), generator=torch.Generator().manual_seed(0)).float()
    html = explore(x, kernel_size=3, stride=2, padding=1).static_html()
    (folder / f"{size}.html").write_text(
        f'<!doctype html><html lang="en" data-content_root="./"><body><main>{html}</main>'
        "</body></html>",
        encoding="utf-8",
    )


def measure(repeats: int) -> dict[int, list[float]]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        target = folder / Path(SITE_MODULE).parent
        target.mkdir(parents=True)
        (folder / SITE_MODULE).write_text(site_bundle(), encoding="utf-8")
        for size in TARGETS_MS:
            page_for(size, folder)
        handler = functools.partial(_Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless"])
                out = {}
                for size in TARGETS_MS:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.goto(f"{url}{size}.html")
                    page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output")
                    out[size] = page.evaluate(
                        TIME_CHANGES, {"schedule": SCHEDULE, "repeats": repeats}
                    )
                    page.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return out


def time_to_interactive(loads: int) -> list[float] | None:
    """Milliseconds from navigation start until the explorer chapter's last explorer is
    mounted, per fresh load of the built site from 127.0.0.1 (None without a built site)."""
    from playwright.sync_api import sync_playwright

    if not (SITE / CHAPTER).is_file():
        return None
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{CHAPTER}"
    times = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless"])
            for _ in range(loads):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                page.wait_for_function("document.documentElement.dataset.explorersMountedMs")
                times.append(
                    float(page.evaluate("document.documentElement.dataset.explorersMountedMs"))
                )
                page.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=40, help="passes over the schedule")
    parser.add_argument("--loads", type=int, default=10, help="loads of the explorer chapter")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench" / "results" / "widgets.json", help="output"
    )
    args = parser.parse_args()
    times = measure(args.repeats)
    results = {}
    print("explorer redraw after a control change, Chromium (performance.now()):")
    for size, both in times.items():
        target = TARGETS_MS[size]
        entry = {"changes": len(both["redraw"]), "target_ms": target}
        for kind, values in both.items():
            median = statistics.median(values)
            p90 = statistics.quantiles(values, n=10)[-1]
            entry[kind] = {
                "median_ms": round(median, 2),
                "p90_ms": round(p90, 2),
                "median_over_target": round(median / target, 3),
            }
            print(
                f"  {size:>2}x{size:<2} {kind:<6}  median {median:6.2f} ms  p90 {p90:6.2f} ms  "
                f"target {target:5.1f} ms  (median/target {median / target:.2f}, "
                f"{len(values)} changes)"
            )
        results[f"{size}x{size}"] = entry
    loads = time_to_interactive(args.loads)
    if loads is None:
        print(f"time to interactive: skipped ({SITE / CHAPTER} not built; run `make book`)")
    else:
        median = statistics.median(loads)
        results["time_to_interactive"] = {
            "page": CHAPTER,
            "loads": len(loads),
            "median_ms": round(median, 1),
            "max_ms": round(max(loads), 1),
            "target_ms": INTERACTIVE_TARGET_MS,
        }
        print(
            f"  {CHAPTER} interactive after {median:.0f} ms (median of {len(loads)} loads, "
            f"largest {max(loads):.0f} ms; target {INTERACTIVE_TARGET_MS:.0f} ms)"
        )
    results["machine"] = {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
