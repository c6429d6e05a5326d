"""Keep the translations in step with the English text.

    python tools/i18n_check.py            check (what `make i18n-check` and the test run)
    python tools/i18n_check.py --update   re-extract, `sphinx-intl update`, then check
                                          (`make i18n`)

Every run extracts the English text afresh: a gettext build of the book (Jupyter Book's
``--builder custom --custom-builder gettext``) into a new temporary folder, so no ``.pot``
of an earlier run (a page since removed, a paragraph since changed) can come back.

``--update`` then runs ``sphinx-intl update -p <fresh pots> -l <language> -d locale``:
new paragraphs arrive untranslated, changed ones fuzzy (with the old translation kept as
a suggestion), removed ones obsolete (``#~``, ignored by the build and the check).

The check fails (exit 1, one line per problem, naming the catalogue and the entry) when:

* a page has no catalogue, or a catalogue in a folder of pages (``book/``, ``notebooks/``)
  belongs to no page (catalogues in other folders, such as the grader's
  ``exercises/feedback.po``, are other tools' to check);
* the catalogue is stale: an English msgid is missing from it, or it has a msgid the
  English no longer has (run ``make i18n``);
* an entry is fuzzy or untranslated;
* a translation drops or changes what the English links or computes (``markup_problems``):
  every role (``{doc}``, ``{ref}``, ``{term}``, ``{glue:text}``, ``{cite:p}``, ...), inline
  and display math, inline code and Markdown links of the msgid must be in the msgstr.
  ``{doc}``/``{ref}``/``{term}``/``{numref}`` compare by target, since a translation gives
  its own link text (``{term}`汇聚层 <pooling layer>```; a bare ``{term}`pooling layer```
  would show the English words on the Chinese page); glue keys compare without a
  notebook-qualified ``x.ipynb::`` part (tools/i18n_ext.py adds it at build time);
  ``\text{...}`` inside math may be translated. A translation may add markup.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib

ROOT = Path(__file__).absolute().parent.parent
LANGUAGE = "zh_CN"

# A MyST role: {name}`content` (content without backticks).
ROLE = re.compile(r"\{([A-Za-z][\w:.+-]*)\}`([^`]*)`")
# Roles whose content is ``text <target>`` or ``target``; compared by target.
LINK_ROLES = {"doc", "ref", "term", "numref", "any", "eq", "download", "std:term", "std:ref"}
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$]+?)(?<![\s\\])\$(?!\$)")
CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<(https?://[^>\s]+)>")
# Words inside \text{...} may be translated; the rest of the formula may not change.
MATH_TEXT = re.compile(r"\\(text|mathrm|textrm|mbox)\{[^{}]*\}")


@dataclass(frozen=True)
class Markup:
    """What a text links to or computes: roles (name, key), math, code, link targets."""

    roles: Counter
    math: Counter
    code: Counter
    links: Counter


def _split_target(content: str) -> tuple[str | None, str]:
    """``'text <target>'`` -> ``('text', 'target')``; ``'target'`` -> ``(None, 'target')``."""
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content.strip(), re.DOTALL)
    if match and match.group(1):
        return match.group(1), match.group(2).strip()
    return None, content.strip()


def role_key(name: str, content: str) -> str:
    """What must survive translation of role ``name`` with ``content``."""
    if name in LINK_ROLES:
        target = _split_target(content)[1]
        # Glossary terms are matched case-insensitively (Sphinx lowercases them).
        return target.lower() if name.endswith("term") else target
    if name.startswith("glue"):
        return content.split("::", 1)[-1].strip()
    return content.strip()


def markup_of(text: str) -> Markup:
    """The roles, math, code and links of a catalogue text (MyST source)."""
    roles: Counter = Counter()
    for match in ROLE.finditer(text):
        name, content = match.group(1), match.group(2)
        roles[(name, role_key(name, content))] += 1
    rest = ROLE.sub(" ", text)
    code = Counter(m.group(2).strip() for m in CODE.finditer(rest))
    rest = CODE.sub(" ", rest)
    math: Counter = Counter()
    for pattern in (DISPLAY_MATH, INLINE_MATH):
        for match in pattern.finditer(rest):
            formula = MATH_TEXT.sub(r"\\\1{}", match.group(1))
            math[re.sub(r"\s+", "", formula)] += 1
        rest = pattern.sub(" ", rest)
    links = Counter(m.group(1) or m.group(2) for m in LINK.finditer(rest))
    return Markup(roles, math, code, links)


def _describe(kind: str, missing: Counter) -> list[str]:
    return [f"{kind} {item!r}" + (f" (x{n})" if n > 1 else "") for item, n in missing.items()]


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    """How ``msgstr`` fails to keep the markup of ``msgid`` (empty: it keeps all of it)."""
    source, target = markup_of(msgid), markup_of(msgstr)
    problems = []
    for kind, a, b in (
        ("role", source.roles, target.roles),
        ("math", source.math, target.math),
        ("code", source.code, target.code),
        ("link", source.links, target.links),
    ):
        missing = a - b
        if missing:
            problems.append("drops " + ", ".join(_describe(kind, missing)))
    return problems


def extract(pot_dir: Path, source: Path = ROOT) -> Path:
    """Extract the English text of the book at ``source`` into ``pot_dir`` (which must not
    exist yet: a fresh folder every time); return the folder of ``.pot`` files."""
    if pot_dir.exists():
        raise ValueError(f"pot_dir={pot_dir}: must be a new folder (stale .pot files)")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(source), "--builder", "custom"]
    command += ["--custom-builder", "gettext", "--path-output", str(pot_dir)]
    proc = subprocess.run(command, cwd=source, capture_output=True, text=True)
    out = pot_dir / "_build" / "gettext"
    if proc.returncode != 0 or not any(out.rglob("*.pot")):
        raise RuntimeError(
            f"extraction failed (exit {proc.returncode}): {' '.join(command)}\n"
            + (proc.stdout + proc.stderr)[-3000:]
        )
    return out


def update(pots: Path, locale_dir: Path, language: str = LANGUAGE) -> str:
    """``sphinx-intl update``: bring the catalogues of ``language`` in step with ``pots``."""
    sphinx_intl = Path(sys.executable).parent / "sphinx-intl"
    command = [str(sphinx_intl), "update", "-p", str(pots), "-l", language, "-d", str(locale_dir)]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def check(pots: Path, locale_dir: Path, language: str = LANGUAGE) -> list[str]:
    """Every problem of the catalogues of ``language`` under ``locale_dir`` against the
    fresh extraction ``pots`` (empty: complete and current)."""
    catalogues = locale_dir / language / "LC_MESSAGES"
    problems = []
    pot_names = {p.relative_to(pots).with_suffix("").as_posix() for p in pots.rglob("*.pot")}
    po_names = {
        p.relative_to(catalogues).with_suffix("").as_posix() for p in catalogues.rglob("*.po")
    }
    # A catalogue in a folder of pages (book/, notebooks/) without a page is a removed
    # page's; catalogues elsewhere belong to other tools (exercises/feedback.po: the
    # grader's) and are theirs to check.
    page_folders = {name.split("/", 1)[0] for name in pot_names if "/" in name}
    for name in sorted(po_names - pot_names):
        if "/" not in name or name.split("/", 1)[0] in page_folders:
            problems.append(f"{catalogues / name}.po: no such page in the book (delete it)")
    for name in sorted(pot_names):
        po_path = catalogues / f"{name}.po"
        if name not in po_names:
            problems.append(f"{po_path}: missing (run `make i18n`)")
            continue
        pot = polib.pofile(str(pots / f"{name}.pot"))
        english = {(e.msgctxt, e.msgid) for e in pot if e.msgid}
        catalogue = polib.pofile(str(po_path))
        active = [e for e in catalogue if not e.obsolete and e.msgid]
        have = {(e.msgctxt, e.msgid) for e in active}
        for _, msgid in sorted(english - have, key=str):
            problems.append(f"{po_path}: stale, no entry for {_short(msgid)} (run `make i18n`)")
        for _, msgid in sorted(have - english, key=str):
            problems.append(
                f"{po_path}: stale, the English no longer has {_short(msgid)} (run `make i18n`)"
            )
        for entry in active:
            if entry.fuzzy:
                problems.append(f"{po_path}: fuzzy (English changed): {_short(entry.msgid)}")
            elif not entry.msgstr:
                problems.append(f"{po_path}: untranslated: {_short(entry.msgid)}")
            else:
                for problem in markup_problems(entry.msgid, entry.msgstr):
                    problems.append(f"{po_path}: {problem}: {_short(entry.msgid)}")
    return problems


def run(
    source: Path = ROOT,
    locale_dir: Path | None = None,
    language: str = LANGUAGE,
    do_update: bool = False,
) -> list[str]:
    """Extract afresh from ``source``, update (optionally) and check; return the problems."""
    locale_dir = locale_dir or source / "locale"
    work = Path(tempfile.mkdtemp(prefix="i18n-extract-"))
    try:
        pots = extract(work / "out", source)
        if do_update:
            print(update(pots, locale_dir, language), end="")
        return check(pots, locale_dir, language)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="sphinx-intl update first")
    parser.add_argument("--source", type=Path, default=ROOT, help="the book's folder")
    parser.add_argument("--locale-dir", type=Path, help="default: SOURCE/locale")
    parser.add_argument("--language", default=LANGUAGE)
    args = parser.parse_args(argv)
    problems = run(args.source.absolute(), args.locale_dir, args.language, args.update)
    for problem in problems:
        print(problem)
    if problems:
        print(f"i18n_check: {len(problems)} problem(s) in the {args.language} catalogues")
        return 1
    print(f"i18n_check: the {args.language} catalogues are complete and current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
