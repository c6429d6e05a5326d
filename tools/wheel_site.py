"""Build the distribution as a wheel and install it into a folder of its own.

Used by nbval (``tools/nbval_setup.py``: the chapters' kernels import ``pooling_lib`` and
``pooling_book`` from this folder, not from the checkout) and by ``tests/test_wheel.py``
(what the wheel holds).

1. The sources of the distribution (:data:`DISTRIBUTION`) are copied to a temporary
   folder and built there with ``pip wheel --no-deps --no-build-isolation`` (the checkout
   stays clean).
2. The wheel is installed with ``pip install --no-deps --no-compile --target <tmp>/site``.

:func:`kernel_spec` describes a kernel that sees the wheel and the venv's third-party
packages but not the checkout: this venv's Python with ``-S`` (no ``site`` processing, so
not the venv's editable install of this checkout either) and ``PYTHONPATH`` holding the
wheel's folder, then the venv's site-packages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = ("pyproject.toml", "README.md", "pooling_lib", "pooling_book", "pooling_grader")


def _pip(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def build(folder: Path) -> Path:
    """Build the wheel in ``folder`` (a new or empty folder) and install it into
    ``folder/site``; return ``folder/site``."""
    src = folder / "src"
    src.mkdir(parents=True)
    for name in DISTRIBUTION:
        path = ROOT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(folder / "dist"), str(src))
    (wheel,) = (folder / "dist").glob("*.whl")
    site = folder / "site"
    _pip("install", "--no-deps", "--no-compile", "--target", str(site), str(wheel))
    return site


def kernel_spec(site: Path) -> dict:
    """A kernelspec (``kernel.json``'s fields) for a kernel that imports from ``site``."""
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    return {
        "argv": [sys.executable, "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pooling wheel",
        "language": "python",
        "env": {"PYTHONPATH": ":".join([str(site), *paths])},
    }
