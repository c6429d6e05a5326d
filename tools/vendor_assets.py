"""Stage the JavaScript the site serves itself, so that no page needs a CDN.

    .venv/bin/python tools/vendor_assets.py     # after `npm ci` (``make assets`` does both)

Copies, from ``node_modules`` (pinned exactly by package.json and package-lock.json), into
``_build/site-extra/vendor/``:

* ``mathjax/``: MathJax 3's ``es5`` folder (``tex-mml-chtml.js`` plus the fonts and the
  components it loads on demand);
* ``font-awesome/``: Font Awesome 4 (``css/`` and ``fonts/``), for the buttons of
  matplotlib's ``to_jshtml`` animations;
* ``pooling-explorer/explorer.iife.js``: the explorer's ES modules (package data of
  ``pooling_book.explorer``) joined into one classic script by
  ``pooling_book.explorer.bundle.site_bundle``, so that it also runs from a page opened from
  disk (``file://``, where browsers refuse ES module imports); a page with an explorer loads
  it only when it has one (see ``pooling_book/explorer/widget.py``).

``_config.yml`` lists ``_build/site-extra`` in ``html_extra_path``, so Sphinx copies it to
``_build/html/vendor/``, and points ``mathjax_path`` there. (No page needs the ipywidgets
HTML manager or RequireJS: the explorer's outputs carry their own rendering.)
It is not under ``_static`` because Jupyter Book adds every ``.js`` found there to every page.
``vendor/VERSIONS.json`` records each package's version and license (MathJax's LICENSE
file is copied too; the others state their license in their file headers). A package
whose installed version differs from package.json is an error (run ``npm ci``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
DEST = ROOT / "_build" / "site-extra" / "vendor"

# package name -> (folder under vendor/, [(path or glob inside the package, target folder)]).
# A folder is copied whole; a file or glob's matches go into the target folder.
ASSETS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "mathjax": ("mathjax", [("es5", "."), ("LICENSE", ".")]),
    # Font Awesome 4, which matplotlib's Animation.to_jshtml() links from a CDN;
    # tools/offline_assets.py rewrites that link to this copy.
    "font-awesome": ("font-awesome", [("css", "css"), ("fonts", "fonts")]),
}


def pinned_versions() -> dict[str, str]:
    """The exact versions package.json asks for."""
    deps = json.loads((ROOT / "package.json").read_text())["dependencies"]
    return {name: deps[name] for name in ASSETS}


def stage(dest: Path = DEST) -> dict[str, dict[str, str]]:
    """Copy the assets into ``dest`` (replacing what was there).

    Returns name -> {"version": ..., "license": ...} for each staged package.
    """
    versions = {}
    problems = []
    for name, wanted in pinned_versions().items():
        pkg = NODE_MODULES / name
        meta = pkg / "package.json"
        if not meta.is_file():
            problems.append(f"{name}: not installed in node_modules (run `npm ci`)")
            continue
        info = json.loads(meta.read_text())
        installed = info["version"]
        if installed != wanted:
            problems.append(f"{name}: node_modules has {installed}, package.json pins {wanted}")
        versions[name] = {"version": installed, "license": info.get("license", "unknown")}
    if problems:
        raise SystemExit("cannot stage site assets:\n  " + "\n  ".join(problems))

    if dest.exists():
        shutil.rmtree(dest)
    for name, (folder, items) in ASSETS.items():
        pkg = NODE_MODULES / name
        for source, target in items:
            out = dest / folder / target
            out.mkdir(parents=True, exist_ok=True)
            if (pkg / source).is_dir():
                shutil.copytree(pkg / source, out, dirs_exist_ok=True)
                continue
            matches = sorted(pkg.glob(source))
            if not matches and not any(ch in source for ch in "*?["):
                raise SystemExit(f"cannot stage site assets: {name} has no {source}")
            for src in matches:
                shutil.copy2(src, out / src.name)
    from pooling_book.explorer.bundle import site_bundle
    from pooling_book.explorer.widget import SITE_MODULE

    bundle = dest / SITE_MODULE.removeprefix("vendor/")
    bundle.parent.mkdir(parents=True)
    bundle.write_text(site_bundle(), encoding="utf-8")
    (dest / "VERSIONS.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    return versions


def main() -> int:
    versions = stage()
    listing = ", ".join(f"{name}@{v['version']}" for name, v in sorted(versions.items()))
    print(f"staged {listing} in {DEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
