"""Build both editions of the book into one site (what ``make book`` runs).

    python tools/i18n_build.py [--all] [--out DIR] [--edition en|zh_CN ...]

writes

* ``DIR/_build/html/en/...``     the English edition (Sphinx language ``en``),
* ``DIR/_build/html/zh-cn/...``  the Chinese edition (language ``zh_CN``), same page paths,
* ``DIR/_build/html/index.html`` a redirect (meta refresh and a link, no script) to the
  English edition's front page,

from the same source (``DIR`` defaults to the repository). Each edition is one Sphinx build
through Jupyter Book's ``build_sphinx`` with the options of ``jupyter-book build . -W -n
--keep-going``: warnings (missing references included) are errors, and every warning is
reported before the build fails. Each edition keeps its own Sphinx environment in
``DIR/_build/.doctrees/<prefix>``, so a second run re-reads only changed pages; ``--all``
re-reads every page. A failed edition's environment is removed, so the next run reports
its warnings again. The editions build in parallel, one process each; each one's log is
printed when it ends and kept in ``DIR/_build/logs/<prefix>.log``.

Notebooks are not executed (``execute_notebooks: off``): both editions show stored outputs.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).absolute().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from i18n_ext import EDITIONS, SOURCE_LANGUAGE, edition  # noqa: E402

REDIRECT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{target}">
</head>
<body>
<p><a href="{target}">{title}</a> · <a href="{other}" lang="zh-CN">中文版</a></p>
</body>
</html>
"""


def root_page(root: Path = ROOT) -> str:
    """The docname of the book's front page (``root:`` of ``_toc.yml``)."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return (
        str(toc["root"]).rsplit(".", 1)[0]
        if str(toc["root"]).endswith((".md", ".ipynb"))
        else str(toc["root"])
    )


def build_edition(
    language: str, out: Path, force_all: bool, locale_dir: Path | None = None, source: Path = ROOT
) -> int:
    """Build one edition in this process; return Sphinx's status (0: no warning).
    ``locale_dir`` replaces ``locale/`` as the folder of catalogues (tests use copies)."""
    from jupyter_book.sphinx import build_sphinx
    from sphinx.util.console import nocolor

    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        nocolor()

    prefix = edition(language)[0]
    html_dir = out / "_build" / "html" / prefix
    doctrees = out / "_build" / ".doctrees" / prefix
    if force_all:
        shutil.rmtree(html_dir, ignore_errors=True)  # pages that left the TOC go too
    result = build_sphinx(
        source,
        html_dir,
        doctreedir=doctrees,
        noconfig=True,
        path_config=str(source / "_config.yml"),
        confoverrides={
            "external_toc_path": (source / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "nitpicky": True,
            "language": language,
            **({"locale_dirs": [str(locale_dir)]} if locale_dir else {}),
        },
        builder="html",
        warningiserror=True,
        keep_going=True,
        freshenv=force_all,
        force_all=force_all,
    )
    status = 1 if isinstance(result, Exception) else int(result or 0)
    copy_unconditionally(source, html_dir)
    if status:
        # The pickled environment of a failed build would not re-read (nor re-warn about)
        # the failing pages: the next build starts over.
        shutil.rmtree(doctrees, ignore_errors=True)
    return status


def extra_paths(source: Path = ROOT) -> list[Path]:
    """The folders of ``html_extra_path`` in ``_config.yml`` (relative to ``source``)."""
    import yaml

    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    paths = config.get("sphinx", {}).get("config", {}).get("html_extra_path", [])
    return [source / path for path in paths]


def copy_unconditionally(source: Path, html_dir: Path) -> None:
    """Copy the book's ``_static`` files and the ``html_extra_path`` folders into ``html_dir``.

    Sphinx copies both only when some page is out of date: an incremental build with none
    ("no targets are out of date") stops before it, so a changed ``_static/*.css`` would stay
    stale, and the vendored folders that ``make book`` removes before building (the
    explorer's script, MathJax) would stay missing: every explorer dead and the math raw
    after ``make test`` then ``make book``. So they are copied here after every build."""
    for static in sorted((source / "_static").glob("*")):
        if static.is_file():
            (html_dir / "_static").mkdir(parents=True, exist_ok=True)
            shutil.copy2(static, html_dir / "_static" / static.name)
    for extra in extra_paths(source):
        if extra.is_dir():
            shutil.copytree(extra, html_dir, dirs_exist_ok=True)


def write_redirect(out: Path, source: Path = ROOT) -> Path:
    """``out/_build/html/index.html``: to the English front page, linking the Chinese one."""
    page = root_page(source)
    index = out / "_build" / "html" / "index.html"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(
        REDIRECT.format(
            title=html.escape("Pooling, Interactively"),
            target=f"{edition(SOURCE_LANGUAGE)[0]}/{page}.html",
            other=f"{edition('zh_CN')[0]}/{page}.html",
        ),
        encoding="utf-8",
    )
    return index


def build_site(
    out: Path = ROOT,
    languages: list[str] | None = None,
    force_all: bool = False,
    locale_dir: Path | None = None,
) -> tuple[int, str]:
    """Build the editions in parallel (one process each) and the root redirect; return
    ``(status, log)``: status 0 when every edition built without a warning."""
    languages = languages or list(EDITIONS)
    html_root = out / "_build" / "html"
    if html_root.is_dir() and set(languages) == set(EDITIONS):
        # What an older, single-edition layout left at the root (book/, notebooks/, ...)
        # would be served next to the editions: only the editions and index.html stay.
        keep = {edition(language)[0] for language in EDITIONS} | {"index.html"}
        for entry in html_root.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    logs_dir = out / "_build" / "logs"
    logs_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("SOURCE_DATE_EPOCH", None)  # Sphinx would clamp the copyright year to it
    procs = []
    for language in languages:
        log_path = logs_dir / f"{edition(language)[0]}.log"
        command = [sys.executable, __file__, "--one", language, "--out", str(out)]
        command += ["--all"] if force_all else []
        command += ["--locale-dir", str(locale_dir)] if locale_dir else []
        log_file = log_path.open("w", encoding="utf-8")
        procs.append(
            (
                language,
                log_path,
                log_file,
                subprocess.Popen(
                    command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env
                ),
            )
        )
    status = 0
    logs = []
    for language, log_path, log_file, proc in procs:
        code = proc.wait()
        log_file.close()
        text = log_path.read_text(encoding="utf-8", errors="replace")
        logs.append(f"===== edition {language} ({edition(language)[0]}/): exit {code}\n{text}")
        status = status or code
    write_redirect(out)
    return status, "\n".join(logs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="re-read every page")
    parser.add_argument("--out", type=Path, default=ROOT, help="the site goes to OUT/_build")
    parser.add_argument(
        "--edition",
        action="append",
        choices=sorted(EDITIONS),
        help="build only this edition (repeatable; default: all)",
    )
    parser.add_argument(
        "--locale-dir", type=Path, help="read the catalogues from here instead of locale/"
    )
    parser.add_argument("--one", choices=sorted(EDITIONS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out.absolute()
    if args.one:
        return build_edition(args.one, out, args.all, args.locale_dir)
    start = time.perf_counter()
    status, log = build_site(out, args.edition, args.all, args.locale_dir)
    print(log)
    seconds = time.perf_counter() - start
    where = out / "_build" / "html"
    if status:
        print(f"i18n_build: a build failed or warned ({seconds:.0f} s); see above", file=sys.stderr)
    else:
        print(f"i18n_build: both editions built in {seconds:.0f} s into {where}")
    return status


if __name__ == "__main__":
    sys.exit(main())
