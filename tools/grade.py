"""Grade every submitted notebook in a folder against the exercises' autograders.

Usage (``make grade SUBMISSIONS=dir`` runs this)::

    python tools/grade.py SUBMISSIONS --autograders _build/exercises/autograder --out _build/grades

``SUBMISSIONS`` holds notebooks, flat (``alice.ipynb``) or one folder per student
(``alice/pooling_loops.ipynb``). The assignment of a notebook is read from its otter metadata
(``assignment_name``), or else from its file name. The student is the first folder under
``SUBMISSIONS``, or the file name for a flat folder.

Each notebook is graded by ``tools/grade_worker.py`` in its own subprocess and session, in a
fresh temporary folder, with a time limit per cell, per test case and per notebook (past the
last, the whole process tree is killed), limits on memory and file size, and an environment
reduced to a few harmless variables. Results come from the JSON file the worker writes, never
from what the submission prints. Nothing a submission does stops the run.

Writes into ``--out``:

* ``grades.json``: everything, per submission and per question (public test messages; hidden
  tests only as counts and short descriptions);
* ``summary.csv``: one row per submission; ``scores.csv``: one row per submission and question;
* ``feedback/<student>/<notebook>.md``: what to send back to each student;
* ``manual/<assignment>.md``: the answers to the questions graded by hand, all students.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import ctypes
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

WORKER = pathlib.Path(__file__).resolve().with_name("grade_worker.py")
PLACEHOLDER = "_Type your answer here, replacing this text._"
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
_active_workers: set[int] = set()
_other_children: set[int] = set()  # children we had before grading: never ours to kill
_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# Finding the autograders and the submissions


def load_autograders(folder: pathlib.Path) -> dict[str, dict]:
    """Assignment name -> metadata (with paths), from the files ``exercises/build.py`` wrote."""
    autograders = {}
    for meta_path in sorted(folder.resolve().glob("*.json")):  # absolute: workers run elsewhere
        meta = json.loads(meta_path.read_text())
        zip_path = meta_path.with_suffix(".zip")
        if not zip_path.is_file():
            raise FileNotFoundError(f"{zip_path} is missing (run `make exercises`)")
        meta.update(meta_path=str(meta_path), zip_path=str(zip_path))
        autograders[meta["assignment"]] = meta
    if not autograders:
        raise FileNotFoundError(f"no autograders in {folder} (run `make exercises` first)")
    return autograders


def assignment_of(path: pathlib.Path, autograders: dict[str, dict]) -> str | None:
    """The assignment a notebook belongs to: its otter metadata, or else its file name."""
    try:
        name = json.loads(path.read_text(encoding="utf-8"))["metadata"]["otter"]["assignment_name"]
        if name in autograders:
            return name
    except (OSError, ValueError, KeyError, TypeError):
        pass
    stem = path.stem.lower()
    matches = [a for a, m in autograders.items() if pathlib.Path(m["notebook"]).stem in stem]
    return matches[0] if len(matches) == 1 else None


def find_submissions(root: pathlib.Path, autograders: dict[str, dict]) -> list[dict]:
    """Every notebook under ``root`` (checkpoints skipped), with its student and assignment."""
    found = []
    for path in sorted(root.rglob("*.ipynb")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        student = rel.parts[0] if len(rel.parts) > 1 else path.stem
        found.append(
            {
                "student": student,
                "submission": rel.as_posix(),
                "path": path,
                "assignment": assignment_of(path, autograders),
            }
        )
    return found


# ---------------------------------------------------------------------------------------------
# Running one worker with hard limits


def _become_subreaper() -> None:
    """Let orphaned grandchildren (daemons a submission started) be re-parented to us (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process we can see in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _kill_orphans() -> None:
    """Kill and reap processes re-parented to us (see _become_subreaper).

    Runs under the lock that also covers starting a worker, so a worker just started is
    always known here; children this process had before grading started are left alone.
    """
    with _lock:
        for pid in _children().get(os.getpid(), []):
            if pid in _active_workers or pid in _other_children:
                continue
            _kill([pid, *_descendants(pid)])
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def _environment(home: str) -> dict[str, str]:
    """A small environment for student code: no tokens, keys or passwords are passed on."""
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    env.update(
        HOME=home,
        TMPDIR=home,
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        JUPYTER_PLATFORM_DIRS="1",
    )
    return env


def run_worker(
    index: int, job: dict, meta: dict, args: argparse.Namespace, scratch: pathlib.Path
) -> dict:
    """Grade one submission in a subprocess; always returns a result dict."""
    result_path = scratch / f"job{index}.json"
    # Home, temporary files and grading folder of the job: a top-level folder of its own, so
    # that a submission deleting the folders around it reaches no other job's files.
    home = pathlib.Path(tempfile.mkdtemp(prefix="grade-job-"))
    command = [
        sys.executable,
        str(WORKER),
        "--submission",
        str(job["path"].resolve()),
        "--autograder",
        meta["zip_path"],
        "--meta",
        meta["meta_path"],
        "--result",
        str(result_path),
        "--cell-timeout",
        str(args.cell_timeout),
        "--test-timeout",
        str(args.test_timeout),
        "--memory-mb",
        str(args.memory_mb),
        "--file-mb",
        str(args.file_mb),
    ]
    start = time.monotonic()
    try:
        with _lock:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # results come from the file, never from output
                stderr=subprocess.DEVNULL,
                cwd=str(home),
                env=_environment(str(home)),
                start_new_session=True,
            )
            _active_workers.add(proc.pid)
        try:
            proc.wait(timeout=args.notebook_timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill([*_descendants(proc.pid), proc.pid])
            proc.wait()
        finally:
            with _lock:
                _active_workers.discard(proc.pid)
        seconds = round(time.monotonic() - start, 2)
        _kill_orphans()
    finally:
        shutil.rmtree(home, ignore_errors=True)

    if timed_out:
        result = {
            "status": "timeout",
            "message": f"the notebook ran past its {args.notebook_timeout:g} s time limit "
            "and was stopped; every question scores 0",
        }
    else:
        try:
            result = json.loads(result_path.read_text())
            if not isinstance(result, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:
            result = {
                "status": "error",
                "message": f"the grader process ended (exit status {proc.returncode}) without "
                f"a readable result ({type(e).__name__}); every question scores 0",
            }
    result["seconds"] = seconds
    return complete(result, meta)


def complete(result: dict, meta: dict) -> dict:
    """Fill in every question of the assignment (score 0 where the worker gave none)."""
    given = {q.get("name"): q for q in result.get("questions") or []}
    questions = []
    for q in meta["questions"]:
        entry = given.get(q["name"])
        if entry is None:
            entry = {"name": q["name"], "max_score": q["points"], "manual": q["manual"]}
            entry.update(score=None if q["manual"] else 0, note="not graded")
            if q["manual"]:
                entry["answer"] = ""
        questions.append(entry)
    auto = [q for q in questions if not q["manual"]]
    result.update(
        assignment=meta["assignment"],
        notebook=meta["notebook"],
        questions=questions,
        score=sum(q["score"] for q in auto),
        max_score=sum(q["max_score"] for q in auto),
        manual_max_score=sum(q["max_score"] for q in questions if q["manual"]),
    )
    result.setdefault("errors", [])
    result.setdefault("message", "")
    return result


# ---------------------------------------------------------------------------------------------
# Reports


def feedback_markdown(entry: dict) -> str:
    """The feedback for one student and notebook: no hidden test code, by construction."""
    lines = [
        f"# Feedback: {entry['notebook']} ({entry['student']})",
        "",
        f"Autograded score: **{entry['score']:g} / {entry['max_score']:g}**"
        + (
            f" (plus {entry['manual_max_score']:g} points graded by hand)"
            if entry["manual_max_score"]
            else ""
        ),
        "",
    ]
    if entry["status"] != "ok":
        lines += [f"**Grading problem ({entry['status']}):** {entry['message']}", ""]
    for q in entry["questions"]:
        if q["manual"]:
            lines += [f"## {q['name']}: graded by hand ({q['max_score']:g} points)", ""]
            continue
        lines += [f"## {q['name']}: {q['score']:g} / {q['max_score']:g}", ""]
        for test in q.get("public", []):
            mark = "passed" if test["passed"] else "FAILED"
            lines.append(f"- public test `{test['name']}`: {mark}")
            if not test["passed"] and test.get("message"):
                lines += ["", "  ```", *["  " + x for x in test["message"].splitlines()], "  ```"]
        hidden_failed = q.get("hidden_failed", [])
        total_hidden = q.get("hidden_passed", 0) + len(hidden_failed)
        if total_hidden:
            lines.append(f"- hidden tests passed: {q.get('hidden_passed', 0)} of {total_hidden}")
            for description in hidden_failed:
                lines.append(f"  - failed: {description}")
        if q.get("note"):
            lines.append(f"- {q['note']}")
        lines.append("")
    if entry["errors"]:
        lines += ["## Cells that raised an error", ""]
        for err in entry["errors"]:
            lines.append(f"- cell {err['cell']}: `{err['error']}`: {err['message']}")
        lines.append("")
    return "\n".join(lines)


def manual_markdown(assignment: str, entries: list[dict]) -> str:
    lines = [f"# Answers to grade by hand: {assignment}", ""]
    for entry in entries:
        for q in entry["questions"]:
            if not q["manual"]:
                continue
            answer = (q.get("answer") or "").strip()
            if not answer or answer == PLACEHOLDER:
                answer = "*(no answer)*"
            lines += [
                f"## {entry['student']} ({entry['submission']}): {q['name']}, "
                f"{q['max_score']:g} points",
                "",
                answer,
                "",
            ]
    return "\n".join(lines)


def write_reports(entries: list[dict], out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "grades.json").write_text(json.dumps(entries, indent=2) + "\n")
    with open(out / "summary.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["student", "submission", "assignment", "status", "score", "max_score"]
            + ["manual_max_score", "seconds", "message"]
        )
        for e in entries:
            w.writerow(
                [e["student"], e["submission"], e["assignment"], e["status"], e["score"]]
                + [e["max_score"], e["manual_max_score"], e["seconds"], e["message"]]
            )
    with open(out / "scores.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "submission", "assignment", "question", "score", "max_score"])
        for e in entries:
            for q in e["questions"]:
                score = "manual" if q["manual"] else q["score"]
                w.writerow(
                    [e["student"], e["submission"], e["assignment"], q["name"], score]
                    + [q["max_score"]]
                )
    for e in entries:
        if e["assignment"] is None:
            continue
        path = out / "feedback" / e["student"] / (pathlib.Path(e["notebook"]).stem + ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_markdown(e))
    by_assignment: dict[str, list[dict]] = {}
    for e in entries:
        if e["assignment"] is not None and e["manual_max_score"]:
            by_assignment.setdefault(e["assignment"], []).append(e)
    for assignment, group in by_assignment.items():
        path = out / "manual" / f"{assignment}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(manual_markdown(assignment, group))


def print_table(entries: list[dict]) -> None:
    rows = [("student", "assignment", "score", "status", "seconds")]
    for e in entries:
        score = "" if e["assignment"] is None else f"{e['score']:g}/{e['max_score']:g}"
        rows.append((e["student"], str(e["assignment"]), score, e["status"], f"{e['seconds']:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


# ---------------------------------------------------------------------------------------------


def grade_all(args: argparse.Namespace) -> list[dict]:
    autograders = load_autograders(args.autograders)
    jobs = find_submissions(args.submissions, autograders)
    if not jobs:
        raise FileNotFoundError(f"no notebooks (*.ipynb) under {args.submissions}")
    _other_children.update(_children().get(os.getpid(), []))
    _become_subreaper()
    print(f"grading {len(jobs)} notebooks, {args.jobs} at a time", flush=True)
    entries: list[dict | None] = [None] * len(jobs)

    with tempfile.TemporaryDirectory(prefix="grade-run-") as tmp:
        scratch = pathlib.Path(tmp)

        def work(i: int) -> None:
            job = jobs[i]
            meta = autograders.get(job["assignment"])
            if meta is None:
                result = {
                    "status": "unknown assignment",
                    "message": "the notebook's otter metadata and file name match no "
                    f"assignment (known: {', '.join(sorted(autograders))})",
                    "assignment": None,
                    "notebook": job["path"].name,
                    "questions": [],
                    "errors": [],
                    "score": 0,
                    "max_score": 0,
                    "manual_max_score": 0,
                    "seconds": 0.0,
                }
            else:
                try:
                    result = run_worker(i, job, meta, args, scratch)
                except Exception as e:  # never let one submission stop the run
                    result = complete(
                        {"status": "error", "message": f"{type(e).__name__}: {e}", "seconds": 0},
                        meta,
                    )
            entry = {"student": job["student"], "submission": job["submission"], **result}
            entries[i] = entry
            print(
                f"  {entry['submission']}: {entry['score']:g}/{entry['max_score']:g} "
                f"{entry['status']} ({entry['seconds']:.1f} s)",
                flush=True,
            )

        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for future in [pool.submit(work, i) for i in range(len(jobs))]:
                future.result()
        _kill_orphans()
    return [e for e in entries if e is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Grade every notebook in a folder (see book/teachers.md)."
    )
    parser.add_argument("submissions", type=pathlib.Path, help="folder of submitted notebooks")
    parser.add_argument(
        "--autograders",
        type=pathlib.Path,
        default=pathlib.Path("_build/exercises/autograder"),
        help="folder written by `make exercises` (default: %(default)s)",
    )
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("_build/grades"))
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded at once")
    parser.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell")
    parser.add_argument("--test-timeout", type=float, default=20, help="seconds per test case")
    parser.add_argument(
        "--notebook-timeout", type=float, default=300, help="seconds per notebook, all included"
    )
    parser.add_argument("--memory-mb", type=int, default=8192, help="address space per process")
    parser.add_argument("--file-mb", type=int, default=100, help="largest file a process writes")
    args = parser.parse_args(argv)
    for name in ("jobs", "cell_timeout", "test_timeout", "notebook_timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, got {getattr(args, name)}")
    if not args.submissions.is_dir():
        parser.error(f"SUBMISSIONS must be a folder, got {str(args.submissions)!r}")

    start = time.monotonic()
    try:
        entries = grade_all(args)
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    write_reports(entries, args.out)
    print()
    print_table(entries)
    print(
        f"\n{len(entries)} notebooks in {time.monotonic() - start:.1f} s; "
        f"reports in {args.out}/ (summary.csv, scores.csv, grades.json, feedback/, manual/)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
