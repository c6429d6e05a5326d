"""Generate (and execute) the Chinese notebooks from the English ones and the page catalogues.

    .venv/bin/python tools/zh_notebooks.py                     # regenerate every notebook
    .venv/bin/python tools/zh_notebooks.py notebooks/x.ipynb   # regenerate one
    .venv/bin/python tools/zh_notebooks.py --execute [...]     # regenerate, then execute
    .venv/bin/python tools/zh_notebooks.py --check [...]       # exit 1 if any is stale
    .venv/bin/python tools/zh_notebooks.py --compile           # figure labels: .po -> .mo

For each ``notebooks/<name>.ipynb`` it writes ``locale/zh_CN/notebooks/<name>.ipynb``:

* **Markdown cells**, translated block by block with the msgid -> msgstr entries of the
  page's catalogue ``locale/zh_CN/LC_MESSAGES/notebooks/<name>.po``. A cell is parsed with
  myst-parser's markdown-it (the parser myst-nb uses), and each block whose text Sphinx
  extracts as one message is replaced: a paragraph, list-item paragraph, heading or table
  cell (its msgid is its text with newlines turned into spaces, as
  ``sphinx.util.nodes.extract_messages`` makes it), a ``$$`` math block (its content
  verbatim), and a directive's argument (the title of ``{admonition}``); a directive's
  body is translated in the same way, after its ``:option:`` lines. Entries without a
  translation (empty or fuzzy) keep the English and are reported; so are catalogue entries
  no block of the notebook maps to (and blocks that map to no entry, with ``--verbose``).
* **Code cells** unchanged: the same source, cell ids, metadata and order as the English,
  after one added first cell, ``%env POOLING_BOOK_LANG=zh_CN`` and
  ``pooling_book.i18n.translate_figure_text()`` (tagged ``remove-cell``: the book does not
  show it), so that the notebook draws Chinese figures wherever it runs (Binder, Colab, a
  local Jupyter), the text of its own cells' figures included.
  Their outputs come from executing the Chinese notebook (``--execute``) with
  ``POOLING_BOOK_LANG=zh_CN`` (so pooling_book's figures carry Chinese labels), through
  ``tools/execute_notebooks.py`` under ``tools/notebook_env.py``'s environment. A cell that
  writes to stderr fails the execution (a missing CJK glyph is already an error there).
  When a notebook is regenerated without ``--execute``, the outputs of the existing Chinese
  notebook are kept if its code cells are still the English ones, else dropped (the tool
  then says that the notebook needs ``--execute``).

``tests/test_zh_notebooks.py`` checks that every Chinese notebook is what regenerating
would write (markdown and code; outputs are not compared).
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import polib
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_CN"
ENGLISH_DIR = ROOT / "notebooks"
CATALOGUE_DIR = ROOT / "locale" / LANGUAGE / "LC_MESSAGES" / "notebooks"
OUTPUT_DIR = ROOT / "locale" / LANGUAGE / "notebooks"
# Jupyter Book 1's default MyST extensions (the book's _config.yml sets none of its own).
MYST_EXTENSIONS = {"colon_fence", "dollarmath", "linkify", "substitution", "tasklist"}
# Directives whose body is not markdown (left alone).
LITERAL_DIRECTIVES = {"code", "code-block", "code-cell", "math", "raw", "eval-rst", "glossary"}
# The first cell of every Chinese notebook: it sets the language before pooling_book is
# imported, so a kernel on Binder or Colab draws the figures in Chinese too, and has the
# text the notebook's own cells give matplotlib translated (pooling_book.i18n). Tagged
# remove-cell, the book does not show it: a page shows the English notebook's code cells.
LANGUAGE_CELL_ID = "zh-cn-language"
LANGUAGE_CELL_SOURCE = (
    f"%env POOLING_BOOK_LANG={LANGUAGE}\n"
    "import pooling_book.i18n\n"
    "\n"
    "pooling_book.i18n.translate_figure_text()  # the figure text of this notebook's cells"
)
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:[\w-]+:")


@dataclass
class Report:
    """What translating one notebook did: how many blocks were translated, and which
    entries stayed English or mapped to nothing."""

    name: str
    translated: int = 0
    untranslated: list[str] = field(default_factory=list)  # msgids without msgstr
    unmapped_entries: list[str] = field(default_factory=list)  # msgids no block maps to
    unmapped_blocks: list[str] = field(default_factory=list)  # blocks with no msgid

    def lines(self, verbose: bool = False) -> list[str]:
        """The report as lines of text."""
        out = [
            f"{self.name}: {self.translated} blocks translated, "
            f"{len(self.untranslated)} untranslated (English kept), "
            f"{len(self.unmapped_entries)} catalogue entries mapped to no block"
        ]
        out += [f"  untranslated: {_short(m)}" for m in self.untranslated]
        out += [f"  unmapped entry: {_short(m)}" for m in self.unmapped_entries]
        if verbose:
            out += [f"  block without entry: {_short(m)}" for m in self.unmapped_blocks]
        return out


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def markdown_parser() -> MarkdownIt:
    """myst-parser's markdown-it with the book's MyST extensions."""
    return create_md_parser(MdParserConfig(enable_extensions=MYST_EXTENSIONS), RendererHTML)


def load_catalogue(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a page catalogue ("" for an untranslated or fuzzy entry)."""
    if not path.is_file():
        raise FileNotFoundError(f"no catalogue {path}; run `make i18n` to extract it")
    return {
        e.msgid: ("" if e.fuzzy else e.msgstr) for e in polib.pofile(str(path)) if not e.obsolete
    }


class _Translator:
    """Translates the markdown of one notebook with one catalogue, recording a Report."""

    def __init__(self, catalogue: dict[str, str], report: Report, md: MarkdownIt):
        self.catalogue = catalogue
        self.report = report
        self.md = md
        self.used: set[str] = set()

    def lookup(self, msgid: str) -> str | None:
        """The translation of ``msgid``; None when the block has no entry or no translation."""
        if msgid not in self.catalogue:
            self.report.unmapped_blocks.append(msgid)
            return None
        self.used.add(msgid)
        msgstr = self.catalogue[msgid]
        if not msgstr:
            if msgid not in self.report.untranslated:
                self.report.untranslated.append(msgid)
            return None
        self.report.translated += 1
        return msgstr

    def lines(self, lines: list[str]) -> list[str]:
        """Translate a markdown text given as lines (no line ends); returns the new lines."""
        tokens = self.md.parse("\n".join(lines) + "\n")
        edits: list[tuple[int, int, list[str]]] = []  # (first line, end line, new lines)
        rows: dict[int, list] = {}  # table row line -> [its text so far, search position]
        row = None
        for k, token in enumerate(tokens):
            if token.type == "tr_open" and token.map:
                row = token.map[0]
            if token.type == "inline" and k > 0 and tokens[k - 1].type in ("th_open", "td_open"):
                self._cell(lines, rows.setdefault(row, [lines[row], 0]), token.content)
                continue
            if token.type == "inline" and k > 0 and tokens[k - 1].map is not None:
                block = tokens[k - 1]
                if block.type not in ("paragraph_open", "heading_open"):
                    continue
                edit = self._inline(lines, block.map, token.content)
            elif token.type in ("math_block", "math_block_label") and token.map:
                edit = self._math(lines, token.map, token.content)
            elif token.type in ("fence", "colon_fence") and token.map:
                edit = self._directive(lines, token)
            else:
                continue
            if edit is not None:
                edits.append(edit)
        edits += [(line, line + 1, [text]) for line, (text, _) in rows.items()]
        for start, end, new in sorted(edits, reverse=True):
            lines = lines[:start] + new + lines[end:]
        return lines

    def _cell(self, lines, row: list, content: str) -> None:
        """Translate one table cell inside its row's text ``row = [text, position]``: the
        cell is the first occurrence of its text after the previous cell of the row."""
        text, position = row
        column = text.find(content, position) if content else -1
        if column < 0:
            if content:
                self.report.unmapped_blocks.append(content)
            return
        msgstr = self.lookup(content.strip())
        new = content if msgstr is None else msgstr
        row[0] = text[:column] + new + text[column + len(content) :]
        row[1] = column + len(new)

    def _inline(self, lines, span, content) -> tuple[int, int, list[str]] | None:
        msgstr = self.lookup(content.replace("\n", " ").strip())
        if msgstr is None:
            return None
        start, end = span
        first = content.split("\n", 1)[0]
        column = lines[start].find(first)
        if column < 0:
            raise ValueError(f"cannot place the block {_short(content)!r} in its source line")
        prefix = lines[start][:column]
        cont = prefix if prefix.lstrip().startswith(">") else " " * len(prefix)
        out = msgstr.split("\n")
        return start, end, [prefix + out[0], *(cont + line for line in out[1:])]

    def _math(self, lines, span, content) -> tuple[int, int, list[str]] | None:
        msgstr = self.lookup(content)
        if msgstr is None or msgstr == content:
            return None
        start, end = span
        source = "\n".join(lines[start:end])
        if content not in source:
            raise ValueError(f"cannot place the math block {_short(content)!r} in its source")
        return start, end, source.replace(content, msgstr, 1).split("\n")

    def _directive(self, lines, token) -> tuple[int, int, list[str]] | None:
        match = _DIRECTIVE.match(token.info.strip())
        if match is None or match["name"] in LITERAL_DIRECTIVES:
            return None
        start, end = token.map
        head = lines[start]
        argument = match["argument"].strip()
        if argument:
            msgstr = self.lookup(argument)
            if msgstr is not None:
                column = head.rfind(argument)
                head = head[:column] + msgstr + head[column + len(argument) :]
        # The body: the lines between the fences, after the options.
        body_start = start + 1
        close = (
            end - 1 if end - 1 > start and lines[end - 1].strip().startswith(token.markup) else end
        )
        while body_start < close and _OPTION.match(lines[body_start].strip()):
            body_start += 1
        indent = len(lines[start]) - len(lines[start].lstrip())
        body = [line[indent:] for line in lines[body_start:close]]
        new_body = [" " * indent + line if line else line for line in self.lines(body)]
        return start, end, [head, *lines[start + 1 : body_start], *new_body, *lines[close:end]]


def translate_markdown(source: str, translator: _Translator) -> str:
    """One markdown cell's source, translated."""
    translated = "\n".join(translator.lines(source.split("\n")))
    return translated


def generate(
    english: Path, catalogue_path: Path | None = None
) -> tuple[nbformat.NotebookNode, Report]:
    """The Chinese notebook of ``english`` (no outputs) and the report of its translation."""
    name = english.stem
    catalogue_path = catalogue_path or CATALOGUE_DIR / f"{name}.po"
    report = Report(name)
    translator = _Translator(load_catalogue(catalogue_path), report, markdown_parser())
    nb = nbformat.read(english, as_version=4)
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = translate_markdown(cell.source, translator)
        elif cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    out.metadata.pop("widgets", None)
    language_cell = nbformat.v4.new_code_cell(
        LANGUAGE_CELL_SOURCE, metadata={"tags": ["remove-cell"]}
    )
    language_cell.id = LANGUAGE_CELL_ID
    out.cells.insert(0, language_cell)
    report.unmapped_entries = [m for m in translator.catalogue if m and m not in translator.used]
    return out, report


def same_code(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> bool:
    """Whether two notebooks have the same cells apart from markdown text and outputs."""
    if len(a.cells) != len(b.cells):
        return False
    return all(
        x.cell_type == y.cell_type
        and x.get("id") == y.get("id")
        and (x.cell_type != "code" or (x.source == y.source and x.metadata == y.metadata))
        for x, y in zip(a.cells, b.cells, strict=True)
    )


def stale_cells(generated: nbformat.NotebookNode, stored: nbformat.NotebookNode) -> list[str]:
    """Where ``stored`` differs from ``generated`` (cell by cell, outputs ignored)."""
    if len(generated.cells) != len(stored.cells):
        return [f"{len(stored.cells)} cells, regenerating gives {len(generated.cells)}"]
    problems = []
    for i, (x, y) in enumerate(zip(generated.cells, stored.cells, strict=True)):
        if (x.cell_type, x.get("id"), x.source) != (y.cell_type, y.get("id"), y.source):
            problems.append(f"cell {i} ({x.cell_type}, id {x.get('id')}) differs")
        elif x.metadata != y.metadata:
            problems.append(f"cell {i} (id {x.get('id')}): metadata differs")
    return problems


def keep_outputs(generated: nbformat.NotebookNode, stored: nbformat.NotebookNode) -> None:
    """Copy ``stored``'s outputs (and widget state) into ``generated``; same code cells."""
    for x, y in zip(generated.cells, stored.cells, strict=True):
        if x.cell_type == "code":
            x.outputs = y.outputs
            x.execution_count = y.execution_count
    if "widgets" in stored.metadata:
        generated.metadata["widgets"] = stored.metadata["widgets"]


def stderr_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """The stderr text of every code cell that wrote to stderr, as 'cell i: text'."""
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found.append(f"cell {i}: {_short(output.get('text', ''), 300)}")
    return found


def execute(path: Path, timeout: int) -> None:
    """Execute the Chinese notebook at ``path`` in place under ``POOLING_BOOK_LANG=zh_CN``;
    raises RuntimeError when a cell raised or wrote to stderr (the file then keeps the
    outputs of that run, so the cell can be inspected, and the check fails)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import execute_notebooks
    import notebook_env
    from nbclient.exceptions import CellExecutionError

    notebook_env.apply()
    os.environ["POOLING_BOOK_LANG"] = LANGUAGE
    try:
        execute_notebooks.execute_notebook(path, timeout)
    except CellExecutionError as err:
        raise RuntimeError(f"{path}: a cell raised:\n{err}") from err
    errors = stderr_outputs(nbformat.read(path, as_version=4))
    if errors:
        raise RuntimeError(f"{path}: cells wrote to stderr:\n" + "\n".join(errors))


FIGURES_PO = ROOT / "pooling_book" / "locale" / LANGUAGE / "LC_MESSAGES" / "pooling_book.po"


def compile_figure_catalogue(po_path: Path = FIGURES_PO) -> Path:
    """Compile the catalogue of the figures' labels (pooling_book.i18n) into the ``.mo``
    beside it, which the package reads; fuzzy entries are left out, as msgfmt does."""
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue.fuzzy_entries():
        catalogue.remove(entry)
    mo_path = po_path.with_suffix(".mo")
    catalogue.save_as_mofile(str(mo_path))
    return mo_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="English notebooks (default: all)")
    parser.add_argument("--execute", action="store_true", help="execute after generating")
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("--verbose", action="store_true", help="also list unmatched blocks")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument(
        "--compile",
        action="store_true",
        help="only compile pooling_book's figure catalogue (.po -> .mo), before executing",
    )
    args = parser.parse_args(argv)
    if args.compile:
        print(f"wrote {compile_figure_catalogue().relative_to(ROOT)}")
        return 0
    paths = args.notebooks or sorted(ENGLISH_DIR.glob("*.ipynb"))
    status = 0
    for english in paths:
        english = english.resolve()
        if english.parent != ENGLISH_DIR or english.suffix != ".ipynb" or not english.is_file():
            print(f"not an English notebook under {ENGLISH_DIR}: {english}", file=sys.stderr)
            status = 1
            continue
        generated, report = generate(english)
        print("\n".join(report.lines(args.verbose)))
        target = OUTPUT_DIR / english.name
        stored = nbformat.read(target, as_version=4) if target.is_file() else None
        if args.check:
            problems = ["missing"] if stored is None else stale_cells(generated, stored)
            if problems:
                print(f"STALE {target.relative_to(ROOT)}: " + "; ".join(problems))
                status = 1
            continue
        needs_run = True
        if stored is not None and same_code(generated, stored):
            keep_outputs(generated, stored)
            needs_run = False
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.validate(generated)
        nbformat.write(generated, target)
        if args.execute:
            try:
                execute(target, args.timeout)
            except RuntimeError as err:
                print(f"FAILED {err}", file=sys.stderr)
                status = 1
                continue
            print(f"executed {target.relative_to(ROOT)}")
        elif needs_run:
            print(f"{target.relative_to(ROOT)}: code changed, outputs dropped; run with --execute")
    return status


if __name__ == "__main__":
    sys.exit(main())
