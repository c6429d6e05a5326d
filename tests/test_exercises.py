"""The exercises and their grader: release, solutions, wrong and hostile submissions.

One module fixture builds the exercises into a temporary folder (``exercises/build.py``),
writes the sample submissions (``exercises/samples.py``: solutions, the unmodified student
release, wrong and hostile notebooks) and grades them all in ONE run of ``tools/grade.py``
(3 at a time: one slot mostly sleeps on the notebook that hangs). The tests then check the
reports against what ``exercises/samples.py`` says each sample must score.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# Limits of the test run, smaller than the defaults so the hostile samples end sooner.
CELL_TIMEOUT, TEST_TIMEOUT, NOTEBOOK_TIMEOUT = 15, 4, 90


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build = _load("exercises_build", ROOT / "exercises" / "build.py")
samples = _load("exercises_samples", ROOT / "exercises" / "samples.py")
grade = _load("tools_grade", ROOT / "tools" / "grade.py")


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _stray_processes() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if any(marker.encode() in cmdline for marker in samples.STRAY_MARKERS):
                found.append(f"{entry}: {cmdline.decode(errors='replace')}")
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exercises")
    build.build(out, build.master_paths())
    samples.write_samples(out, out / "samples")
    return out


@pytest.fixture(scope="module")
def graded(built: Path) -> dict:
    submissions = built / "samples"
    before = _snapshot(submissions)
    out = built / "grades"
    start = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "grade.py"),
            str(submissions),
            "--autograders",
            str(built / "autograder"),
            "--out",
            str(out),
            "--jobs",
            "3",
            "--cell-timeout",
            str(CELL_TIMEOUT),
            "--test-timeout",
            str(TEST_TIMEOUT),
            "--notebook-timeout",
            str(NOTEBOOK_TIMEOUT),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(proc.stdout)
    print(f"grading took {seconds:.1f} s")
    entries = json.loads((out / "grades.json").read_text())
    return {
        "out": out,
        "stdout": proc.stdout,
        "entries": {e["submission"]: e for e in entries},
        "expected": json.loads((submissions / "expected.json").read_text()),
        "before": before,
        "after": _snapshot(submissions),
    }


def _question(entry: dict, name: str) -> dict:
    return next(q for q in entry["questions"] if q["name"] == name)


# ---------------------------------------------------------------------------------------------
# The build: no stubs, no leaks, published copies current


def test_release_contains_no_solution_and_no_hidden_test(built: Path) -> None:
    for master in build.master_paths():
        secrets = build.secrets_of(master)
        assert secrets["hidden_names"] and secrets["solution_lines"], master.name
        release = nbformat.read(built / "release" / master.name, as_version=4)
        assert build.leaks(release, secrets) == [], master.name
        tags = {t for c in release.cells for t in c.metadata.get("tags", [])}
        assert "otter_assign_solution_cell" not in tags
        tests = release.metadata["otter"]["tests"]
        assert tests and all("hidden=True" not in t for t in tests.values())
        # The solutions notebook has the solutions but no hidden test either.
        solved = nbformat.read(built / "solutions" / master.name, as_version=4)
        found = build.leaks(solved, secrets)
        assert found and all(f.startswith("solution line") for f in found), found


def test_leak_scan_flags_otter_autograder_notebook(built: Path) -> None:
    """The scan can fail: otter's autograder notebook has solutions and hidden tests."""
    for master in build.master_paths():
        nb = nbformat.read(built / "otter" / master.stem / "autograder" / master.name, 4)
        found = build.leaks(nb, build.secrets_of(master))
        assert any(f.startswith("hidden test '") for f in found), master.name
        assert any(f.startswith("solution line") for f in found), master.name


def test_autograder_holds_the_hidden_tests(built: Path) -> None:
    import zipfile

    for master in build.master_paths():
        with zipfile.ZipFile(built / "autograder" / f"{master.stem}.zip") as zf:
            text = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("tests/"))
        for name in build.secrets_of(master)["hidden_names"]:
            assert f"def {name}(" in text, name


def test_published_copies_equal_the_release(built: Path) -> None:
    assert build.published_differences(built / "release", ROOT / "book" / "exercises") == []


def test_published_differences_detects_a_stale_copy(built: Path, tmp_path: Path) -> None:
    for nb in (built / "release").glob("*.ipynb"):
        (tmp_path / nb.name).write_bytes(nb.read_bytes())
    assert build.published_differences(built / "release", tmp_path) == []
    stale = tmp_path / "pooling_loops.ipynb"
    stale.write_text(stale.read_text().replace("Question 1", "Question one"))
    assert build.published_differences(built / "release", tmp_path) == [
        "pooling_loops.ipynb: differs from the release"
    ]


def test_release_notebooks_have_no_outputs(built: Path) -> None:
    for path in (built / "release").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


def test_mutations_apply_exactly_once(built: Path) -> None:
    for stem, mutations in samples.MUTATIONS.items():
        solution = nbformat.read(built / "solutions" / f"{stem}.ipynb", as_version=4)
        for m in mutations:
            changed = samples.apply_mutations(solution, [m])
            assert changed != solution, m.description
    bad = samples.Mutation("pool2d_loops", "no such text", samples.LOOPS, (("nope", "x"),))
    solution = nbformat.read(built / "solutions" / "pooling_loops.ipynb", as_version=4)
    with pytest.raises(ValueError, match="occurs 0 times"):
        samples.apply_mutations(solution, [bad])


# ---------------------------------------------------------------------------------------------
# Grading the samples


def test_every_sample_was_graded(graded: dict) -> None:
    assert sorted(graded["entries"]) == sorted(e["submission"] for e in graded["expected"])


def test_solutions_score_full_marks(graded: dict) -> None:
    solutions = [e for e in graded["expected"] if e["student"] == "solution"]
    assert len(solutions) == 3
    for exp in solutions:
        entry = graded["entries"][exp["submission"]]
        assert entry["status"] == "ok", entry
        assert entry["score"] == entry["max_score"] > 0, entry
        assert entry["errors"] == [], entry["errors"]


def test_unmodified_release_scores_zero(graded: dict) -> None:
    for stem in ("pooling_loops", "pooling_and_convolution", "pooling_variants"):
        entry = graded["entries"][f"{stem}.ipynb"]
        assert entry["student"] == stem
        assert entry["status"] == "ok", entry
        assert entry["score"] == 0 and entry["max_score"] > 0, entry
        assert all(q["score"] in (0, None) for q in entry["questions"])


def test_wrong_submissions_lose_marks_where_wrong_only(graded: dict) -> None:
    problems, checked = [], 0
    for exp in graded["expected"]:
        if not exp["student"].startswith("wrong-"):
            continue
        entry = graded["entries"][exp["submission"]]
        assert entry["status"] == "ok", entry
        for name, want in exp["questions"].items():
            q = _question(entry, name)
            where = f"{exp['submission']} {name}"
            if want["expect"] == "full":
                if q["score"] != q["max_score"]:
                    problems.append(f"{where}: right but scored {q['score']}/{q['max_score']}")
                continue
            checked += 1
            if not q["score"] < q["max_score"]:
                problems.append(f"{where} ({want['mistake']}): full marks")
            public_ok = all(t["passed"] for t in q["public"])
            if public_ok != want["passes_public"]:
                problems.append(
                    f"{where} ({want['mistake']}): public tests passed={public_ok}, "
                    f"expected {want['passes_public']}"
                )
            if want["passes_public"] and not q["hidden_failed"]:
                problems.append(f"{where} ({want['mistake']}): no hidden test failed")
    assert checked == sum(len(ms) for ms in samples.MUTATIONS.values())
    assert problems == []


def test_hostile_submissions_score_only_what_they_earn(graded: dict) -> None:
    for h in samples.HOSTILE:
        entry = graded["entries"][f"{h.name}/{h.notebook}.ipynb"]
        assert entry["status"] == h.status, (h.name, entry["status"], entry["message"])
        for name, want in h.scores.items():
            q = _question(entry, name)
            expected = {"full": q["max_score"], "zero": 0}.get(want, None)
            expected = float(want) if expected is None else expected
            assert q["score"] == expected, (h.name, name, q)


def test_hostile_feedback_explains_what_happened(graded: dict) -> None:
    entries = graded["entries"]
    loop = entries["hostile-loop/pooling_and_convolution.ipynb"]
    assert any(e["error"] == "KeyboardInterrupt" for e in loop["errors"]), loop["errors"]
    assert "time limit" in json.dumps(_question(loop, "relu_max")["public"])
    junk = entries["hostile-raise-junk-delete/pooling_loops.ipynb"]
    assert {"RuntimeError", "SystemExit"} <= {e["error"] for e in junk["errors"]}
    stuck = entries["hostile-stuck/pooling_variants.ipynb"]
    assert stuck["seconds"] >= NOTEBOOK_TIMEOUT and "time limit" in stuck["message"]
    killed = entries["hostile-kill/pooling_and_convolution.ipynb"]
    assert "Dead" in killed["message"] or "died" in killed["message"], killed["message"]
    # Hidden tests smuggled out in error messages, or relabelled public, are not shown.
    stolen = entries["hostile-exfiltrate/pooling_variants.ipynb"]
    for q in stolen["questions"][:3]:
        assert [t["message"] for t in q["public"]] == ["[message removed: it quotes a hidden test]"]
        assert len(q["hidden_failed"]) >= 2, q
    assert stolen["errors"][0]["message"] == "[message removed: it quotes a hidden test]"


def test_no_process_outlives_the_grading(graded: dict) -> None:
    assert _stray_processes() == []


def test_submissions_folder_is_untouched(graded: dict) -> None:
    assert graded["after"] == graded["before"]


def test_reports_never_contain_hidden_test_code(graded: dict) -> None:
    out = graded["out"]
    texts = [(out / "grades.json").read_text(), graded["stdout"]]
    texts += [p.read_text() for p in sorted((out / "feedback").rglob("*.md"))]
    hidden = set()
    for master in build.master_paths():
        secrets = build.secrets_of(master)
        hidden |= {f"def {n}(" for n in secrets["hidden_names"]} | set(secrets["hidden_names"])
        hidden |= secrets["hidden_lines"]
    for text in texts:
        lines = {line.strip() for line in text.splitlines()}
        assert not {h for h in hidden if h in text or h in lines}


def test_feedback_shows_public_failures_and_hidden_descriptions(graded: dict) -> None:
    text = (graded["out"] / "feedback" / "wrong-1" / "pooling_loops.md").read_text()
    assert "## pool2d_loops: 2 / 5" in text, text
    assert "public test `test_seed_example`: passed" in text
    assert "failed: max pooling with padding on negative inputs" in text
    text = (graded["out"] / "feedback" / "pooling_variants" / "pooling_variants.md").read_text()
    assert "FAILED" in text and "graded by hand (2 points)" in text


def test_csv_and_manual_reports(graded: dict) -> None:
    out = graded["out"]
    with open(out / "summary.csv", newline="") as f:
        summary = list(csv.DictReader(f))
    assert len(summary) == len(graded["entries"])
    row = next(r for r in summary if r["submission"] == "solution/pooling_variants.ipynb")
    assert (row["score"], row["max_score"], row["manual_max_score"]) == ("11.0", "11.0", "2.0")
    with open(out / "scores.csv", newline="") as f:
        scores = list(csv.DictReader(f))
    assert len(scores) == sum(len(e["questions"]) for e in graded["entries"].values())
    manual = [r for r in scores if r["question"] == "max_vs_avg"]
    assert manual and all(r["score"] == "manual" for r in manual)
    answers = (out / "manual" / "pooling-variants.md").read_text()
    assert "## solution (solution/pooling_variants.ipynb): max_vs_avg, 2 points" in answers
    assert "Max pooling passes on only the strongest response" in answers
    assert "## pooling_variants (pooling_variants.ipynb): max_vs_avg" in answers
    assert "*(no answer)*" in answers


# ---------------------------------------------------------------------------------------------
# tools/grade.py without running notebooks


def test_assignment_and_student_from_metadata_or_file_name(built: Path, tmp_path: Path) -> None:
    autograders = grade.load_autograders(built / "autograder")
    release = nbformat.read(built / "release" / "pooling_loops.ipynb", as_version=4)
    (tmp_path / "ann").mkdir()
    nbformat.write(release, tmp_path / "ann" / "homework.ipynb")  # metadata says which
    del release.metadata["otter"]
    nbformat.write(release, tmp_path / "bob-pooling_loops.ipynb")  # the file name says
    nbformat.write(release, tmp_path / "mystery.ipynb")  # nothing says
    (tmp_path / ".ipynb_checkpoints").mkdir()
    nbformat.write(release, tmp_path / ".ipynb_checkpoints" / "x.ipynb")
    found = {j["submission"]: (j["student"], j["assignment"]) for j in
             grade.find_submissions(tmp_path, autograders)}  # fmt: skip
    assert found == {
        "ann/homework.ipynb": ("ann", "pooling-loops"),
        "bob-pooling_loops.ipynb": ("bob-pooling_loops", "pooling-loops"),
        "mystery.ipynb": ("mystery", None),
    }


def test_autograder_paths_are_absolute(built: Path, monkeypatch) -> None:
    """Workers run in another folder: a relative --autograders must still work."""
    monkeypatch.chdir(built)
    for meta in grade.load_autograders(Path("autograder")).values():
        assert Path(meta["zip_path"]).is_absolute() and Path(meta["zip_path"]).is_file()
        assert Path(meta["meta_path"]).is_absolute() and Path(meta["meta_path"]).is_file()


def test_complete_fills_questions_a_worker_did_not_report(built: Path) -> None:
    meta = grade.load_autograders(built / "autograder")["pooling-variants"]
    result = grade.complete({"status": "timeout", "message": "too slow"}, meta)
    assert [q["name"] for q in result["questions"]] == [
        "pool_cost",
        "min_pool",
        "softmax_pool",
        "max_vs_avg",
    ]
    assert result["score"] == 0 and result["max_score"] == 11 and result["manual_max_score"] == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--jobs", "0"], "--jobs must be positive"),
        (["--notebook-timeout", "-1"], "--notebook-timeout must be positive"),
    ],
)
def test_cli_rejects_bad_options(tmp_path: Path, argv: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        grade.main([str(tmp_path), *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_needs_autograders_and_a_folder(tmp_path: Path, capsys) -> None:
    assert grade.main([str(tmp_path), "--autograders", str(tmp_path / "none")]) == 2
    assert "run `make exercises` first" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "missing")])
    assert "SUBMISSIONS must be a folder" in capsys.readouterr().err
