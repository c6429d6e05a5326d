"""The Colab install cell of every chapter, written from the one setting of where the book
lives: ``repository: url`` and ``branch`` in ``_config.yml`` (the same setting Jupyter Book
builds the Binder and Colab launch buttons from).

    .venv/bin/python tools/colab_cell.py           # check: exit 1 if a chapter's cell differs
    .venv/bin/python tools/colab_cell.py --write   # rewrite the cells (after editing _config.yml)

A chapter's Colab cell is the code cell tagged ``colab-install`` (also ``remove-cell``:
hidden on the website). It runs only on Colab and installs what Colab lacks:

* ``d2l==1.0.3`` with ``--no-deps``: d2l pins numpy 1.23.5, which does not install on
  Colab's Python (3.12 or newer); everything d2l imports is already on Colab;
* this book's package from the repository (``pip install "pooling-lib[notebooks] @
  git+<url>@<branch>"``), with its own dependencies (Colab lacks anywidget and myst-nb).

``--write`` rewrites only that cell's source (outputs stay; the cell has none) and holds no
lock: run it under ``flock /tmp/team/notebooks.lock`` when others edit notebooks too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
TAG = "colab-install"
D2L = "d2l==1.0.3"
DISTRIBUTION = "pooling-lib[notebooks]"


def repository(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` from ``_config.yml``'s ``repository:``; ``ValueError`` naming the
    key when it is missing or not a GitHub/GitLab-style https URL."""
    config = yaml.safe_load(config_path.read_text()) or {}
    repo = config.get("repository") or {}
    url, branch = repo.get("url"), repo.get("branch", "main")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise ValueError(f"{config_path.name}: repository.url={url!r} must be an https:// URL")
    if not isinstance(branch, str) or not branch:
        raise ValueError(f"{config_path.name}: repository.branch={branch!r} must be a name")
    return url.rstrip("/"), branch


def install_url(url: str, branch: str) -> str:
    """The pip requirement that installs the book's package from the repository."""
    return f"{DISTRIBUTION} @ git+{url}.git@{branch}"


def cell_source(url: str, branch: str) -> str:
    """The source of the Colab cell for the repository ``url`` at ``branch``."""
    return (
        "# Runs only on Google Colab: installs the two packages this notebook needs that\n"
        "# Colab lacks. On Binder and in a local copy of the book they are installed\n"
        "# already, so this cell does nothing there.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    # d2l alone: its pins (numpy 1.23.5) do not install on Colab's Python.\n"
        f"    %pip install -q --no-deps {D2L}\n"
        f'    %pip install -q "{install_url(url, branch)}"'
    )


def colab_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if TAG in c.get("metadata", {}).get("tags", [])]


def chapters() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the cells")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    opts = parser.parse_args(argv)
    source = cell_source(*repository())
    stale = []
    for path in opts.notebooks or chapters():
        nb = nbformat.read(path, as_version=4)
        cells = colab_cells(nb)
        if len(cells) != 1:
            print(f"{path}: {len(cells)} cells tagged {TAG!r}, expected 1", file=sys.stderr)
            stale.append(path)
            continue
        if cells[0].source == source:
            continue
        if opts.write:
            cells[0].source = source
            nbformat.write(nb, path)
            print(f"{path}: Colab cell rewritten")
        else:
            print(f"{path}: Colab cell differs from _config.yml's repository", file=sys.stderr)
            stale.append(path)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
