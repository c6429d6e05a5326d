"""What a reader sees in the chapters' prose: no internal names, links instead of
"the next chapter", glossary links, and bookkeeping cells hidden.

Sphinx checks that every ``{doc}``/``{ref}``/``{term}`` link resolves (the book is built
with ``-W -n``); these tests catch the sentences that would not break the build when a
chapter moves, and the cells that should not be on a page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(entry: object) -> None:
        if isinstance(entry, dict):
            for key, value in entry.items():
                if key in ("file", "root"):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(entry, list):
            for item in entry:
                walk(item)

    walk(toc)
    return found


CHAPTERS = sorted(f for f in toc_files() if f.startswith("notebooks/"))
PAGES = sorted(f for f in toc_files() if f.startswith("book/") and "/exercises/" not in f)


def markdown_of(name: str) -> str:
    path = ROOT / f"{name}.ipynb"
    if path.exists():
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n\n".join(
            "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
        )
    return (ROOT / f"{name}.md").read_text(encoding="utf-8")


def code_cells(name: str) -> list[dict]:
    nb = json.loads((ROOT / f"{name}.ipynb").read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


# The repository calls the text the first chapter follows "the seed"; readers never should.
INTERNAL_NAME = re.compile(r"\bthe seed\b|\bseed(?:'s| chapter| section| text| file|:)", re.I)
# Directions that stay true only while the chapters keep their order.
UNLINKED_DIRECTION = re.compile(
    r"\b(?:next|previous|preceding|following|last) chapter\b|\bthe chapter on\b", re.I
)


@pytest.mark.parametrize("name", CHAPTERS + PAGES)
def test_no_internal_name_for_the_source(name):
    text = markdown_of(name)
    assert not INTERNAL_NAME.search(text), INTERNAL_NAME.search(text).group(0)
    if name in CHAPTERS:
        for cell in code_cells(name):
            for out in cell.get("outputs", []):
                shown = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}))
                assert not INTERNAL_NAME.search(shown), INTERNAL_NAME.search(shown).group(0)


@pytest.mark.parametrize("name", CHAPTERS + PAGES)
def test_chapters_are_named_by_links_not_by_position(name):
    match = UNLINKED_DIRECTION.search(markdown_of(name))
    assert match is None, f"{name}: {match.group(0)!r}; use {{doc}}`...` or {{ref}}`...`"


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_links_the_glossary(name):
    assert "{term}`" in markdown_of(name)


@pytest.mark.parametrize("name", CHAPTERS)
def test_glue_calls_are_in_hidden_cells(name):
    for cell in code_cells(name):
        source = "".join(cell["source"])
        if re.search(r"^\s*glue\(", source, flags=re.M):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "remove-cell" in tags, f"{name}: a visible cell calls glue:\n{source}"


def test_the_checks_can_fail():
    assert INTERNAL_NAME.search("as in the seed chapter")
    assert INTERNAL_NAME.search('"seed: nn.MaxPool2d(3)"')
    assert not INTERNAL_NAME.search("a seeded generator, seeds 0, 1 and 2")
    assert UNLINKED_DIRECTION.search("which the next chapter builds")
    assert not UNLINKED_DIRECTION.search("which {doc}`loops_to_vectors` builds")


# Markdown rendering traps in prose. A line that starts with "1)" or "1." inside a
# paragraph begins a numbered list (CommonMark lets an ordered list starting at 1
# interrupt a paragraph), so "... ResNet with padding\n1) are ..." renders as a list
# item; and a soft line break renders as a space, so "(\n{doc}`x`" shows "( x".
LIST_MARKER = re.compile(r"^ {0,3}\d{1,9}[.)](?:\s|$)")
BULLET = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
FENCE = re.compile(r"^\s*(```|~~~)")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines of a Markdown text outside code fences and $$ math blocks, numbered."""
    lines, inside_fence, inside_math = [], False, False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            inside_fence = not inside_fence
            continue
        if not inside_fence and "$$" in line:
            # a display-math line: skip it; an odd number of $$ opens or closes a block
            if line.count("$$") % 2:
                inside_math = not inside_math
            continue
        if inside_fence or inside_math:
            continue
        lines.append((number, line))
    return lines


def rendering_traps(text: str) -> list[str]:
    """Lines that Markdown renders otherwise than the author meant (see above)."""
    found = []
    previous = ""
    for number, line in prose_lines(text):
        continues_paragraph = (
            previous.strip() != ""
            and not previous.startswith((" ", "\t"))
            and not BULLET.match(previous)
            and not previous.lstrip().startswith(("#", "|", ">", "(", ":", "```", "{"))
        )
        if continues_paragraph and LIST_MARKER.match(line):
            found.append(f"line {number}: a paragraph line starts a numbered list: {line!r}")
        stripped = line.rstrip()
        if stripped.endswith("(") and stripped[:-1].count("$") % 2 == 0:
            found.append(f"line {number}: '(' ends the line, so it renders as '( ': {line!r}")
        previous = line
    return found


FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


def nested_fence_traps(text: str) -> list[str]:
    """A code block inside a directive (```{admonition} ... ```) that is fenced with as many
    backticks as the directive: its closing fence closes the directive, and the rest of the
    directive shows as raw text. The directive needs the longer fence (````{admonition})."""
    found, stack = [], []  # open fences: (length, is a directive)
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE_LINE.match(line)
        if not match:
            continue
        ticks, info = len(match.group(1)), match.group(2).strip()
        if not stack:
            stack.append((ticks, info.startswith("{")))
            continue
        length, directive = stack[-1]
        if not info and ticks >= length:
            stack.pop()
        elif directive and ticks >= length:
            found.append(
                f"line {number}: a fence as long as its directive's ends it early: {line!r}"
            )
            break
        elif directive:
            stack.append((ticks, info.startswith("{")))
    return found


def markdown_texts() -> list[tuple[str, str]]:
    """Every Markdown text of the book: each notebook's markdown cells, each book/*.md."""
    texts = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
        (ROOT / "book" / "exercises").glob("*.ipynb")
    ):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                name = f"{path.relative_to(ROOT)} cell {index}"
                texts.append((name, "".join(cell["source"])))
    for path in sorted((ROOT / "book").glob("**/*.md")):
        texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return texts


MARKDOWN_TEXTS = markdown_texts()


@pytest.mark.parametrize("name,text", MARKDOWN_TEXTS, ids=[name for name, _ in MARKDOWN_TEXTS])
def test_no_markdown_rendering_traps(name, text):
    traps = rendering_traps(text) + nested_fence_traps(text)
    assert not traps, f"{name}:\n" + "\n".join(traps)


def test_the_rendering_checks_can_fail():
    # the two bugs the reviewer found, as they were written
    assert rendering_traps("3/2 (AlexNet; ResNet with padding\n1) are the two configurations")
    assert rendering_traps("to its largest element only (\n{doc}`gradients` looks at this)")
    assert rendering_traps("the cases\n1. one\n2. two")
    # lists after a blank line or an item, numbers inside a sentence, math and code
    assert not rendering_traps("Exercises:\n\n1. First,\n   continued.\n2. Second.")
    assert not rendering_traps("we pool\n16 cells; the\n(n + 2p) rule")
    assert not rendering_traps("$$\nf\\big(\n1) x\n$$")
    assert not rendering_traps("```python\nf(\n1)\n```")
    assert not rendering_traps("inline math $\\big(\nx)$ is fine")
    assert nested_fence_traps(
        "```{admonition} A\n:class: dropdown\n```python\nx = 1\n```\ntext\n```"
    )
    assert not nested_fence_traps("````{admonition} A\n```python\nx = 1\n```\n````")
    assert not nested_fence_traps("```python\n```{x}\n```\n")
