"""Re-execute book notebooks in place, under the environment nbval checks them with.

    .venv/bin/python tools/execute_notebooks.py                 # every notebooks/*.ipynb
    .venv/bin/python tools/execute_notebooks.py notebooks/x.ipynb

(``make notebooks`` runs the first form.) Each notebook runs top to bottom in a fresh
kernel of this virtual environment (the Python running this script), with the notebook's
folder as working directory and the variables of ``tools/notebook_env.py`` set (fixed SVG
hash salt and date, hash seed, one thread). The outputs are written back into the file
together with the state of every ipywidget (``store_widget_state``), which the static
site needs to show widgets; the explorer's anywidget state is dropped (its outputs carry a
static rendering of their own). A cell that raises stops that notebook; the file is then left
unchanged and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager
from traitlets import default

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_env  # noqa: E402

ROOT = notebook_env.ROOT


class CurrentEnvKernelManager(AsyncKernelManager):
    """Starts the kernel of this Python environment, whatever kernelspecs are installed
    (the kernel nbval uses with ``--nbval-current-env``)."""

    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self) -> NbvalKernelspecManager:
        return NbvalKernelspecManager()


def execute_notebook(path: Path, timeout: int) -> None:
    """Run the notebook at ``path`` and store its new outputs in the same file."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_manager_class=CurrentEnvKernelManager,
        kernel_name=CURRENT_ENV_KERNEL_NAME,
        timeout=timeout,
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
        allow_errors=False,
    )
    client.execute()
    # Keep the file free of per-run noise: no execution timestamps, no stale widget state.
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    widgets = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    if widgets is not None:
        # anywidgets (the explorer) carry their own static rendering in each output's
        # text/html, which the site shows; their saved state would only add their module.
        # Their Layout and Style models go with them.
        state = widgets.get("state", {})
        for model_id in [k for k, v in state.items() if v.get("model_module") == "anywidget"]:
            for value in state.pop(model_id).get("state", {}).values():
                if isinstance(value, str) and value.startswith("IPY_MODEL_"):
                    state.pop(value.removeprefix("IPY_MODEL_"), None)
        if not state:
            nb.metadata.pop("widgets")
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to execute (default: every notebooks/*.ipynb)",
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds one cell may run (default 600)"
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found in notebooks/", file=sys.stderr)
        return 1
    notebook_env.apply()
    failed = []
    for path in paths:
        if not path.is_file() or path.suffix != ".ipynb":
            print(f"not a notebook file: {path}", file=sys.stderr)
            failed.append(path)
            continue
        start = time.perf_counter()
        try:
            execute_notebook(path.resolve(), args.timeout)
        except CellExecutionError as err:
            print(f"FAILED {path}:\n{err}", file=sys.stderr)
            failed.append(path)
            continue
        print(f"executed {path} in {time.perf_counter() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
