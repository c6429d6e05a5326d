"""Load the pooling benchmark's results (``make bench``) and plot them for the book.

``bench/bench_pooling.py`` times three implementations of max and average pooling on the
same inputs, forward and forward+backward: ``loop`` (``pooling_lib.loops``, only on the
small workloads), ``vectorized`` (``pooling_lib``'s top level) and ``native`` (PyTorch's
``torch.nn.functional``), and writes ``pooling_book/bench_results/pooling.json``, which
ships inside the package (package data, read with :mod:`importlib.resources`), so the
installed package plots the same numbers from any folder. The book plots that file; it
never times anything itself, so a page shows the numbers of the committed run.

* :func:`load_results` reads and checks the file into a :class:`BenchResults`;
* :func:`plot_times` draws milliseconds per call, one bar per implementation;
* :func:`plot_ratios` draws ``vectorized / native`` per workload, pass and pool;
* :func:`plot_suite` draws ``pooling_lib / torch`` on the suite of workloads from real models
  (``BenchResults.suite``; the file's ``suite`` entry).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from matplotlib.figure import Figure

from pooling_book.drawing.palette import (
    ACCENT,
    ACCENT_LIGHT,
    DROPPED,
    NATIVE,
    NATIVE_LIGHT,
    TEXT,
)
from pooling_book.i18n import _

__all__ = [
    "IMPLEMENTATIONS",
    "RESULTS",
    "BenchResults",
    "load_results",
    "plot_ratios",
    "plot_suite",
    "plot_times",
]

# The committed run, shipped as package data (pyproject.toml: [tool.setuptools.package-data]).
RESULTS: Traversable = files("pooling_book") / "bench_results" / "pooling.json"
IMPLEMENTATIONS = ("loop", "vectorized", "native")
POOLS = ("max", "avg")
PASSES = ("forward", "forward+backward")
_ROW_KEYS = ("workload", "pool", "pass", "native_ms", "vectorized_ms", "loop_ms")
_SUITE_KEYS = ("workload", "pass", "shape", "lib_ms", "torch_ms", "ratio", "lib_reads")
_COLORS = {"loop": DROPPED, "vectorized": ACCENT, "native": NATIVE}
_LABELS = {
    "loop": _("loop (pooling_lib.loops)"),
    "vectorized": _("vectorized (pooling_lib)"),
    "native": _("native (PyTorch)"),
}
# How a pool and a pass are named in titles and legends.
_POOL_NAMES = {"max": _("max"), "avg": _("avg")}
_PASS_NAMES = {"forward": _("forward"), "forward+backward": _("forward+backward")}


@dataclass(frozen=True)
class BenchResults:
    """The benchmark file: ``machine`` facts, ``timestamp`` and one dict per ``rows`` entry
    (keys ``workload``, ``pool``, ``pass``, ``<impl>_ms`` and the ratios)."""

    path: Path | Traversable
    machine: dict
    timestamp: str
    rows: tuple[dict, ...]
    suite: tuple[dict, ...] = ()  # workload, model, shape, pass, lib_ms, torch_ms, ratio, ...
    growth: tuple[dict, ...] = ()  # max_pool1d, windows 2 and 256: mode, window, ns/element
    growth_factors: dict | None = None  # per mode: {"lib": ..., "torch": ...}

    @property
    def workloads(self) -> list[str]:
        """Workload names in the order the benchmark ran them."""
        return list(dict.fromkeys(r["workload"] for r in self.rows))

    def row(self, workload: str, pool: str, pass_: str) -> dict:
        """The row of one (workload, pool, pass); ``ValueError`` naming the choices if none."""
        for r in self.rows:
            if (r["workload"], r["pool"], r["pass"]) == (workload, pool, pass_):
                return r
        raise ValueError(
            f"no benchmark row for workload={workload!r}, pool={pool!r}, pass_={pass_!r}; "
            f"workloads: {self.workloads}, pools: {list(POOLS)}, passes: {list(PASSES)}"
        )

    def ms(self, workload: str, pool: str, pass_: str, impl: str) -> float | None:
        """Median milliseconds per call of ``impl`` (``None`` where it was not run)."""
        if impl not in IMPLEMENTATIONS:
            raise ValueError(f"impl={impl!r} must be one of {list(IMPLEMENTATIONS)}")
        return self.row(workload, pool, pass_)[f"{impl}_ms"]


def load_results(path: str | Path | Traversable | None = None) -> BenchResults:
    """Read the benchmark's JSON and check its rows.

    ``path`` defaults to :data:`RESULTS`, the run shipped with the package. Raises
    ``FileNotFoundError`` when the file is missing and ``ValueError`` naming the entry or
    row that is malformed.
    """
    path = RESULTS if path is None else path
    if isinstance(path, str):
        path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"load_results: no benchmark results at {path}; run `make bench` to create them"
        )
    data = json.loads(path.read_text())
    for key in ("machine", "timestamp", "rows"):
        if key not in data:
            raise ValueError(f"load_results: {path} has no {key!r} entry")
    rows = data["rows"]
    if not rows:
        raise ValueError(f"load_results: {path} holds no rows")
    for i, r in enumerate(rows):
        missing = [k for k in _ROW_KEYS if k not in r]
        if missing:
            raise ValueError(f"load_results: row {i} of {path} lacks {missing}")
        if r["pool"] not in POOLS or r["pass"] not in PASSES:
            raise ValueError(
                f"load_results: row {i} of {path} has pool={r['pool']!r}, pass={r['pass']!r}; "
                f"expected a pool in {list(POOLS)} and a pass in {list(PASSES)}"
            )
    suite = data.get("suite", [])
    for i, r in enumerate(suite):
        missing = [k for k in _SUITE_KEYS if k not in r]
        if missing:
            raise ValueError(f"load_results: suite row {i} of {path} lacks {missing}")
    return BenchResults(
        path, data["machine"], data["timestamp"], tuple(rows), tuple(suite),
        tuple(data.get("growth", [])), data.get("growth_factors"),
    )  # fmt: skip


def _check_pass(pass_: str) -> None:
    if pass_ not in PASSES:
        raise ValueError(f"pass_={pass_!r} must be one of {list(PASSES)}")


def plot_times(results: BenchResults, pass_: str = "forward") -> Figure:
    """Milliseconds per call (log scale) of each implementation on each workload, one panel
    per pool. Bars carry the gid ``'<pool>-<impl>-<workload>'``; missing runs get no bar."""
    _check_pass(pass_)
    names = results.workloads
    fig = Figure(figsize=(10, 3.8), dpi=100)
    axes = fig.subplots(1, 2, sharey=True)
    width = 0.27
    for ax, pool in zip(axes, POOLS, strict=True):
        for k, impl in enumerate(IMPLEMENTATIONS):
            label = _LABELS[impl]  # in the legend once, with the first bar drawn
            for x, name in enumerate(names):
                ms = results.ms(name, pool, pass_, impl)
                if ms is None:
                    continue
                ax.bar(
                    x + (k - 1) * width, ms, width, color=_COLORS[impl], label=label,
                    gid=f"{pool}-{impl}-{name}",
                )  # fmt: skip
                label = None
        ax.set_yscale("log")
        ax.set_xticks(range(len(names)), [n.replace(" ", "\n", 1) for n in names], fontsize=7)
        ax.set_title(
            _("{pool} pooling, {pass_}").format(pool=_POOL_NAMES[pool], pass_=_PASS_NAMES[pass_]),
            fontsize=10,
        )
        ax.grid(True, axis="y", which="major", alpha=0.3)
    axes[0].set_ylabel(_("milliseconds per call (log scale)"))
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_ratios(results: BenchResults) -> Figure:
    """``vectorized_ms / native_ms`` for every workload (log scale; below 1: pooling_lib is
    faster), one bar per (pool, pass). Bars carry the gid ``'<pool>-<pass>-<workload>'``."""
    names = results.workloads
    fig = Figure(figsize=(10, 3.6), dpi=100)
    ax = fig.subplots()
    series = [(pool, pass_) for pool in POOLS for pass_ in PASSES]
    width = 0.8 / len(series)
    colors = [ACCENT, ACCENT_LIGHT, NATIVE, NATIVE_LIGHT]
    for k, (pool, pass_) in enumerate(series):
        series_label = _("{pool}, {pass_}").format(pool=_POOL_NAMES[pool], pass_=_PASS_NAMES[pass_])
        for x, name in enumerate(names):
            r = results.row(name, pool, pass_)
            ax.bar(
                x + (k - (len(series) - 1) / 2) * width, r["vectorized_ms"] / r["native_ms"],
                width, color=colors[k], label=series_label if x == 0 else None,
                gid=f"{pool}-{pass_}-{name}",
            )  # fmt: skip
    ax.axhline(1.0, color=TEXT, linewidth=1)
    ax.set_yscale("log")
    ratios = [r["vectorized_ms"] / r["native_ms"] for r in results.rows]
    low, high = min(ratios + [1.0]), max(ratios + [1.0])
    ticks = [
        t * 10.0**e for e in range(-3, 4) for t in (1, 2, 5) if low / 2 <= t * 10.0**e <= high * 2
    ]
    ax.set_yticks(ticks, [f"{t:g}×" for t in ticks])
    ax.minorticks_off()
    ax.set_xticks(range(len(names)), [n.replace(" ", "\n", 1) for n in names], fontsize=7)
    ax.set_ylabel(_("pooling_lib time / PyTorch time"))
    ax.legend(fontsize=8, ncol=2)
    ax.grid(True, axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_suite(results: BenchResults) -> Figure:
    """``pooling_lib``'s time over PyTorch's on each workload of the suite (log scale, one
    horizontal bar each; left of the line at 1x: ``pooling_lib`` is faster). Bars carry the
    gid ``'suite-<i>'`` (``i`` the row's number) and are orange where ``pooling_lib`` is
    faster, blue where PyTorch is."""
    if not results.suite:
        raise ValueError(f"plot_suite: {results.path} has no suite rows; run `make bench`")
    rows = results.suite
    fig = Figure(figsize=(8.5, 0.28 * len(rows) + 1.2), dpi=100)
    ax = fig.subplots()
    labels = []
    for i, r in enumerate(rows):
        y = len(rows) - 1 - i
        color = ACCENT if r["ratio"] < 1 else NATIVE
        ax.barh(y, r["ratio"], 0.7, color=color, gid=f"suite-{i}")
        ax.text(r["ratio"] * 1.05, y, f"{r['ratio']:.2f}×", va="center", fontsize=7, color=TEXT)
        backward = _(" (+ backward)") if r["pass"] == "forward+backward" else ""
        labels.append((y, f"{r['workload']}{backward}"))
    ax.axvline(1.0, color=TEXT, linewidth=1)
    ax.set_xscale("log")
    ratios = [r["ratio"] for r in rows]
    low, high = min(ratios + [1.0]), max(ratios + [1.0])
    ticks = [
        t * 10.0**e for e in range(-3, 4) for t in (1, 2, 5) if low / 2 <= t * 10.0**e <= high * 2
    ]
    ax.set_xticks(ticks, [f"{t:g}×" for t in ticks])
    ax.minorticks_off()
    ax.set_xlim(low / 1.6, high * 1.6)
    ax.set_yticks([y for y, _text in labels], [text for _y, text in labels], fontsize=8)
    ax.set_xlabel(_("pooling_lib time / PyTorch time (log scale; left of 1×: pooling_lib faster)"))
    ax.grid(True, axis="x", which="major", alpha=0.3)
    fig.tight_layout()
    return fig
