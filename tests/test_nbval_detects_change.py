"""nbval, as this repository configures it, really compares stored notebook outputs.

A book notebook is copied twice into a temporary folder; in one copy a single digit of one
stored output is changed. One pytest subprocess checks both copies with the same options
``make test`` uses (``--nbval``, the sanitize file, this venv's kernel, and the plugin
``tools/nbval_setup.py`` with the notebook environment). The unaltered copy must pass
every cell; the altered copy must fail exactly the altered cell. If the sanitize patterns
hid real output, or nbval ran in lax mode, or outputs were not compared at all, this test
would fail.

A second test checks the other half of the rule (CONTRIBUTING.md, "How each kind of
output is checked"): a cell tagged ``nbval-ignore-output`` (the training chapters' cells
whose digits depend on the processor) is not compared, but it still fails when its
``assert`` fails, and an untagged cell next to it is still compared exactly.

The notebook is the seed chapter ``notebooks/pooling.ipynb`` (small, fast, and checked on
its own by nbval too), or the one named by the environment variable
``NBVAL_CHANGE_NOTEBOOK``; without either, the first of ``notebooks/*.ipynb`` with a digit
in a text output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).absolute().parent.parent
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
TOOLS = ROOT / "tools"
sys.path.insert(0, str(TOOLS))
import notebook_env  # noqa: E402


def _text_outputs(cell: dict):
    """(output, key) pairs of a code cell's outputs that hold text nbval compares."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            yield output, "text"
        elif "text/plain" in output.get("data", {}):
            yield output["data"], "text/plain"


def _alter_one_digit(nb: dict) -> int | None:
    """Change the first digit of the first text output that has one, in place.

    Returns the index of the altered cell among the code cells (nbval's "Cell N"), or
    None when no output has a digit.
    """
    code_cells = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    for number, cell in enumerate(code_cells):
        for holder, key in _text_outputs(cell):
            text = holder[key] if isinstance(holder[key], str) else "".join(holder[key])
            for pos, char in enumerate(text):
                if char.isdigit():
                    new = str((int(char) + 1) % 10)
                    holder[key] = text[:pos] + new + text[pos + 1 :]
                    return number
    return None


def _pick_notebook() -> tuple[Path, dict, int]:
    override = os.environ.get("NBVAL_CHANGE_NOTEBOOK")
    seed = ROOT / "notebooks" / "pooling.ipynb"
    if override:
        candidates = [Path(override)]
    elif seed.is_file():
        candidates = [seed]
    else:
        candidates = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in candidates:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = _alter_one_digit(json.loads(json.dumps(nb)))
        if cell is not None:
            return path, nb, cell
    pytest.fail(f"no notebook with a digit in a stored text output among {candidates}")


def _outcomes(junit_xml: Path) -> dict[str, dict[str, str]]:
    """{"original"|"altered": {"Cell N": "passed"|"failed"|"error"|"skipped"}}."""
    outcomes: dict[str, dict[str, str]] = {"original": {}, "altered": {}}
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        copy = case.get("classname", "").split(".", 1)[0]  # "original.pooling.ipynb"
        outcome = "passed"
        for tag, name in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
            if case.find(tag) is not None:
                outcome = name
        outcomes.setdefault(copy, {})[case.get("name")] = outcome
    return outcomes


def _run_nbval(tmp_path: Path, notebooks: list[Path]) -> tuple[int, dict, str]:
    """Check ``notebooks`` with nbval as ``make test`` does, in a pytest subprocess.

    Returns the exit code, :func:`_outcomes` of its junit report and the end of its log.
    """
    report = tmp_path / "report.xml"
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not the repository's addopts
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "no:cacheprovider",
            "-p",
            "nbval_setup",  # tools/nbval_setup.py, as the root conftest loads it
            "--nbval",
            "--nbval-current-env",
            f"--nbval-sanitize-with={SANITIZE}",
            f"--junitxml={report}",
            "-q",
            *map(str, notebooks),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            **notebook_env.notebook_env(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(TOOLS), os.environ.get("PYTHONPATH")])),
        },
        timeout=900,
    )
    return proc.returncode, _outcomes(report), proc.stdout[-6000:] + proc.stderr[-3000:]


def test_nbval_fails_on_a_changed_output_and_passes_the_original(tmp_path):
    source, nb, altered_cell = _pick_notebook()
    # The notebook's folder is copied whole: notebooks may read files next to them.
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    original_dir = shutil.copytree(source.parent, tmp_path / "original", ignore=ignore)
    altered_dir = shutil.copytree(source.parent, tmp_path / "altered", ignore=ignore)
    _alter_one_digit(nb)
    (altered_dir / source.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")

    returncode, outcomes, log = _run_nbval(
        tmp_path, [original_dir / source.name, altered_dir / source.name]
    )
    assert returncode == 1, f"expected test failures (exit 1), got {returncode}\n{log}"
    n_code_cells = sum(cell["cell_type"] == "code" for cell in nb["cells"])
    every_cell_passes = {f"Cell {i}": "passed" for i in range(n_code_cells)}
    assert outcomes["original"] == every_cell_passes, log
    assert outcomes["altered"] == {**every_cell_passes, f"Cell {altered_cell}": "failed"}, log


def test_ignored_output_is_not_compared_but_its_asserts_still_run(tmp_path):
    """The training chapters tag cells whose digits depend on the processor
    ``nbval-ignore-output`` and check the prose's claims in them: nbval must skip comparing
    such a cell's output, yet fail it when its check fails; an untagged cell stays exact."""
    import nbformat

    def cell(source, output, tags=()):
        c = nbformat.v4.new_code_cell(source, execution_count=1)  # "run", as stored cells are
        c.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)] if output else []
        c.metadata["tags"] = list(tags)
        return c

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("print(0.1 + 0.2)", "0.3\n", ["nbval-ignore-output"]),  # other digits: passes
        cell("accuracy = 0.5\nassert accuracy > 0.9, 'claim'", "", ["nbval-ignore-output"]),
        cell("print(1 + 1)", "3\n"),  # exact: fails
        cell("print(2 + 2)", "4\n"),
    ]
    path = tmp_path / "claims" / "tagged.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    returncode, outcomes, log = _run_nbval(tmp_path, [path])
    assert returncode == 1, log
    assert outcomes["claims"] == {
        "Cell 0": "passed",
        "Cell 1": "failed",
        "Cell 2": "failed",
        "Cell 3": "passed",
    }, log
