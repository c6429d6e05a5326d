"""Grade every submitted notebook in a folder; student code runs only in a sandbox.

Usage (installed with the package as ``pooling-grade``; ``make grade SUBMISSIONS=dir`` runs
it)::

    pooling-grade SUBMISSIONS --autograders _build/exercises/autograder --out _build/grades
    python -m pooling_grader SUBMISSIONS ...   # the same

``SUBMISSIONS`` holds notebooks, flat (``alice.ipynb``) or one folder per student
(``alice/pooling_loops.ipynb``). The assignment of a notebook is read from its otter metadata
(``assignment_name``), or else from its file name. The student is the first folder under
``SUBMISSIONS``, or the file name for a flat folder.

This process is the trusted grader: it never runs a line of student code. For each notebook
(two at a time) it reads the cells as data and, per question, checks the method and the
integrity of the answer from the source and builds the answer module (``methods.py``,
``integrity.py``); one sandbox per notebook (``sandbox.py``, ``runner.py``) runs each module
in a fresh process, and the hidden and public otter test cases run here, calling the
student's functions through a channel that carries plain data only (``session.py``,
``codec.py``). Without bubblewrap it refuses to run unless ``--no-sandbox`` is given. See
book/teachers.md.

Writes into ``--out``:

* ``grades.json``: everything, per submission and per question (public test messages; hidden
  tests only as counts and short descriptions);
* ``summary.csv``: one row per submission; ``scores.csv``: one row per submission and question;
* ``feedback/<student>/<notebook>.md``: what to send back to each student;
* ``manual/<assignment>.md``: per hand-graded question, the model answer, the rubric and
  every student's answer;
* ``review.md``: answers whose method could not be checked from the source, and code that
  inspects or patches the running program;
* ``run.json``: wall time and CPU time of the run (``make grade-bench`` reads it);
* with ``--roster``: ``canvas.csv``, ``moodle.csv`` and ``roster.md`` (``exports.py``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import pathlib
import sys
import time
import zipfile

from . import exports, gradescope, messages, methods, sandbox
from . import session as sessions

PLACEHOLDER = "_Type your answer here, replacing this text._"
UNPROTECTED = """\
WARNING: --no-sandbox: student code runs as a plain process with your rights.
  NOT protected: your files (it can read the hidden tests and other submissions, and write
  or delete anything you can), the network (it can connect anywhere, loopback included),
  processes it detaches from its session (they may outlive grading), and the machine's
  resources beyond the memory, file-size, process and CPU limits of each worker (Linux
  does not apply the process limit to root).
  Still protected: scores are decided in this process, which never runs student code."""


# ---------------------------------------------------------------------------------------------
# Finding the autograders and the submissions


def load_tests(zip_path: pathlib.Path) -> dict[str, dict]:
    """Question -> its otter test cases, read from the autograder zip (trusted code)."""
    from otter.test_files import ExceptionTestFile

    questions = {}
    with zipfile.ZipFile(zip_path) as zf:
        for name in sorted(zf.namelist()):
            if not (name.startswith("tests/") and name.endswith(".py")):
                continue
            source = zf.read(name).decode()
            path = f"{zip_path.name}/{name}"
            test_file = ExceptionTestFile.from_string(source, path=path)
            questions[test_file.name] = {
                "cases": test_file.test_cases,
                "names": [c.body.test_func.__name__ for c in test_file.test_cases],
                "all_or_nothing": test_file.all_or_nothing,
                "path": path,
                "lines": source.splitlines(),
            }
    return questions


def load_autograders(folder: pathlib.Path) -> dict[str, dict]:
    """Assignment name -> metadata, rules and test cases, from what exercises/build.py wrote."""
    autograders = {}
    for meta_path in sorted(folder.resolve().glob("*.json")):
        meta = json.loads(meta_path.read_text())
        zip_path = meta_path.with_suffix(".zip")
        if not zip_path.is_file():
            raise FileNotFoundError(f"{zip_path} is missing (run `make exercises`)")
        meta.update(meta_path=str(meta_path), zip_path=str(zip_path))
        meta["tests"] = load_tests(zip_path)
        autograders[meta["assignment"]] = meta
    if not autograders:
        raise FileNotFoundError(f"no autograders in {folder} (run `make exercises` first)")
    return autograders


def assignment_of(path: pathlib.Path, autograders: dict[str, dict]) -> str | None:
    """The assignment a notebook belongs to: its otter metadata, or else its file name."""
    try:
        name = json.loads(path.read_text(encoding="utf-8"))["metadata"]["otter"]["assignment_name"]
        if name in autograders:
            return name
    except (OSError, ValueError, KeyError, TypeError):
        pass
    stem = path.stem.lower()
    matches = [a for a, m in autograders.items() if pathlib.Path(m["notebook"]).stem in stem]
    return matches[0] if len(matches) == 1 else None


def find_submissions(root: pathlib.Path, autograders: dict[str, dict]) -> list[dict]:
    """Every notebook under ``root`` (checkpoints skipped), with its student and assignment."""
    found = []
    for path in sorted(root.rglob("*.ipynb")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        student = rel.parts[0] if len(rel.parts) > 1 else path.stem
        found.append(
            {
                "student": student,
                "submission": rel.as_posix(),
                "path": path,
                "assignment": assignment_of(path, autograders),
            }
        )
    return found


# ---------------------------------------------------------------------------------------------
# Grading one notebook


def answers(nb, meta: dict) -> dict[str, str]:
    """Texts of the hand-graded answers: the otter answer Markdown cells, in question order."""
    texts = [
        c.source
        for c in nb.cells
        if c.cell_type == "markdown" and "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    manual = [q["name"] for q in meta["questions"] if q["manual"]]
    return {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(manual)}


def test_names(tests: dict | None) -> list[str]:
    """The student names a question's test cases take (the roots of its answer module)."""
    if tests is None:
        return []
    names = [n for case in tests["cases"] for n in case.body._get_func_params() if n != "env"]
    return list(dict.fromkeys(names))


def _hidden_description(case, say: messages.Messages = messages.ENGLISH) -> str:
    if case.failure_message:
        return say.text(case.failure_message)
    return say("hidden_default")


def grade_one(
    path: pathlib.Path, meta: dict, limits: sessions.Limits, approved: frozenset[str] = frozenset()
) -> dict:
    """Grade one notebook; always returns a result with every question.

    ``approved``: the questions whose integrity problems a teacher has read and approved
    (``--approve``): their answers run and are scored like any other."""
    import nbformat

    start = time.monotonic()
    result = {"status": "ok", "message": "", "errors": [], "review": []}
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        cells = sessions.code_cells(nb)
        texts = answers(nb, meta)
    except Exception as e:  # noqa: BLE001 - not a notebook
        result.update(status="unreadable", message=sessions.clip(f"{type(e).__name__}: {e}"))
        result["seconds"] = round(time.monotonic() - start, 2)
        return complete(result, meta)
    parsed = methods.parse(cells)
    # The release's language (its metadata) decides the language of the student's feedback.
    language = messages.language_of(nb)
    say = messages.for_assignment(meta, language)
    result["language"] = language
    session = sessions.Session(limits, deadline=start + limits.notebook_timeout, say=say)
    questions = []
    answered: set[int] = set()
    scoring_timed_out = False
    try:
        for q in meta["questions"]:
            entry = {"name": q["name"], "max_score": q["points"], "manual": q["manual"]}
            if q["manual"]:
                entry.update(score=None, answer=texts.get(q["name"], ""))
                questions.append(entry)
                continue
            tests = meta["tests"].get(q["name"])
            names = test_names(tests)
            verdict = methods.check(parsed, meta.get("rules", {}).get(q["name"], {}), names, say)
            answered |= verdict["statements"]
            entry["review"] = verdict["review"]
            result["review"] += [f"{q['name']}: {r}" for r in verdict["review"]]
            if verdict["integrity"] and q["name"] in approved:
                entry["review"].append("approved by the teacher: run and scored")
            elif verdict["integrity"]:
                entry.update(score=0.0, public=[], hidden_passed=0, hidden_failed=[])
                entry["method"] = [say("integrity", found=", ".join(verdict["integrity"]))]
                questions.append(entry)
                continue
            if verdict["broken"]:
                entry.update(score=0.0, public=[], hidden_passed=0, hidden_failed=[])
                entry["method"] = verdict["broken"]
                questions.append(entry)
                continue
            if tests is None:
                entry.update(
                    score=0.0, public=[], hidden_passed=0, hidden_failed=[], note=say("no_tests")
                )
                questions.append(entry)
                continue
            try:
                loaded = session.question(verdict["module"], verdict["counter"])
                if not loaded.get("ok"):
                    entry["note"] = say(
                        "load_raised",
                        error=sessions.clip(loaded.get("error", "Error"), 60),
                        message=sessions.clip(loaded.get("message", ""), 200),
                    )
            except sessions.WorkerFailed as e:
                entry["note"] = say("load_failed", reason=e)
            graded = sessions.grade_cases(
                session, tests, lambda case: _hidden_description(case, say)
            )
            failed = graded["hidden_failed"] or [p for p in graded["public"] if not p["passed"]]
            earned = 0.0 if tests["all_or_nothing"] and failed else graded["earned"]
            entry.update(
                score=float(earned),
                public=graded["public"],
                hidden_passed=graded["hidden_passed"],
                hidden_failed=graded["hidden_failed"],
                cases=graded["cases"],
            )
            # A rule met only by loops also needs its loops to have run (methods.instrument).
            idle = sessions.loops_not_run(verdict["loops"], session.loop_runs)
            if idle:
                entry["score"] = 0.0
                entry["method"] = [
                    say(
                        "rule_loops_idle" if never else "rule_loops_few",
                        rule=say.text(rule["rule"]),
                        short=short,
                        total=total,
                    )
                    for rule, short, total, never in idle
                ]
            questions.append(entry)
        scoring_timed_out = session.left() <= 0
        # Scores are decided: now the whole notebook runs, only to report its errors (not in
        # a weaker sandbox: there only the checked answer modules ever run).
        if limits.report_cells:
            session.report_cells(cells)
    finally:
        session.close()
    if parsed.unparsed:
        result["review"].append(f"cells {parsed.unparsed} are not Python: methods not checked")
    result["review"] += methods.top_level_patches(parsed, answered)
    result["errors"] = session.errors
    result["restarts"] = session.restarts
    if scoring_timed_out:
        result.update(status="timeout", message=say("notebook_timeout"))
    result["questions"] = questions
    result["seconds"] = round(time.monotonic() - start, 2)
    return complete(result, meta)


def complete(result: dict, meta: dict) -> dict:
    """Fill in every question of the assignment (score 0 where none was given)."""
    given = {q.get("name"): q for q in result.get("questions") or []}
    questions = []
    for q in meta["questions"]:
        entry = given.get(q["name"])
        if entry is None:
            entry = {"name": q["name"], "max_score": q["points"], "manual": q["manual"]}
            say = messages.Messages(result.get("language", messages.DEFAULT))
            entry.update(score=None if q["manual"] else 0, note=say("not_graded"))
            if q["manual"]:
                entry["answer"] = ""
        questions.append(entry)
    auto = [q for q in questions if not q["manual"]]
    result.update(
        assignment=meta["assignment"],
        notebook=meta["notebook"],
        questions=questions,
        score=sum(q["score"] for q in auto),
        max_score=sum(q["max_score"] for q in auto),
        manual_max_score=sum(q["max_score"] for q in questions if q["manual"]),
    )
    for key, default in (("errors", []), ("message", ""), ("review", []), ("seconds", 0.0)):
        result.setdefault(key, default)
    return result


# ---------------------------------------------------------------------------------------------
# Reports


def feedback_markdown(entry: dict) -> str:
    """The feedback for one student and notebook: no hidden test code, by construction; in the
    language of the notebook's release (``entry['language']``)."""
    say = messages.Messages(entry.get("language", messages.DEFAULT))
    lines = [
        say("fb_title", notebook=entry["notebook"], student=entry["student"]),
        "",
        say("fb_score", score=entry["score"], max_score=entry["max_score"])
        + (
            say("fb_manual_extra", points=entry["manual_max_score"])
            if entry["manual_max_score"]
            else ""
        ),
        "",
    ]
    if entry["status"] != "ok":
        lines += [say("fb_problem", status=entry["status"], message=entry["message"]), ""]
    for q in entry["questions"]:
        if q["manual"]:
            lines += [say("fb_manual_question", name=q["name"], points=q["max_score"]), ""]
            continue
        lines += [say("fb_question", name=q["name"], score=q["score"], max_score=q["max_score"])]
        lines.append("")
        for rule in q.get("method", []):
            lines.append(say("fb_method", rule=rule))
        for test in q.get("public", []):
            mark = say("fb_passed") if test["passed"] else say("fb_failed")
            lines.append(say("fb_public", name=test["name"], mark=mark))
            if not test["passed"] and test.get("message"):
                lines += ["", "  ```", *["  " + x for x in test["message"].splitlines()], "  ```"]
        hidden_failed = q.get("hidden_failed", [])
        total_hidden = q.get("hidden_passed", 0) + len(hidden_failed)
        if total_hidden:
            passed = q.get("hidden_passed", 0)
            lines.append(say("fb_hidden", passed=passed, total=total_hidden))
            for description in hidden_failed:
                lines.append(say("fb_hidden_failed", description=description))
        if q.get("note"):
            lines.append(f"- {q['note']}")
        lines.append("")
    if entry["errors"]:
        lines += [say("fb_errors"), ""]
        for err in entry["errors"]:
            lines.append(
                say("fb_error", cell=err["cell"], error=err["error"], message=err["message"])
            )
        lines.append("")
    return "\n".join(lines)


def manual_markdown(meta: dict, entries: list[dict]) -> str:
    """Per hand-graded question: model answer and rubric, then every student's answer."""
    lines = [f"# Answers to grade by hand: {meta['assignment']}", ""]
    for question in (q for q in meta["questions"] if q["manual"]):
        name = question["name"]
        lines += [f"## {name} ({question['points']:g} points)", ""]
        if question.get("model_answer"):
            lines += ["### Model answer", "", question["model_answer"].strip(), ""]
        if question.get("rubric"):
            lines += ["### Rubric", "", question["rubric"].strip(), ""]
        lines += ["### Answers", ""]
        for entry in entries:
            q = next(x for x in entry["questions"] if x["name"] == name)
            answer = (q.get("answer") or "").strip()
            if not answer or answer == PLACEHOLDER:
                answer = "*(no answer)*"
            lines += [
                f"#### {entry['student']} ({entry['submission']}): {name}, "
                f"{q['max_score']:g} points",
                "",
                answer,
                "",
            ]
    return "\n".join(lines)


def write_reports(entries: list[dict], out: pathlib.Path, autograders: dict[str, dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "grades.json").write_text(json.dumps(entries, indent=2) + "\n")
    summary = [
        ["student", "submission", "assignment", "status", "score", "max_score"]
        + ["manual_max_score", "seconds", "review", "message"]
    ]
    for e in entries:
        summary.append(
            [e["student"], e["submission"], e["assignment"], e["status"], e["score"]]
            + [e["max_score"], e["manual_max_score"], e["seconds"]]
            + ["; ".join(e.get("review", [])), e["message"]]
        )
    exports.write_csv(out / "summary.csv", summary)
    scores = [["student", "submission", "assignment", "question", "score", "max_score"]]
    for e in entries:
        for q in e["questions"]:
            score = "manual" if q["manual"] else q["score"]
            scores.append(
                [e["student"], e["submission"], e["assignment"], q["name"], score, q["max_score"]]
            )
    exports.write_csv(out / "scores.csv", scores)
    for e in entries:
        if e["assignment"] is None:
            continue
        path = out / "feedback" / e["student"] / (pathlib.Path(e["notebook"]).stem + ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_markdown(e))
    by_assignment: dict[str, list[dict]] = {}
    for e in entries:
        if e["assignment"] is not None and e["manual_max_score"]:
            by_assignment.setdefault(e["assignment"], []).append(e)
    for assignment, group in by_assignment.items():
        path = out / "manual" / f"{assignment}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(manual_markdown(autograders[assignment], group))
    review = ["# Answers to review by hand", ""]
    review += [
        f"- {e['student']} ({e['submission']}): {r}" for e in entries for r in e.get("review", [])
    ]
    (out / "review.md").write_text("\n".join(review) + "\n")


def print_table(entries: list[dict]) -> None:
    rows = [("student", "assignment", "score", "status", "seconds")]
    for e in entries:
        score = "" if e["assignment"] is None else f"{e['score']:g}/{e['max_score']:g}"
        rows.append((e["student"], str(e["assignment"]), score, e["status"], f"{e['seconds']:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


# ---------------------------------------------------------------------------------------------


def grade_all(args: argparse.Namespace, limits: sessions.Limits) -> tuple[list[dict], dict]:
    autograders = load_autograders(args.autograders)
    jobs = find_submissions(args.submissions, autograders)
    if not jobs:
        raise FileNotFoundError(f"no notebooks (*.ipynb) under {args.submissions}")
    import torch

    torch.set_num_threads(1)
    print(f"grading {len(jobs)} notebooks, {args.jobs} at a time", flush=True)
    entries: list[dict | None] = [None] * len(jobs)

    def work(i: int) -> None:
        job = jobs[i]
        meta = autograders.get(job["assignment"])
        if meta is None:
            result = {
                "status": "unknown assignment",
                "message": "the notebook's otter metadata and file name match no "
                f"assignment (known: {', '.join(sorted(autograders))})",
                "assignment": None,
                "notebook": job["path"].name,
                "questions": [],
                "errors": [],
                "review": [],
                "score": 0,
                "max_score": 0,
                "manual_max_score": 0,
                "seconds": 0.0,
            }
        else:
            try:
                approved = frozenset(
                    question
                    for submission, _, question in (a.rpartition(":") for a in args.approve)
                    if submission == job["submission"]
                )
                result = grade_one(job["path"], meta, limits, approved)
            except Exception as e:  # noqa: BLE001 - never let one submission stop the run
                result = complete({"status": "error", "message": f"{type(e).__name__}: {e}"}, meta)
        entry = {"student": job["student"], "submission": job["submission"], **result}
        entries[i] = entry
        print(
            f"  {entry['submission']}: {entry['score']:g}/{entry['max_score']:g} "
            f"{entry['status']} ({entry['seconds']:.1f} s)",
            flush=True,
        )

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for future in [pool.submit(work, i) for i in range(len(jobs))]:
            future.result()
    return [e for e in entries if e is not None], autograders


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Grade every notebook in a folder (book/teachers.md).")
    p.add_argument(
        "submissions", type=pathlib.Path, nargs="?", help="folder of submitted notebooks"
    )
    p.add_argument(
        "--gradescope",
        type=pathlib.Path,
        metavar="ROOT",
        help="grade one Gradescope submission: ROOT/source/autograder holds the autograders, "
        "ROOT/submission the notebook; writes ROOT/results/results.json (run_autograder "
        "passes /autograder)",
    )
    p.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "user", "none"),
        default="auto",
        help="with --gradescope: bubblewrap, else (as root) a separate user, else none; "
        "auto takes the first that works (default: %(default)s)",
    )
    p.add_argument(
        "--autograders",
        type=pathlib.Path,
        default=pathlib.Path("_build/exercises/autograder"),
        help="folder written by `make exercises` (default: %(default)s)",
    )
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("_build/grades"))
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded at once")
    p.add_argument("--cell-timeout", type=float, default=30, help="seconds per cell")
    p.add_argument("--call-timeout", type=float, default=10, help="seconds per call of a function")
    p.add_argument(
        "--notebook-timeout", type=float, default=300, help="seconds per notebook, all included"
    )
    p.add_argument("--memory-mb", type=int, default=4096, help="address space per process")
    p.add_argument("--file-mb", type=int, default=64, help="largest file a process writes")
    p.add_argument("--processes", type=int, default=64, help="processes and threads per sandbox")
    p.add_argument(
        "--roster",
        type=pathlib.Path,
        help="CSV of the class (columns id, name, email, section): also write canvas.csv, "
        "moodle.csv and roster.md (who has no submission, which submission has no student)",
    )
    p.add_argument(
        "--canvas-id",
        action="append",
        default=[],
        metavar="ASSIGNMENT=ID",
        help="Canvas's id of an assignment, for its column title in canvas.csv; may be repeated",
    )
    p.add_argument(
        "--approve",
        action="append",
        default=[],
        metavar="SUBMISSION:QUESTION",
        help="run and score an answer that review.md reports as inspecting or patching the "
        "program, once you have read it (e.g. alice/pooling_loops.ipynb:pool2d_loops); "
        "may be repeated",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code without bubblewrap (NOT isolated; see the warning it prints)",
    )
    return p


def _limits(args: argparse.Namespace) -> sessions.Limits:
    return sessions.Limits(
        cell_timeout=args.cell_timeout,
        call_timeout=args.call_timeout,
        notebook_timeout=args.notebook_timeout,
        memory_mb=args.memory_mb,
        file_mb=args.file_mb,
        processes=args.processes,
        sandboxed=not args.no_sandbox,
    )


def _skip_iri_parsers() -> None:
    """Import ``rfc3987_syntax`` as missing in the command's process.

    nbformat and otter import jsonschema, which, where ``rfc3987_syntax`` is installed (a
    dependency of Jupyter's), checks the JSON Schema formats ``iri`` and ``iri-reference``
    with it; importing it builds 39 Earley parsers: 2.3 s of CPU in every grading process
    (each Gradescope submission), half of what loading the autograders costs. Nothing the
    grader validates has those formats, and jsonschema goes without them when the import
    fails. Only where jsonschema is not imported yet (the command, not a test process that
    calls ``main``)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    _skip_iri_parsers()
    p = parser()
    args = p.parse_args(argv)
    for name in ("jobs", "cell_timeout", "call_timeout", "notebook_timeout", "processes"):
        if getattr(args, name) <= 0:
            p.error(f"--{name.replace('_', '-')} must be positive, got {getattr(args, name)}")
    for name in ("memory_mb", "file_mb"):
        if getattr(args, name) < 64:
            p.error(f"--{name.replace('_', '-')} must be at least 64, got {getattr(args, name)}")
    for approval in args.approve:
        if not approval.rpartition(":")[0] or not approval.rpartition(":")[2]:
            p.error(f"--approve must be SUBMISSION:QUESTION, got {approval!r}")
    for pair in args.canvas_id:
        if not pair.partition("=")[0] or not pair.partition("=")[2]:
            p.error(f"--canvas-id must be ASSIGNMENT=ID, got {pair!r}")
    roster = None
    if args.roster is not None:
        try:
            roster = exports.read_roster(args.roster)
        except exports.RosterError as e:
            p.error(str(e))
    if args.gradescope is not None:
        if not (args.gradescope / "source" / "autograder").is_dir():
            p.error(f"--gradescope: {str(args.gradescope / 'source' / 'autograder')!r} is missing")
        return gradescope.run(args.gradescope, _limits(args), args.sandbox)
    if args.submissions is None or not args.submissions.is_dir():
        p.error(f"SUBMISSIONS must be a folder, got {str(args.submissions)!r}")
    if args.no_sandbox:
        print(UNPROTECTED, file=sys.stderr, flush=True)
    elif sandbox.bwrap_path() is None:
        print(
            "error: bubblewrap (bwrap) is not installed, so student code cannot be sandboxed.\n"
            "Install it (Debian/Ubuntu: apt-get install bubblewrap) or, knowing what is then\n"
            "not protected, pass --no-sandbox (make grade ... GRADE_FLAGS=--no-sandbox).",
            file=sys.stderr,
        )
        return 2
    else:
        problem = sandbox.check()
        if problem is not None:
            print(
                f"error: bubblewrap is installed but cannot start a sandbox here: {problem}\n"
                "It needs user namespaces (on Ubuntu 24.04 and later, an AppArmor profile for\n"
                "bwrap, or kernel.apparmor_restrict_unprivileged_userns=0). Or, knowing what is\n"
                "then not protected, pass --no-sandbox.",
                file=sys.stderr,
            )
            return 2
    limits = _limits(args)
    start = time.monotonic()
    try:
        entries, autograders = grade_all(args, limits)
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    seconds = time.monotonic() - start
    write_reports(entries, args.out, autograders)
    written = "summary.csv, scores.csv, grades.json, feedback/, manual/, review.md, run.json"
    if roster is not None:
        canvas_ids = dict(pair.partition("=")[::2] for pair in args.canvas_id)
        matched = exports.write_exports(entries, roster, autograders, args.out, canvas_ids)
        written += ", canvas.csv, moodle.csv, roster.md"
        print(
            f"roster: {len(roster)} students, {len(matched['missing'])} without a submission "
            f"for every assignment; {len(matched['unmatched']) + len(matched['ambiguous'])} "
            "submissions without a roster student (see roster.md)"
        )
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    run = {
        "notebooks": len(entries),
        "seconds": round(seconds, 2),
        "grader_cpu_seconds": round(own.ru_utime + own.ru_stime, 2),
        "sandbox_cpu_seconds": round(sessions.CPU_SECONDS[0], 2),
    }
    (args.out / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    print()
    print_table(entries)
    print(
        f"\n{len(entries)} notebooks in {seconds:.1f} s "
        f"({60 * len(entries) / seconds:.1f} per minute); reports in {args.out}/ ({written})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
