"""The package works outside this repository: built as a wheel and installed into a folder
of its own (``tools/wheel_site.py``), it holds what the chapters need, and nbval runs every
chapter from it.

The chapters themselves are not executed here a second time: nbval's kernels import
``pooling_lib`` and ``pooling_book`` from the wheel (``tools/nbval_setup.py``), so the one
execution of each chapter that checks its stored outputs also proves that it runs from the
installed package. What this file checks is that premise: the wheel's contents, and that a
kernel started the way nbval starts one imports both packages from the wheel and sees no
package of the checkout. Marked ``notebook`` (``tools/pytest_markers.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbval_setup
import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def wheel_site() -> Path:
    """The folder this run's wheel was installed into (the one nbval's kernels use)."""
    return nbval_setup.installed_wheel()


def test_wheel_holds_both_packages_and_the_benchmark_results(wheel_site):
    for module in ("pooling_lib/functional.py", "pooling_book/drawing/bench_plot.py"):
        assert (wheel_site / module).is_file(), module
    results = wheel_site / "pooling_book" / "bench_results" / "pooling.json"
    assert json.loads(results.read_text())["rows"], "the benchmark results the book plots"
    top = sorted(p.name for p in wheel_site.iterdir())
    assert top == [
        "bin",
        "pooling_book",
        "pooling_grader",
        "pooling_lib",
        "pooling_lib-0.1.0.dist-info",
    ], top
    assert (wheel_site / "bin" / "pooling-grade").is_file()  # the grader's command
    assert (wheel_site / "pooling_grader" / "runner.py").is_file()
    (record,) = wheel_site.glob("pooling_lib-*.dist-info/RECORD")
    assert "pooling_book/bench_results/pooling.json" in record.read_text()


def test_nbval_kernels_import_both_packages_from_the_wheel(wheel_site, monkeypatch):
    """Start a kernel exactly as nbval does (its kernelspec manager, the notebook's folder
    as working directory) and ask it where the packages come from."""
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel

    monkeypatch.delenv(nbval_setup.KERNEL_VARIABLE, raising=False)
    kernel = RunningKernel(CURRENT_ENV_KERNEL_NAME, cwd=str(ROOT / "notebooks"))
    try:
        code = (
            "import json, sys, pooling_lib, pooling_book, pooling_book.training\n"
            "print(json.dumps([pooling_lib.__file__, pooling_book.__file__,"
            " pooling_book.training.__file__, sys.path, sys.flags.no_site]))"
        )
        kernel.execute_cell_input(code, allow_stdin=False)
        streams = []
        while True:
            msg = kernel.get_message(stream="iopub", timeout=120)
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                streams.append(content["text"])
            elif kind == "error":
                pytest.fail("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        kernel.stop()
    *files, path, no_site = json.loads("".join(streams))
    for file in files:
        assert file.startswith(str(wheel_site)), file
    assert no_site == 1  # python -S: not the venv's editable install of the checkout
    checkout = [p for p in path if p.startswith(str(ROOT)) and not p.startswith(sys.prefix)]
    # the kernel's working directory (notebooks/, as under nbval) holds no package
    assert checkout in ([], [str(ROOT / "notebooks")]), checkout
    assert not list((ROOT / "notebooks").glob("*.py")), "a module beside the notebooks"


def test_nbval_kernels_can_run_on_the_checkout_when_asked(monkeypatch):
    monkeypatch.setenv(nbval_setup.KERNEL_VARIABLE, "checkout")
    assert not nbval_setup.kernels_use_the_wheel()
    monkeypatch.setenv(nbval_setup.KERNEL_VARIABLE, "chekout")
    with pytest.raises(ValueError, match="POOLING_NBVAL_KERNEL='chekout'"):
        nbval_setup.kernels_use_the_wheel()
