"""Numbers quoted in prose come from the code: every myst-nb glue reference resolves.

A chapter quotes a computed number as ``{glue:text}`key:.1f``` in a markdown cell and
stores it with ``glue("key", value, display=False)`` in a code cell, so the stored output
(proven by nbval) is what the page shows. This test reads the stored notebooks, without
running them, and checks for every notebook under ``notebooks/``:

* each glue role or directive names a key glued in that notebook (or, as ``path::key``,
  in the notebook at that path), whose stored value has a ``text/plain`` form;
* the role's format spec (``:.1f``, ``:,d``) formats that value the way myst-nb will;
* no key is glued twice in one notebook (myst-nb would only warn and keep the last);
* a key glued but never quoted is reported too, so stale glue does not pile up.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from myst_nb.core.variables import format_plain_text

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GLUE_PREFIX = "application/papermill.record/"

# {glue}`key`, {glue:text}`key:fmt`, {glue:md}`key`, and ```{glue:figure} key``` blocks.
ROLE = re.compile(r"\{glue(?::(?P<kind>any|text|md))?\}`(?P<body>[^`]+)`")
DIRECTIVE = re.compile(r"^(?:```|:::)\{glue(?::\w+)?\}\s+(?P<body>\S+)", re.MULTILINE)


def glued_values(path: Path) -> tuple[dict[str, dict], list[str]]:
    """Keys glued in the stored outputs of ``path`` -> their mime bundle; duplicates."""
    nb = nbformat.read(path, as_version=4)
    values: dict[str, dict] = {}
    duplicates: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if not scrapbook:
                continue
            prefix = scrapbook.get("mime_prefix", "")
            bundle = {k.removeprefix(prefix): v for k, v in output.get("data", {}).items()}
            if scrapbook["name"] in values:
                duplicates.append(scrapbook["name"])
            values[scrapbook["name"]] = bundle
    return values, duplicates


def references(path: Path) -> list[tuple[str, str, str | None]]:
    """``(kind, key or path::key, format spec)`` of every glue use in the markdown."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for match in ROLE.finditer(cell.source):
            kind = match.group("kind") or "any"
            body = match.group("body")
            key, spec = body, None
            if kind == "text" and ":" in body.split("::")[-1]:
                key, spec = body.rsplit(":", 1)
            found.append((kind, key, spec))
        for match in DIRECTIVE.finditer(cell.source):
            found.append(("directive", match.group("body"), None))
    return found


def resolve(path: Path, key: str) -> tuple[Path, str]:
    if "::" in key:
        other, key = key.split("::", 1)
        return (path.parent / other).resolve().with_suffix(".ipynb"), key
    return path, key


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_glue_reference_resolves_and_formats(path: Path):
    problems = []
    for kind, ref, spec in references(path):
        source, key = resolve(path, ref)
        if not source.is_file():
            problems.append(f"{ref}: no notebook {source.relative_to(ROOT)}")
            continue
        values, _ = glued_values(source)
        if key not in values:
            problems.append(f"{ref}: never glued in {source.name}")
            continue
        if kind == "text":
            plain = values[key].get("text/plain")
            if plain is None:
                problems.append(f"{ref}: glued value has no text/plain")
                continue
            try:
                format_plain_text(plain, spec or "s")
            except (TypeError, ValueError) as err:
                problems.append(f"{ref}:{spec}: cannot format {plain!r}: {err}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_duplicate_or_unused_glue(path: Path):
    values, duplicates = glued_values(path)
    assert not duplicates, f"glued more than once: {sorted(set(duplicates))}"
    used = {resolve(path, ref)[1] for _, ref, _ in references(path) if "::" not in ref}
    for other in NOTEBOOKS:  # keys quoted from other notebooks count as used
        for _, ref, _ in references(other):
            target, key = resolve(other, ref)
            if "::" in ref and target == path.resolve():
                used.add(key)
    unused = sorted(set(values) - used)
    assert not unused, f"glued but never quoted in the text: {unused}"


def test_the_checker_sees_a_broken_reference(tmp_path: Path):
    """The parser finds roles with format specs, and a missing key is reported."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "glue('acc', 0.5)",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={GLUE_PREFIX + "text/plain": "0.5"},
                    metadata={"scrapbook": {"name": "acc", "mime_prefix": GLUE_PREFIX}},
                )
            ],
        ),
        nbformat.v4.new_markdown_cell("{glue:text}`acc:.1%` and {glue:text}`missing:.2f`"),
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert references(path) == [("text", "acc", ".1%"), ("text", "missing", ".2f")]
    assert set(glued_values(path)[0]) == {"acc"}
    with pytest.raises(AssertionError, match="missing: never glued"):
        test_every_glue_reference_resolves_and_formats(path)
