"""Benchmark: pooling_lib's loop and vectorized pooling against PyTorch's native kernels.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_pooling.py``). One thread
(``torch.set_num_threads(1)``), CPU, float32, NCHW-contiguous inputs, five workloads, max and
avg pooling, forward (input without ``requires_grad``) and forward+backward
(``torch.autograd.grad`` of the output with a fixed random ``grad_output``).

Time: median of ``repeats`` runs, the implementations interleaved run by run so that the
noise of a shared machine hits them alike; ratios are to native in the same run. The loop
version runs only on the two small workloads (it takes a Python step per window element);
its forward+backward is ``loops.max_pool2d`` plus ``loops.max_pool2d_backward``, which
recomputes the argmax (``avg_pool2d_backward`` does not need the forward).

Peak memory: PyTorch's CPU allocator keeps no statistics and ``tracemalloc`` does not see
it, so each (workload, pool, pass, implementation) runs once more in a fresh subprocess that
creates the inputs, warms the code up on a tiny input, resets the kernel's peak-RSS counter
(``/proc/self/clear_refs``) and reads ``VmRSS`` before and ``VmHWM`` after the call (Linux).
The difference is the peak of resident memory the call added (outputs and gradients
included, inputs excluded), in MiB; it is measured on the three large workloads.

Results: a table on stdout and ``pooling_book/bench_results/pooling.json`` (machine, versions,
timestamp, every median, ratio and peak) for the book's plots: package data of
``pooling_book``, so the installed package carries the numbers the book plots
(``pooling_book.drawing.bench_plot.load_results``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import pooling_lib as P
from pooling_lib import loops
from pooling_lib.shapes import pooled_size

ROOT = Path(__file__).resolve().parent
# Written into the source tree (and committed); shipped in the wheel as package data.
RESULTS = ROOT.parent / "pooling_book" / "bench_results" / "pooling.json"

# name, shape, kernel_size, stride, padding
WORKLOADS = [
    ("1x1x4x4 k3 s2 p1", (1, 1, 4, 4), 3, 2, 1),
    ("1x1x28x28 k2 s2", (1, 1, 28, 28), 2, 2, 0),
    ("32x64x112x112 k3 s2 p1", (32, 64, 112, 112), 3, 2, 1),
    ("16x128x56x56 k2 s2", (16, 128, 56, 56), 2, 2, 0),
    ("8x256x28x28 k3 s1 p1", (8, 256, 28, 28), 3, 1, 1),
]
SMALL = {"1x1x4x4 k3 s2 p1", "1x1x28x28 k2 s2"}

FUNCS = {
    ("max", "native"): F.max_pool2d,
    ("max", "vectorized"): P.max_pool2d,
    ("max", "loop"): loops.max_pool2d,
    ("avg", "native"): F.avg_pool2d,
    ("avg", "vectorized"): P.avg_pool2d,
    ("avg", "loop"): loops.avg_pool2d,
}


def make_call(pool: str, impl: str, pass_: str, x: torch.Tensor, go: torch.Tensor, args):
    """A no-argument function running one forward or forward+backward."""
    fn = FUNCS[pool, impl]
    if pass_ == "forward":
        return lambda: fn(x, *args)
    if impl == "loop":
        backward = loops.max_pool2d_backward if pool == "max" else loops.avg_pool2d_backward
        return lambda: (fn(x, *args), backward(go, x, *args))
    leaf = x.detach().clone().requires_grad_()
    return lambda: torch.autograd.grad(fn(leaf, *args), leaf, go)


def inputs(shape, args, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g)
    out_shape = (*shape[:-2], *(pooled_size(n, *args) for n in shape[-2:]))
    go = torch.randn(out_shape, generator=g)
    return x, go


def repeats_for(shape, impl: str) -> int:
    numel = torch.Size(shape).numel()
    if impl == "loop":
        return 7
    if numel < 10_000:
        return 301
    return 7


def time_workload(name, shape, args, quick: bool):
    """Median seconds of every (pool, pass, impl) of one workload, impls interleaved."""
    x, go = inputs(shape, args)
    rows = []
    for pool in ("max", "avg"):
        for pass_ in ("forward", "forward+backward"):
            impls = ["native", "vectorized"] + (["loop"] if name in SMALL else [])
            calls = {impl: make_call(pool, impl, pass_, x, go, args) for impl in impls}
            for call in calls.values():
                call()  # warm-up
            times = {impl: [] for impl in impls}
            n = max(repeats_for(shape, "vectorized"), 1)
            if quick:
                n = min(n, 3)
            n_loop = min(repeats_for(shape, "loop"), n)
            for r in range(n):
                for impl in impls:
                    if impl == "loop" and r >= n_loop:
                        continue
                    start = time.perf_counter()
                    calls[impl]()
                    times[impl].append(time.perf_counter() - start)
            med = {impl: statistics.median(ts) for impl, ts in times.items()}
            rows.append(
                {
                    "workload": name,
                    "shape": list(shape),
                    "kernel_size": args[0],
                    "stride": args[1],
                    "padding": args[2],
                    "pool": pool,
                    "pass": pass_,
                    "repeats": {impl: len(ts) for impl, ts in times.items()},
                    "native_ms": med["native"] * 1e3,
                    "vectorized_ms": med["vectorized"] * 1e3,
                    "loop_ms": med["loop"] * 1e3 if "loop" in med else None,
                    "vectorized_over_native": med["vectorized"] / med["native"],
                    "loop_over_vectorized": (
                        med["loop"] / med["vectorized"] if "loop" in med else None
                    ),
                }
            )
    return rows


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def peak_child(spec: str) -> None:
    """Subprocess entry: print the growth of resident memory (KiB) during one call.

    Linux: the peak is ``VmHWM`` of /proc/self/status, reset to the current ``VmRSS`` just
    before the call by writing 5 to /proc/self/clear_refs. (``ru_maxrss`` is no good here: a
    child process starts with its parent's resident size as its maximum.)
    """
    name, pool, pass_, impl = spec.split("|")
    _, shape, k, s, p = next(w for w in WORKLOADS if w[0] == name)
    args = (k, s, p)
    tiny_x, tiny_go = inputs((1, 2, 9, 9), args)
    make_call(pool, impl, pass_, tiny_x, tiny_go, args)()  # load and warm the code paths
    x, go = inputs(shape, args)
    call = make_call(pool, impl, pass_, x, go, args)  # (the leaf copy of x is made here)
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    result = call()
    after = _status_kib("VmHWM")
    del result
    print(after - before)


def peak_mib(name: str, pool: str, pass_: str, impl: str) -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, __file__, "--peak-child", f"{name}|{pool}|{pass_}|{impl}"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def machine_info() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
        "load_average_at_start": list(os.getloadavg()),
    }


def check_targets(rows: list[dict]) -> list[dict]:
    def row(workload, pool, pass_):
        return next(
            r
            for r in rows
            if r["workload"] == workload and r["pool"] == pool and r["pass"] == pass_
        )

    large = [w[0] for w in WORKLOADS if w[0] not in SMALL]
    checks = []

    def add(text, values, limit, better="below"):
        ok = all((v <= limit) if better == "below" else (v >= limit) for v in values.values())
        checks.append(
            {
                "target": text,
                "met": ok,
                "values": {k: round(v, 3) for k, v in values.items()},
            }
        )

    add(
        "max forward <= 0.8x native on 16x128x56x56",
        {"16x128x56x56": row("16x128x56x56 k2 s2", "max", "forward")["vectorized_over_native"]},
        0.8,
    )
    add(
        "max forward <= 1.0x native on 32x64x112x112",
        {
            "32x64x112x112": row("32x64x112x112 k3 s2 p1", "max", "forward")[
                "vectorized_over_native"
            ]
        },
        1.0,
    )
    add(
        "avg forward <= 1.5x native (large workloads)",
        {w: row(w, "avg", "forward")["vectorized_over_native"] for w in large},
        1.5,
    )
    add(
        "max forward+backward <= 2x native (large workloads)",
        {w: row(w, "max", "forward+backward")["vectorized_over_native"] for w in large},
        2.0,
    )
    add(
        "avg forward+backward <= 1.5x native (large workloads)",
        {w: row(w, "avg", "forward+backward")["vectorized_over_native"] for w in large},
        1.5,
    )
    mem = {}
    for r in rows:
        if r.get("peak_mib_native"):
            key = f"{r['workload']} {r['pool']} {r['pass']}"
            mem[key] = r["peak_mib_vectorized"] / r["peak_mib_native"]
    if mem:
        add("peak memory <= 1.5x native (large workloads)", mem, 1.5)
    for pass_ in ("forward", "forward+backward"):
        add(
            f"vectorized >= 100x faster than loop on 1x1x28x28 ({pass_})",
            {
                pool: row("1x1x28x28 k2 s2", pool, pass_)["loop_over_vectorized"]
                for pool in ("max", "avg")
            },
            100.0,
            better="above",
        )
    return checks


def fmt(v, spec=".3f"):
    return "-" if v is None else format(v, spec)


def print_table(rows: list[dict]) -> None:
    head = (
        f"{'workload':<24}{'pool':<5}{'pass':<17}{'loop ms':>10}{'vector ms':>11}"
        f"{'native ms':>11}{'vec/nat':>9}{'loop/vec':>10}{'peak MiB vec':>14}"
        f"{'peak MiB nat':>14}{'mem ratio':>11}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        pv, pn = r.get("peak_mib_vectorized"), r.get("peak_mib_native")
        ratio = pv / pn if pv is not None and pn else None
        print(
            f"{r['workload']:<24}{r['pool']:<5}{r['pass']:<17}{fmt(r['loop_ms'], '.2f'):>10}"
            f"{r['vectorized_ms']:>11.3f}{r['native_ms']:>11.3f}"
            f"{r['vectorized_over_native']:>8.2f}x"
            f"{fmt(r['loop_over_vectorized'], '.0f'):>9}{'x' if r['loop_over_vectorized'] else ' '}"
            f"{fmt(pv, '.1f'):>14}{fmt(pn, '.1f'):>14}{fmt(ratio, '.2f'):>11}"
        )
    print(
        "loop: pooling_lib.loops, only on the two small workloads; vec/nat: vectorized time over "
        "native time (below 1 is faster);\nloop/vec: how many times faster vectorized is than "
        "the loop; peak MiB: resident-memory growth of one call in a fresh process."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peak-child", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="3 repeats, no memory (smoke)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    opts = parser.parse_args()
    torch.set_num_threads(1)
    if opts.peak_child:
        peak_child(opts.peak_child)
        return
    started = time.time()
    info = machine_info()
    rows = []
    for name, shape, k, s, p in WORKLOADS:
        print(f"timing {name} ...", file=sys.stderr, flush=True)
        rows.extend(time_workload(name, shape, (k, s, p), opts.quick))
    if not opts.quick:
        for r in rows:
            if r["workload"] in SMALL:
                continue
            print(f"peak memory {r['workload']} {r['pool']} {r['pass']} ...", file=sys.stderr)
            for impl in ("vectorized", "native"):
                r[f"peak_mib_{impl}"] = peak_mib(r["workload"], r["pool"], r["pass"], impl)
    targets = check_targets(rows)
    print_table(rows)
    print()
    for t in targets:
        values = ", ".join(f"{k}: {v}" for k, v in t["values"].items())
        print(f"[{'met' if t['met'] else 'MISSED'}] {t['target']}  ({values})")
    result = {
        "benchmark": "pooling_lib loop vs vectorized vs torch native, float32, CPU, 1 thread",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 1),
        "machine": info,
        "method": {
            "time": "median of interleaved runs after one warm-up; ms",
            "peak_memory": "VmHWM - VmRSS around one call in a fresh subprocess; MiB",
            "loop_forward_backward": "loops.<pool>_pool2d + loops.<pool>_pool2d_backward",
            "quick": opts.quick,
        },
        "rows": rows,
        "targets": targets,
    }
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    opts.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {opts.output}")


if __name__ == "__main__":
    main()
