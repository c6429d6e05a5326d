"""Lint as a test: ``ruff check`` and ``ruff format --check`` over the whole repository
(Python files and notebooks; configuration and exclusions in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).absolute().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--no-cache", "--output-format", "concise", "."],
        ["format", "--no-cache", "--check", "--diff", "."],
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(command):
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, (
        f"`ruff {' '.join(command)}` found problems (fix with `.venv/bin/ruff check --fix` "
        f"and `.venv/bin/ruff format`):\n{proc.stdout[-8000:]}{proc.stderr[-2000:]}"
    )
