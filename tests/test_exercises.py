"""The exercises and their grader: release, solutions, wrong, hostile and bypass submissions.

One module fixture builds the exercises into a temporary folder (``exercises/build.py``),
writes the sample submissions (``exercises/samples.py``: solutions, the unmodified release,
plausible wrong answers, hostile notebooks, method bypasses) and grades them all in ONE run
of ``python -m pooling_grader``, the code path of ``make grade``, in its bubblewrap sandbox.
Around that run the fixture listens on 127.0.0.1, ::1 and an abstract Unix socket, and snapshots the
submissions and autograders, so the tests can check that no hostile submission left a trace:
no file outside its scratch folder, no surviving process, no connection.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from exercise_modules import build, needs_bwrap, samples

from pooling_grader import cli as grade
from pooling_grader import codec, methods
from pooling_grader import session as sessions

ROOT = Path(__file__).resolve().parents[1]
# Limits of the test run, smaller than the defaults so the hostile samples end sooner, but
# hang guards for the honest ones: a right answer's call takes milliseconds (the slowest of
# the 955 calls of the solutions, wrong and honest samples: 69 ms, three at a time at load 5
# on two cores), these leave room for a loaded machine (the "runs forever" samples are checked
# by what they report, a time limit, never by elapsed time). hostile-never-returns spins
# through the call limit once for each of its five cases.
CELL_TIMEOUT, CALL_TIMEOUT, NOTEBOOK_TIMEOUT = 12, 3, 180


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
    return out


@pytest.fixture(scope="module")
def graded(built: Path, tmp_path_factory) -> dict:
    tag = f"test{os.getpid()}"
    listeners = samples.Listeners(tag)
    submissions = built / "samples"
    canary = {
        "canary_dir": tmp_path_factory.mktemp("canary"),
        "canary_port": listeners.port,
        "canary_tag": tag,
        "autograders": (built / "autograder").resolve(),
        "submissions": submissions.resolve(),
    }
    expected = samples.write_samples(built, submissions, canary)
    before = {"submissions": _snapshot(submissions), "autograders": _snapshot(built / "autograder")}
    canary_before = sorted(p.name for p in canary["canary_dir"].iterdir())
    out = built / "grades"
    start = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pooling_grader",
            str(submissions),
            "--autograders",
            str(built / "autograder"),
            "--out",
            str(out),
            "--cell-timeout",
            str(CELL_TIMEOUT),
            "--call-timeout",
            str(CALL_TIMEOUT),
            "--notebook-timeout",
            str(NOTEBOOK_TIMEOUT),
            "--jobs",
            "3",  # the hostile samples spend much of their time waiting for time limits
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    seconds = time.monotonic() - start
    listeners.close()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(proc.stdout)
    print(f"grading took {seconds:.1f} s")
    entries = json.loads((out / "grades.json").read_text())
    return {
        "out": out,
        "stdout": proc.stdout,
        "entries": {e["submission"]: e for e in entries},
        "expected": expected,
        "canary": canary,
        "canary_before": canary_before,
        "connections": listeners.connections,
        "before": before,
        "after": {
            "submissions": _snapshot(submissions),
            "autograders": _snapshot(built / "autograder"),
        },
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


def test_manual_questions_have_model_answers_and_rubrics() -> None:
    for master in build.master_paths():
        for q in build.read_master(master)["questions"]:
            if q["manual"]:
                assert len(q["model_answer"]) > 200 and len(q["rubric"]) > 100, q["name"]


def test_method_rules_name_real_questions(built: Path) -> None:
    import yaml

    rules = yaml.safe_load(build.RULES.read_text())
    metas = [json.loads(p.read_text()) for p in (built / "autograder").glob("*.json")]
    questions = {q["name"] for m in metas for q in m["questions"]}
    assert set(rules) <= questions
    assert {name for m in metas for name in m["rules"]} == set(rules)


# ---------------------------------------------------------------------------------------------
# Grading the samples (one run of the grader, in the sandbox)


@needs_bwrap
def test_every_sample_was_graded(graded: dict) -> None:
    assert sorted(graded["entries"]) == sorted(e["submission"] for e in graded["expected"])
    assert len(samples.HOSTILE) >= 29


@needs_bwrap
def test_solutions_score_full_marks(graded: dict) -> None:
    solutions = [e for e in graded["expected"] if e["student"] == "solution"]
    assert len(solutions) == 3
    for exp in solutions:
        entry = graded["entries"][exp["submission"]]
        assert entry["status"] == "ok", entry
        assert entry["score"] == entry["max_score"] > 0, entry
        assert entry["errors"] == [] and entry["review"] == [], entry


@needs_bwrap
def test_unmodified_release_scores_zero(graded: dict) -> None:
    for stem in ("pooling_loops", "pooling_and_convolution", "pooling_variants"):
        entry = graded["entries"][f"{stem}.ipynb"]
        assert entry["student"] == stem
        assert entry["status"] == "ok", entry
        assert entry["score"] == 0 and entry["max_score"] > 0, entry
        assert all(q["score"] in (0, None) for q in entry["questions"])


@needs_bwrap
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
            lost = q["max_score"] - q["score"]
            if not math.isclose(lost, want["loses"], abs_tol=1e-9):  # exactly its points
                problems.append(
                    f"{where} ({want['mistake']}): lost {lost} points, not {want['loses']}"
                )
            public_ok = all(t["passed"] for t in q["public"])
            if public_ok != want["passes_public"]:
                problems.append(
                    f"{where} ({want['mistake']}): public tests passed={public_ok}, "
                    f"expected {want['passes_public']}"
                )
            if want["passes_public"] and not (q["hidden_failed"] or q.get("method")):
                problems.append(f"{where} ({want['mistake']}): no hidden test or rule failed")
    assert checked == sum(len(ms) for ms in samples.MUTATIONS.values())
    assert sorted(samples.POINTS_LOST) == sorted(
        (m.question, m.description) for ms in samples.MUTATIONS.values() for m in ms
    )
    assert problems == []


@needs_bwrap
def test_padding_with_minus_ten_loses_points(graded: dict) -> None:
    k = next(
        i + 1
        for i, m in enumerate(
            m for m in samples.MUTATIONS["pooling_loops"] if m.question == "pool2d_loops"
        )
        if "-10" in m.description
    )
    q = _question(graded["entries"][f"wrong-{k}/pooling_loops.ipynb"], "pool2d_loops")
    assert q["score"] < q["max_score"]
    assert any("very negative" in d for d in q["hidden_failed"]), q


@needs_bwrap
def test_hostile_and_bypass_submissions_score_only_what_they_earn(graded: dict) -> None:
    problems = []
    for h in samples.HOSTILE:
        entry = graded["entries"][f"{h.name}/{h.notebook}.ipynb"]
        if entry["status"] != h.status:
            problems.append((h.name, entry["status"], entry["message"]))
        for name, want in h.scores.items():
            q = _question(entry, name)
            expected = {"full": q["max_score"], "zero": 0}.get(want, None)
            expected = float(want) if expected is None else expected
            if q["score"] != expected:
                problems.append(
                    (h.name, name, q["score"], expected, q.get("method"), q.get("public"))
                )
        if bool(entry["review"]) != h.review:
            problems.append((h.name, "review", entry["review"]))
    assert problems == []


@needs_bwrap
def test_hostile_submissions_leave_no_trace(graded: dict) -> None:
    assert graded["connections"] == []
    assert _stray_processes() == []
    assert graded["after"] == graded["before"]
    assert (
        sorted(p.name for p in graded["canary"]["canary_dir"].iterdir()) == graded["canary_before"]
    )
    seen = [
        (submission, e["message"])
        for submission, entry in graded["entries"].items()
        for e in entry["errors"]
        if "the submission sees" in e["message"]
    ]
    assert seen == []  # hostile-read-tests found no autograder, test or other submission
    for exp in graded["expected"]:
        for trace in exp.get("traces", []):
            kind, _, what = trace.partition(":")
            if kind == "file":
                assert not Path(what).exists(), (exp["submission"], trace)
            else:
                assert kind == "process", trace


@needs_bwrap
def test_feedback_explains_what_happened(graded: dict) -> None:
    entries = graded["entries"]
    stuck = entries["hostile-stuck-cell/pooling_variants.ipynb"]
    assert any("did not stop" in e["message"] for e in stuck["errors"]), stuck["errors"]
    exits = entries["hostile-exit/pooling_loops.ipynb"]
    assert any("ended the Python process" in e["message"] for e in exits["errors"]), exits
    never = _question(entries["hostile-never-returns/pooling_variants.ipynb"], "softmax_pool")
    assert (
        "time limit" in never["public"][0]["message"]
        or "did not return" in never["public"][0]["message"]
    )
    subclass = _question(
        entries["hostile-tensor-subclass/pooling_and_convolution.ipynb"], "avg_pool_conv"
    )
    # super().__torch_function__ reaches a dunder: not run (the codec's refusal of tensor
    # subclasses is tested below, test_codec_refuses_anything_else)
    assert "`.__torch_function__`" in subclass["method"][0], subclass
    bypass = entries["bypass-loops/pooling_loops.ipynb"]
    assert "`max_pool2d`" in json.dumps(_question(bypass, "pool2d_loops")["method"])
    assert "`backward`" in json.dumps(_question(bypass, "max_pool_backward")["method"])
    text = (graded["out"] / "review.md").read_text()
    assert "review-getattr" in text and "getattr() with a computed name" in text
    forged = _question(entries["forge-in-answer/pooling_loops.ipynb"], "pool2d_loops")
    assert "inspects or patches the running program (" in forged["method"][0]
    assert "imports `sys`" in forged["method"][0]
    assert forged["public"] == [] and forged["hidden_passed"] == 0  # never run
    for name in ("forge-encode", "forge-handlers"):
        assert f"{name} ({name}/pooling_loops.ipynb): cell " in text  # the top-level attempt
    assert "honest-checker" not in text and "honest-constants" not in text


@needs_bwrap
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


@needs_bwrap
def test_feedback_shows_public_failures_and_hidden_descriptions(graded: dict) -> None:
    text = (graded["out"] / "feedback" / "wrong-1" / "pooling_loops.md").read_text()
    assert "## pool2d_loops: " in text
    assert "public test `test_seed_example`: passed" in text
    assert "failed: max pooling with padding on very negative inputs" in text
    text = (graded["out"] / "feedback" / "pooling_variants" / "pooling_variants.md").read_text()
    assert "FAILED" in text and "graded by hand (2 points)" in text
    assert "last call: min_pool2d(tensor of shape (1, 1, 4, 4), float32: [[[[1.0, 2.0" in text


@needs_bwrap
def test_csv_and_manual_reports(graded: dict) -> None:
    out = graded["out"]
    with open(out / "summary.csv", newline="") as f:
        summary = list(csv.DictReader(f))
    assert len(summary) == len(graded["entries"])
    row = next(r for r in summary if r["submission"] == "solution/pooling_variants.ipynb")
    assert (row["score"], row["max_score"], row["manual_max_score"]) == ("11.0", "11.0", "4.0")
    with open(out / "scores.csv", newline="") as f:
        scores = list(csv.DictReader(f))
    assert len(scores) == sum(len(e["questions"]) for e in graded["entries"].values())
    manual = [r for r in scores if r["question"] in ("max_vs_avg", "softmax_unpopular")]
    assert manual and all(r["score"] == "manual" for r in manual)
    answers = (out / "manual" / "pooling-variants.md").read_text()
    assert "## softmax_unpopular (2 points)" in answers and "### Rubric" in answers
    assert "#### solution (solution/pooling_variants.ipynb): max_vs_avg, 2 points" in answers
    assert "Max pooling passes on only the strongest response" in answers
    assert "*(no answer)*" in answers
    assert "relu_pool_depth" in (out / "manual" / "pooling-and-convolution.md").read_text()


# ---------------------------------------------------------------------------------------------
# The channel and the method checks, without a sandbox


def test_codec_round_trips_plain_data() -> None:
    import torch

    value = (
        torch.arange(6.0).reshape(2, 3),
        [1, 2.5, "x", None, True],
        torch.tensor([], dtype=torch.int64),
    )
    for dtype in (torch.float64, torch.bfloat16, torch.bool, torch.complex64):
        back = codec.decode(codec.encode(torch.ones(2, 2, dtype=dtype)))
        assert type(back) is torch.Tensor and back.dtype == dtype and bool((back == 1).all())
    back = codec.decode(json.loads(json.dumps(codec.encode(value))))
    assert type(back) is tuple and torch.equal(back[0], value[0]) and back[1] == value[1]
    assert back[2].shape == (0,) and codec.decode(codec.encode(float("-inf"))) == float("-inf")


def test_codec_refuses_anything_else() -> None:
    import torch

    class Sub(torch.Tensor):
        pass

    class Always(float):
        def __eq__(self, other):
            return True

    for bad in (
        torch.ones(2).as_subclass(Sub),
        Always(1.0),
        {"a": 1},
        object(),
        torch.nn.Parameter(torch.ones(1)),
        torch.zeros(codec.MAX_ELEMENTS + 1, dtype=torch.uint8),  # too large to send
        [0] * (codec.MAX_ITEMS + 1),
        "x" * (codec.MAX_CHARS + 1),
    ):
        with pytest.raises(codec.NotPlainData):
            codec.encode(bad)
    malformed = [
        {"pickle": "x"},
        {"tensor": {"dtype": "object", "shape": [1], "data": ""}},
        {"tensor": {"dtype": "float32", "shape": [2], "data": "AAAA"}},
        {"a": 1, "b": 2},
    ]
    for bad in malformed:
        with pytest.raises(codec.NotPlainData):
            codec.decode(bad)


def _check(source: str, rules: dict) -> dict:
    return methods.check(methods.parse([(0, source)]), rules)


def test_method_checks_follow_helpers_and_aliases() -> None:
    rules = {"functions": ["f"], "forbid": {"no library pooling": ["max_pool2d", "torch.autograd"]}}
    helper = (
        "import torch.nn.functional as G\nmp = G.max_pool2d\n"
        "def h(x):\n    return mp(x, 2)\ndef f(x):\n    return h(x)\n"
    )
    assert "`max_pool2d`" in _check(helper, rules)["broken"][0]
    grad = "from torch import autograd as ag\ndef f(x):\n    return ag.grad(x, x)\n"
    assert "`torch.autograd`" in _check(grad, rules)["broken"][0]
    local = "Y = torch.nn.functional.max_pool2d(X, 2)\ndef f(X):\n    Y = X + 1\n    return Y\n"
    assert _check(local, rules)["broken"] == []
    loops = {"functions": ["f"], "require": {"write loops": ["<loop>"]}}
    assert _check("def f(x):\n    return x\n", loops)["broken"]
    assert _check("def f(x):\n    return [v for v in x]\n", loops)["broken"] == []
    assert _check("def f(x):\n    ...\n", loops)["broken"] == []  # not answered: tests decide


def test_method_checks_report_what_they_cannot_see() -> None:
    rules = {"functions": ["f"], "forbid": {"no max": ["max"]}}
    assert _check("def f(x):\n    return getattr(x, 'max')()\n", rules)["broken"]
    hidden = [
        "def f(x):\n    return getattr(x, 'm' + 'ax')()\n",
        "def f(x):\n    return eval('x.max()')\n",
        "import importlib\ndef f(x):\n    return importlib.import_module('torch').max(x)\n",
    ]
    for source in hidden:
        assert _check(source, rules)["review"], source


def _module(cells: list[str], rules: dict, names: list[str] | None = None) -> dict:
    return methods.check(methods.parse(list(enumerate(cells))), rules, names)


def test_answer_module_holds_only_what_the_check_read() -> None:
    cells = [
        "import torch, sys\nimport torch.nn.functional as F",
        "SCALE = {'a': 1.0}\nSCALE['b'] = 2.0\nSCALE.update(c=3.0)\nprint(SCALE)",
        "def helper(x):\n    return x * SCALE['b']\n\n"
        "def f(x):\n    return helper(x) + torch.ones(1)",
        "import sys\nsys.modules['codec'].encode = None\n"
        "Y = F.max_pool2d(torch.ones(1, 1, 2, 2), 1)",
        "print(torch.allclose(f(torch.ones(2)), torch.full((2,), 3.0)))",
    ]
    verdict = _module(cells, {"functions": ["f"]})
    lines = [line for line in verdict["module"].splitlines() if line]
    assert lines == [
        "import torch",  # cut down to the names the answer uses: no sys, no F
        "SCALE = {'a': 1.0}",
        "SCALE['b'] = 2.0",  # top-level changes of a name the answer uses are part of it
        "SCALE.update(c=3.0)",
        "def helper(x):",
        "    return x * SCALE['b']",
        "def f(x):",
        "    return helper(x) + torch.ones(1)",
    ]
    assert verdict["integrity"] == [] and verdict["broken"] == []
    nb = methods.parse(list(enumerate(cells)))
    notes = methods.top_level_patches(nb, verdict["statements"])
    assert len(notes) == 1 and notes[0].startswith("cell 3 (top-level code, not run")
    assert "`sys.modules`" in notes[0] and "assigns `(...).encode`" in notes[0]


def test_answer_module_takes_the_tests_names_and_hoists_imports() -> None:
    cells = ["X1 = torch.ones(2)\nc = -1.0", "import torch"]
    verdict = _module(cells, {}, ["X1", "c"])
    assert verdict["module"] == "import torch\nX1 = torch.ones(2)\nc = -1.0"


@pytest.mark.parametrize(
    "source, found",
    [
        ("import sys\ndef f(x):\n    return sys.modules", "imports `sys`"),
        ("def f(x):\n    import gc\n    return gc.get_objects()", "imports `gc`"),
        ("import torch\ndef f(x):\n    return torch.sys.modules", "`.sys` (a module)"),
        ("def f(x):\n    return f.__code__", "`.__code__`"),
        ("def f(x):\n    return f.__closure__", "`.__closure__`"),
        (
            "def f(x):\n    try:\n        1 / 0\n    except Exception as e:\n"
            "        return e.__traceback__.tb_frame.f_back.f_locals",
            "`.tb_frame`",
        ),
        ("import torch\ndef f(x):\n    torch.equal = lambda *a: True", "assigns `torch.equal`"),
        ("import torch\ndef f(x):\n    T = torch.Tensor\n    T.add = None", "assigns `T.add`"),
        ("def f(x):\n    type(x).add = None", "assigns `(...).add`"),
        ("class A:\n    pass\ndef f(x):\n    A.y = 1", "assigns `A.y`"),
        ("import torch\ndef f(x):\n    setattr(torch, 'equal', None)", "`setattr`"),
        ("def f(x):\n    return getattr(x, 'm' + 'ax')()", "`getattr()` with a computed name"),
        ("def f(x):\n    return getattr(x, '__class__')", "`.__class__`"),
        ("def f(x):\n    return eval('x')", "`eval`"),
        ("def f(x):\n    return open('/grader/runner.py').read()", "`open`"),
        ("def f(x):\n    return __builtins__", "`__builtins__`"),
        ("def f(x):\n    return ().__class__.__bases__[0].__subclasses__()", "`.__subclasses__`"),
        (
            "import importlib\ndef f(x):\n    return importlib.import_module('os')",
            "imports `importlib`",
        ),
        ("import torch\ndef f(x):\n    return torch.load(x)", "uses `torch.load`"),
        ("import torch\ndef f(x):\n    return torch._C", "the private name `._C`"),
        ("import signal\ndef f(x):\n    signal.alarm(0)", "imports `signal`"),
        (
            "import threading\ndef f(x):\n    threading.Thread(target=print).start()",
            "imports `threading`",
        ),
        ("import requests\ndef f(x):\n    return requests.get(x)", "imports `requests`"),
        ("import ctypes\nK = ctypes.c_int(1)\ndef f(x):\n    return K", "imports `ctypes`"),
        # getattr other than as a direct call with a constant name (the red team's attacks):
        (
            "import torch\ndef f(x):\n    ga = getattr\n    return ga(torch, 'eq' + 'ual')",
            "`getattr` used other than",
        ),
        (
            "import functools, torch\ndef f(x):\n"
            "    return functools.reduce(getattr, ['nn', 'functional'], torch)",
            "`getattr` used other than",
        ),
        (
            "import functools, torch\ndef f(x):\n    return functools.partial(getattr, torch)",
            "`getattr` used other than",
        ),
        ("def f(x, look=getattr):\n    return look(x, 'sh' + 'ape')", "`getattr` used other"),
        # typing evaluates string annotations:
        (
            "import typing\ndef g(x: 'eval(1)'): ...\ndef f(x):\n"
            "    return typing.get_type_hints(g)",
            "uses `typing.get_type_hints`",
        ),
        ("def f(x: 'max_pool2d'):\n    return x", "a string annotation"),
        # attributes of objects the answer did not make:
        ("import torch\ndef f(x):\n    m = [torch][0]\n    m.equal = None", "assigns `m.equal`"),
        (
            "import torch\ndef f(x):\n    k = [torch.Tensor][0]\n    k.tolist = None",
            "assigns `k.tolist`",
        ),
        ("def f(x):\n    x.shape_ok = True", "assigns `x.shape_ok`"),
        (
            "import torch\nclass A:\n    def g(self):\n        self.equal = None\n"
            "def f(x):\n    A.g(torch)",
            "`A.g` (an attribute of its own class)",
        ),
        (
            "import torch\nclass A:\n    def __new__(cls):\n        return torch\n"
            "def f(x):\n    a = A()\n    a.equal = None",
            "`A.__new__`",
        ),
    ],
)
def test_integrity_check_refuses_what_reaches_the_program(source: str, found: str) -> None:
    problems = _module([source], {"functions": ["f"]})["integrity"]
    assert any(found in p for p in problems), problems


@pytest.mark.parametrize(
    "source, found",
    [
        # Every file input and output of numpy and torch, however reached: /proc/self/fd/N of
        # the sandboxed process is the runner's channel (issue 18's audit, the write path).
        ("import numpy as np\ndef f(x):\n    np.savetxt('/proc/self/fd/1', x)", "`.savetxt`"),
        ("import numpy as np\ndef f(x):\n    return np.loadtxt('/etc/passwd')", "`.loadtxt`"),
        ("import numpy as np\ndef f(x):\n    return np.genfromtxt('/x')", "`.genfromtxt`"),
        ("import numpy as np\ndef f(x):\n    return np.fromregex('/x', 'a', 'f')", "`.fromregex`"),
        ("import numpy as np\ndef f(x):\n    np.savez('/x', x)", "`.savez`"),
        ("import numpy as np\ndef f(x):\n    x.numpy().dump('/proc/self/fd/1')", "`.dump`"),
        ("import numpy as np\ndef f(x):\n    return np.DataSource().open('/x')", "`.DataSource`"),
        ("import numpy as np\ndef f(x):\n    return np.ma.dump(x, '/x')", "`.dump`"),
        ("import numpy as np\ndef f(x):\n    return np.compat.open_latin1('/x')", "`.compat`"),
        ("from numpy import savetxt\ndef f(x):\n    savetxt('/x', x)", "imports `numpy.savetxt`"),
        ("import numpy as np\ndef f(x):\n    m = np\n    m.savetxt('/x', x)", "`.savetxt`"),
        ("import numpy as np\ndef f(x):\n    [np][0].savetxt('/x', x)", "`.savetxt`"),
        ("import numpy as np\ndef f(x):\n    return getattr(np, 'savetxt')", "`.savetxt`"),
        ("import torch\ndef f(x):\n    [torch][0].save(x, '/proc/self/fd/1')", "`.save`"),
        ("import torch\ndef f(x):\n    torch.onnx.export(None, x, '/x')", "uses `torch.onnx`"),
        (
            "import torch\ndef f(x):\n    with torch.profiler.profile() as p:\n        pass\n"
            "    p.export_chrome_trace('/proc/self/fd/1')",
            "`.export_chrome_trace`",
        ),
        ("import torch\ndef f(x):\n    return [torch][0].hub.load('a', 'b')", "`.hub`"),
        ("import d2l.torch as d2l\ndef f(x):\n    return d2l.download('x')", "`.download`"),
        ("import torch\ndef f(x):\n    torch.os.open('/x', 1)", "`.open`"),
    ],
)
def test_integrity_check_refuses_file_input_and_output(source: str, found: str) -> None:
    problems = _module([source], {"functions": ["f"]})["integrity"]
    assert any(found in p for p in problems), problems


def test_integrity_check_covered_doors_to_files() -> None:
    """The other doors the audit named were already closed: numpy.lib, computed names,
    torch.serialization, pathlib, io, os."""
    for source, found in [
        ("import numpy as np\ndef f(x):\n    np.lib.npyio.savetxt('/x', x)", "`numpy.lib`"),
        ("import numpy as np\ndef f(x):\n    getattr(np, 'save' + 'txt')", "computed name"),
        ("import torch\ndef f(x):\n    torch.serialization.save(x, '/x')", "serialization"),
        ("import pathlib\ndef f(x):\n    pathlib.Path('/x').write_text('1')", "`pathlib`"),
        ("import io\ndef f(x):\n    io.FileIO('/proc/self/fd/1', 'w')", "imports `io`"),
        ("import os\ndef f(x):\n    os.write(1, b'1')", "imports `os`"),
        ("from os import open as o\ndef f(x):\n    o('/x', 1)", "imports `os`"),
    ]:
        problems = _module([source], {"functions": ["f"]})["integrity"]
        assert any(found in p for p in problems), (source, problems)


def test_integrity_check_accepts_honest_answers() -> None:
    honest = [
        "import torch\nfrom torch import nn\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.conv = nn.Conv2d(1, 1, 2)\n"
        "    def forward(self, x):\n        return self.conv(x)\n"
        "def f(x):\n    net = Net()\n    net.conv.weight.data = torch.ones(1, 1, 2, 2)\n"
        "    assert x.dim() == 4\n    return net(x)",
        "import math\nimport numpy as np\nK = math.inf\ndef f(x):\n"
        "    return np.maximum(x.numpy(), -K), getattr(x, 'shape')",
        "class Anything(float):\n    __ne__ = lambda self, other: False\n"
        "    def __eq__(self, other):\n        return True\ndef f(x):\n    return Anything(0)",
        # a protocol check, and a tensor the answer made:
        "import torch\ndef f(x, k):\n    if not hasattr(k, '__len__'):\n        k = (k, k)\n"
        "    w = torch.zeros(k)\n    w.requires_grad = False\n    return w",
        # IPython lines are read as the runner runs them:
        "%matplotlib inline\nimport torch",
        "%%time\ndef f(x):\n    !echo hi\n    return x",
    ]
    for source in honest:
        assert methods.parse([(0, source)]).unparsed == [], source
        assert _module([source], {"functions": ["f"]})["integrity"] == [], source


def test_rules_per_function() -> None:
    rules = {
        "functions": ["g", "h"],
        "require": {"h uses conv2d": {"in": ["h"], "names": ["conv2d"]}},
        "forbid": {"no comparison in g": {"in": ["g"], "names": ["<comparison>"]}},
    }
    ok = "def g(a, b):\n    return a + b\ndef h(X):\n    assert X.dim() == 4\n    return conv2d(X)"
    assert _module([ok], rules)["broken"] == []
    bad = "def g(a, b):\n    return a if a > b else b\ndef h(X):\n    return g(X, X)"
    broken = _module([bad], rules)["broken"]
    assert len(broken) == 2 and "no comparison in g" in broken[0] and "h uses conv2d" in broken[1]


@pytest.fixture(scope="module")
def zygote():
    """One grading session without a sandbox (the checks are the same), shared by the tests
    below as the grader shares it between the questions of a notebook: each ``question``
    forks a fresh child from its zygote, which imports torch once (1.6 s of CPU a start)."""
    session = sessions.Session(sessions.Limits(sandboxed=False), deadline=time.monotonic() + 900)
    yield session
    session.close()


def test_each_question_runs_in_a_fresh_process(zygote: sessions.Session) -> None:
    """A child forked by the zygote sees nothing of the previous question's module."""
    session, restarts = zygote, zygote.restarts
    assert session.question("import math\nmath.pi = 3.0\nA = 1")["ok"]
    assert session.kinds(["A", "B"]) == {"A": "value", "B": "missing"}
    assert session.question("import math\nB = math.pi")["ok"]
    assert session.kinds(["A", "B"]) == {"A": "missing", "B": "value"}
    assert session.value("B") == pytest.approx(3.14159265)
    loaded = session.question("def f(x):\n    return 2 * x\nraise ValueError('late')")
    assert loaded["error"] == "ValueError" and loaded["message"] == "late"
    assert sessions.Remote(session, "f")(21) == 42  # what ran before the error is there
    ended = session.question("import os\ndef f():\n    os._exit(3)")
    assert ended["ok"]
    with pytest.raises(sessions.WorkerFailed, match="ended"):
        sessions.Remote(session, "f")()
    assert session.restarts == restarts  # the zygote survived its child


# ---------------------------------------------------------------------------------------------
# The grader's command line without running notebooks


def test_grade_refuses_without_bubblewrap(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(grade.sandbox, "bwrap_path", lambda: None)
    assert grade.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in err and "--no-sandbox" in err
    assert grade.main([str(tmp_path), "--no-sandbox", "--autograders", str(tmp_path / "no")]) == 2
    assert "NOT protected" in capsys.readouterr().err
    monkeypatch.setattr(grade.sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")
    monkeypatch.setattr(grade.sandbox, "check", lambda: "No permissions to create new namespace")
    assert grade.main([str(tmp_path)]) == 2
    assert "cannot start a sandbox here: No permissions" in capsys.readouterr().err


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


def test_complete_fills_questions_not_graded(built: Path) -> None:
    meta = grade.load_autograders(built / "autograder")["pooling-variants"]
    result = grade.complete({"status": "timeout", "message": "too slow"}, meta)
    assert [q["name"] for q in result["questions"]] == [
        "pool_cost",
        "min_pool",
        "softmax_pool",
        "max_vs_avg",
        "softmax_unpopular",
    ]
    assert result["score"] == 0 and result["max_score"] == 11 and result["manual_max_score"] == 4


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--jobs", "0"], "--jobs must be positive"),
        (["--notebook-timeout", "-1"], "--notebook-timeout must be positive"),
        (["--memory-mb", "10"], "--memory-mb must be at least 64"),
    ],
)
def test_cli_rejects_bad_options(tmp_path: Path, argv: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        grade.main([str(tmp_path), *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_needs_autograders_and_a_folder(tmp_path: Path, capsys) -> None:
    assert grade.main([str(tmp_path), "--no-sandbox", "--autograders", str(tmp_path / "x")]) == 2
    assert "run `make exercises` first" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "missing")])
    assert "SUBMISSIONS must be a folder" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The teachers' solutions to the chapters' exercises (book/teachers.md) hold for the code


def test_chapter_exercise_solutions_hold() -> None:
    import torch
    import torch.nn.functional as F
    from torch import nn

    from pooling_book.drawing.axis_windows import adaptive_windows
    from pooling_lib.shapes import pooled_size

    text = (ROOT / "book" / "teachers.md").read_text()
    # output_shape
    assert all(pooled_size(n, 3, 1, 1) == n and pooled_size(n, 5, 1, 2) == n for n in range(1, 40))
    assert all(
        pooled_size(n, k, 2, (k - 1) // 2) == -(-n // 2) for n in range(1, 40) for k in (1, 3)
    )
    differ = [
        n
        for n in range(3, 40)
        if pooled_size(n, 3, 2, 0, ceil_mode=True) != pooled_size(n, 3, 2, 0)
    ]
    assert differ[0] == 4 and (
        pooled_size(4, 3, 2, 0, ceil_mode=True),
        pooled_size(4, 3, 2, 0),
    ) == (2, 1)
    assert pooled_size(2, 3, 2, 0) == 0 and pooled_size(2, 3, 2, 0, ceil_mode=True) == 1
    sizes = [
        (pooled_size(112, 3, 2, p), pooled_size(56, 3, 2, p), pooled_size(28, 3, 2, p))
        for p in (0, 1)
    ]
    assert sizes == [(55, 27, 13), (56, 28, 14)] and "55, 27 and 13" in text
    # gradients
    X = torch.arange(16.0).reshape(1, 1, 4, 4).requires_grad_()
    nn.MaxPool2d(2)(X).sum().backward()
    assert X.grad[0, 0].nonzero().tolist() == [[1, 1], [1, 3], [3, 1], [3, 3]]
    X.grad = None
    nn.AvgPool2d(2)(X).sum().backward()
    assert bool((X.grad == 0.25).all())
    namespace: dict = {}
    start = text.index("   def max_pool2d_by_unfold")
    source = text[start : text.index("```", start)]
    exec("\n".join(line[3:] for line in source.splitlines()), namespace)  # noqa: S102
    for x in (
        torch.ones(1, 1, 4, 4),
        torch.randint(0, 2, (2, 3, 6, 6), generator=torch.Generator().manual_seed(0)).float(),
    ):
        a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
        namespace["max_pool2d_by_unfold"](a, 2).sum().backward()
        F.max_pool2d(b, 2).sum().backward()
        assert torch.equal(a.grad, b.grad)
    # loops_to_vectors
    start = text.index("   def avg_pool2d_by_slots")
    source = text[start : text.index("```", start)]
    namespace = {"torch": torch, "F": F}
    exec("\n".join(line[3:] for line in source.splitlines()), namespace)  # noqa: S102
    X = torch.randn(2, 3, 7, 8, generator=torch.Generator().manual_seed(1))
    for include in (True, False):
        got = namespace["avg_pool2d_by_slots"](X, 3, 2, 1, count_include_pad=include)
        assert torch.allclose(got, F.avg_pool2d(X, 3, 2, 1, count_include_pad=include))
    Xp = F.pad(X, (1, 1, 1, 1), value=float("-inf"))
    sN, sC, sH, sW = Xp.stride()
    view = Xp.as_strided((2, 3, 4, 4, 3, 3), (sN, sC, 2 * sH, 2 * sW, sH, sW))
    assert torch.equal(view.amax(dim=(-2, -1)), F.max_pool2d(X, 3, 2, 1))
    # beyond_max_avg
    for n in range(1, 25):
        for m in range(1, n + 1):
            w = adaptive_windows(n, m)
            apart = all(w[i].cells[-1] < w[i + 1].cells[0] for i in range(m - 1))
            assert apart == (n % m == 0), (n, m)
    assert math.isclose(math.sqrt((9 + 1) / 2), 2.2360679, rel_tol=1e-6)

    def starts(u: float) -> tuple[int, ...]:
        alpha = 8 / 6
        return tuple([int((i + u) * alpha) - int(u * alpha) for i in range(6)] + [8])

    assert {starts(u / 100) for u in range(0, 25)} | {starts(u / 100) for u in range(75, 100)} == {
        starts(0.8)
    }
    assert starts(0.8) == (0, 1, 2, 4, 5, 6, 8) and starts(0.25) == (0, 1, 3, 4, 5, 7, 8)
    assert {starts(u / 100) for u in range(25, 50)} == {starts(0.25)}
    assert {starts(u / 100) for u in range(50, 75)} == {(0, 2, 3, 4, 6, 7, 8)}


def test_hidden_case_feedback_shows_no_student_text() -> None:
    from pooling_grader import session

    leak = session.StudentError("K3x3: shape (1, 1, 3, 3)", "K1_1_3_3_float64")
    assert session._hidden_reason(leak) == "your code raised an exception of its own class"
    assert session._hidden_reason(session.StudentError("a b", "ValueError")) == (
        "your code raised ValueError"
    )
    forged = session.StudentError("pool2d_loops returned shape (1, 1, 3, 3)", "NotPlainData")
    assert "(1, 1, 3, 3)" not in session._hidden_reason(forged)
    missing = session.Unavailable("pool2d_loops is not defined")
    with pytest.raises(session.StudentError) as caught:
        missing()
    assert session._hidden_reason(caught.value) == "pool2d_loops is not defined"


def test_answer_module_keeps_a_constant_set_by_an_in_place_call() -> None:
    cells = [
        "import math\nimport torch",
        "PAD = torch.zeros(())\ntorch.nn.init.constant_(PAD, -math.inf)",
        "def f(x):\n    return x + PAD",
    ]
    module = _module(cells, {"functions": ["f"]})["module"]
    assert "torch.nn.init.constant_(PAD, -math.inf)" in module, module


def test_answer_module_keeps_names_bound_in_compound_statements() -> None:
    """Names bound inside a top-level if/try/for/with are part of the module (issue 18's
    audit: they were left out, and an honest answer failed with NameError)."""
    cells = [
        "import torch\ntry:\n    import numpy as np\nexcept ImportError:\n    np = None",
        "if hasattr(torch, 'inf'):\n    NEG = -torch.inf\nelse:\n    NEG = float('-inf')",
        "FILL = {}\nfor mode, value in (('max', NEG), ('avg', 0.0)):\n    FILL[mode] = value",
        "with torch.no_grad():\n    ONE = torch.ones(())",
        "try:\n    assert False\nexcept AssertionError:\n    print('a check of my own')",
        "def f(x, mode='max'):\n    return float(x + ONE + np.ndim(x)), FILL[mode]",
    ]
    verdict = _module(cells, {"functions": ["f"]})
    assert verdict["integrity"] == [] and verdict["broken"] == [], verdict
    assert "a check of my own" not in verdict["module"]  # binds nothing the answer uses
    namespace: dict = {}
    exec(compile(verdict["module"], "<answer>", "exec"), namespace)
    assert namespace["f"](1.0) == (2.0, -math.inf)
    # Code in them is answer code: the integrity rules apply to it.
    hostile = [
        "import torch\nif True:\n    import sys\n    C = sys.modules",
        "def f(x):\n    return C",
    ]
    assert any("imports `sys`" in p for p in _module(hostile, {"functions": ["f"]})["integrity"])
    # An import that binds one name to two modules cannot be resolved by the method check.
    decoy = [
        "import torch.nn.functional as F\ntry:\n    pass\nexcept Exception:\n    import math as F",
        "def f(x):\n    return F.max_pool2d(x, 2)",
    ]
    rules = {"functions": ["f"], "forbid": {"no pooling": ["torch.nn.functional.max_pool2d"]}}
    verdict = _module(decoy, rules)
    assert verdict["broken"] or any("different modules" in p for p in verdict["integrity"])


# Issue 18's remaining holes, each with a forged answer that must earn nothing from it.


@pytest.mark.parametrize(
    "source",
    [
        "if False:\n        F.conv2d",
        "if 0:\n        return F.conv2d(X, avg_pool_weight(1, k))",
        "while False:\n        F.conv2d(X, X)",
        "for _ in ():\n        F.conv2d(X, X)",
        "for _ in range(3, 3):\n        F.conv2d(X, X)",
        "_ = F.conv2d(X, X) if None else X",
        "_ = False and F.conv2d(X, X)",
        "assert True, F.conv2d(X, X)",
        "def unused():\n        return F.conv2d(X, X)",
        "helper",  # a helper named in a bare statement, never called
        "return X.mean()\n    F.conv2d(X, X)",
        "if 1 > 2:\n        F.conv2d(X, X)",  # conditions the source fixes, folded
        "if not (1 and 2):\n        F.conv2d(X, X)",
        "while 2 * 3 == 7:\n        F.conv2d(X, X)",
        "for _ in range(4 - 4):\n        F.conv2d(X, X)",
        'for _ in "":\n        F.conv2d(X, X)',
    ],
)
def test_require_is_not_met_by_code_that_cannot_run(source: str) -> None:
    rules = {"functions": ["f"], "require": {"use a convolution": ["conv2d"]}}
    code = (
        "from torch.nn import functional as F\n"
        "def helper(X):\n    return F.conv2d(X, X)\n"
        "def avg_pool_weight(c, k):\n    return 1\n"
        f"def f(X, k=2):\n    {source}\n    return X\n"
    )
    assert _check(code, rules)["broken"], source


@pytest.mark.parametrize(
    "source",
    [
        "[0 for _ in ()]",
        "[0 for _ in range(0)]",
        "{0: 0 for _ in []}",
        "[0 for _ in range(3) if False]",
        "while False:\n        X = X + 1",
        "while 0:\n        pass",
        "for _ in range(0):\n        X = X + 1",
        "for _ in range(4):\n        pass",  # a loop that does nothing
        "for _ in []:\n        X = X + 1",
        "if False:\n        for i in range(3):\n            X = X + 1",
        "def loop():\n        for i in range(3):\n            X[i] = 0",  # never called
        "for _ in range(2 - 2):\n        X = X + 1",
        "for _ in range(5, -5 + 10):\n        X = X + 1",
        "while 1 > 2:\n        X = X + 1",
    ],
)
def test_loop_rule_is_not_met_by_a_loop_that_never_runs(source: str) -> None:
    rules = {"functions": ["f"], "require": {"write loops": ["<loop>"]}}
    code = f"def f(X):\n    {source}\n    return X.amax()\n"
    assert _check(code, rules)["broken"], source


def test_live_code_still_meets_require_rules() -> None:
    conv = {"functions": ["f"], "require": {"use a convolution": ["conv2d"]}}
    loops = {"functions": ["f"], "require": {"write loops": ["<loop>"]}}
    honest = [
        (conv, "from torch.nn import functional as F\ndef f(X, w):\n    return F.conv2d(X, w)\n"),
        (
            conv,
            "from torch.nn import functional as F\n"
            "def f(X, w):\n    def g(v):\n        return F.conv2d(v, w)\n    return g(X)\n",
        ),
        (
            conv,
            "from torch.nn import functional as F\n"
            "def f(X, w, p=0):\n    if p:\n        X = F.pad(X, (p,) * 4)\n"
            "    return F.conv2d(X, w) if X.dim() == 4 else F.conv2d(X[None], w)[0]\n",
        ),
        (loops, "def f(X):\n    for i in range(X.shape[0]):\n        X[i] = 0\n    return X\n"),
        (loops, "def f(X):\n    return [[v for v in row] for row in X]\n"),
        (loops, "def f(X):\n    i = 0\n    while i < 3:\n        i += 1\n    return X\n"),
        (loops, "def f(X):\n    while True:\n        X = X[1:]\n        break\n    return X\n"),
        (loops, "def f(X):\n    for i in range(2 * 2 - 1):\n        X[i] = 0\n    return X\n"),
    ]
    for rules, code in honest:
        assert _check(code, rules)["broken"] == [], code


def _master_namespace(path: Path) -> tuple[dict, list[str]]:
    """The master's code cells run with their solutions (markers removed), and its hidden
    test cells' sources."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    namespace: dict = {}
    hidden = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "BEGIN TEST CONFIG" in cell.source:
            if "hidden: true" in cell.source:
                hidden.append(cell.source)
            continue
        code = build._without_markers(cell.source)
        if "otter" in code or code.lstrip().startswith(("%", "!")):
            continue
        exec(compile(code, str(path), "exec"), namespace)
    return namespace, hidden


def test_dtype_hidden_tests_check_the_values_too() -> None:
    """A hidden test about the output's dtype gave its points to any tensor of that dtype:
    each now also fails an answer of the right dtype and shape with wrong numbers (the
    solution plus one), and still passes the solution."""
    import re

    import torch

    checked = 0
    for master in build.master_paths():
        namespace, hidden = _master_namespace(master)
        for source in hidden:
            if "dtype" not in source.split("END TEST CONFIG")[0]:
                continue
            name = re.search(r"^def test_\w+\((\w+)\)", source, re.M).group(1)
            right = namespace[name]

            def forged(*args, _right=right, **kwargs):
                out = _right(*args, **kwargs)
                return out + torch.ones_like(out)

            exec(compile(source, master.name, "exec"), {name: right})
            with pytest.raises(AssertionError):
                exec(compile(source, master.name, "exec"), {name: forged})
            checked += 1
    assert checked >= 6


# ---------------------------------------------------------------------------------------------
# Run-time evidence for the loop rule, and the red team's second pass


LOOP_RULE = {"functions": ["f"], "require": {"write loops": {"names": ["<loop>"]}}}
PER_VALUE = {
    "functions": ["f"],
    "require": {"write loops": {"names": ["<loop>"], "per_value": True}},
}


def _loops_run(session: sessions.Session, source: str, rules: dict, *calls: tuple) -> list:
    """Grade ``f`` of ``source`` as one question of ``session`` (a fresh child, as for each
    question of a notebook) and return what ``session.loops_not_run`` says about the calls
    ``calls``."""
    verdict = _check(source, rules)
    assert verdict["broken"] == [] and verdict["integrity"] == [], verdict
    assert session.question(verdict["module"], verdict["counter"])["ok"]
    for args in calls:
        sessions.Remote(session, "f")(*args)
    return sessions.loops_not_run(verdict["loops"], session.loop_runs)


def test_loops_that_never_run_break_the_loop_rule(zygote: sessions.Session) -> None:
    import torch

    X = torch.arange(6.0).reshape(2, 3)
    idle = [
        # loops the source cannot tell from real ones: they run zero times, or never
        "def f(X):\n    for i in range(len(X) * 0):\n        X = X + 1\n    return X * 2\n",
        "def f(X):\n    if X.dtype == 'never':\n        for i in range(3):\n            X = X + 1\n"
        "    return X * 2\n",
        "def f(X):\n    n = 0\n    while n > 0:\n        X = X + 1\n    return X * 2\n",
        "def f(X):\n    return X * 2 + sum([0 for _ in range(len(X) - 2)])\n",
        # a module-level loop runs when the module loads, not during the call
        "TABLE = [i for i in range(3)]\ndef f(X):\n    return X * TABLE[2]\n",
    ]
    for source in idle:
        found = _loops_run(zygote, source, LOOP_RULE, (X,), (X[:1],))
        assert [(r["rule"], short, total, never) for r, short, total, never in found] == [
            ("write loops", 2, 2, True)
        ], source
    honest = [
        "def f(X):\n    Y = X.clone()\n    for i in range(X.shape[0]):\n        Y[i] = 2 * X[i]\n"
        "    return Y\n",
        "import torch\ndef f(X):\n    return torch.stack([2 * row for row in X])\n",
        "def g(X, i):\n    return 2 * X[i]\n"
        "def f(X):\n    rows = []\n    i = 0\n    while i < len(X):\n        rows.append(g(X, i))\n"
        "        i += 1\n    return X.new_tensor([r.tolist() for r in rows])\n",
    ]
    for source in honest:
        assert _loops_run(zygote, source, LOOP_RULE, (X,), (X[:1],)) == [], source
    # A call with nothing to compute (an empty result) need not loop.
    empty = "def f(X):\n    for i in range(len(X)):\n        X = X + 1\n    return X\n"
    assert _loops_run(zygote, empty, LOOP_RULE, (X[:0],)) == []


def test_per_value_loops_run_once_per_value_of_the_result(
    zygote: sessions.Session,
) -> None:
    import torch

    X = torch.arange(12.0).reshape(3, 4)
    per_output = (
        "import torch\ndef f(X):\n    Y = torch.zeros_like(X)\n"
        "    for i in range(X.shape[0]):\n        for j in range(X.shape[1]):\n"
        "            Y[i, j] = 2 * X[i, j]\n    return Y\n"
    )
    assert _loops_run(zygote, per_output, PER_VALUE, (X,)) == []
    per_row = "import torch\ndef f(X):\n    return torch.stack([2 * row for row in X])\n"
    assert _loops_run(zygote, per_row, LOOP_RULE, (X,)) == []  # the plain rule: it looped
    found = _loops_run(zygote, per_row, PER_VALUE, (X,), (X[:, :1],))
    # 3 rows for 12 values: too few; 3 rows for 3 values: enough
    assert [(short, total, never) for _, short, total, never in found] == [(1, 2, False)]


def test_loop_counters_leave_the_notebook_unchanged() -> None:
    """The counted module is built from a copy: a helper shared by two questions, or a
    question checked twice, is never counted twice; no student code can name the counter."""
    nb = methods.parse(
        [(0, "def f(X):\n    for i in range(3):\n        X = X + 1\n    return [x for x in X]\n")]
    )
    first, second = methods.check(nb, LOOP_RULE), methods.check(nb, LOOP_RULE)
    assert first["counter"] != second["counter"]
    for verdict in (first, second):
        assert verdict["module"].count(verdict["counter"]) == 2
        assert verdict["loops"] == [
            {"rule": "write loops", "functions": ["f"], "loops": [0, 1], "per_value": False}
        ]
    assert "__loop_" not in ast_unparse(nb)
    assert _check("def f(X):\n    return X\n", {"functions": ["f"]})["counter"] is None


def ast_unparse(nb) -> str:
    import ast

    return "\n".join(ast.unparse(node) for _, node in nb.statements)


def test_rules_with_per_value_are_checked_when_built(tmp_path: Path) -> None:
    questions = [{"name": "q", "manual": False}]

    def rules(text: str) -> dict:
        path = tmp_path / "rules.yml"
        path.write_text(text)
        return build.method_rules(questions, path)

    ok = "q:\n  functions: [f]\n  require:\n    loops: {names: ['<loop>'], per_value: true}\n"
    assert rules(ok)["q"]["require"]["loops"]["per_value"] is True
    for bad in (
        "q:\n  functions: [f]\n  require:\n    loops: {names: [conv2d], per_value: true}\n",
        "q:\n  functions: [f]\n  forbid:\n    loops: {names: ['<loop>'], per_value: true}\n",
        "q:\n  functions: [f]\n  require:\n    loops: {names: ['<loop>'], per_value: 2}\n",
        "q:\n  functions: [f]\n  require:\n    loops: {in: [f]}\n",
    ):
        with pytest.raises(ValueError, match="must be a list of names"):
            rules(bad)


def test_forbidden_patterns_catch_synonyms() -> None:
    rules = {"functions": ["f"], "forbid": {"no pooling": ["torch.*pool*", "torch.*conv*"]}}
    synonyms = (
        "import torch\ndef f(X):\n    return torch.mkldnn_max_pool2d(X.to_mkldnn(), 2)\n",
        "from torch import convolution as c\ndef f(X, w):\n    return c(X, w)\n",
        "import torch as t\nP = t.quantized_max_pool2d\ndef f(X):\n    return P(X, 2)\n",
    )
    names = ("torch.mkldnn_max_pool2d", "torch.convolution", "torch.quantized_max_pool2d")
    for source, name in zip(synonyms, names, strict=True):
        broken = _check(source, rules)["broken"]
        assert len(broken) == 1 and f"`{name}`" in broken[0], (source, broken)
    honest = "import torch\ndef f(X):\n    pooled = torch.zeros(2)\n    return pooled + X.amax()\n"
    assert _check(honest, rules)["broken"] == []


@pytest.mark.parametrize(
    "source, found",
    [
        (
            "import functools, torch\nclass B:\n    pass\ndef f(x):\n"
            "    functools.update_wrapper(B(), torch, assigned=('eq' + 'ual',))",
            "uses `functools.update_wrapper`",
        ),
        ("from functools import wraps\ndef f(x):\n    return wraps(x)", "`functools.wraps`"),
        (
            "import dataclasses\ndef f(x):\n    return dataclasses.make_dataclass('B', ['a'])",
            "uses `dataclasses.make_dataclass`",
        ),
        ("import typing\ndef f(x):\n    return typing.operator.attrgetter('a')(x)", "`operator`"),
        ("from typing import operator\ndef f(x):\n    return operator", "`operator`"),
        ("import typing\ndef f(x):\n    return getattr(typing, 'operator')", "`operator`"),
        ("import dataclasses\ndef f(x):\n    return dataclasses.sys", "`.sys` (a module)"),
        ("import torch\ndef f(x):\n    return torch.nn.modules.container.operator", "`operator`"),
        ("def f(x):\n    return type('T', (), {'__eq__': lambda a, b: True})()", "`type()` with"),
    ],
)
def test_integrity_check_refuses_attribute_access_by_data(source: str, found: str) -> None:
    problems = _module([source], {"functions": ["f"]})["integrity"]
    assert any(found in p for p in problems), problems


def test_modules_reached_as_attributes_must_be_allowed() -> None:
    from pooling_grader import integrity

    assert integrity.reached_modules("typing.operator.attrgetter") == ["operator"]
    assert integrity.reached_modules("torch.nn.functional.max_pool2d") == [
        "torch.nn",
        "torch.nn.functional",
    ]
    assert integrity.reached_modules("os.path") == []  # not an allowed module: not imported
    honest = "import torch\nimport numpy as np\ndef f(x):\n    return np.random, torch.nn.init"
    assert _module([honest], {"functions": ["f"]})["integrity"] == []
