"""The book builds with Jupyter Book 1, warnings and notebook errors counting as failures,
and the result is a self-contained site."""

from __future__ import annotations

import json

import yaml
from offline_assets import LINK_IS_REFERENCE, REMOTE_ASSET
from site_checks import ROOT


def test_book_builds_without_warnings(book_build):
    """`jupyter-book build . -W -n --keep-going --all` exits 0 and logs no warning."""
    tail = "\n".join(book_build.log.splitlines()[-30:])
    warnings = "\n".join(book_build.warnings)
    assert book_build.returncode == 0, f"jupyter-book build failed:\n{warnings}\n...\n{tail}"
    assert not book_build.warnings, "warnings in the build:\n" + "\n".join(book_build.warnings)
    assert "build succeeded" in book_build.log, tail


def _toc_files(entry) -> list[str]:
    """Every ``file:`` (and ``root:``) named anywhere in a parsed _toc.yml."""
    found = []
    if isinstance(entry, dict):
        for key, value in entry.items():
            if key in ("file", "root") and isinstance(value, str):
                found.append(value)
            else:
                found += _toc_files(value)
    elif isinstance(entry, list):
        for item in entry:
            found += _toc_files(item)
    return found


def test_every_toc_entry_becomes_a_page(built_site):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = _toc_files(toc)
    assert files, "_toc.yml names no files"
    for name in files:
        stem = name.rsplit(".", 1)[0] if name.endswith((".md", ".ipynb")) else name
        assert (built_site / f"{stem}.html").is_file(), f"{name} from _toc.yml has no page"


def test_no_page_loads_anything_from_another_host(built_site, site_pages):
    """A static check of every page's HTML (the browser test checks at run time)."""
    remote = []
    for page in site_pages:
        html = (built_site / page).read_text(encoding="utf-8")
        for match in REMOTE_ASSET.finditer(html):
            if match.group(2) and LINK_IS_REFERENCE.search(match.group(0)):
                continue
            remote.append(f"{page}: {match.group(0)[:160]}")
    assert not remote, "\n".join(remote)


def test_site_serves_the_pinned_javascript(built_site):
    """The site's vendor/ folder holds exactly the versions package.json pins."""
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    staged = json.loads((built_site / "vendor" / "VERSIONS.json").read_text())
    assert {name: info["version"] for name, info in staged.items()} == pins
    for asset in (
        "vendor/mathjax/tex-mml-chtml.js",
        "vendor/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "vendor/pooling-explorer/explorer.iife.js",
        "vendor/font-awesome/css/font-awesome.min.css",
    ):
        assert (built_site / asset).is_file(), asset


def test_every_build_copies_the_vendored_folders_and_static_files(tmp_path):
    """After ``make test`` (which builds the site) a ``make book`` removes the vendored
    folders and finds no page out of date; Sphinx then copies no ``html_extra_path`` and
    no ``_static`` file, so ``tools/i18n_build.py`` copies them after every build (without
    it, every explorer was dead and the math raw)."""
    import i18n_build

    html_dir = tmp_path / "en"
    (html_dir / "_static").mkdir(parents=True)
    stale = next(p for p in sorted((ROOT / "_static").glob("*")) if p.is_file())
    (html_dir / "_static" / stale.name).write_text("stale")
    i18n_build.copy_unconditionally(ROOT, html_dir)
    assert (html_dir / "_static" / stale.name).read_bytes() == stale.read_bytes()
    (stage,) = i18n_build.extra_paths(ROOT)
    for name in ("vendor/pooling-explorer/explorer.iife.js", "vendor/mathjax/tex-mml-chtml.js"):
        assert (html_dir / name).read_bytes() == (stage / name).read_bytes(), name
