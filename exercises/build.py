"""Build the exercises: student release and autograders from the otter-assign masters.

Usage (``make exercises`` runs the first form)::

    python exercises/build.py --out _build/exercises --publish book/exercises
    python exercises/build.py --out /tmp/x --check book/exercises  # published copies current?

For every master ``exercises/masters/<stem>.ipynb`` this runs ``otter assign`` (tests not run,
no PDFs) into ``<out>/otter/<stem>/`` and collects:

* ``<out>/release/<stem>.ipynb``: the student notebook (no solutions, public tests only in its
  metadata), with deterministic cell ids so that the published copy is reproducible;
* ``<out>/solutions/<stem>.ipynb``: the student notebook with the solutions filled in (what a
  perfect student hands in; no hidden tests in it);
* ``<out>/autograder/<stem>.zip``: otter's autograder (all tests, hidden ones included);
* ``<out>/gradescope/<stem>.zip``: the autograder to upload to Gradescope: its
  ``setup.sh`` installs this grader, its ``run_autograder`` runs it
  (``pooling_grader/gradescope.py``) on the hidden tests it carries;
* ``<out>/autograder/<stem>.json``: what the grader (``pooling_grader``) needs: assignment
  name, notebook name, the questions in order with their points and whether they are graded
  by hand (with the model answer and rubric of those), and the method rules of
  ``exercises/rules.yml``.

Each release has a Chinese twin (``ZH``): ``<out>/release-zh_CN/<stem>.ipynb`` and
``<out>/solutions-zh_CN/<stem>.ipynb`` are the same notebooks (same cells, ids, code, public
tests and otter metadata, hence the same questions and grading) with their markdown translated
block by block by the page catalogue ``locale/zh_CN/LC_MESSAGES/book/exercises/<stem>.po``
(the release is what the book's exercise page shows) and ``metadata.pooling_exercises.language``
set to ``zh_CN``: from it the grader words its feedback in Chinese (``pooling_grader/
messages.py``). The autograder JSON carries ``translations``: the rules' texts and the hidden
tests' descriptions in Chinese, from ``locale/zh_CN/LC_MESSAGES/exercises/feedback.po``.

``--publish DIR`` copies the release notebooks into DIR (the book's copies, which Binder opens)
and the Chinese release into ``locale/zh_CN/exercises/`` (``--publish-zh`` to change it);
``--check DIR`` exits with status 1 if DIR's copies (or the Chinese copies) differ from the
fresh release.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import pathlib
import shutil
import sys
import zipfile

import nbformat
import yaml

HERE = pathlib.Path(__file__).resolve().parent
MASTERS = HERE / "masters"
LOCALE = HERE.parent / "locale"
ZH = "zh_CN"
ZH_PUBLISHED = LOCALE / ZH / "exercises"


def master_paths(masters: pathlib.Path = MASTERS) -> list[pathlib.Path]:
    """The master notebooks, sorted by name."""
    paths = sorted(masters.glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no master notebooks (*.ipynb) in {masters}")
    return paths


def _raw_config(cell: nbformat.NotebookNode, header: str) -> dict | None:
    """The YAML of a raw otter cell starting with ``header`` (e.g. '# BEGIN QUESTION'), or None."""
    if cell.cell_type != "raw" or not cell.source.lstrip().upper().startswith(header):
        return None
    config = yaml.safe_load(cell.source)
    return config if isinstance(config, dict) else {}


RULES = HERE / "rules.yml"
RUBRIC = "**Rubric.**"


def read_master(path: pathlib.Path) -> dict:
    """Assignment name and ordered questions (name, manual, points if manual) of a master.

    A question graded by hand also gets its ``model_answer`` and ``rubric``: the text of its
    solution cell before and after the paragraph that starts with ``**Rubric.**``.
    """
    nb = nbformat.read(path, as_version=4)
    assignment = None
    questions = []
    in_solution = False
    for cell in nb.cells:
        config = _raw_config(cell, "# ASSIGNMENT CONFIG")
        if config is not None:
            assignment = config.get("name")
        config = _raw_config(cell, "# BEGIN QUESTION")
        if config is not None:
            questions.append(
                {
                    "name": config["name"],
                    "manual": bool(config.get("manual", False)),
                    "points": float(config.get("points") or 0),
                }
            )
        head = cell.source.lstrip().upper()
        if cell.cell_type == "raw" and head.startswith(("# BEGIN SOLUTION", "# END SOLUTION")):
            in_solution = head.startswith("# BEGIN")
        elif in_solution and cell.cell_type == "markdown" and questions[-1]["manual"]:
            answer, _, rubric = cell.source.partition(RUBRIC)
            questions[-1].update(model_answer=answer.strip(), rubric=rubric.strip())
    if not assignment:
        raise ValueError(f"{path}: the ASSIGNMENT CONFIG cell must set 'name'")
    for q in questions:
        if q["manual"] and not q.get("rubric"):
            raise ValueError(f"{path}: question {q['name']!r} needs a {RUBRIC} in its solution")
    return {"assignment": assignment, "questions": questions}


def method_rules(questions: list[dict], rules_path: pathlib.Path = RULES) -> dict:
    """The method rules (exercises/rules.yml) of these questions, checked for typos."""
    rules = yaml.safe_load(rules_path.read_text()) or {}
    names = {q["name"] for q in questions}
    for name, rule in rules.items():
        unknown = set(rule) - {"functions", "require", "forbid"}
        if unknown:
            raise ValueError(f"{rules_path}: {name}: unknown keys {sorted(unknown)}")
        for kind in ("require", "forbid"):
            for text, words in (rule.get(kind) or {}).items():
                if isinstance(words, dict):
                    scope = set(words.get("in") or [])
                    keys = {"in", "names", "per_value"} if kind == "require" else {"in", "names"}
                    per_value = words.get("per_value", False)
                    if (
                        "names" not in words
                        or not set(words) <= keys
                        or not scope <= set(rule["functions"])
                        or per_value not in (True, False)
                        or (per_value and "<loop>" not in words["names"])
                    ):
                        raise ValueError(
                            f"{rules_path}: {name}: {kind} {text!r} must be a list of names or "
                            f"{{in: [some of {rule['functions']}], names: [...]}} (a require "
                            f"rule naming <loop> may add per_value: true), got {words!r}"
                        )
    return {name: rule for name, rule in rules.items() if name in names}


MIN_FINGERPRINT = 12  # shorter lines ("return Y", "else:") are too common to mean a leak


def _solution_lines(source: str) -> list[str]:
    """Lines of a master code cell that otter strips from the student version."""
    lines, inside = [], False
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("# BEGIN SOLUTION"):
            inside = True
        elif text == "# END SOLUTION":
            inside = False
        elif inside:
            lines.append(text)
        elif text.endswith("# SOLUTION"):
            lines.append(text[: -len("# SOLUTION")].strip())
    return lines


def _test_config(source: str) -> dict:
    lines = source.splitlines()
    if not lines or "BEGIN TEST CONFIG" not in lines[0].upper():
        first = lines[0].strip().lower() if lines else ""
        return {"hidden": first.startswith("#") and "hidden" in first}
    end = next(i for i, line in enumerate(lines) if "END TEST CONFIG" in line.upper())
    return yaml.safe_load("\n".join(lines[1:end])) or {}


def secrets_of(master: pathlib.Path) -> dict[str, set[str]]:
    """What must never reach students: solution lines, hidden test names and lines."""
    nb = nbformat.read(master, as_version=4)
    solution, hidden_lines, hidden_names, public = set(), set(), set(), set()
    block = None
    for cell in nb.cells:
        head = cell.source.lstrip().upper()
        if cell.cell_type == "raw" and head.startswith("# BEGIN SOLUTION"):
            block = "solution"
        elif cell.cell_type == "raw" and head.startswith("# BEGIN TESTS"):
            block = "tests"
        elif cell.cell_type == "raw" and head.startswith(("# END SOLUTION", "# END TESTS")):
            block = None
        elif block == "solution" and cell.cell_type == "markdown":
            solution.update(line.strip() for line in cell.source.splitlines())
        elif (
            block == "tests"
            and cell.cell_type == "code"
            and _test_config(cell.source).get("hidden")
        ):
            hidden_lines.update(line.strip() for line in cell.source.splitlines())
            hidden_names.update(
                line.split("(")[0][4:].strip()
                for line in cell.source.splitlines()
                if line.startswith("def ")
            )
        else:
            stripped = _solution_lines(cell.source) if block == "solution" else []
            solution.update(stripped)
            public.update(line.strip() for line in cell.source.splitlines())
            public.difference_update(stripped)

    def keep(lines: set[str]) -> set[str]:
        return {line for line in lines if len(line) >= MIN_FINGERPRINT and line not in public}

    return {
        "solution_lines": keep(solution),
        "hidden_lines": keep(hidden_lines),
        "hidden_names": hidden_names,
    }


def leaks(nb: nbformat.NotebookNode, secrets: dict[str, set[str]]) -> list[str]:
    """Solution or hidden-test text found in a notebook's cells or its otter metadata."""
    texts = [cell.source for cell in nb.cells]
    texts += [str(t) for t in nb.metadata.get("otter", {}).get("tests", {}).values()]
    lines = {line.strip() for text in texts for line in text.splitlines()}
    found = [f"solution line {s!r}" for s in sorted(secrets["solution_lines"] & lines)]
    found += [f"hidden test line {s!r}" for s in sorted(secrets["hidden_lines"] & lines)]
    found += [
        f"hidden test {name!r}"
        for name in sorted(secrets["hidden_names"])
        if any(f"def {name}(" in text for text in texts)
    ]
    return found


def _test_points(zip_path: pathlib.Path) -> dict[str, float]:
    """Total points of each autograded question, read from the autograder's test files."""
    from otter.test_files import ExceptionTestFile

    points = {}
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            if name.startswith("tests/") and name.endswith(".py"):
                test_file = ExceptionTestFile.from_string(zf.read(name).decode(), path=name)
                points[test_file.name] = float(test_file.possible)
    return points


def normalize(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """Make otter's output reproducible and lint-clean.

    Cells get deterministic ids (otter assign draws random ones), and otter's init cell gets the
    blank line after its import that ``ruff format`` wants (the book's notebooks are linted).
    """
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{stem[:40]}-{i:03d}"
        if cell.cell_type == "code" and cell.source.startswith("# Initialize Otter\n"):
            cell.source = cell.source.replace("import otter\ngrader =", "import otter\n\ngrader =")
    return nb


COLAB_TAG = "colab-tests"
COLAB_CELL = """\
# On Colab the kernel does not see this notebook's file, from which the checker reads the
# public tests: this cell writes them to tests/, with an empty placeholder notebook that the
# checker opens, and installs the checker. Elsewhere, with the notebook in the working
# folder, it does nothing.
import json
import os
import subprocess
import sys

try:
    import google.colab  # noqa: F401
except ImportError:
    ON_COLAB = False
else:
    ON_COLAB = True
NOTEBOOK = {notebook}
PUBLIC_TESTS = {tests}
if not os.path.exists(NOTEBOOK):
    os.makedirs("tests", exist_ok=True)
    for name, source in PUBLIC_TESTS.items():
        with open(os.path.join("tests", name + ".py"), "w") as f:
            f.write(source)
    with open(NOTEBOOK, "w") as f:
        json.dump({{"cells": [], "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}, f)
if ON_COLAB:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", {otter}], check=True
    )"""


def add_colab_cell(nb: nbformat.NotebookNode, notebook: str) -> nbformat.NotebookNode:
    """Insert the Colab cell (hidden on the website) before otter's init cell: the public
    tests of the notebook's metadata, as files otter finds where the notebook file is absent."""
    tests = nb.metadata["otter"]["tests"]
    items = "".join(f"    {json.dumps(k)}: {json.dumps(v)},\n" for k, v in sorted(tests.items()))
    source = COLAB_CELL.format(
        notebook=json.dumps(notebook),
        tests="{\n" + items + "}",
        otter=json.dumps(f"otter-grader=={_otter()}"),
    )
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [COLAB_TAG, "remove-cell"]
    at = next(i for i, c in enumerate(nb.cells) if c.source.startswith("# Initialize Otter"))
    nb.cells.insert(at, cell)
    return nb


def _otter() -> str:
    import importlib.metadata

    return importlib.metadata.version("otter-grader")


_MARKER_LINES = {"# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN SOLUTION NO PROMPT"}


def _without_markers(source: str) -> str:
    lines = []
    for line in source.splitlines():
        if line.strip() in _MARKER_LINES:
            continue
        for suffix in ("  # SOLUTION", " # SOLUTION"):
            if line.rstrip().endswith(suffix):
                line = line.rstrip()[: -len(suffix)]
                break
        lines.append(line)
    return "\n".join(lines)


def perfect_submission(
    student: nbformat.NotebookNode, autograder: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The student notebook with every answer cell filled in with the solution.

    Answer cells of the student notebook and solution cells of otter's autograder notebook come
    in the same order; the result is what a perfect student hands in (public tests only in its
    metadata, so it can be given to students after the deadline).
    """
    solutions = [c for c in autograder.cells if "otter_assign_solution_cell" in _tags(c)]
    answers = [c for c in student.cells if "otter_answer_cell" in _tags(c)]
    if [c.cell_type for c in solutions] != [c.cell_type for c in answers]:
        raise ValueError("answer cells and solution cells do not match one to one")
    for answer, solution in zip(answers, solutions, strict=True):
        answer.source = _without_markers(solution.source)
    return student


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def build_one(master: pathlib.Path, out: pathlib.Path) -> dict:
    """Run otter assign on one master and collect its outputs under ``out``; return its metadata."""
    import otter.assign

    stem = master.stem
    work = out / "otter" / stem
    shutil.rmtree(work, ignore_errors=True)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        otter.assign.main(str(master), str(work), no_pdfs=True, no_run_tests=True)
    zips = list((work / "autograder").glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise RuntimeError(
            f"otter assign on {master} made {len(zips)} autograder zips:\n{log.getvalue()}"
        )

    student = nbformat.read(work / "student" / master.name, as_version=4)
    autograder = nbformat.read(work / "autograder" / master.name, as_version=4)
    for kind in ("release", "solutions"):
        (out / kind).mkdir(parents=True, exist_ok=True)
    found = leaks(student, secrets_of(master))
    if found:
        raise RuntimeError(f"the student release of {master.name} leaks: " + "; ".join(found))
    student = add_colab_cell(student, master.name)
    nbformat.write(normalize(student, stem), out / "release" / master.name)
    solved = perfect_submission(nbformat.from_dict(student), autograder)
    nbformat.write(normalize(solved, stem), out / "solutions" / master.name)

    (out / "autograder").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(zips[0], out / "autograder" / f"{stem}.zip")

    meta = read_master(master)
    points = _test_points(zips[0])
    for q in meta["questions"]:
        if not q["manual"]:
            if q["name"] not in points:
                raise ValueError(f"{master}: question {q['name']!r} has no tests")
            q["points"] = points[q["name"]]
    meta["notebook"] = master.name
    meta["rules"] = method_rules(meta["questions"])
    meta["translations"] = {ZH: feedback_translations(master, meta["rules"], ZH)}
    for kind in ("release", "solutions"):
        (out / f"{kind}-{ZH}").mkdir(parents=True, exist_ok=True)
        translated, untranslated = translated_notebook(out / kind / master.name, ZH)
        nbformat.write(translated, out / f"{kind}-{ZH}" / master.name)
        if kind == "release" and untranslated:
            print(
                f"warning: {master.name}: {len(untranslated)} markdown blocks stay English in "
                f"the {ZH} release (translate them in its catalogue): {untranslated[:3]}",
                file=sys.stderr,
            )
    (out / "autograder" / f"{stem}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def feedback_texts(master: pathlib.Path, rules: dict) -> list[str]:
    """What the grader may show students from this assignment: the texts of its questions'
    method rules and its hidden tests' descriptions (``failure_message``)."""
    texts = [
        text for rule in rules.values() for kind in ("require", "forbid")
        for text in rule.get(kind) or {}
    ]  # fmt: skip
    nb = nbformat.read(master, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "BEGIN TEST CONFIG" in cell.source:
            message = _test_config(cell.source).get("failure_message")
            if message:
                texts.append(str(message))
    return list(dict.fromkeys(texts))


def feedback_translations(master: pathlib.Path, rules: dict, language: str) -> dict[str, str]:
    """English text -> translation, for ``feedback_texts`` (those without one stay English)."""
    import polib

    path = LOCALE / language / "LC_MESSAGES" / "exercises" / "feedback.po"
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.translated()}
    return {t: catalogue[t] for t in feedback_texts(master, rules) if t in catalogue}


def _zh_notebooks():
    """tools/zh_notebooks.py (the Chinese notebooks of the chapters), for its translator."""
    import importlib.util

    name = "pooling_tools_zh_notebooks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, HERE.parent / "tools" / "zh_notebooks.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def translated_notebook(
    path: pathlib.Path, language: str
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook at ``path`` with its markdown in ``language`` (the exercise page's
    catalogue, block by block) and its language in its metadata; and the blocks that stayed
    English. Code cells, ids, attachments and the otter metadata are unchanged."""
    zh = _zh_notebooks()
    catalogue = LOCALE / language / "LC_MESSAGES" / "book" / "exercises" / f"{path.stem}.po"
    report = zh.Report(path.stem)
    translator = zh._Translator(zh.load_catalogue(catalogue), report, zh.markdown_parser())
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = zh.translate_markdown(cell.source, translator)
    nb.metadata["pooling_exercises"] = {"language": language}
    return nb, report.untranslated


RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission, as root. The grader of `make grade` grades the
# notebook in /autograder/submission with the tests in /autograder/source/autograder and
# writes /autograder/results/results.json (pooling_grader/gradescope.py).
exec /opt/pooling-grader/bin/pooling-grade --gradescope /autograder
"""

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when the autograder is built: the grader and what answers use.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends bubblewrap python3-venv python3-pip git
python3 -m venv /opt/pooling-grader
/opt/pooling-grader/bin/pip install --index-url https://download.pytorch.org/whl/cpu torch
/opt/pooling-grader/bin/pip install "{install}"
/opt/pooling-grader/bin/pip install --no-deps d2l==1.0.3
chmod -R a+rX /opt/pooling-grader
"""


def gradescope_zip(out: pathlib.Path, stem: str, install: str) -> pathlib.Path:
    """Gradescope's autograder zip for one notebook: ``run_autograder`` and ``setup.sh`` at the
    top, and this build's autograder files (with the hidden tests) in ``autograder/``."""
    path = out / "gradescope" / f"{stem}.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (
            ("run_autograder", RUN_AUTOGRADER),
            ("setup.sh", SETUP_SH.format(install=install)),
        ):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            zf.writestr(info, text)
        for suffix in (".json", ".zip"):
            source = out / "autograder" / f"{stem}{suffix}"
            info = zipfile.ZipInfo(f"autograder/{stem}{suffix}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, source.read_bytes())
    return path


def install_requirement(config: pathlib.Path = HERE.parent / "_config.yml") -> str:
    """``pooling-lib[grader] @ git+<repository>@<branch>``, from ``_config.yml``."""
    repo = (yaml.safe_load(config.read_text()) or {}).get("repository") or {}
    url, branch = str(repo.get("url", "")).rstrip("/"), repo.get("branch", "main")
    if not url.startswith("https://"):
        raise ValueError(f"{config}: repository.url={url!r} must be an https:// URL")
    return f"pooling-lib[grader] @ git+{url}.git@{branch}"


def build(out: pathlib.Path, masters: list[pathlib.Path]) -> list[dict]:
    """Build every master into ``out`` (release, solutions, autograder, Gradescope zips)."""
    for kind in ("release", "solutions", "autograder", "otter", "gradescope", f"release-{ZH}",
                 f"solutions-{ZH}"):  # fmt: skip
        shutil.rmtree(out / kind, ignore_errors=True)
    metas = [build_one(m, out) for m in masters]
    install = install_requirement()
    for m in masters:
        gradescope_zip(out, m.stem, install)
    return metas


def published_differences(release: pathlib.Path, published: pathlib.Path) -> list[str]:
    """Notebook names whose published copy is missing, stale or extra."""
    fresh = {p.name: p.read_bytes() for p in release.glob("*.ipynb")}
    copies = {p.name: p.read_bytes() for p in published.glob("*.ipynb")}
    problems = [f"{name}: missing in {published}" for name in sorted(fresh.keys() - copies.keys())]
    problems += [f"{name}: not in the release" for name in sorted(copies.keys() - fresh.keys())]
    problems += [
        f"{name}: differs from the release"
        for name in sorted(fresh.keys() & copies.keys())
        if fresh[name] != copies[name]
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, required=True, help="build folder")
    parser.add_argument("--masters", type=pathlib.Path, default=MASTERS, help="masters folder")
    parser.add_argument("--publish", type=pathlib.Path, help="copy the release notebooks here")
    parser.add_argument(
        "--publish-zh",
        type=pathlib.Path,
        default=ZH_PUBLISHED,
        help=f"with --publish or --check: where the {ZH} release's copies are",
    )
    parser.add_argument("--check", type=pathlib.Path, help="fail if these copies are stale")
    args = parser.parse_args(argv)

    metas = build(args.out, master_paths(args.masters))
    for meta in metas:
        auto = sum(q["points"] for q in meta["questions"] if not q["manual"])
        manual = sum(q["points"] for q in meta["questions"] if q["manual"])
        print(
            f"{meta['notebook']}: {len(meta['questions'])} questions, "
            f"{auto:g} points autograded, {manual:g} by hand"
        )
    release = args.out / "release"
    print(f"student release: {release}\nautograders:     {args.out / 'autograder'}")
    print(f"Gradescope:      {args.out / 'gradescope'}")
    if args.publish:
        args.publish.mkdir(parents=True, exist_ok=True)
        for nb in sorted(release.glob("*.ipynb")):
            shutil.copyfile(nb, args.publish / nb.name)
        args.publish_zh.mkdir(parents=True, exist_ok=True)
        for nb in sorted((args.out / f"release-{ZH}").glob("*.ipynb")):
            shutil.copyfile(nb, args.publish_zh / nb.name)
        print(f"published:       {args.publish}, {args.publish_zh}")
    if args.check:
        problems = published_differences(release, args.check)
        problems += published_differences(args.out / f"release-{ZH}", args.publish_zh)
        for problem in problems:
            print(f"stale published exercise: {problem}", file=sys.stderr)
        if problems:
            print("run `make exercises` and commit the result", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
