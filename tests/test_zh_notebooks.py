"""The Chinese notebooks (locale/zh_CN/notebooks/) are up to date with the English notebooks
and the page catalogues: regenerating them (tools/zh_notebooks.py) would write the same
markdown and code cells (the English code cells, after the one cell that sets the language).
Nothing is executed here; the stored outputs are only checked for
having been made (every English code cell with outputs has outputs) and for stderr.
The translation of a cell's markdown is checked on a small catalogue of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import zh_notebooks  # noqa: E402

ENGLISH = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIX = (
    "run `.venv/bin/python tools/zh_notebooks.py notebooks/{name}.ipynb` (it keeps the outputs "
    "while the code cells are unchanged; add --execute when it says the code changed)"
)


@pytest.mark.parametrize("english", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_chinese_notebook_is_up_to_date(english: Path):
    target = zh_notebooks.OUTPUT_DIR / english.name
    assert target.is_file(), f"no Chinese notebook {target}; " + FIX.format(name=english.stem)
    generated, _report = zh_notebooks.generate(english)
    stored = nbformat.read(target, as_version=4)
    problems = zh_notebooks.stale_cells(generated, stored)
    assert not problems, f"{target.name} is stale: {problems}; " + FIX.format(name=english.stem)


@pytest.mark.parametrize("english", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_chinese_notebook_was_executed_without_stderr(english: Path):
    target = zh_notebooks.OUTPUT_DIR / english.name
    if not target.is_file():
        pytest.fail(f"no Chinese notebook {target}; " + FIX.format(name=english.stem))
    source = nbformat.read(english, as_version=4)
    stored = nbformat.read(target, as_version=4)
    assert zh_notebooks.stderr_outputs(stored) == []
    first = stored.cells[0]
    assert (first.get("id"), first.source) == (
        zh_notebooks.LANGUAGE_CELL_ID,
        zh_notebooks.LANGUAGE_CELL_SOURCE,
    )
    assert "remove-cell" in first.metadata.get("tags", [])
    assert [o.get("text") for o in first.outputs] == ["env: POOLING_BOOK_LANG=zh_CN\n"]
    for i, (x, y) in enumerate(zip(source.cells, stored.cells[1:], strict=True), start=1):
        if x.cell_type == "code" and x.outputs:
            assert y.outputs, f"{target.name} cell {i} has no outputs; " + FIX.format(
                name=english.stem
            )


def test_chinese_notebooks_have_english_counterparts():
    stray = [
        p.name
        for p in zh_notebooks.OUTPUT_DIR.glob("*.ipynb")
        if not (ROOT / "notebooks" / p.name).is_file()
    ]
    assert not stray, f"Chinese notebooks without an English notebook: {stray}"


MARKDOWN = """\
(label)=
# A title

A paragraph that runs
over two lines with {term}`stride`.

* an item
  that wraps
* untranslated item

$$
x = 1
$$

```{admonition} Predict before you run
:class: dropdown
The answer
is here.
```

> quoted text

| kind | max |
| --- | --- |
| max | the largest |
"""

CATALOGUE = {
    "A title": "标题",
    "A paragraph that runs over two lines with {term}`stride`.": (
        "一段文字，{term}`步幅 <stride>`。"
    ),
    "an item that wraps": "一项",
    "untranslated item": "",
    "\nx = 1\n": "\nx = 1\n",
    "Predict before you run": "运行之前先预测",
    "The answer is here.": "答案在这里。",
    "quoted text": "引用",
    "kind": "种类",
    "max": "最大",
    "the largest": "最大的值",
    "an entry no block has": "无",
}

EXPECTED = """\
(label)=
# 标题

一段文字，{term}`步幅 <stride>`。

* 一项
* untranslated item

$$
x = 1
$$

```{admonition} 运行之前先预测
:class: dropdown
答案在这里。
```

> 引用

| 种类 | 最大 |
| --- | --- |
| 最大 | 最大的值 |
"""


def _notebook(tmp_path: Path, markdown: str) -> tuple[Path, Path]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown), nbformat.v4.new_code_cell("x = 1  # 注释")]
    path = tmp_path / "page.ipynb"
    nbformat.write(nb, path)
    po = polib.POFile()
    for msgid, msgstr in CATALOGUE.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    po_path = tmp_path / "page.po"
    po.save(str(po_path))
    return path, po_path


def test_markdown_is_translated_block_by_block(tmp_path):
    path, po_path = _notebook(tmp_path, MARKDOWN)
    generated, report = zh_notebooks.generate(path, po_path)
    assert generated.cells[0].source == zh_notebooks.LANGUAGE_CELL_SOURCE  # added first
    assert generated.cells[1].source == EXPECTED
    assert generated.cells[2].source == "x = 1  # 注释"  # code unchanged
    assert report.untranslated == ["untranslated item"]
    assert report.unmapped_entries == ["an entry no block has"]
    assert report.translated == 11  # the math block's translation is its own text


def test_a_changed_translation_makes_the_notebook_stale(tmp_path):
    path, po_path = _notebook(tmp_path, MARKDOWN)
    stored, _ = zh_notebooks.generate(path, po_path)
    po = polib.pofile(str(po_path))
    po.find("A title").msgstr = "新标题"
    po.save(str(po_path))
    regenerated, _ = zh_notebooks.generate(path, po_path)
    problems = zh_notebooks.stale_cells(regenerated, stored)
    assert len(problems) == 1 and problems[0].startswith("cell 1 (markdown"), problems


def test_a_changed_code_cell_makes_the_notebook_stale(tmp_path):
    path, po_path = _notebook(tmp_path, MARKDOWN)
    stored, _ = zh_notebooks.generate(path, po_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = "x = 2"
    nbformat.write(nb, path)
    regenerated, _ = zh_notebooks.generate(path, po_path)
    assert zh_notebooks.stale_cells(regenerated, stored)[0].startswith("cell 2 (code")
    assert not zh_notebooks.same_code(regenerated, stored)


def test_first_chapter_keeps_the_source_code_and_printed_outputs():
    """Item 8 of issue 20: the first chapter's Chinese notebook has the English notebook's
    code cells (the source's, already Chinese: tests/test_seed_fidelity.py) and the same
    printed outputs, character for character; only figures (Chinese labels) may differ."""
    english = nbformat.read(ROOT / "notebooks" / "pooling.ipynb", as_version=4)
    chinese = nbformat.read(zh_notebooks.OUTPUT_DIR / "pooling.ipynb", as_version=4)
    pairs = list(zip(english.cells, chinese.cells[1:], strict=True))
    assert [x.source for x, _ in pairs if x.cell_type == "code"] == [
        y.source for _, y in pairs if y.cell_type == "code"
    ]

    def printed(cell, name):  # one stream's text (a run may split it into several outputs)
        return "".join(o.text for o in cell.outputs if o.get("name") == name)

    for x, y in pairs:
        if x.cell_type == "code":
            assert printed(x, "stdout") == printed(y, "stdout"), x.source
            assert printed(x, "stderr") == printed(y, "stderr") == "", x.source
