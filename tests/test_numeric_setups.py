"""The training chapters' claims hold under other numeric set-ups, not only the one that
stored the notebooks' outputs.

Networks trained on a CPU give numbers whose last digits depend on the order in which
floating-point sums are added, and that order depends on the kernels oneDNN, MKL and
ATen's vectorized code pick for the processor, and on the number of threads. A reader on
another processor, or with more threads, gets other digits. The chapters therefore check
the claims their prose makes (``pooling_book.claims``) rather than the digits, and this
test proves that those checks pass under three set-ups that change the kernels or the
threads on this very machine:

* ``ONEDNN_MAX_CPU_ISA=SSE41``: oneDNN restricted to SSE4.1 (no AVX), so other kernels;
* ``ATEN_CPU_CAPABILITY=default``: ATen's vectorized CPU kernels without AVX2/AVX-512;
* two threads (``OMP_NUM_THREADS=2`` and ``torch.set_num_threads(2)``): sums split in two.

Each set-up runs in its own subprocess (the variables are read when torch loads). Set-ups
run at the same time while their threads fit the machine's cores (``_batches``: on two
cores the two one-thread set-ups together, then the two-thread one alone): run all at once,
four threads on two cores, the two-thread set-up's threads spin waiting for each other
(measured on a quiet 2-core machine: 236 s at once, 151 s in two batches). Each calls the
chapters' training functions (``pooling_book.training``) with the chapters' settings, not
the whole notebooks, and then the chapters' checks. The numbers it trained come back as
JSON and are printed, so a run with ``-s`` shows how far they moved from the notebooks'
stored run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).absolute().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebook_env  # noqa: E402

TRAINING_CHAPTERS = ("pooling_in_networks.ipynb", "beyond_max_avg.ipynb")
IGNORE_TAG = "nbval-ignore-output"

SETUPS: dict[str, dict[str, str]] = {
    "sse41": {"ONEDNN_MAX_CPU_ISA": "SSE41"},
    "aten-default": {"ATEN_CPU_CAPABILITY": "default"},
    # PASSIVE: a waiting thread sleeps instead of spinning. On a shared 2-core machine a
    # spinning thread takes the core the thread it waits for needs: two epochs of one LeNet
    # took 14 s to 39 s spinning and 1.7 s to 2.4 s passive, with a test run beside them
    # (the same weights to the last bit: the policy changes no arithmetic).
    "two-threads": {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"},
}

# What the two chapters train and check, with their settings (pooling_book.training's
# constants, which the notebooks use too).
WORKER = textwrap.dedent(
    """
    import json, os, sys
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    torch.use_deterministic_algorithms(True)  # as both chapters train
    from pooling_book import claims, training
    from pooling_book.data import make_shapes

    X_train, y_train = make_shapes(**training.TRAIN_SHAPES)
    X_test, y_test = make_shapes(**training.TEST_SHAPES)
    out = {"threads": torch.get_num_threads(), "failures": []}

    def check(function, *args):
        try:
            function(*args)
        except AssertionError as error:
            out["failures"].append(f"{function.__name__}: {error}")

    # Chapter 7 (beyond_max_avg): class activation maps.
    clean_test, _ = make_shapes(**training.TEST_SHAPES, noise=0.0)
    nets = training.train_cam_nets(X_train, y_train)
    stats = {
        name: training.cam_statistics(net, X_test, y_test, clean_test[:, 0] > 0.3)
        for name, net in nets.items()
    }
    out["cam"] = {n: {k: s[k] for k in ("accuracy", "hot", "covered")} for n, s in stats.items()}
    check(claims.check_cam_claims, stats)

    # Chapter 8 (pooling_in_networks): five downsampling kinds, every seed, every shift.
    test_sets = training.shifted_test_sets(**training.TEST_SHAPES, shifts=training.SHIFTS)
    results = training.shift_experiment(
        X_train, y_train, test_sets, seeds=training.LENET_SEEDS, epochs=training.LENET_EPOCHS
    )
    out["accuracy"] = {k: v.tolist() for k, v in results.accuracy.items()}
    out["consistency"] = {k: v.tolist() for k, v in results.consistency.items()}
    check(claims.check_accuracy_claims, results)
    check(claims.check_consistency_claims, results)
    print("RESULT " + json.dumps(out))
    """
)


def _launch(setup: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, **notebook_env.notebook_env(), **setup}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _threads(setup: dict[str, str]) -> int:
    """The threads ``setup``'s worker runs (the notebooks' one, unless it says otherwise)."""
    return int({**notebook_env.notebook_env(), **setup}["OMP_NUM_THREADS"])


def _batches(cores: int) -> list[list[str]]:
    """The set-ups in groups that run at the same time: each group's threads fit in
    ``cores`` (a set-up with more threads than cores runs alone)."""
    batches: list[list[str]] = []
    for name, setup in SETUPS.items():
        last = batches[-1] if batches else None
        if last and sum(_threads(SETUPS[n]) for n in last) + _threads(setup) <= cores:
            last.append(name)
        else:
            batches.append([name])
    return batches


def test_batches_fit_the_cores():
    assert _batches(2) == [["sse41", "aten-default"], ["two-threads"]]
    assert _batches(1) == [["sse41"], ["aten-default"], ["two-threads"]]
    assert _batches(4) == [["sse41", "aten-default", "two-threads"]]


@pytest.fixture(scope="module")
def setup_runs() -> dict[str, dict]:
    """Run the worker under every set-up, in ``_batches``; {set-up: its JSON result}."""
    runs = {}
    for batch in _batches(os.cpu_count() or 1):
        procs = {name: _launch(SETUPS[name]) for name in batch}
        try:
            for name, proc in procs.items():
                # A safety net against a hung process only: on a quiet 2-core machine the
                # two batches take about 100 and 50 seconds.
                stdout, stderr = proc.communicate(timeout=3600)
                lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
                assert proc.returncode == 0 and lines, (
                    f"{name}: exit {proc.returncode}\n{stderr[-4000:]}"
                )
                runs[name] = json.loads(lines[-1].removeprefix("RESULT "))
                print(f"\n{name}: {json.dumps(runs[name])}")
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    return runs


@pytest.mark.notebook  # trains the chapters' networks: minutes, not a quick unit test
@pytest.mark.parametrize("name", list(SETUPS))
def test_training_chapters_claims_hold(setup_runs, name):
    run = setup_runs[name]
    assert run["threads"] == _threads(SETUPS[name])
    assert run["failures"] == [], "\n".join(run["failures"])


def _ignored_and_checked(path: Path) -> tuple[list[int], bool]:
    """Code cells of ``path`` (nbval's numbering) whose output nbval does not compare, and
    whether some code cell calls a check of ``pooling_book.claims``."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) for c in code]
    ignored = [
        n
        for n, (cell, source) in enumerate(zip(code, sources, strict=True))
        if IGNORE_TAG in cell["metadata"].get("tags", []) or "NBVAL_IGNORE_OUTPUT" in source
    ]
    return ignored, any("claims.check_" in source for source in sources)


def test_only_the_training_chapters_skip_comparing_digits_and_they_check_claims():
    """Everything else is compared exactly (CONTRIBUTING.md, "How each kind of output is
    checked"); a chapter whose trained digits are not compared must assert its claims."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        ignored, checked = _ignored_and_checked(path)
        if path.name in TRAINING_CHAPTERS:
            assert ignored and checked, (
                f"{path.name}: ignored cells {ignored}, claims checked {checked}"
            )
        else:
            assert not ignored, f"{path.name}: cells {ignored} are not compared by nbval"


def test_tests_run_on_the_callers_threads_and_notebooks_on_one():
    """``OMP_NUM_THREADS=2 make test`` compares pooling_lib with PyTorch on two threads (in
    every xdist worker), while notebook kernels inherit the notebooks' one thread
    (tools/nbval_setup.py)."""
    import torch

    assert torch.get_num_threads() == int(os.environ["POOLING_TEST_THREADS"])
    assert os.environ["OMP_NUM_THREADS"] == notebook_env.notebook_env()["OMP_NUM_THREADS"]
