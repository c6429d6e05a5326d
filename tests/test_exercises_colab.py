"""The exercises on Colab: the public tests run where the kernel does not see the notebook file.

On Colab the notebook is not in the kernel's working folder, and otter refuses the tests
stored in the notebook's metadata there. The release's first code cell (``exercises/build.py``,
tag ``colab-tests``) writes the public tests to ``tests/``. Here the solutions notebook runs in
a kernel whose working folder does not hold it, with otter made to believe it runs on Colab
(its Colab check looks for ``google.colab`` in the IPython shell's name); every
``grader.check`` must then pass.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from exercise_modules import build
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

# The tests that execute a notebook in a kernel are marked notebook one by one: the last
# test of this file reads the built site (site), and a test has exactly one kind.

# Its first line spares the kernel 2.3 s of CPU: jsonschema, which otter imports (through
# nbformat), builds 39 Earley parsers for its "iri" formats where rfc3987_syntax is installed;
# nothing otter checks has those formats (pooling_grader.cli._skip_iri_parsers, the same).
PRETEND_COLAB = """\
import sys; sys.modules.setdefault("rfc3987_syntax", None)  # noqa: E702
from otter.check.utils import IPythonInterpreter

IPythonInterpreter.COLAB.value.check_strs[:] = ["ipykernel"]  # this kernel counts as Colab
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("colab-exercises")
    build.build(out, [ROOT / "exercises" / "masters" / "pooling_loops.ipynb"])
    return out


def _fake_google_colab(folder: Path) -> None:
    """An importable ``google.colab`` (the kernel's folder is on its path): the cell then
    believes it is on Colab and runs pip, which finds otter-grader already installed."""
    (folder / "google").mkdir()
    (folder / "google" / "__init__.py").write_text("")
    (folder / "google" / "colab.py").write_text("")


def _run(nb: nbformat.NotebookNode, folder: Path) -> list[str]:
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()  # fmt: skip
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", "") + str(out.get("data", {}).get("text/plain", "")))
            if out.get("output_type") == "error":
                texts.append(f"ERROR {out['ename']}: {out['evalue']}")
    return texts


@pytest.mark.notebook
def test_release_has_one_hidden_colab_cell_with_the_public_tests(built: Path) -> None:
    nb = nbformat.read(built / "release" / "pooling_loops.ipynb", as_version=4)
    cells = [c for c in nb.cells if build.COLAB_TAG in c.metadata.get("tags", [])]
    assert len(cells) == 1 and "remove-cell" in cells[0].metadata["tags"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0] is cells[0] and code[1].source.startswith("# Initialize Otter")
    for name, source in nb.metadata["otter"]["tests"].items():
        assert repr(name)[1:-1] in cells[0].source and "def test_" in source
    published = (ROOT / "book" / "exercises" / "pooling_loops.ipynb").read_bytes()
    assert (built / "release" / "pooling_loops.ipynb").read_bytes() == published


@pytest.mark.notebook
def test_public_tests_run_without_the_notebook_file(built: Path, tmp_path: Path) -> None:
    nb = nbformat.read(built / "solutions" / "pooling_loops.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PRETEND_COLAB))
    assert not list(tmp_path.glob("*.ipynb"))  # the kernel's folder holds no notebook
    _fake_google_colab(tmp_path)
    texts = _run(nb, tmp_path)
    joined = "\n".join(texts)
    assert "ERROR" not in joined, joined
    assert "pool2d_loops results: All test cases passed!" in joined, joined
    assert "max_pool_backward results: All test cases passed!" in joined, joined
    assert sorted(p.name for p in (tmp_path / "tests").iterdir()) == [
        "max_pool_backward.py",
        "pool2d_loops.py",
    ]
    placeholder = nbformat.read(tmp_path / "pooling_loops.ipynb", as_version=4)
    assert placeholder.cells == []  # what otter opens: no tests in it, they are in tests/


@pytest.mark.notebook
def test_without_the_cell_otter_fails_on_colab(built: Path, tmp_path: Path) -> None:
    """The cell is what makes it work: otter alone finds no tests on Colab."""
    nb = nbformat.read(built / "solutions" / "pooling_loops.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if build.COLAB_TAG not in c.metadata.get("tags", [])]
    nb.cells.insert(0, nbformat.v4.new_code_cell(PRETEND_COLAB))
    with pytest.raises(Exception, match="Tests directory ./tests does not exist"):
        _run(nb, tmp_path)


@pytest.mark.site
def test_exercise_pages_have_launch_buttons(built_site) -> None:
    """Each exercise page opens on Binder and on Colab, as the chapters do."""
    for stem in ("pooling_loops", "pooling_and_convolution", "pooling_variants"):
        html = (built_site / "book" / "exercises" / f"{stem}.html").read_text()
        assert (
            "colab.research.google.com/github/" in html and f"book/exercises/{stem}.ipynb" in html
        )
        assert "mybinder.org/v2/gh/" in html, stem


def test_the_pages_say_how_to_open_an_exercise_on_colab() -> None:
    """The exercises' index names the Colab button beside Binder's, and the teachers' notes
    no longer say that Colab does not work."""
    index = (ROOT / "book" / "exercises" / "index.md").read_text(encoding="utf-8")
    assert "**Binder**" in index and "**Colab**" in index
    teachers = (ROOT / "book" / "teachers.md").read_text(encoding="utf-8")
    assert "Colab does not work" not in teachers and "the Colab button" in teachers
    # A modified argument fails its test case (session.ModifiedInput): it never comes back.
    assert "comes back modified" not in teachers and "modified its input in place" in teachers
