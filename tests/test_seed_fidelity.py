"""The source's code and printed outputs appear, unchanged, in the first chapter.

The source (called "the seed" inside the repository, never on a page) is a Chinese study
note on d2l's pooling section. Nothing from it is copied into this file: its ```python
blocks and the indented output blocks that follow them are parsed from the text itself.
The chapter defines ``pool2d`` in its own cell, exactly as the source does; the library's
copy, ``pooling_lib.loops.pool2d``, must be that cell character for character (as d2l's
``#@save`` keeps its package in step with its text).
"""

from __future__ import annotations

import inspect
import json
import os
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest

import pooling_lib.loops

ROOT = Path(__file__).resolve().parents[1]
# The seed is kept in the repository (book/seed/), a copy of the workplace's
# ../shared/seed/ file, so a clean clone can check itself; POOLING_SEED points elsewhere.
SEED_NAME = "000_d4819e0d184756e1.txt"
SEED = Path(os.environ.get("POOLING_SEED", ROOT / "book" / "seed" / SEED_NAME))
SHARED_SEED = ROOT.parent / "shared" / "seed" / SEED_NAME
NOTEBOOK = ROOT / "notebooks" / "pooling.ipynb"


@dataclass
class SeedBlock:
    code: list[str]
    output: str | None = None


@dataclass
class Notebook:
    code_lines: list[str] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)  # one entry per code cell
    cells: list[str] = field(default_factory=list)  # the source of each code cell


def parse_seed(text: str) -> list[SeedBlock]:
    """Split the seed into its ```python blocks, each with the output printed below it.

    An output block is the run of lines indented by 4 spaces that follows a code block's
    closing fence (blank lines before it skipped). Each line loses its 4-space indent;
    the last line, which holds only the indent, is the newline that ``print`` ends with.
    """
    lines = text.splitlines()
    blocks: list[SeedBlock] = []
    k = 0
    while k < len(lines):
        if lines[k].strip() != "```python":
            k += 1
            continue
        end = lines.index("```", k + 1)
        block = SeedBlock(code=lines[k + 1 : end])
        k = end + 1
        while k < len(lines) and lines[k] == "":
            k += 1
        out = []
        while k < len(lines) and lines[k].startswith("    "):
            out.append(lines[k][4:])
            k += 1
        if out:
            block.output = "\n".join(out)
        blocks.append(block)
    return blocks


def read_notebook(path: Path) -> Notebook:
    nb = json.loads(path.read_text(encoding="utf-8"))
    result = Notebook()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        if "colab-install" in cell.get("metadata", {}).get("tags", []):
            continue  # runs only on Colab, hidden on the page (tools/colab_cell.py)
        result.code_lines.extend("".join(cell["source"]).splitlines())
        result.cells.append("".join(cell["source"]))
        result.stdout.append(
            "".join(
                "".join(o["text"])
                for o in cell.get("outputs", [])
                if o["output_type"] == "stream" and o["name"] == "stdout"
            )
        )
    return result


def find_lines_in_order(wanted: list[str], lines: list[str], start: int = 0) -> int:
    """Index after the last match of ``wanted`` (non-blank, in order) in ``lines``.

    Lines must be equal up to trailing whitespace. Raises AssertionError naming the first
    seed line that is missing.
    """
    pos = start
    for line in wanted:
        if not line.strip():
            continue
        while pos < len(lines) and lines[pos].rstrip() != line.rstrip():
            pos += 1
        assert pos < len(lines), f"seed code line missing (or out of order): {line!r}"
        pos += 1
    return pos


def find_outputs_in_order(outputs: list[str | None], stdout: list[str]) -> None:
    """Each output must be a substring of one cell's stdout, cells in increasing order."""
    cell = 0
    for out in outputs:
        if out is None:
            continue
        while cell < len(stdout) and out not in stdout[cell]:
            cell += 1
        assert cell < len(stdout), f"seed output missing (or out of order):\n{out}"
        cell += 1


@pytest.fixture(scope="module")
def seed_blocks() -> list[SeedBlock]:
    return parse_seed(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def notebook() -> Notebook:
    return read_notebook(NOTEBOOK)


def test_seed_parses_into_its_blocks(seed_blocks):
    # The seed has five code blocks, each followed by printed output.
    assert len(seed_blocks) == 5
    assert all(b.output and b.output.endswith("\n") for b in seed_blocks)
    assert seed_blocks[0].code[0] == "import torch"
    assert seed_blocks[0].output.startswith("tensor([[4., 5.],\n        [7., 8.]])\n")
    # A blank line printed inside a tensor (between channels) is kept.
    assert "]],\n\n         [[" in seed_blocks[4].output


def test_every_seed_code_line_is_in_the_notebook_in_order(seed_blocks, notebook):
    pos = 0
    for block in seed_blocks:
        pos = find_lines_in_order(block.code, notebook.code_lines, pos)


def test_every_seed_output_is_stored_character_for_character(seed_blocks, notebook):
    find_outputs_in_order([b.output for b in seed_blocks], notebook.stdout)


def seed_definition(seed_blocks: list[SeedBlock]) -> str:
    """The source's ``def pool2d`` ... ``return Y``, as it is written there."""
    code = seed_blocks[0].code
    first = next(k for k, line in enumerate(code) if line.startswith("def pool2d"))
    last = next(k for k, line in enumerate(code) if line.strip() == "return Y")
    return "\n".join(code[first : last + 1])


def library_definition() -> str:
    """``pooling_lib.loops.pool2d``'s source without its decorator lines."""
    source = inspect.getsource(pooling_lib.loops.pool2d)
    return "\n".join(line for line in source.splitlines() if not line.startswith("@"))


def assert_same_code(ours: str, theirs: str, what: str) -> None:
    for k, (a, b) in enumerate(zip(ours.splitlines(), theirs.splitlines(), strict=False)):
        assert a == b, f"{what}, line {k + 1}: {a!r} != {b!r}"
    assert ours == theirs, f"{what}: different length or line ends"


def test_chapter_defines_pool2d_in_its_own_cell_as_the_seed_does(seed_blocks, notebook):
    cells = [c for c in notebook.cells if "def pool2d" in c]
    assert len(cells) == 1, "exactly one chapter cell defines pool2d"
    assert_same_code(cells[0], seed_definition(seed_blocks), "chapter cell vs source")


def test_library_copy_of_pool2d_is_the_chapter_cell(notebook):
    (cell,) = [c for c in notebook.cells if "def pool2d" in c]
    assert_same_code(library_definition(), cell, "pooling_lib.loops.pool2d vs chapter cell")


def test_a_changed_library_character_is_caught(notebook):
    (cell,) = [c for c in notebook.cells if "def pool2d" in c]
    changed = library_definition().replace("p_h+1", "p_h+2")
    with pytest.raises(AssertionError, match="line 3"):
        assert_same_code(changed, cell, "changed copy")


def test_notebook_opens_like_the_seed(seed_blocks, notebook):
    first_imports = [line for line in seed_blocks[0].code if line.strip()][:3]
    assert notebook.code_lines[:3] == first_imports
    assert "from d2l import torch as d2l" in first_imports


# The checks above must be able to fail: a one-character change is caught.
def test_a_changed_output_character_is_caught(seed_blocks, notebook):
    changed = list(notebook.stdout)
    k = next(i for i, out in enumerate(changed) if seed_blocks[2].output in out)
    changed[k] = changed[k].replace("10.", "11.")
    with pytest.raises(AssertionError, match="seed output missing"):
        find_outputs_in_order([b.output for b in seed_blocks], changed)


def test_a_changed_code_character_is_caught(seed_blocks, notebook):
    changed = [line.replace("stride=(2,3)", "stride=(2,2)") for line in notebook.code_lines]
    with pytest.raises(AssertionError, match="stride=\\(2,3\\)"):
        pos = 0
        for block in seed_blocks:
            pos = find_lines_in_order(block.code, changed, pos)


def test_reordered_cells_are_caught(seed_blocks, notebook):
    with pytest.raises(AssertionError, match="out of order"):
        find_outputs_in_order([b.output for b in reversed(seed_blocks)], notebook.stdout)


def test_broken_image_is_replaced_by_a_drawn_figure():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "5_polling/1.png" not in markdown
    figure_cells = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code" and "draw_pooling_window(" in "".join(c["source"])
    ]
    assert figure_cells
    for cell in figure_cells:
        assert any("image/png" in o.get("data", {}) for o in cell["outputs"])


def test_notebook_has_no_stderr_or_errors_and_the_python3_kernel():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), out


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="no ../shared/seed beside this clone")
def test_repository_copy_of_the_seed_is_unchanged():
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def _rendered_outputs(html: str) -> list[str]:
    """The text of every cell output block on a rendered page, tags stripped."""
    blocks = re.findall(
        r'<div class="cell_output docutils container">(.*?)</div>\s*</div>\s*</div>',
        html,
        flags=re.S,
    )
    texts = []
    for block in blocks:
        for pre in re.findall(r"<pre>(.*?)</pre>", block, flags=re.S):
            texts.append(unescape(re.sub(r"<[^>]+>", "", pre)))
    return texts


def test_every_seed_output_is_on_the_rendered_page(seed_blocks, built_site):
    page = (built_site / "notebooks" / "pooling.html").read_text(encoding="utf-8")
    rendered = "\n".join(_rendered_outputs(page))
    assert rendered, "no cell output found on the rendered chapter page"
    for block in seed_blocks:
        assert block.output.rstrip("\n") in rendered, (
            f"seed output not on the rendered page:\n{block.output}"
        )
