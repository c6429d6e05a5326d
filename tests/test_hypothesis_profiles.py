"""The hypothesis profiles of the root ``conftest.py``: ``ci`` (the default) makes every
property test reproducible, and refuses to run one that would draw random examples;
``--hypothesis-seed`` (``make test-explore``) explores.

Each test runs pytest on a small test file in a temporary folder, with the root conftest
loaded as a plugin (``-p conftest``), so the profiles are exercised as a real run uses them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RECORDING = """
import os
from hypothesis import given, settings, strategies as st

def record(x):
    with open(os.environ["DRAWN"], "a") as f:
        f.write(f"{x}\\n")

@given(st.integers())
def test_plain(x):
    record(x)

@settings(max_examples=7)
@given(st.integers())
def test_own_budget(x):
    record(x)
"""


def _pytest(folder: Path, *args: str, drawn: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if drawn is not None:
        env["DRAWN"] = str(drawn)
    plugins = ["-p", "conftest", "-p", "no:cacheprovider", "-p", "no:nbval"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "-q", *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _drawn(tmp_path: Path, *args: str) -> list[str]:
    drawn = tmp_path / f"drawn{len(list(tmp_path.glob('drawn*')))}.txt"
    run = _pytest(tmp_path, "test_record.py", *args, drawn=drawn)
    assert run.returncode == 0, run.stdout + run.stderr
    return drawn.read_text().split()


def test_ci_profile_draws_the_same_examples_every_run(tmp_path):
    (tmp_path / "test_record.py").write_text(RECORDING)
    first = _drawn(tmp_path)
    assert len(first) > 7  # both tests ran, the second with its own budget
    assert _drawn(tmp_path) == first
    # a seed selects the random 'explore' profile: other examples, the same for one seed
    assert _drawn(tmp_path, "--hypothesis-seed=1") != first


def test_ci_profile_refuses_random_property_tests(tmp_path):
    (tmp_path / "test_random.py").write_text(
        "from hypothesis import given, settings, strategies as st\n\n"
        "@settings(derandomize=False)\n"
        "@given(st.integers())\n"
        "def test_random(x):\n"
        "    pass\n"
    )
    run = _pytest(tmp_path, "test_random.py")
    assert run.returncode != 0
    assert "test_random.py::test_random" in run.stderr
    assert "draw random examples under the 'ci' hypothesis profile" in run.stderr
