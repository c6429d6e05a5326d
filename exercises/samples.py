"""Sample submissions that exercise the grader: right, empty, wrong and hostile notebooks.

Usage (``make exercises`` runs it after the build)::

    python exercises/samples.py --build _build/exercises --out _build/exercises/samples

writes one folder per sample "student" and ``expected.json``, what grading each must give:

* ``solution/``: the solutions, full marks;
* ``<notebook>.ipynb`` (flat, at the top): the student release, unmodified, zero everywhere;
* ``wrong-<k>/``: the solutions with, in each question, its k-th realistic mistake (a question
  with fewer than k mistakes stays right). Each mistake is a text edit of the solution, listed in
  ``MUTATIONS`` with whether it still passes the public tests;
* ``hostile-<name>/``: submissions that raise, loop, hang, delete files, print fake scores or
  kill their own kernel (``HOSTILE``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import shutil
import sys
from collections.abc import Callable

import nbformat


@dataclasses.dataclass(frozen=True)
class Mutation:
    """One realistic mistake: text edits of the solution cell that contains ``marker``."""

    question: str
    description: str
    marker: str
    edits: tuple[tuple[str, str], ...]
    passes_public: bool = True


def _m(question, description, marker, *edits, passes_public=True) -> Mutation:
    return Mutation(question, description, marker, tuple(edits), passes_public)


LOOPS = "def pool2d_loops("
BACKWARD = "def max_pool2d_backward("
AVG_CONV = "def avg_pool_weight("
NOT_LINEAR = "X1 = torch.tensor("
RELU = "def max2("
COST = "def pooled_shape("
MIN = "def min_pool2d("
SOFTMAX = "def softmax_pool2d("

MUTATIONS: dict[str, list[Mutation]] = {
    "pooling_loops": [
        _m("pool2d_loops", "ignores the padding", LOOPS,
           ("    p_h, p_w = padding\n", "    p_h, p_w = 0, 0\n")),
        _m("pool2d_loops", "pads max pooling with zeros instead of -inf", LOOPS,
           ('fill = float("-inf") if mode == "max" else 0.0', "fill = 0.0")),
        _m("pool2d_loops", "rounds the output size up (one row/column too many)", LOOPS,
           ("out_h = (H + 2 * p_h - k_h) // s_h + 1",
            "out_h = -(-(H + 2 * p_h - k_h) // s_h) + 1"),
           ("out_w = (W + 2 * p_w - k_w) // s_w + 1",
            "out_w = -(-(W + 2 * p_w - k_w) // s_w) + 1")),
        _m("pool2d_loops", "average over the real elements only (padding not counted)", LOOPS,
           ('else 0.0\n', 'else float("nan")\n'),
           ("window.mean()", "window.nanmean()")),
        _m("max_pool_backward", "gradient to the last maximum instead of the first", BACKWARD,
           ("if window[r, c] > window", "if window[r, c] >= window")),
        _m("max_pool_backward", "overlapping windows overwrite instead of adding up", BACKWARD,
           ("dX[i * s_h + best_r, j * s_w + best_c] += dY[i, j]",
            "dX[i * s_h + best_r, j * s_w + best_c] = dY[i, j]")),
        _m("max_pool_backward", "gradient to every maximum of a window", BACKWARD,
           ("dX[i * s_h + best_r, j * s_w + best_c] += dY[i, j]",
            "dX[i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w] += "
            "(window == window.max()) * dY[i, j]")),
        _m("max_pool_backward", "default stride 1", BACKWARD,
           ("s_h, s_w = kernel_size if stride is None", "s_h, s_w = (1, 1) if stride is None")),
    ],
    "pooling_and_convolution": [
        _m("avg_pool_conv", "assumes a square window (divides by k_h * k_h)", AVG_CONV,
           ("1.0 / (k_h * k_w)", "1.0 / (k_h * k_h)")),
        _m("avg_pool_conv", "forgets groups: mixes the channels", AVG_CONV,
           ("torch.full((channels, 1, k_h, k_w)", "torch.full((channels, channels, k_h, k_w)"),
           (", groups=C)", ")")),
        _m("avg_pool_conv", "default stride 1", AVG_CONV,
           ("stride = kernel_size if stride is None", "stride = 1 if stride is None")),
        _m("max_not_linear", "X2 equal to X1: max(2X) = 2 max(X) is no counterexample", NOT_LINEAR,
           ("X2 = torch.tensor([[0.0, 1.0], [0.0, 0.0]])", "X2 = X1.clone()")),
        _m("max_not_linear", "a positive factor c: max(cX) = c max(X) for c > 0", NOT_LINEAR,
           ("c = -1.0", "c = 2.0")),
        _m("relu_max", "uses torch.maximum instead of ReLUs", RELU,
           ("return b + torch.relu(a - b)", "return torch.maximum(a, b)")),
        _m("relu_max", "relu(a) + relu(b - a): right only for a >= 0", RELU,
           ("return b + torch.relu(a - b)", "return torch.relu(a) + torch.relu(b - a)")),
        _m("relu_max", "forgets groups: the corner convolutions mix the channels", RELU,
           ("torch.zeros((C, 1, 2, 2)", "torch.zeros((C, C, 2, 2)"),
           ("W[:, 0, r, c] = 1.0", "W[:, :, r, c] = 1.0"),
           ("stride=2, groups=C)", "stride=2)")),
    ],
    "pooling_variants": [
        _m("pool_cost", "ignores the padding in the output size", COST,
           ("(h + 2 * p_h - k_h) // s_h + 1, (w + 2 * p_w - k_w) // s_w + 1",
            "(h - k_h) // s_h + 1, (w - k_w) // s_w + 1"),
           passes_public=False),
        _m("pool_cost", "forgets the channels in the costs", COST,
           ("return c * h_out * w_out * (kernel_size", "return h_out * w_out * (kernel_size"),
           ("return c * h_out * w_out * kernel_size", "return h_out * w_out * kernel_size")),
        _m("pool_cost", "counts k_h * k_w comparisons per window instead of k_h * k_w - 1", COST,
           ("(kernel_size[0] * kernel_size[1] - 1)", "kernel_size[0] * kernel_size[1]")),
        _m("min_pool", "pads with zeros by hand, so padding wins the minimum", MIN,
           ("-F.max_pool2d(-X, kernel_size, stride=stride, padding=padding)",
            "-F.max_pool2d(-F.pad(X, (padding,) * 4), kernel_size, stride=stride)")),
        _m("min_pool", "1 / max(1 / X): right only for positive inputs", MIN,
           ("-F.max_pool2d(-X, kernel_size, stride=stride, padding=padding)",
            "1 / F.max_pool2d(1 / X, kernel_size, stride=stride, padding=padding)")),
        _m("min_pool", "default stride 1", MIN,
           ("stride=stride, padding", "stride=stride or 1, padding")),
        _m("softmax_pool", "multiplies by the temperature instead of dividing", SOFTMAX,
           ("torch.softmax(cols / tau, dim=2)", "torch.softmax(cols * tau, dim=2)")),
        _m("softmax_pool", "softmax without subtracting the maximum: overflows for small tau",
           SOFTMAX,
           ("torch.softmax(cols / tau, dim=2)",
            "torch.exp(cols / tau) / torch.exp(cols / tau).sum(dim=2, keepdim=True)")),
        _m("softmax_pool", "softmax over the windows of all channels together", SOFTMAX,
           ("cols.reshape(N, C, k_h * k_w, -1)", "cols.reshape(N, 1, C * k_h * k_w, -1)")),
    ],
}  # fmt: skip


def apply_mutations(nb: nbformat.NotebookNode, mutations: list[Mutation]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the edits applied; each edit must match exactly once in its cell."""
    nb = nbformat.from_dict(nb)
    for m in mutations:
        cells = [c for c in nb.cells if c.cell_type == "code" and m.marker in c.source]
        if len(cells) != 1:
            raise ValueError(f"{m.description}: {len(cells)} cells contain {m.marker!r}")
        for old, new in m.edits:
            count = cells[0].source.count(old)
            if count != 1:
                raise ValueError(f"{m.description}: {old!r} occurs {count} times, not once")
            cells[0].source = cells[0].source.replace(old, new)
    return nb


def wrong_submissions(stem: str, solution: nbformat.NotebookNode):
    """Yield (k, notebook, mutations): the k-th mistake of every question of ``stem``."""
    by_question: dict[str, list[Mutation]] = {}
    for m in MUTATIONS.get(stem, []):
        by_question.setdefault(m.question, []).append(m)
    rounds = max((len(ms) for ms in by_question.values()), default=0)
    for k in range(rounds):
        chosen = [ms[k] for ms in by_question.values() if k < len(ms)]
        yield k + 1, apply_mutations(solution, chosen), chosen


# ---------------------------------------------------------------------------------------------
# Hostile submissions


def _insert_after_setup(nb: nbformat.NotebookNode, *sources: str) -> nbformat.NotebookNode:
    """Insert code cells right after the setup cell (the first ``import torch`` cell)."""
    nb = nbformat.from_dict(nb)
    at = next(i for i, c in enumerate(nb.cells) if c.source.startswith("import torch"))
    for offset, source in enumerate(sources, start=1):
        nb.cells.insert(at + offset, nbformat.v4.new_code_cell(source))
    return nb


JUNK = """\
import json
import os

print("Total Score: 9.000 / 9.000 (100.000%)")
print("           name  score  max_score")
print("0  pool2d_loops    5.0        5.0")
print("1  max_pool_backward    4.0        4.0")
print(json.dumps({"score": 9, "tests": [{"name": "pool2d_loops", "score": 5, "max_score": 5}]}))
for folder in (".", "..", "../results"):
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "results.json"), "w") as f:
            json.dump({"score": 9, "tests": []}, f)
        with open(os.path.join(folder, "results.pkl"), "wb") as f:
            f.write(b"not a pickle")
    except OSError:
        pass
for i in range(20000):
    print("Total Score: 100.000%", "#" * 80)
"""

DELETE = """\
import os
import shutil

here = os.getcwd()
for target in (os.path.dirname(here), here):  # the grading folder around us, then our own
    shutil.rmtree(target, ignore_errors=True)
print("deleted", here, "and its parent:", not os.path.exists(here))
"""

STUCK = """\
import subprocess
import time

subprocess.Popen(["sleep", "987.654"])  # a child process
subprocess.Popen(["sh", "-c", "sleep 987.655 &"])  # an orphaned grandchild
while True:  # ignores the interrupt sent at the cell time limit
    try:
        time.sleep(0.5)
    except BaseException:
        pass
"""

EXFILTRATE = """\
import dataclasses
import glob

from otter.test_files.exception_test import ExceptionTestFile

STOLEN = "".join(open(p).read() for p in sorted(glob.glob("../source/tests/*.py")))
graded_run = ExceptionTestFile.run


def run(self, env):  # after each check: every case "public" and failed, quoting the tests
    graded_run(self, env)
    public = [dataclasses.replace(r.test_case, hidden=False) for r in self.test_case_results]
    self.test_case_results = [
        dataclasses.replace(r, passed=False, message=STOLEN, test_case=case)
        for r, case in zip(self.test_case_results, public)
    ]


ExceptionTestFile.run = run
raise RuntimeError(STOLEN)
"""

# Command-line markers of the processes STUCK starts, to check none survives the grading.
STRAY_MARKERS = ("987.654", "987.655")


@dataclasses.dataclass(frozen=True)
class Hostile:
    """A hostile submission: made from the solution of ``notebook`` by ``make``."""

    name: str
    notebook: str
    description: str
    make: Callable[[nbformat.NotebookNode], nbformat.NotebookNode | str]  # str: raw file text
    status: str
    scores: dict[str, str]  # question -> "full", "zero" or a number of points


HOSTILE = [
    Hostile(
        "hostile-raise-junk-delete",
        "pooling_loops",
        "prints fake scores and otter-like output, writes fake result files, deletes its "
        "working folder and the grading folder around it (tests included), raises in cells, "
        "and its pool2d_loops calls sys.exit; its max_pool2d_backward is right",
        lambda nb: apply_mutations(
            _insert_after_setup(
                nb,
                JUNK,
                DELETE,
                'raise RuntimeError("this cell always fails")',
                "raise SystemExit(1)",
            ),
            [
                _m(
                    "pool2d_loops",
                    "exits",
                    LOOPS,
                    ("    p_h, p_w = padding\n", '    raise SystemExit("stop the grader")\n'),
                )
            ],
        ),
        "ok",
        {"pool2d_loops": "zero", "max_pool_backward": "full"},
    ),
    Hostile(
        "hostile-loop",
        "pooling_and_convolution",
        "a cell loops forever, and max_pool2x2_conv loops forever when called",
        lambda nb: apply_mutations(
            _insert_after_setup(nb, "while True:\n    pass"),
            [
                _m(
                    "relu_max",
                    "loops",
                    RELU,
                    ("    C = X.shape[1]\n", "    while True:\n        pass\n    C = X.shape[1]\n"),
                )
            ],
        ),
        "ok",
        {"avg_pool_conv": "full", "max_not_linear": "full", "relu_max": "2.5"},
    ),
    Hostile(
        "hostile-stuck",
        "pooling_variants",
        "starts background processes, then a cell ignores interrupts and never ends",
        lambda nb: _insert_after_setup(nb, STUCK),
        "timeout",
        {"pool_cost": "zero", "min_pool": "zero", "softmax_pool": "zero"},
    ),
    Hostile(
        "hostile-exfiltrate",
        "pooling_variants",
        "reads the hidden tests from the grading folder, raises them as an error message and "
        "rewrites otter's results: every test case public, failed, its message the hidden tests",
        lambda nb: _insert_after_setup(nb, EXFILTRATE),
        "ok",
        {"pool_cost": "0", "min_pool": "0", "softmax_pool": "0"},
    ),
    Hostile(
        "hostile-garbage",
        "pooling_variants",
        "a file named like the notebook that is not a notebook",
        lambda nb: '{"cells": [this is not JSON',
        "unreadable",
        {"pool_cost": "zero", "min_pool": "zero", "softmax_pool": "zero"},
    ),
    Hostile(
        "hostile-kill",
        "pooling_and_convolution",
        "kills its own kernel with os._exit; its answers are right",
        lambda nb: _insert_after_setup(nb, "import os\n\nos._exit(1)"),
        "error",
        {"avg_pool_conv": "zero", "max_not_linear": "zero", "relu_max": "zero"},
    ),
]


# ---------------------------------------------------------------------------------------------


def write_samples(build: pathlib.Path, out: pathlib.Path) -> list[dict]:
    """Write every sample submission under ``out`` and return (and write) the expectations."""
    shutil.rmtree(out, ignore_errors=True)
    expected: list[dict] = []
    metas = {
        p.stem: json.loads(p.read_text()) for p in sorted((build / "autograder").glob("*.json"))
    }

    def save(student: str | None, stem: str, nb, status: str, questions: dict) -> None:
        """Write a sample; ``student=None`` puts ``nb`` (a path: copied as is) at the top."""
        if student is None:
            student, submission = stem, f"{stem}.ipynb"
            out.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(nb, out / submission)
        elif isinstance(nb, str):  # not a notebook at all
            submission = f"{student}/{stem}.ipynb"
            (out / student).mkdir(parents=True, exist_ok=True)
            (out / submission).write_text(nb)
        else:
            submission = f"{student}/{stem}.ipynb"
            (out / student).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out / submission)
        expected.append(
            {
                "student": student,
                "submission": submission,
                "assignment": metas[stem]["assignment"],
                "status": status,
                "questions": questions,
            }
        )

    for stem, meta in metas.items():
        auto = [q["name"] for q in meta["questions"] if not q["manual"]]
        solution = nbformat.read(build / "solutions" / f"{stem}.ipynb", as_version=4)
        release = build / "release" / f"{stem}.ipynb"
        save("solution", stem, solution, "ok", {q: {"expect": "full"} for q in auto})
        save(None, stem, release, "ok", {q: {"expect": "zero"} for q in auto})
        for k, nb, chosen in wrong_submissions(stem, solution):
            questions = {q: {"expect": "full"} for q in auto}
            for m in chosen:
                questions[m.question] = {
                    "expect": "less",
                    "mistake": m.description,
                    "passes_public": m.passes_public,
                }
            save(f"wrong-{k}", stem, nb, "ok", questions)
    for h in HOSTILE:
        solution = nbformat.read(build / "solutions" / f"{h.notebook}.ipynb", as_version=4)
        questions = {q: {"expect": e, "hostile": h.description} for q, e in h.scores.items()}
        save(h.name, h.notebook, h.make(solution), h.status, questions)
    (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=pathlib.Path, required=True, help="exercises build folder")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="samples folder")
    args = parser.parse_args(argv)
    expected = write_samples(args.build, args.out)
    print(f"{len(expected)} sample submissions in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
