"""pytest plugin: give every collected test exactly one of the markers ``unit``,
``notebook``, ``site``, ``browser`` and ``gpu``, so a run can pick a kind of test
(``pytest -m unit``, ``pytest -m "not browser"``). The root ``conftest.py`` loads it for
every run in this repository; the markers are registered in ``pyproject.toml``.

A test keeps a marker it names itself (``@pytest.mark.notebook``); otherwise:

========== =================================================================================
marker     tests
========== =================================================================================
notebook   nbval's notebook cells, and the test files of ``EXECUTE_NOTEBOOKS`` (they run
           notebooks in kernels: nbval's self-test, the exercise grader, the wheel test)
browser    tests that use a browser fixture (``browser``, ``inspect_page``)
site       tests that use the built site but no browser (``book_build``, ``built_site``,
           ``site_pages``, ``site_url``)
gpu        tests whose name says ``cuda`` or ``gpu`` (they skip without a device)
unit       everything else: code tests that need no notebook kernel, site or browser
========== =================================================================================

``pytest -m unit`` is the quick run (under a minute); ``make test`` runs every kind.

The same hook orders the run by kind: whole files (each keeps its own order) whose
slowest kind comes first in ``KINDS_BY_COST`` run first. ``make test``'s two
pytest-xdist workers take files from that queue as they finish one, so the files that take
minutes (training, grading, notebooks, the browser's tour of every page) start early and
the quick unit tests fill the gaps at the end, instead of one worker starting a
four-minute file while the other has nothing left.
"""

from __future__ import annotations

import pytest

KINDS = ("unit", "notebook", "site", "browser", "gpu")
# The kinds from the slowest per file to the quickest (the run's order, see above).
KINDS_BY_COST = ("notebook", "browser", "site", "gpu", "unit")
BROWSER_FIXTURES = frozenset({"browser", "inspect_page"})
SITE_FIXTURES = frozenset({"book_build", "built_site", "site_pages", "site_url"}) | BROWSER_FIXTURES
# Test files whose every test executes notebooks in Jupyter kernels.
EXECUTE_NOTEBOOKS = frozenset(
    {"test_nbval_detects_change.py", "test_exercises.py", "test_wheel.py"}
)


def kind_of(item: pytest.Item) -> str:
    """The one kind of ``item``, by the rules of the module docstring."""
    named = [m.name for m in item.iter_markers() if m.name in KINDS]
    if named:
        return named[0]
    if item.path.suffix == ".ipynb" or item.path.name in EXECUTE_NOTEBOOKS:
        return "notebook"
    fixtures = set(getattr(item, "fixturenames", ()))
    if fixtures & BROWSER_FIXTURES:
        return "browser"
    if fixtures & SITE_FIXTURES:
        return "site"
    name = getattr(item, "originalname", item.name).lower()  # without parameter ids
    if "cuda" in name or "gpu" in name:
        return "gpu"
    return "unit"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every item before ``-m`` selects (``tryfirst``: before pytest's own hook),
    then order the files by their slowest kind (a stable sort: ties keep pytest's order)."""
    cost: dict[object, int] = {}
    for item in items:
        kind = kind_of(item)
        if not item.get_closest_marker(kind):
            item.add_marker(kind)
        rank = KINDS_BY_COST.index(kind)
        cost[item.path] = min(cost.get(item.path, rank), rank)
    items.sort(key=lambda item: cost[item.path])
