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

The same hook orders the run: whole files (each keeps its own order), first the files of
``SLOWEST_FILES`` in that order (each takes minutes), then the others by their slowest kind,
in the order of ``KINDS`` (the slowest kind first). ``make test``'s two
pytest-xdist workers take files from that queue as they finish one, so the files that take
minutes (training, grading, notebooks, the browser's tour of every page) start early and
the quick unit tests fill the gaps at the end, instead of one worker starting a
four-minute file while the other has nothing left.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# The kinds, from the slowest per file to the quickest (the run's order, see above).
KINDS = ("notebook", "browser", "site", "gpu", "unit")
# Files that take minutes, the longest first (measured with ``--durations``: the numeric
# set-ups train networks under three set-ups; chapter 8 trains its networks; the grader runs
# the sample corpus in sandboxes; the two tours open every page of each edition).
SLOWEST_FILES = (
    "test_numeric_setups.py",
    "pooling_in_networks.ipynb",
    "test_exercises.py",
    "test_browser.py",
    "test_i18n_site.py",
)
BROWSER_FIXTURES = frozenset({"browser", "inspect_page"})
SITE_FIXTURES = frozenset({"book_build", "built_site", "site_pages", "site_url"}) | BROWSER_FIXTURES
# Test files whose every test executes notebooks in Jupyter kernels.
EXECUTE_NOTEBOOKS = frozenset(
    {"test_nbval_detects_change.py", "test_exercises.py", "test_wheel.py"}
)


def file_rank(path: Path, kinds: set[str]) -> tuple[int, int]:
    """Where the file at ``path``, whose tests have ``kinds``, runs: files of
    ``SLOWEST_FILES`` first in their order, then by the slowest of ``kinds``."""
    if path.name in SLOWEST_FILES:
        return (0, SLOWEST_FILES.index(path.name))
    return (1, min(KINDS.index(kind) for kind in kinds))


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
    then order the files by :func:`file_rank` (a stable sort: ties keep pytest's order)."""
    kinds: dict[Path, set[str]] = {}
    for item in items:
        kind = kind_of(item)
        if not item.get_closest_marker(kind):
            item.add_marker(kind)
        kinds.setdefault(item.path, set()).add(kind)
    rank = {path: file_rank(path, found) for path, found in kinds.items()}
    items.sort(key=lambda item: rank[item.path])
