"""pytest plugin: make nbval check notebooks the way ``make notebooks`` (nbclient) and
Jupyter ran them. The root ``conftest.py`` loads it for every pytest run in this
repository; a run outside it can load it with ``-p nbval_setup`` (``tools/`` on the path).

* it sets the environment of tools/notebook_env.py (fixed SVG hash salt and date, hash
  seed, one thread) in this process, which nbval's kernels inherit; the tests that run in
  this process itself (the library against PyTorch, the drawings) keep the thread count the
  caller asked for with ``OMP_NUM_THREADS`` (one when unset): ``OMP_NUM_THREADS=2 make
  test`` compares pooling_lib with PyTorch on two threads, while every notebook still runs
  on one (``POOLING_TEST_THREADS`` carries the caller's value to pytest-xdist's workers, which
  inherit the environment after it was set to one);
* it makes nbval execute cells with ``store_history=True``, as Jupyter and nbclient do.
  nbval 0.11 sends ``store_history=False``, and IPython then decides whether a trailing
  ``;`` silences a cell's result from a history entry that was never written: a cell
  ending in ``ax.legend();`` shows no output in Jupyter but ``<Legend at 0x...>`` under
  nbval, and the stored output can never match;
* it runs nbval's kernels from the installed wheel: the first kernel of a run builds the
  distribution as a wheel and installs it into a temporary folder (``tools/wheel_site.py``,
  some seconds), and every kernel then imports ``pooling_lib`` and ``pooling_book`` from
  there, with this venv's third-party packages but without the checkout's editable
  install. So one execution of each chapter checks both its stored outputs and that the
  package works installed, away from the checkout (a module or data file missing from the
  wheel fails the chapter that uses it). ``POOLING_NBVAL_KERNEL=checkout`` runs the kernels
  on the checkout instead (quicker while editing one notebook; ``make test`` never sets it).
"""

import atexit
import functools
import inspect
import os
import shutil
import tempfile
from pathlib import Path

import notebook_env
import wheel_site

ROOT = notebook_env.ROOT


def _execute_with_history(self, cell_input, allow_stdin=None):
    """nbval's RunningKernel.execute_cell_input, but recording history like Jupyter."""
    return self.kc.execute(
        cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False
    )


def _patch_nbval() -> None:
    try:
        from nbval.kernel import RunningKernel
    except ImportError:  # nbval not installed: nothing to patch
        return
    original = RunningKernel.execute_cell_input
    if original is _execute_with_history:
        return
    source = inspect.getsource(original)
    if "store_history=False" not in source or "self.kc.execute(" not in source:
        raise RuntimeError(
            "conftest.py: nbval's RunningKernel.execute_cell_input changed; re-check the "
            "store_history patch in the root conftest.py against this nbval version"
        )
    RunningKernel.execute_cell_input = _execute_with_history


#: Set to ``checkout`` to run nbval's kernels on the checkout instead of the wheel.
KERNEL_VARIABLE = "POOLING_NBVAL_KERNEL"


@functools.cache
def installed_wheel() -> Path:
    """The folder this run's wheel is installed in, built on first use, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="pooling-wheel-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return wheel_site.build(folder)


def kernels_use_the_wheel() -> bool:
    value = os.environ.get(KERNEL_VARIABLE, "wheel")
    if value not in ("wheel", "checkout"):
        raise ValueError(f"{KERNEL_VARIABLE}={value!r}: must be 'wheel' or 'checkout'")
    return value == "wheel"


def _patch_kernel_spec() -> None:
    try:
        from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager
    except ImportError:  # nbval not installed: nothing to patch
        return
    original = NbvalKernelspecManager.get_kernel_spec
    if getattr(original, "_pooling_wheel", False):
        return

    def get_kernel_spec(self, kernel_name):
        if kernel_name != CURRENT_ENV_KERNEL_NAME or not kernels_use_the_wheel():
            return original(self, kernel_name)
        import ipykernel.kernelspec

        spec = wheel_site.kernel_spec(installed_wheel())
        return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)

    get_kernel_spec._pooling_wheel = True
    NbvalKernelspecManager.get_kernel_spec = get_kernel_spec


# The thread count the caller of pytest asked for, kept for this process and passed to the
# xdist workers (whose environment already holds the notebooks' one thread).
TEST_THREADS = "POOLING_TEST_THREADS"


def pytest_configure(config):
    threads = os.environ.setdefault(TEST_THREADS, os.environ.get("OMP_NUM_THREADS", "1"))
    notebook_env.apply()
    if threads != notebook_env.notebook_env()["OMP_NUM_THREADS"]:
        import torch  # loaded under the notebooks' one thread, then given the caller's

        torch.set_num_threads(int(threads))
    _patch_nbval()
    _patch_kernel_spec()
    # pyproject's addopts names the sanitize file relative to the repository root; make
    # that work from any working directory.
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute() and not Path(sanitize).exists():
        config.option.nbval_sanitize_with = str(ROOT / sanitize)
