"""The dependencies point one way: the book's code uses the library, never the reverse.

* ``pooling_lib`` (the installable library) imports nothing from ``pooling_book`` and no
  drawing or notebook package (matplotlib, ipywidgets, IPython, anywidget);
* ``pooling_book.drawing`` (figures and animations) never imports ``pooling_book.explorer``;
* ``pooling_book.settings`` and ``pooling_book.data`` import neither the drawings nor the
  explorer (both of those use them).

The graph is read from the source with :mod:`ast`: every ``import``, ``from ... import``
(relative ones resolved), and every ``importlib.import_module("...")`` or
``__import__("...")`` with a literal name, at any depth (function-local imports count).
A second check imports the library in a fresh interpreter and looks at ``sys.modules``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_PACKAGES = ("matplotlib", "ipywidgets", "IPython", "anywidget")

# (modules the rule applies to, prefixes they must not import, why)
RULES = [
    ("pooling_lib", ("pooling_book",), "the library never imports the book's code"),
    ("pooling_lib", UI_PACKAGES, "the library draws nothing"),
    ("pooling_book.drawing", ("pooling_book.explorer",), "drawings never use the explorer"),
    ("pooling_book.settings", ("pooling_book.drawing", "pooling_book.explorer"), "a leaf"),
    ("pooling_book.data", ("pooling_book.drawing", "pooling_book.explorer"), "a leaf"),
]


def module_name(path: Path, root: Path = ROOT) -> str:
    """``pooling_book/drawing/figures.py -> 'pooling_book.drawing.figures'``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool) -> set[str]:
    """Every module name ``source`` (the text of ``module``) imports, absolute."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if name in ("import_module", "__import__") and isinstance(arg, ast.Constant):
                found.add(str(arg.value))
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """``{module: modules it imports}`` for every ``.py`` of both packages under ``root``."""
    graph = {}
    for package in ("pooling_lib", "pooling_book"):
        for path in sorted((root / package).rglob("*.py")):
            name = module_name(path, root)
            graph[name] = imports_of(path.read_text(), name, path.name == "__init__.py")
    return graph


def violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for module, imported in sorted(graph.items()):
        for scope, banned, why in RULES:
            if module != scope and not module.startswith(scope + "."):
                continue
            for name in sorted(imported):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    out.append(f"{module} imports {name} ({why})")
    return out


def test_dependencies_point_one_way():
    graph = import_graph()
    assert "pooling_lib.functional" in graph and "pooling_book.drawing.figures" in graph
    assert violations(graph) == []


def test_the_check_sees_every_kind_of_import(tmp_path):
    """The checker is not blind: each way of importing is caught in a planted package."""
    lib = tmp_path / "pooling_lib"
    (lib / "_kernels").mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "_kernels" / "__init__.py").write_text("from ..shapes import pooled_size\n")
    (lib / "_kernels" / "max.py").write_text("from .. import shapes\nimport pooling_book\n")
    (lib / "a.py").write_text("import matplotlib.pyplot as plt\n")
    (lib / "b.py").write_text("def f():\n    from pooling_book.drawing import figures\n")
    (lib / "c.py").write_text("import importlib\nm = importlib.import_module('IPython.display')\n")
    (lib / "d.py").write_text("x = __import__('ipywidgets')\n")
    drawing = tmp_path / "pooling_book" / "drawing"
    drawing.mkdir(parents=True)
    (tmp_path / "pooling_book" / "__init__.py").write_text("")
    (drawing / "__init__.py").write_text("")
    (drawing / "e.py").write_text("from ..explorer import explore\n")
    (drawing / "ok.py").write_text("from pooling_lib import shapes\nfrom . import palette\n")
    graph = import_graph(tmp_path)
    assert graph["pooling_lib._kernels"] == {"pooling_lib.shapes", "pooling_lib.shapes.pooled_size"}
    assert "pooling_lib.shapes" in graph["pooling_lib._kernels.max"]
    assert "pooling_book.drawing.palette" in graph["pooling_book.drawing.ok"]
    found = violations(graph)
    assert found == [
        "pooling_book.drawing.e imports pooling_book.explorer (drawings never use the explorer)",
        "pooling_book.drawing.e imports pooling_book.explorer.explore "
        "(drawings never use the explorer)",
        "pooling_lib._kernels.max imports pooling_book (the library never imports the book's code)",
        "pooling_lib.a imports matplotlib.pyplot (the library draws nothing)",
        "pooling_lib.b imports pooling_book.drawing (the library never imports the book's code)",
        "pooling_lib.b imports pooling_book.drawing.figures "
        "(the library never imports the book's code)",
        "pooling_lib.c imports IPython.display (the library draws nothing)",
        "pooling_lib.d imports ipywidgets (the library draws nothing)",
    ]


PUBLIC = ["pooling_lib", "pooling_lib.functional", "pooling_lib.nn", "pooling_lib.loops",
          "pooling_lib.shapes"]  # fmt: skip
LEAVES = ["pooling_book.settings", "pooling_book.data"]


def test_importing_loads_no_ui_package():
    """At run time too (one fresh interpreter): importing the library's public modules
    loads nothing of pooling_book and no UI package; importing the book's leaf modules
    loads neither the drawings nor the explorer nor a UI package."""
    lib_banned = ("pooling_book", *UI_PACKAGES)
    leaf_banned = ("pooling_book.drawing", "pooling_book.explorer", *UI_PACKAGES)
    code = (
        "import sys\n"
        f"import {', '.join(PUBLIC)}\n"
        f"print(sorted(m for m in sys.modules if m.startswith({lib_banned!r})))\n"
        f"import {', '.join(LEAVES)}\n"
        f"print(sorted(m for m in sys.modules if m.startswith({leaf_banned!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]
