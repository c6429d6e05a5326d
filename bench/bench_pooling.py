"""Benchmark: pooling_lib against PyTorch's native kernels on pooling from real models, and
against its own loop version on two small inputs.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_pooling.py``). One thread
(``torch.set_num_threads(1)``), CPU, float32, contiguous inputs.

The suite (``SUITE``): at least 16 workloads taken from real models (the stems and stages of
ResNet, VGG, AlexNet and Inception; global and adaptive pooling; a spatial pyramid; a large
window through ``max_pool2d``; text models' ``max_pool1d`` and max over time; 3-d video
pooling; Lp pooling; ``return_indices``; backward passes). For each: ``pooling_lib``'s time,
PyTorch's (``torch.nn.functional``) and one read of the input (``x.amax()``), measured in the
same run, interleaved run by run, median of ``REPEATS``; printed as the ratio to PyTorch and
as multiples of one read of the input. Time is the thread's CPU time
(``time.thread_time``): on a shared machine it leaves out the time the process waits for a
core, which wall-clock time would add to whichever call was unlucky (the load average is
recorded with the results). Backward workloads time forward plus ``torch.autograd.grad``
with a fixed random ``grad_output``.

Growth (``growth``): the time per input element of ``max_pool1d`` with window 256 over that
with window 2, at the same number of outputs, with stride 1 (overlapping windows) and with
stride = window (windows side by side); the target is at most 2.

Peak memory: PyTorch's CPU allocator keeps no statistics and ``tracemalloc`` does not see
it, so each (workload, implementation) runs once more in a fresh subprocess that creates the
inputs, warms the code up on a tiny input, resets the kernel's peak-RSS counter
(``/proc/self/clear_refs``) and reads ``VmRSS`` before and ``VmHWM`` after the call (Linux).
The difference is the peak of resident memory the call added (outputs and gradients
included, inputs excluded), in MiB; the target is at most 1.5 times PyTorch's.

The loop comparison (``WORKLOADS``, two small inputs): ``pooling_lib.loops`` against the
vectorized functions and PyTorch, max and avg pooling, forward and forward+backward
(``loops.<pool>_pool2d`` plus ``loops.<pool>_pool2d_backward``).

Results: tables on stdout and ``pooling_book/bench_results/pooling.json`` (machine, versions,
timestamp, load, every median, ratio and peak) for the book's plots: package data of
``pooling_book``, so the installed package carries the numbers the book plots
(``pooling_book.drawing.bench_plot.load_results``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
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

# The loop comparison: name, shape, kernel_size, stride, padding
WORKLOADS = [
    ("1x1x4x4 k3 s2 p1", (1, 1, 4, 4), 3, 2, 1),
    ("1x1x28x28 k2 s2", (1, 1, 28, 28), 2, 2, 0),
]
SMALL = {"1x1x4x4 k3 s2 p1", "1x1x28x28 k2 s2"}


def _spp(m, x):
    return [m.adaptive_max_pool2d(x, size) for size in (1, 2, 3, 6)]


def _w(name, model, shape, fn, *args, pass_="forward", **kwargs):
    """A suite workload: name, model, input shape, call (module -> x -> result), pass."""
    if callable(fn):
        return (name, model, shape, fn, pass_)
    return (name, model, shape, lambda m, x: getattr(m, fn)(x, *args, **kwargs), pass_)


BACKWARD = "forward+backward"
SUITE = [
    _w("ResNet stem max 3/2/1", "ResNet", (8, 64, 112, 112), "max_pool2d", 3, 2, 1),
    _w("VGG max 2/2", "VGG", (8, 128, 56, 56), "max_pool2d", 2, 2),
    _w("AlexNet max 3/2", "AlexNet", (8, 96, 55, 55), "max_pool2d", 3, 2),
    _w("Inception avg 3/1/1", "GoogLeNet", (8, 192, 28, 28), "avg_pool2d", 3, 1, 1),
    _w("global avg (adaptive 1)", "ResNet head", (32, 512, 7, 7), "adaptive_avg_pool2d", 1),
    _w("global max (adaptive 1)", "CAM", (32, 512, 7, 7), "adaptive_max_pool2d", 1),
    _w("adaptive avg 14 to 7", "VGG head", (32, 512, 14, 14), "adaptive_avg_pool2d", 7),
    _w("adaptive avg 56 to 7", "", (16, 64, 56, 56), "adaptive_avg_pool2d", 7),
    _w("adaptive max 56 to 7", "", (16, 64, 56, 56), "adaptive_max_pool2d", 7),
    _w("spatial pyramid 1,2,3,6", "SPP-net", (8, 256, 13, 13), _spp),
    _w("global max as max_pool2d(56)", "", (8, 64, 56, 56), "max_pool2d", 56),
    _w("text max_pool1d 3/1", "text CNN", (16, 256, 400), "max_pool1d", 3, 1),
    _w("text max_pool1d 5/1", "text CNN", (16, 256, 400), "max_pool1d", 5, 1),
    _w("max over time (adaptive 1)", "Kim 2014", (16, 300, 400), "adaptive_max_pool1d", 1),
    _w("video max 1x3x3/1x2x2", "I3D", (2, 64, 8, 56, 56), "max_pool3d", (1, 3, 3), (1, 2, 2),
       (0, 1, 1)),
    _w("video max 2/2", "C3D", (2, 128, 8, 28, 28), "max_pool3d", 2),
    _w("video avg 2/2", "", (2, 128, 8, 28, 28), "avg_pool3d", 2),
    _w("Lp (p=2) 2/2", "", (8, 128, 56, 56), "lp_pool2d", 2, 2),
    _w("max 2/2 return_indices", "SegNet", (8, 64, 112, 112), "max_pool2d", 2, 2,
       return_indices=True),
    _w("ResNet stem max 3/2/1", "ResNet", (4, 64, 112, 112), "max_pool2d", 3, 2, 1,
       pass_=BACKWARD),
    _w("VGG max 2/2", "VGG", (8, 128, 56, 56), "max_pool2d", 2, 2, pass_=BACKWARD),
    _w("DenseNet avg 2/2", "DenseNet", (8, 128, 56, 56), "avg_pool2d", 2, 2, pass_=BACKWARD),
    _w("global avg (adaptive 1)", "ResNet head", (32, 512, 7, 7), "adaptive_avg_pool2d", 1,
       pass_=BACKWARD),
    _w("adaptive max 56 to 7", "", (16, 64, 56, 56), "adaptive_max_pool2d", 7, pass_=BACKWARD),
    # Small feature maps, where a call's fixed cost counts: d2l's LeNet (the source chapter's
    # network, batch 256, average pooling after the first convolution) and the LeNet that
    # chapter 8 trains 25 times (batch 64 of 16x16 shapes, max pooling after the first).
    _w("d2l LeNet avg 2/2", "LeNet (d2l)", (256, 6, 28, 28), "avg_pool2d", 2, 2,
       pass_=BACKWARD),
    _w("chapter 8 LeNet max 2/2", "LeNet (ch. 8)", (64, 6, 16, 16), "max_pool2d", 2, 2,
       pass_=BACKWARD),
]  # fmt: skip
SUITE_REPEATS = 7
GROWTH_OUTPUTS, GROWTH_PLANES = 4000, (8, 64)

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


def _output(result):
    return result[0] if isinstance(result, (tuple, list)) else result


def suite_inputs(entry, seed: int = 0, shape=None):
    """The input of a suite workload and, for backward ones, a fixed random gradient."""
    name, model, full_shape, call, pass_ = entry
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(full_shape if shape is None else shape, generator=g)
    go = None
    if pass_ == "forward+backward":
        go = torch.randn(_output(call(F, x)).shape, generator=g)
    return x, go


def suite_call(entry, module, x, go):
    """A no-argument function running one call of a suite workload with ``module`` (F or P)."""
    call, pass_ = entry[3], entry[4]
    if pass_ == "forward":
        return lambda: call(module, x)
    leaf = x.detach().clone().requires_grad_()
    return lambda: torch.autograd.grad(_output(call(module, leaf)), leaf, go)


def median_times(calls: dict, repeats: int) -> dict:
    """Median thread CPU seconds of each call, the calls interleaved run by run."""
    for call in calls.values():
        call()  # warm-up
    times = {k: [] for k in calls}
    for _ in range(repeats):
        for k, call in calls.items():
            start = time.thread_time()
            call()
            times[k].append(time.thread_time() - start)
    return {k: statistics.median(ts) for k, ts in times.items()}


def time_suite(entry, repeats: int) -> dict:
    name, model, shape, call, pass_ = entry
    x, go = suite_inputs(entry)
    med = median_times(
        {
            "torch": suite_call(entry, F, x, go),
            "lib": suite_call(entry, P, x, go),
            "read": lambda: x.amax(),
        },
        repeats,
    )
    return {
        "workload": name,
        "model": model,
        "shape": list(shape),
        "pass": pass_,
        "repeats": repeats,
        "torch_ms": med["torch"] * 1e3,
        "lib_ms": med["lib"] * 1e3,
        "read_ms": med["read"] * 1e3,
        "ratio": med["lib"] / med["torch"],
        "lib_reads": med["lib"] / med["read"],
        "torch_reads": med["torch"] / med["read"],
    }


def time_growth(repeats: int) -> list[dict]:
    """``max_pool1d`` with windows 2 and 256 at the same number of outputs, stride 1 and
    stride = window: time per input element."""
    rows = []
    for mode, outputs in (("stride 1", GROWTH_OUTPUTS), ("stride = window", 64)):
        for k in (2, 256):
            s = 1 if mode == "stride 1" else k
            length = (outputs - 1) * s + k
            x = torch.randn(*GROWTH_PLANES, length, generator=torch.Generator().manual_seed(0))
            calls = {
                "torch": functools.partial(F.max_pool1d, x, k, s),
                "lib": functools.partial(P.max_pool1d, x, k, s),
            }
            med = median_times(calls, repeats)
            rows.append(
                {
                    "mode": mode,
                    "window": k,
                    "stride": s,
                    "outputs": outputs,
                    "input_elements": x.numel(),
                    "torch_ms": med["torch"] * 1e3,
                    "lib_ms": med["lib"] * 1e3,
                    "lib_ns_per_element": med["lib"] * 1e9 / x.numel(),
                    "torch_ns_per_element": med["torch"] * 1e9 / x.numel(),
                }
            )
    return rows


def growth_factors(rows: list[dict]) -> dict:
    """Time per input element, window 256 over window 2, per mode and implementation."""
    out = {}
    for mode in dict.fromkeys(r["mode"] for r in rows):
        by_k = {r["window"]: r for r in rows if r["mode"] == mode}
        out[mode] = {
            impl: by_k[256][f"{impl}_ns_per_element"] / by_k[2][f"{impl}_ns_per_element"]
            for impl in ("lib", "torch")
        }
    return out


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
    if spec.startswith("suite|"):
        _, i, impl = spec.split("|")
        entry = SUITE[int(i)]
        module = P if impl == "lib" else F
        tiny_x, tiny_go = suite_inputs(entry, shape=(1, 2, *entry[2][2:]))
        suite_call(entry, module, tiny_x, tiny_go)()  # load and warm the code paths
        x, go = suite_inputs(entry)
        call = suite_call(entry, module, x, go)
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kib("VmRSS")
        result = call()
        after = _status_kib("VmHWM")
        del result
        print(after - before)
        return
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


def peak_mib(name: str, pool: str = "", pass_: str = "", impl: str = "") -> float:
    """Peak MiB of one call in a fresh process: a loop-comparison row, or with ``name`` of
    the form ``suite|<index>|<lib or torch>`` a suite workload."""
    spec = name if name.startswith("suite|") else f"{name}|{pool}|{pass_}|{impl}"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, __file__, "--peak-child", spec],
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


def check_targets(rows: list[dict], suite: list[dict], growth: dict) -> list[dict]:
    """The targets of issue 17 (suite, growth, memory) and the loop comparison's."""
    checks = []

    def add(text, values, limit, better="below"):
        ok = all((v <= limit) if better == "below" else (v >= limit) for v in values.values())
        checks.append(
            {"target": text, "met": ok, "values": {k: round(v, 3) for k, v in values.items()}}
        )

    def key(r):
        return f"{r['workload']} ({r['pass']})"

    add("every suite workload <= 1.0x torch's time", {key(r): r["ratio"] for r in suite}, 1.0)
    for mode, factors in growth.items():
        add(
            f"growth, max_pool1d window 256 vs 2 per input element ({mode}) <= 2",
            {"pooling_lib": factors["lib"]},
            2.0,
        )
    mem = {
        key(r): r["peak_mib_lib"] / r["peak_mib_torch"]
        for r in suite
        if r.get("peak_mib_torch") and r.get("peak_mib_lib") is not None
    }
    if mem:
        add("peak memory <= 1.5x torch's (suite)", mem, 1.5)
    for pass_ in ("forward", "forward+backward"):
        speedups = {
            r["pool"]: r["loop_over_vectorized"]
            for r in rows
            if r["workload"] == "1x1x28x28 k2 s2" and r["pass"] == pass_
        }
        add(f"vectorized >= 100x faster than loop on 1x1x28x28 ({pass_})", speedups, 100.0, "above")
    return checks


def print_suite(suite: list[dict], growth_rows: list[dict], growth: dict) -> None:
    head = (
        f"{'workload':<32}{'pass':<17}{'shape':<20}{'lib ms':>9}{'torch ms':>10}{'ratio':>8}"
        f"{'lib reads':>11}{'torch reads':>12}{'peak lib':>10}{'peak torch':>11}{'mem':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in suite:
        pl, pt = r.get("peak_mib_lib"), r.get("peak_mib_torch")
        mem = pl / pt if pl is not None and pt else None
        shape = "x".join(map(str, r["shape"]))
        print(
            f"{r['workload']:<32}{r['pass']:<17}{shape:<20}{r['lib_ms']:>9.2f}"
            f"{r['torch_ms']:>10.2f}{r['ratio']:>7.2f}x{r['lib_reads']:>10.1f}x"
            f"{r['torch_reads']:>11.1f}x{fmt(pl, '.1f'):>10}{fmt(pt, '.1f'):>11}"
            f"{fmt(mem, '.2f'):>7}"
        )
    print(
        "ratio: pooling_lib's time over torch's (below 1: faster); reads: time as a multiple "
        "of one read of the input (x.amax()); peak: MiB of resident memory one call adds, "
        "in a fresh process."
    )
    print()
    for r in growth_rows:
        print(
            f"max_pool1d window {r['window']:>3} {r['mode']:<16} {r['outputs']} outputs, "
            f"{r['input_elements']} input elements: pooling_lib {r['lib_ns_per_element']:.3f} "
            f"ns/element, torch {r['torch_ns_per_element']:.3f} ns/element"
        )
    for mode, f in growth.items():
        print(
            f"growth ({mode}), window 256 over window 2 per input element: "
            f"pooling_lib {f['lib']:.2f}, torch {f['torch']:.2f}"
        )


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


def only_suite(opts) -> None:
    """``--only``: time a few suite workloads (a quick look while working on a kernel)."""
    picked = [
        (i, e) for i, e in enumerate(SUITE) if any(t in f"{e[0]} ({e[4]})" for t in opts.only)
    ]
    if not picked:
        raise SystemExit(f"--only {opts.only}: no suite workload matches")
    suite = []
    for i, entry in picked:
        r = time_suite(entry, opts.repeats or SUITE_REPEATS)
        if opts.memory:
            for impl in ("lib", "torch"):
                r[f"peak_mib_{impl}"] = peak_mib(f"suite|{i}|{impl}")
        suite.append(r)
    print_suite(suite, [], {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peak-child", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="3 repeats, no memory (smoke)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="time only the suite workloads whose 'name (pass)' contains TEXT (repeatable); "
        "no loop comparison, no growth, no memory unless --memory; prints, writes nothing",
    )
    parser.add_argument("--memory", action="store_true", help="with --only: peak memory too")
    parser.add_argument("--repeats", type=int, default=None, help="with --only: repeats")
    opts = parser.parse_args()
    torch.set_num_threads(1)
    if opts.peak_child:
        peak_child(opts.peak_child)
        return
    if opts.only:
        only_suite(opts)
        return
    started = time.time()
    info = machine_info()
    rows = []
    for name, shape, k, s, p in WORKLOADS:
        print(f"timing {name} ...", file=sys.stderr, flush=True)
        rows.extend(time_workload(name, shape, (k, s, p), opts.quick))
    repeats = 3 if opts.quick else SUITE_REPEATS
    suite = []
    for entry in SUITE:
        print(f"timing {entry[0]} ({entry[4]}) ...", file=sys.stderr, flush=True)
        suite.append(time_suite(entry, repeats))
    print("timing growth ...", file=sys.stderr, flush=True)
    growth_rows = time_growth(repeats)
    growth = growth_factors(growth_rows)
    if not opts.quick:
        for i, r in enumerate(suite):
            print(f"peak memory {r['workload']} ({r['pass']}) ...", file=sys.stderr, flush=True)
            for impl in ("lib", "torch"):
                r[f"peak_mib_{impl}"] = peak_mib(f"suite|{i}|{impl}")
    targets = check_targets(rows, suite, growth)
    print_table(rows)
    print()
    print_suite(suite, growth_rows, growth)
    print()
    for t in targets:
        values = ", ".join(f"{k}: {v}" for k, v in t["values"].items())
        print(f"[{'met' if t['met'] else 'MISSED'}] {t['target']}  ({values})")
    result = {
        "benchmark": "pooling_lib vs torch native on a suite from real models, and the loop "
        "version on two small inputs; float32, CPU, 1 thread",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 1),
        "machine": info,
        "method": {
            "time": "median of interleaved runs after one warm-up; thread CPU time; ms",
            "read": "x.amax() on the workload's input, in the same run",
            "peak_memory": "VmHWM - VmRSS around one call in a fresh subprocess; MiB",
            "loop_forward_backward": "loops.<pool>_pool2d + loops.<pool>_pool2d_backward",
            "quick": opts.quick,
        },
        "rows": rows,
        "suite": suite,
        "growth": growth_rows,
        "growth_factors": growth,
        "targets": targets,
        "load_average_at_end": list(os.getloadavg()),
    }
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    opts.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {opts.output}")


if __name__ == "__main__":
    main()
