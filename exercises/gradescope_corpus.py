"""Every hostile sample through the Gradescope autograder's fallback, in Gradescope-shaped folders.

Usage (``make grade-gradescope``; as root, since the fallback runs student code as a uid of
its own)::

    python exercises/gradescope_corpus.py [--jobs 2] [--only NAME ...]

builds the exercises into a temporary folder (``build.py``), writes the sample submissions
(``samples.py``) and, for each sample of ``samples.HOSTILE``, makes a folder shaped like
Gradescope's ``/autograder`` (``source/``: the notebook's Gradescope zip unpacked,
``submission/``: the sample, ``results/``) and runs ``python -m pooling_grader --gradescope
ROOT --sandbox user``: the path Gradescope's containers take when they refuse bubblewrap,
forced the way ``tests/test_grader_gradescope.py`` forces it, with this project's venv
standing in for what ``setup.sh`` installs. It checks each sample's expected score per
question and its review flag from ``results.json``, and that it left no trace: no process of
the student's uid and none of the samples' markers, no file of that uid in /tmp, /var/tmp or
/dev/shm, ``source/`` and ``submission/`` unchanged, none of the sample's trace files, nothing
new in the canary folder and no connection to the canary listeners. It prints one row per
sample and exits 1 if any row fails. ``make test`` runs three of these cases
(``tests/test_grader_gradescope.py``); this runs them all (minutes).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _snapshot(folder: pathlib.Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _marked_processes(markers) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = pathlib.Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if any(m.encode() in cmdline for m in markers):
                found.append(entry)
    return found


def _files_of(uid: int) -> list[str]:
    done = subprocess.run(
        ["find", "/tmp", "/var/tmp", "/dev/shm", "-xdev", "-uid", str(uid), "-print"],
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.split()


def _scores(results: dict) -> dict[str, tuple[float, float]]:
    """(score, max score) per question, from the tests of results.json."""
    per: dict[str, list[float]] = {}
    for test in results["tests"]:
        if test["visibility"] == "hidden":
            continue  # the instructors' test
        question = test["name"].split(":")[0]
        got = per.setdefault(question, [0.0, 0.0])
        got[0] += test["score"]
        got[1] += test["max_score"]
    return {q: (s, m) for q, (s, m) in per.items()}


def grade(h, built: pathlib.Path, work: pathlib.Path, samples, canary: dict) -> dict:
    """Run one sample through the fallback and check it: a row of the table."""
    root = work / h.name
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(built / "gradescope" / f"{h.notebook}.zip") as zf:
        zf.extractall(root / "source")
    shutil.copy(built / "samples" / h.name / f"{h.notebook}.ipynb", root / "submission")
    before = {"source": _snapshot(root / "source"), "submission": _snapshot(root / "submission")}
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pooling_grader", "--gradescope", str(root), "--sandbox", "user",
         "--cell-timeout", "10", "--call-timeout", "5", "--notebook-timeout", "120"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    seconds = time.monotonic() - start
    problems = []
    if done.returncode != 0:
        return {"name": h.name, "seconds": seconds, "problems": [done.stderr[-300:]], "got": ""}
    results = json.loads((root / "results" / "results.json").read_text())
    instructors = next(t for t in results["tests"] if t["visibility"] == "hidden")["output"]
    uid = int(instructors.split("student code runs as: uid ")[1].split(",")[0])
    scores = _scores(results)
    got = []
    for question, want in h.scores.items():
        score, possible = scores.get(question, (0.0, 0.0))
        expected = {"full": possible, "zero": 0.0}.get(want)
        expected = float(want) if expected is None else expected
        got.append(f"{question} {score:g}/{possible:g}")
        if score != expected:
            problems.append(f"{question}: {score:g}, expected {expected:g}")
    if h.status != "ok" and f"({h.status})" not in results["output"]:
        problems.append(f"status: expected {h.status}")
    review = "To review by hand:\n- nothing" not in instructors
    if review != h.review:
        problems.append(f"review: {review}, expected {h.review}")
    # No trace: processes, files of the student's uid, files and folders of the grader.
    if subprocess.run(["pgrep", "-u", str(uid)], capture_output=True).stdout:
        problems.append(f"processes of uid {uid} left")
    if _marked_processes(samples.STRAY_MARKERS):
        problems.append("a process the sample started is left")
    if _files_of(uid):
        problems.append(f"files of uid {uid}: {_files_of(uid)[:3]}")
    after = {"source": _snapshot(root / "source"), "submission": _snapshot(root / "submission")}
    if after != before:
        problems.append("source/ or submission/ changed")
    for trace in samples.traces(h, canary):
        kind, _, what = trace.partition(":")
        if kind == "file" and pathlib.Path(what).exists():
            problems.append(f"left {what}")
    return {"name": h.name, "seconds": seconds, "problems": problems, "got": ", ".join(got),
            "review": review, "uid": uid}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="samples graded at once")
    parser.add_argument("--only", nargs="*", help="these samples only")
    args = parser.parse_args(argv)
    if os.getuid() != 0:
        print("the fallback runs student code as another uid: run as root", file=sys.stderr)
        return 2
    build, samples = _load("build"), _load("samples")
    chosen = [h for h in samples.HOSTILE if not args.only or h.name in args.only]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grade-gradescope-") as tmp:
        tmp = pathlib.Path(tmp)
        built = tmp / "exercises"
        build.build(built, build.master_paths())
        tag = f"gs{os.getpid()}"
        listeners = samples.Listeners(tag)
        canary = {
            "canary_dir": tmp / "canary",
            "canary_port": listeners.port,
            "canary_tag": tag,
            "autograders": (built / "autograder").resolve(),
            "submissions": (built / "samples").resolve(),
        }
        canary["canary_dir"].mkdir()
        samples.write_samples(built, built / "samples", canary)
        built_in = time.monotonic() - start
        with ThreadPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(lambda h: grade(h, built, tmp / "gs", samples, canary), chosen))
        listeners.close()
        canary_left = sorted(p.name for p in canary["canary_dir"].iterdir())
    width = max(len(r["name"]) for r in rows)
    print(f"{'sample':<{width}}  {'result':<6}  {'s':>5}  scores per question (review)")
    for r in rows:
        mark = "ok" if not r["problems"] else "FAIL"
        review = " (review)" if r.get("review") else ""
        print(f"{r['name']:<{width}}  {mark:<6}  {r['seconds']:5.1f}  {r['got']}{review}")
        for p in r["problems"]:
            print(f"{'':<{width}}    - {p}")
    failed = [r["name"] for r in rows if r["problems"]]
    if listeners.connections:
        failed.append("connections")
        print(f"connections to the canary listeners: {listeners.connections}")
    if canary_left:
        failed.append("canary")
        print(f"written into the canary folder: {canary_left}")
    right = len(rows) - len([r for r in rows if r["problems"]])
    seconds = time.monotonic() - start
    print(
        f"{right} of {len(rows)} samples as expected, without trace; {seconds:.0f} s "
        f"({built_in:.0f} s to build, {args.jobs} at a time)"
    )
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
