"""The package works outside this repository: built as a wheel, installed into a folder of
its own, it runs every chapter from a temporary folder.

1. The sources of the distribution (``pyproject.toml``, ``README.md``, ``pooling_lib/``,
   ``pooling_book/``) are copied to a temporary folder and built there with
   ``pip wheel --no-deps --no-build-isolation`` (the checkout stays clean).
2. The wheel is installed with ``pip install --no-deps --target <tmp>/site``.
3. Every chapter (``notebooks/*.ipynb``) runs top to bottom, with nbclient, in a kernel
   started from a temporary working folder with ``python -S``: no ``site`` processing, so
   not the venv's editable install of this checkout either; ``PYTHONPATH`` holds the wheel's
   folder, then the venv's site-packages (the third-party packages only). A first cell
   added to each notebook asserts that ``pooling_lib`` and ``pooling_book`` come from the
   wheel and that no path of the checkout (but the venv's) is on ``sys.path``. Outputs are
   not compared (nbval does that for the checkout); a cell that raises fails the test.

The chapters run three at a time. Marked ``notebook`` (``tools/pytest_markers.py``).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from traitlets import default

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DISTRIBUTION = ("pyproject.toml", "README.md", "pooling_lib", "pooling_book", "pooling_grader")
KERNEL = "pooling-wheel"
PARALLEL = 3
CELL_TIMEOUT = 300
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in IPython tracebacks

pytestmark = pytest.mark.notebook


def _pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory) -> Path:
    """The folder the wheel was installed into (``pip install --target``)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in DISTRIBUTION:
        path = ROOT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(src))
    (wheel,) = (tmp / "dist").glob("*.whl")
    site = tmp / "site"
    _pip("install", "--no-deps", "--no-compile", "--target", str(site), str(wheel))
    return site


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


def _kernel_dir(base: Path, site: Path) -> Path:
    """A kernelspec: this venv's Python with ``-S`` and the wheel's folder first."""
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    spec = {
        "argv": [sys.executable, "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pooling wheel",
        "language": "python",
        "env": {"PYTHONPATH": ":".join([str(site), *paths])},
    }
    folder = base / "kernels" / KERNEL
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps(spec))
    return base / "kernels"


def _provenance_cell(site: Path) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(
        "import sys, pooling_lib, pooling_book\n"
        f"site, root, venv = {str(site)!r}, {str(ROOT)!r}, {sys.prefix!r}\n"
        "assert pooling_lib.__file__.startswith(site), pooling_lib.__file__\n"
        "assert pooling_book.__file__.startswith(site), pooling_book.__file__\n"
        "checkout = [p for p in sys.path if p.startswith(root) and not p.startswith(venv)]\n"
        "assert not checkout, checkout\n"
    )


def test_every_chapter_runs_from_the_installed_wheel(wheel_site, tmp_path):
    assert len(CHAPTERS) >= 8, CHAPTERS
    kernels = _kernel_dir(tmp_path, wheel_site)

    class WheelKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _default_kernel_spec_manager(self) -> KernelSpecManager:
            return KernelSpecManager(kernel_dirs=[str(kernels)])

    async def run(path: Path, limit: asyncio.Semaphore) -> str | None:
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, _provenance_cell(wheel_site))
        workdir = tmp_path / "run" / path.stem
        workdir.mkdir(parents=True)
        client = NotebookClient(
            nb,
            kernel_manager_class=WheelKernelManager,
            kernel_name=KERNEL,
            timeout=CELL_TIMEOUT,
            resources={"metadata": {"path": str(workdir)}},
            allow_errors=False,
        )
        async with limit:
            try:
                await client.async_execute()
            except Exception as error:  # CellExecutionError, DeadKernelError, timeouts
                text = ANSI.sub("", str(error))
                return f"{path.name}: {type(error).__name__}: {text[-1500:]}"
        return None

    async def run_all() -> list[str]:
        limit = asyncio.Semaphore(PARALLEL)
        results = await asyncio.gather(*(run(path, limit) for path in CHAPTERS))
        return [r for r in results if r]

    failures = asyncio.run(run_all())
    assert not failures, "\n\n".join(failures)
