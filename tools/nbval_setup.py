"""pytest plugin: make nbval check notebooks the way ``make notebooks`` (nbclient) and
Jupyter ran them. The root ``conftest.py`` loads it for every pytest run in this
repository; a run outside it can load it with ``-p nbval_setup`` (``tools/`` on the path).

* it sets the environment of tools/notebook_env.py (fixed SVG hash salt and date, hash
  seed, one thread) in this process, which nbval's kernels inherit;
* it makes nbval execute cells with ``store_history=True``, as Jupyter and nbclient do.
  nbval 0.11 sends ``store_history=False``, and IPython then decides whether a trailing
  ``;`` silences a cell's result from a history entry that was never written: a cell
  ending in ``ax.legend();`` shows no output in Jupyter but ``<Legend at 0x...>`` under
  nbval, and the stored output can never match.
"""

import inspect
from pathlib import Path

import notebook_env

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


def pytest_configure(config):
    notebook_env.apply()
    _patch_nbval()
    # pyproject's addopts names the sanitize file relative to the repository root; make
    # that work from any working directory.
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute() and not Path(sanitize).exists():
        config.option.nbval_sanitize_with = str(ROOT / sanitize)
