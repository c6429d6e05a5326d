"""The distribution declares what it imports, so ``pip install .`` is enough.

Every third-party module that ``pooling_lib`` and ``pooling_book`` import (read with
:mod:`ast`) belongs to a distribution that ``pyproject.toml``'s dependencies require,
directly or through another dependency; every module the chapters import is covered by
those, the ``notebooks`` extra, or d2l (installed on its own, see ``tools/colab_cell.py``).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.util
import sys
import tomllib
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
OURS = {"pooling_lib", "pooling_book", "pooling_grader"}


def top_level_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names - OURS - set(sys.stdlib_module_names) - {"__future__"}


def closure(requirements: list[str]) -> set[str]:
    """The distributions ``requirements`` install (this venv's metadata), transitively."""
    seen: set[str] = set()
    todo = [Requirement(r).name for r in requirements]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


@functools.cache
def _providers() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distributions_of(module: str) -> set[str]:
    found = _providers().get(module, [])
    assert found, f"no installed distribution provides {module!r}"
    return {canonicalize_name(d) for d in found}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def uncovered(modules: set[str], requirements: list[str]) -> list[str]:
    installed = closure(requirements)
    return sorted(m for m in modules if not distributions_of(m) & installed)


def test_the_packages_import_only_what_they_declare():
    modules = set()
    for package in OURS - {"pooling_grader"}:
        for path in (ROOT / package).rglob("*.py"):
            modules |= top_level_imports(path.read_text())
    assert {"torch", "matplotlib"} <= modules
    assert uncovered(modules, PROJECT["dependencies"]) == []


def test_the_grader_imports_only_what_its_extra_declares():
    modules = set()
    paths = sorted((ROOT / "pooling_grader").rglob("*.py"))
    for path in paths:
        modules |= top_level_imports(path.read_text())
    modules -= {p.stem for p in paths}  # the sandboxed runner imports codec from its folder
    assert {"torch", "otter", "nbformat"} <= modules
    needed = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["grader"]]
    assert uncovered(modules, needed) == []
    assert PROJECT["scripts"]["pooling-grade"] == "pooling_grader.cli:main"


def test_the_chapters_import_only_what_the_install_provides():
    modules = set()
    transform = TransformerManager().transform_cell  # IPython syntax (%pip) to Python
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                code = transform(cell.source)
                modules |= top_level_imports(code)
    assert "d2l" in modules
    needed = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["notebooks"], "d2l"]
    assert uncovered(modules, needed) == []


def test_d2l_without_its_dependencies_finds_what_it_imports():
    """Outside Python 3.11 d2l is installed with ``--no-deps`` (its pins do not install):
    what ``d2l.torch`` imports must then come from the package and its ``notebooks`` extra."""
    tree = ast.parse(Path(importlib.util.find_spec("d2l.torch").origin).read_text())
    body = ast.Module([n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)], [])
    modules = top_level_imports(ast.unparse(body)) - {"d2l"}  # at import time only
    assert {"torch", "pandas", "requests"} <= modules
    needed = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["notebooks"]]
    assert uncovered(modules, needed) == []


def test_a_missing_declaration_is_caught():
    assert uncovered({"pandas", "torch"}, ["torch>=2.0"]) == ["pandas"]
