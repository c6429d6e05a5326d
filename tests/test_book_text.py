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
