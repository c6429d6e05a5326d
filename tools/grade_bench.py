"""Grading throughput: generate N submissions, grade them with pooling_grader, print notebooks/min.

Usage (``make grade-bench`` runs this with N=60)::

    python tools/grade_bench.py --n 60 [--jobs 2] [--out _build/grade-bench]

Builds the exercises (``exercises/build.py``) and their sample submissions
(``exercises/samples.py``), then copies the solutions and the plausible wrong answers, in turn,
into N student folders: realistic notebooks, each of which runs every test. It grades them in
one run of ``python -m pooling_grader`` (sandboxed, the defaults of ``make grade``) and prints
the wall time of that run, grader start-up included, as notebooks per minute, with the load average
of the machine before and after (that figure is only meaningful on an otherwise idle machine),
and the CPU time spent per notebook by the grader and the sandboxes, which does not depend on
what else the machine runs: 120 s divided by it is what two idle cores would reach.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def generate(samples: pathlib.Path, out: pathlib.Path, n: int) -> int:
    """Copy N realistic submissions (solutions and wrong answers, in turn) into ``out``."""
    pool = sorted(
        p
        for p in samples.glob("*/*.ipynb")
        if p.parent.name == "solution" or p.parent.name.startswith("wrong-")
    )
    if not pool:
        raise FileNotFoundError(f"no sample submissions in {samples}")
    shutil.rmtree(out, ignore_errors=True)
    for i in range(n):
        source = pool[i % len(pool)]
        target = out / f"student{i:03d}" / source.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="notebooks to grade")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded at once")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "_build" / "grade-bench")
    args = parser.parse_args(argv)
    if args.n <= 0:
        parser.error(f"--n must be positive, got {args.n}")
    py = sys.executable
    exercises = args.out / "exercises"
    subprocess.run([py, ROOT / "exercises/build.py", "--out", exercises], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    subprocess.run([py, ROOT / "exercises/samples.py", "--build", exercises, "--out",
                    exercises / "samples"], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    submissions = args.out / "submissions"
    generate(exercises / "samples", submissions, args.n)
    load_before = os.getloadavg()[0]
    start = time.monotonic()
    subprocess.run(
        [py, "-m", "pooling_grader", submissions, "--autograders", exercises / "autograder",
         "--out", args.out / "grades", "--jobs", str(args.jobs)],
        check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    seconds = time.monotonic() - start
    run = json.loads((args.out / "grades" / "run.json").read_text())
    cpu = (run["grader_cpu_seconds"] + run["sandbox_cpu_seconds"]) / args.n
    print(
        f"CPU time per notebook: {cpu:.2f} s (grader {run['grader_cpu_seconds']:.1f} s and "
        f"sandboxes {run['sandbox_cpu_seconds']:.1f} s in all): two idle cores would grade "
        f"{2 * 60 / cpu:.1f} notebooks per minute"
    )
    print(
        f"graded {args.n} notebooks in {seconds:.1f} s with {args.jobs} jobs on "
        f"{os.cpu_count()} CPUs: {60 * args.n / seconds:.1f} notebooks per minute "
        f"(grader start-up included; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
