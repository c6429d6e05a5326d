"""Every test carries exactly one kind marker (tools/pytest_markers.py), by its rules."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_markers import KINDS, SLOWEST_FILES, file_rank, kind_of


def fake_item(path: str, name: str = "test_x", fixtures=(), markers=()):
    marks = [SimpleNamespace(name=m) for m in markers]
    return SimpleNamespace(
        path=Path(path), name=name, fixturenames=list(fixtures), iter_markers=lambda: iter(marks)
    )


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        (fake_item("notebooks/pooling.ipynb", "Cell 3"), "notebook"),
        (fake_item("tests/test_exercises.py", "test_solutions"), "notebook"),
        (fake_item("tests/test_browser.py", fixtures=["inspect_page", "site_url"]), "browser"),
        (fake_item("tests/test_book_build.py", fixtures=["book_build"]), "site"),
        (fake_item("tests/test_lib_functional.py", "test_cuda_matches_cpu"), "gpu"),
        (fake_item("tests/test_lib_shapes.py", "test_pooled_size", ["tmp_path"]), "unit"),
        (fake_item("tests/test_x.py", fixtures=["built_site"], markers=["browser"]), "browser"),
    ],
)
def test_kind_rules(item, kind):
    assert kind_of(item) == kind


def test_every_collected_test_has_exactly_one_kind(request):
    items = request.session.items
    assert request.node in items
    for item in items:
        kinds = [m.name for m in item.iter_markers() if m.name in KINDS]
        assert len(kinds) == 1, (item.nodeid, kinds)
    assert request.node.get_closest_marker("unit")


def test_the_slowest_files_run_first_then_files_by_their_slowest_kind():
    ranked = sorted(
        [
            (Path("tests/test_lib_shapes.py"), {"unit"}),
            (Path("notebooks/pooling.ipynb"), {"notebook"}),
            (Path("tests/test_browser_explorer.py"), {"unit", "browser"}),
            (Path("tests/test_exercises.py"), {"notebook"}),
            (Path("tests/test_numeric_setups.py"), {"unit"}),
            (Path("tests/test_book_build.py"), {"site", "unit"}),
        ],
        key=lambda entry: file_rank(*entry),
    )
    assert [path.name for path, _ in ranked] == [
        "test_numeric_setups.py",
        "test_exercises.py",
        "pooling.ipynb",
        "test_browser_explorer.py",
        "test_book_build.py",
        "test_lib_shapes.py",
    ]


def test_every_slow_file_exists():
    root = Path(__file__).resolve().parents[1]
    for name in SLOWEST_FILES:
        assert list(root.glob(f"*/{name}")), name
