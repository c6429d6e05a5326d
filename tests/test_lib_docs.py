"""pooling_lib's public docstrings: PyTorch's structure, and examples that run.

Every public function and class of ``pooling_lib.functional``, ``pooling_lib.nn``,
``pooling_lib.loops`` and ``pooling_lib.shapes`` documents its arguments, the shape rule
(with its formula) for pooling, what it returns, what it raises, a short example and the
source of the rule; the examples are run here as doctests, so they stay true.
"""

from __future__ import annotations

import doctest
import inspect
import re

import pytest

import pooling_lib
import pooling_lib.functional
import pooling_lib.loops
import pooling_lib.nn
import pooling_lib.shapes

MODULES = [
    pooling_lib,
    pooling_lib.functional,
    pooling_lib.nn,
    pooling_lib.loops,
    pooling_lib.shapes,
]
POOLING = [pooling_lib.functional, pooling_lib.nn, pooling_lib.loops]
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_examples_run(module):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    tests = [t for t in finder.find(module) if t.examples]
    for test in tests:
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} failing examples in {module.__name__}"
    if module is not pooling_lib:
        assert results.attempted >= len(module.__all__)


def _public(modules):
    return [
        pytest.param(getattr(m, name), m, id=f"{m.__name__.split('.')[-1]}.{name}")
        for m in modules
        for name in m.__all__
    ]


def _sections(doc: str) -> dict[str, str]:
    """``{"Args": text, ...}``: the Google-style sections of a docstring."""
    parts = re.split(r"^    (Args|Shape|Returns|Raises|Example):\n", doc, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("obj, module", _public(POOLING))
def test_pooling_docstrings_have_pytorchs_structure(obj, module):
    doc = obj.__doc__
    assert doc, f"{obj.__name__} has no docstring"
    sections = _sections(doc)
    wanted = {"Args", "Shape", "Raises", "Example"} | (
        set() if inspect.isclass(obj) else {"Returns"}
    )
    assert wanted <= set(sections), f"{obj.__name__}: missing {wanted - set(sections)}"
    assert "=" in sections["Shape"] or "shape" in sections["Shape"], "Shape gives the formula"
    assert ">>>" in sections["Example"]
    assert "Source:" in doc, f"{obj.__name__} does not name the source of its rule"


@pytest.mark.parametrize("obj, module", _public([pooling_lib.shapes]))
def test_shapes_docstrings_have_pytorchs_structure(obj, module):
    doc = obj.__doc__
    sections = _sections(doc)
    wanted = {"Args", "Example"} | (set() if inspect.isclass(obj) else {"Returns"})
    assert wanted <= set(sections), f"{obj.__name__}: missing {wanted - set(sections)}"
    if not inspect.isclass(obj):
        assert "Source:" in doc, f"{obj.__name__} does not name the source of its rule"
