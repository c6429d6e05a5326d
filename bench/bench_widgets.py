"""How fast the pooling explorer redraws after a control change (target: median < 50 ms).

    .venv/bin/python bench/bench_widgets.py [--repeats 3] [--json bench/results/widgets.json]

An explorer on a seeded 2-channel 8x8 input goes through a fixed schedule of control
changes (output position, kernel, stride, padding, dilation, mode, ceil_mode,
count_include_pad, norm_type, channel), each a real change of one control as a reader
makes it. Every change is timed from setting the control's value to the new PNG being in
the Image widget: pooling through pooling_lib and its loop check, building the frame,
drawing it with matplotlib and encoding the PNG. The evaluation cache is emptied before
each pass, so setting changes recompute the pooling; position changes reuse it, as in use.
Prints the median, 90th percentile and maximum wall time overall and the median per
control, plus the median CPU time of the process and the load average (on a shared,
busy machine wall time exceeds CPU time), and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import matplotlib
import torch

from pooling_lib.widgets import PoolingExplorer

TARGET_MS = 50.0
ROOT = Path(__file__).resolve().parent.parent

# (control, value): applied in order; each changes the control's current value.
SCHEDULE: list[tuple[str, object]] = [
    ("j", 1), ("j", 2), ("j", 3), ("i", 1), ("i", 2), ("i", 3),
    ("kernel h", 2), ("kernel w", 2), ("stride h", 1), ("stride w", 1),
    ("j", 5), ("i", 4),
    ("padding h", 1), ("padding w", 1), ("dilation h", 2), ("dilation w", 2),
    ("ceil_mode", True), ("j", 2), ("channel", 1),
    ("mode", "avg"), ("count_include_pad", False), ("i", 0), ("padding h", 0),
    ("mode", "lp"), ("norm_type", 3.0), ("j", 0), ("ceil_mode", False),
    ("mode", "max"), ("kernel h", 3), ("kernel w", 3), ("stride h", 2), ("stride w", 2),
    ("dilation h", 1), ("dilation w", 1), ("padding h", 1), ("channel", 0),
    ("padding w", 0), ("i", 1), ("j", 1),
]  # fmt: skip


def control(explorer: PoolingExplorer, name: str):
    """The widget behind a schedule name such as ``"kernel h"`` or ``"mode"``."""
    if " " in name:
        pair, axis = name.split()
        return getattr(explorer, pair)[0 if axis == "h" else 1]
    return getattr(explorer, name)


def run(repeats: int) -> dict:
    x = torch.randn(2, 8, 8, generator=torch.Generator().manual_seed(0)).round(decimals=1)
    explorer = PoolingExplorer(x, kernel_size=3, stride=2, padding=1)
    for name, value in SCHEDULE[:6]:  # warm-up: fonts, caches, first allocations
        control(explorer, name).value = value
    timings: dict[str, list[float]] = {}
    cpu: list[float] = []
    invalid = 0
    for _ in range(repeats):
        explorer._cache.clear()
        explorer.set(mode="max", kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)
        explorer.set(count_include_pad=True, norm_type=2.0, channel=0, position=(0, 0))
        for name, value in SCHEDULE:
            widget = control(explorer, name)
            if widget.value == value:
                continue
            before = explorer.image.value
            start, cpu_start = time.perf_counter(), time.process_time()
            widget.value = value
            elapsed = (time.perf_counter() - start) * 1000
            cpu.append((time.process_time() - cpu_start) * 1000)
            assert explorer.render_error is None, explorer.render_error
            assert explorer.image.value != before or explorer.error is not None, name
            invalid += explorer.error is not None
            timings.setdefault(name.split()[0], []).append(elapsed)
    every = sorted(t for ts in timings.values() for t in ts)
    return {
        "benchmark": "pooling explorer redraw per control change",
        "input": "2 x 8 x 8",
        "changes": len(every),
        "changes_showing_an_error": invalid,
        "median_ms": round(statistics.median(every), 2),
        "p90_ms": round(every[int(0.9 * (len(every) - 1))], 2),
        "max_ms": round(every[-1], 2),
        "median_cpu_ms": round(statistics.median(cpu), 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_median_ms": TARGET_MS,
        "meets_target": statistics.median(every) < TARGET_MS,
        "median_ms_by_control": {
            name: round(statistics.median(ts), 2) for name, ts in sorted(timings.items())
        },
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "matplotlib": matplotlib.__version__,
            "processor": platform.machine(),
            "torch_threads": torch.get_num_threads(),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="passes over the schedule")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench" / "results" / "widgets.json", help="output"
    )
    args = parser.parse_args()
    result = run(args.repeats)
    print(
        f"explorer redraw per control change (8x8 input, {result['changes']} changes): "
        f"median {result['median_ms']:.1f} ms, p90 {result['p90_ms']:.1f} ms, "
        f"max {result['max_ms']:.1f} ms (target: median < {TARGET_MS:.0f} ms: "
        f"{'met' if result['meets_target'] else 'NOT met'})"
    )
    print(
        f"  CPU time of this process per change: median {result['median_cpu_ms']:.1f} ms "
        f"(1-minute load average {result['load_average_1min']}: wall time grows when the "
        "machine is busy)"
    )
    for name, ms in result["median_ms_by_control"].items():
        print(f"  {name:<18} median {ms:6.1f} ms")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


if __name__ == "__main__":
    main()
