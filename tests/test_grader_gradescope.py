"""The Gradescope autograder: the zip `make exercises` writes, run in a Gradescope-shaped folder.

A temporary folder stands in for Gradescope's ``/autograder``: ``source/`` is the unpacked
autograder zip, ``submission/`` one student's notebook, ``results/`` where ``results.json``
goes; the project's venv stands in for what ``setup.sh`` installs. Each run is
``python -m pooling_grader --gradescope ROOT``, as ``run_autograder`` does, with bubblewrap
(``--sandbox bwrap``) and with the fallback for containers that forbid it (``--sandbox user``:
student code as a uid of its own; needs root, as on Gradescope).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from exercise_modules import build, needs_bwrap, samples

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.notebook  # runs the grader on notebooks (sandboxes, kernels of torch)
needs_root = pytest.mark.skipif(os.getuid() != 0, reason="the fallback switches to another uid")


# (sample, notebook, expected score as "full", a number, or PER_QUESTION: what samples.HOSTILE
# gives per question) graded in each mode. `make grade-gradescope` runs every hostile sample
# through the fallback (exercises/gradescope_corpus.py); these are the ones make test runs,
# those whose grading takes a path of the fallback's own (each run costs a grader and a
# worker, 5 to 7 s of CPU).
PER_QUESTION = "per question"
CASES = [
    ("solution", "pooling_loops", "full"),  # every point, as the student's own uid
    # A top-level attack: the fallback never runs top-level cells (no error report), so the
    # wrapped encoder never is; the cell is still flagged for review.
    ("forge-encode", "pooling_loops", 0.0),
    # Resource abuse where the fallback runs it, in an answer: softmax_pool2d never returns
    # and ignores interrupts; the time limit stops each of its five calls (--call-timeout 2
    # below: a right answer's call takes milliseconds), the other questions score.
    ("hostile-never-returns", "pooling_variants", PER_QUESTION),
]
# Not here, since the fallback grades them by the code it shares with bubblewrap, which
# tests/test_exercises.py runs on them (test_hostile_and_bypass_submissions_score_only_what_
# they_earn: scores and review flags; test_feedback_explains_what_happened):
# * forge-handlers: a top-level attack, never run here for the same reason as forge-encode;
# * forge-in-answer, forge-update-wrapper: refused from the source by the integrity check
#   (methods.check) before anything runs, in every sandbox mode;
# * forge-idle-loop: loop counters the same runner reports through the same channel (also
#   test_loops_that_never_run_break_the_loop_rule).
# Their results.json (a method verdict as one failed test) is test_results_json_from_a_
# graded_entry's. make grade-gradescope still grades all of them through the fallback.
CALL_TIMEOUT = {"hostile-never-returns": 2}  # seconds; 5 for the others


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gs-exercises")
    build.build(out, build.master_paths())
    samples.write_samples(out, out / "samples")
    return out


def _gradescope(built: Path, tmp: Path, sample: str, notebook: str, mode: str) -> dict:
    root = tmp / f"{sample}-{mode}"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(built / "gradescope" / f"{notebook}.zip") as zf:
        zf.extractall(root / "source")
    shutil.copy(built / "samples" / sample / f"{notebook}.ipynb", root / "submission")
    done = subprocess.run(
        [sys.executable, "-m", "pooling_grader", "--gradescope", str(root), "--sandbox", mode,
         "--cell-timeout", "10", "--call-timeout", str(CALL_TIMEOUT.get(sample, 5)),
         "--notebook-timeout", "120"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_holds_run_autograder_setup_and_the_tests(built: Path) -> None:
    with zipfile.ZipFile(built / "gradescope" / "pooling_loops.zip") as zf:
        names = sorted(zf.namelist())
        run = zf.read("run_autograder").decode()
        setup = zf.read("setup.sh").decode()
        mode = zf.getinfo("run_autograder").external_attr >> 16
    assert names == [
        "autograder/pooling_loops.json",
        "autograder/pooling_loops.zip",
        "run_autograder",
        "setup.sh",
    ]
    assert "pooling-grade --gradescope /autograder" in run and mode & 0o111
    assert "bubblewrap" in setup and "pooling-lib[grader] @ git+https://" in setup


def _per_question(tests: list[dict]) -> dict[str, list[float]]:
    """[score, max score] per question, from the tests students see."""
    per: dict[str, list[float]] = {}
    for t in tests:
        if t["visibility"] != "hidden":
            got = per.setdefault(t["name"].split(":")[0], [0.0, 0.0])
            got[0], got[1] = got[0] + t["score"], got[1] + t["max_score"]
    return per


def _check(results: dict, sample: str, want: object, mode: str) -> None:
    tests = results["tests"]
    possible = sum(t["max_score"] for t in tests)
    if want == PER_QUESTION:
        h = next(h for h in samples.HOSTILE if h.name == sample)
        per = _per_question(tests)
        for question, expect in h.scores.items():
            score, most = per[question]
            assert score == {"full": most, "zero": 0.0}[expect], (sample, question, per)
        assert results["score"] == sum(s for s, _ in per.values())
    else:
        assert possible == 9.0
        expected = possible if want == "full" else want
        assert results["score"] == expected, (sample, mode, results["output"], tests)
    assert results["stdout_visibility"] == "hidden"
    instructors = [t for t in tests if t["visibility"] == "hidden"]
    assert len(instructors) == 1 and "Protections:" in instructors[0]["output"]
    graded = [t for t in tests if t["visibility"] != "hidden"]
    if sample == "solution":
        hidden = [t for t in graded if ": hidden test " in t["name"]]
        public = [t for t in graded if ": public test " in t["name"]]
        assert hidden and all(t["visibility"] == "after_due_date" for t in hidden)
        assert public and all(t["visibility"] == "visible" for t in public)
        assert sum(t["score"] for t in graded) == 9.0
        assert "stride=None must mean a stride equal to the window" in json.dumps(hidden)
    if sample == "forge-encode":
        assert all(t["score"] == 0 for t in graded)
        assert "cell" in instructors[0]["output"]  # the top-level attempt, for review


@needs_bwrap
def test_gradescope_run_with_bubblewrap(built: Path, tmp_path: Path) -> None:
    # One case: the forgeries under bubblewrap are graded by tests/test_exercises.py through
    # the same grader; what is Gradescope's own here is choosing the sandbox and saying so.
    for sample, notebook, want in CASES[:1]:
        results = _gradescope(built, tmp_path, sample, notebook, "bwrap")
        _check(results, sample, want, "bwrap")
    protections = next(t for t in results["tests"] if t["visibility"] == "hidden")["output"]
    assert "bubblewrap sandbox: yes" in protections


@needs_root
def test_gradescope_fallback_without_bubblewrap(built: Path, tmp_path: Path) -> None:
    for sample, notebook, want in CASES:
        results = _gradescope(built, tmp_path, sample, notebook, "user")
        _check(results, sample, want, "user")
    protections = next(t for t in results["tests"] if t["visibility"] == "hidden")["output"]
    assert "a separate user that runs nothing else" in protections
    assert "tests and results unreadable to that user: yes" in protections
    assert "network:" in protections and "resource limits" in protections
    assert "top-level cells: not run" in protections
    uid = int(protections.split("student code runs as: uid ")[1].split(",")[0])
    stray = subprocess.run(["pgrep", "-u", str(uid)], capture_output=True)
    assert stray.stdout == b""  # every process of the student's user was ended


def _entry(hidden_passed: tuple[bool, bool] = (True, False)) -> dict:
    """A graded notebook: q1 with a public case and two hidden ones, q2 failing its method
    check, q3 graded by hand."""
    ties, dtype = hidden_passed
    return {
        "score": 1.0 + 0.5 * ties + 0.5 * dtype, "max_score": 4.0, "manual_max_score": 2.0,
        "status": "ok", "message": "",
        "review": ["q2: inspects or patches the running program: `gc`"],
        "questions": [
            {"name": "q1", "manual": False, "max_score": 2.0, "score": 1.0 + 0.5 * (ties + dtype),
             "cases": [
                {"hidden": False, "points": 1.0, "passed": True, "name": "test_a", "message": ""},
                {"hidden": True, "points": 0.5, "passed": ties, "name": "ties",
                 "message": "" if ties else "ties (wrong values)"},
                {"hidden": True, "points": 0.5, "passed": dtype, "name": "dtype",
                 "message": "" if dtype else "dtype (your code raised TypeError)"},
            ]},
            {"name": "q2", "manual": False, "max_score": 2.0, "score": 0.0,
             "method": ["the answer inspects or patches the running program (`gc`)"]},
            {"name": "q3", "manual": True, "max_score": 2.0, "score": None},
        ],
    }  # fmt: skip


def test_results_json_from_a_graded_entry() -> None:
    from pooling_grader import gradescope

    data = gradescope.results_json(_entry(), ["bubblewrap sandbox: yes"], 3.21)
    assert data["score"] == 1.5 and data["execution_time"] == 3.2
    rows = [(t["name"], t["score"], t["max_score"], t["visibility"]) for t in data["tests"]]
    assert rows == [
        ("q1: public test 1: test_a", 1.0, 1.0, "visible"),
        ("q1: hidden test 2: ties", 0.5, 0.5, "after_due_date"),
        ("q1: hidden test 3: dtype", 0.0, 0.5, "after_due_date"),
        ("q2: method", 0.0, 2.0, "visible"),
        ("q3: graded by hand", 0.0, 0.0, "visible"),
        ("Grader: protections and review (instructors only)", 0.0, 0.0, "hidden"),
    ]
    assert data["tests"][2]["output"] == "dtype (your code raised TypeError)"
    assert "- q2: inspects or patches" in data["tests"][-1]["output"]
    assert data["output"] == (
        "Public tests and method checks: 1 / 3; the hidden tests (worth 1) show their results "
        "after the due date (plus 2 points graded by hand)"
    )
    assert data["visibility"] == "after_due_date"  # the total score with the hidden tests
    everything = gradescope.results_json(
        {**_entry(), "questions": _entry()["questions"][1:], "score": 0.0}, [], 1.0
    )  # no hidden test: the total is what the student sees anyway
    assert everything["visibility"] == "visible"
    assert everything["output"].startswith("Autograded score: 0 / 4")


def _before_the_due_date(data: dict) -> list:
    """What Gradescope shows a student before the due date: the visible tests, and the
    top-level fields where the top level is visible."""
    shown = [t for t in data["tests"] if t["visibility"] == "visible"]
    top = {k: data[k] for k in ("score", "output")} if data["visibility"] == "visible" else {}
    return [top, shown]


def test_nothing_visible_before_the_due_date_tells_hidden_results() -> None:
    from pooling_grader import gradescope

    seen = {
        outcome: _before_the_due_date(gradescope.results_json(_entry(outcome), ["x"], 1.0))
        for outcome in [(True, True), (True, False), (False, True), (False, False)]
    }
    assert len({json.dumps(v, sort_keys=True) for v in seen.values()}) == 1, seen
    # ... while after the due date each outcome is there, and the score counts them.
    after = gradescope.results_json(_entry((False, True)), ["x"], 1.0)
    assert after["score"] == 1.5
    assert [t["score"] for t in after["tests"] if t["visibility"] == "after_due_date"] == [0, 0.5]


def test_two_gradings_at_once_never_share_a_student_uid() -> None:
    """Each grading process holds its student uid (the fallback kills every process of that
    uid after grading), so gradings started together pick different uids."""
    pick = (
        "from pooling_grader import sandbox; import time; "
        "print(sandbox.free_uid(), flush=True); time.sleep(3)"
    )
    first = subprocess.Popen([sys.executable, "-c", pick], stdout=subprocess.PIPE, text=True)
    try:
        uid_first = int(first.stdout.readline())
        second = subprocess.run(
            [sys.executable, "-c", pick.replace("time.sleep(3)", "")],
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(second.stdout) != uid_first
    finally:
        first.kill()
        first.wait()
