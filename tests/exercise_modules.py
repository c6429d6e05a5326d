"""The exercise scripts as modules, for the tests of the exercises and their grader.

``exercises/build.py`` and ``exercises/samples.py`` are scripts, not a package: they are
loaded once here (``build``, ``samples``), and ``needs_bwrap`` skips what needs the sandbox.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
needs_bwrap = pytest.mark.skipif(
    not os.path.exists("/usr/bin/bwrap") and os.environ.get("CI") != "1",
    reason="bubblewrap is not installed (.ci/run installs it)",
)


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build = _load("exercises_build", ROOT / "exercises" / "build.py")
samples = _load("exercises_samples", ROOT / "exercises" / "samples.py")
