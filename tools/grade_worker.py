"""Grade ONE submitted notebook with otter's grading API; meant to run in its own subprocess.

``tools/grade.py`` starts one of these per submission (in a new session, with a hard timeout
and resource limits) and reads the JSON result file this writes; it never parses stdout.

What happens here:

1. A fresh temporary folder gets the autograder's tests (``source/tests``, made read-only) and a
   copy of the submission (``submission/<notebook>``, outputs removed), which runs with
   ``submission/`` as its working folder. The worker reads the tests (names, points, hidden or
   not) before the notebook runs.
2. A harness cell is put before the student's cells. It reads the tests into the kernel's
   memory (deleting or editing the files later changes nothing; tests in the notebook's own
   metadata are never used), makes every test case catch ``BaseException`` (so ``sys.exit()``,
   ``KeyboardInterrupt`` or a time-out inside one test fails that test only) and gives every
   test case a time limit (SIGALRM).
3. ``otter.execute.grade_notebook`` runs the notebook in a Jupyter kernel, with a time limit per
   cell (the kernel is interrupted and the next cell runs). Outputs other than errors are
   dropped as they arrive, so printing junk costs neither memory nor grading.
4. The result file lists per question the score (the notebook reports which cases passed; the
   points and hidden flags are the worker's own), the public test messages and cell errors
   (replaced by a notice when they quote a hidden test), and for hidden tests only a count and
   the descriptions of the failed ones.

Student code runs with the rights of this process: see book/teachers.md for what this does and
does not protect against.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from typing import Any

SKIP_SLOW_IMPORT = 'import sys\nsys.modules.setdefault("rfc3987_syntax", None)\n'
MAX_TEXT = 300  # characters kept of any error text that comes from the submission

HARNESS = """\
# Grading harness, added by tools/grade_worker.py (not part of the submission).
def _grading_harness(tests_dir, test_timeout):
    import inspect
    import os
    import signal

    from otter.execute import Checker
    from otter.test_files.abstract_test import TestCaseResult
    from otter.test_files.exception_test import ExceptionTestFile

    # Read the tests now, before any student code runs: deleting or editing the files later
    # changes nothing, and tests stored in the submission's own metadata are never used.
    sources = {}
    for name in sorted(os.listdir(tests_dir)):
        if name.endswith(".py"):
            path = os.path.join(tests_dir, name)
            with open(path) as f:
                sources[name[:-3]] = (path, f.read())

    def check(cls, nb_or_test_path, nbmeta_config, test_name=None, global_env=None):
        question = test_name or os.path.splitext(os.path.basename(nb_or_test_path))[0]
        if question not in sources:
            raise FileNotFoundError(f"no test for question {question!r}")
        path, source = sources[question]
        test = ExceptionTestFile.from_string(source, path=path)
        if global_env is None:
            global_env = inspect.currentframe().f_back.f_globals
        test.run(global_env)
        if cls._track_results:
            cls._test_files.append(test)
        return test

    class TestTimeout(BaseException):
        pass

    def alarm(signum, frame):
        raise TestTimeout(f"test case stopped after its {test_timeout} s time limit")

    def run(self, global_environment):
        # A test case that raises anything at all (SystemExit, KeyboardInterrupt from the cell
        # time limit, its own time limit) fails; the other test cases still run.
        self.test_case_results = []
        for tc in self.test_cases:
            previous = signal.signal(signal.SIGALRM, alarm)
            signal.setitimer(signal.ITIMER_REAL, test_timeout)
            try:
                tc.body.call_func(global_environment)
            except BaseException as e:
                signal.setitimer(signal.ITIMER_REAL, 0)
                try:
                    message = self._generate_error_message(e)
                except BaseException:
                    message = f"{type(e).__name__}: {e}"
                passed = False
            else:
                signal.setitimer(signal.ITIMER_REAL, 0)
                passed, message = True, "passed"
            finally:
                signal.signal(signal.SIGALRM, previous)
            self.test_case_results.append(
                TestCaseResult(test_case=tc, message=message, passed=passed)
            )

    Checker.check = classmethod(check)
    ExceptionTestFile.run = run


_grading_harness(__TESTS_DIR__, __TEST_TIMEOUT__)
del _grading_harness
"""


def set_limits(memory_mb: int, file_mb: int) -> None:
    """Resource limits for this process and the kernel it starts (they are inherited)."""
    import resource

    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if file_mb > 0:
        limit = file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _configure_otter(cell_timeout: float) -> None:
    """Give otter's ExecutePreprocessor a per-cell time limit and drop non-error outputs.

    ``otter.execute.grade_notebook`` builds its own traitlets ``Config``; we hand it one with
    ``ExecutePreprocessor.timeout`` set and ``interrupt_on_timeout`` on, so that a cell that runs
    too long is interrupted (KeyboardInterrupt in the kernel) and grading goes on with the next
    cell.
    """
    import nbclient
    import otter.execute
    from traitlets.config import Config

    def config() -> Config:
        c = Config()
        c.ExecutePreprocessor.timeout = cell_timeout
        c.ExecutePreprocessor.interrupt_on_timeout = True
        c.ExecutePreprocessor.startup_timeout = 120
        c.ExecutePreprocessor.iopub_timeout = 10
        c.ExecutePreprocessor.extra_arguments = ["--HistoryManager.enabled=False"]
        return c

    otter.execute.Config = config

    # Speed: jsonschema imports rfc3987_syntax (about a second of grammar building) only to
    # check "iri" string formats, which notebooks never use. Importing None from sys.modules
    # fails at once, and jsonschema skips that format. Done here and in the kernel's first cell.
    import otter.execute.preprocessor as pre

    if SKIP_SLOW_IMPORT not in pre.INIT_CELL_SOURCE:
        pre.INIT_CELL_SOURCE = SKIP_SLOW_IMPORT + pre.INIT_CELL_SOURCE

    keep_output = nbclient.NotebookClient.output

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") != "error":
            return None
        return keep_output(self, outs, msg, display_id, cell_index)

    nbclient.NotebookClient.output = output


def _read_only(path: pathlib.Path) -> None:
    for p in sorted(path.rglob("*"), reverse=True):
        p.chmod(stat.S_IRUSR | (stat.S_IXUSR if p.is_dir() else 0))
    path.chmod(stat.S_IRUSR | stat.S_IXUSR)


def _writable(path: pathlib.Path) -> None:
    """Undo ``_read_only`` (and any chmod by the submission) so the folder can be removed."""
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            try:
                os.chmod(os.path.join(root, d), stat.S_IRWXU)
            except OSError:
                pass


def prepare(
    submission: pathlib.Path,
    autograder: pathlib.Path,
    meta: dict,
    workdir: pathlib.Path,
    test_timeout: float,
) -> tuple[pathlib.Path, pathlib.Path]:
    """Lay out the temporary grading folder; return (notebook to run, tests folder)."""
    import nbformat

    source = workdir / "source"
    with zipfile.ZipFile(autograder) as zf:
        zf.extractall(source)
    tests = source / "tests"
    if not tests.is_dir():
        raise RuntimeError(f"autograder {autograder} has no tests/ folder")
    _read_only(source)

    nb = nbformat.read(submission, as_version=4)
    for i, cell in enumerate(nb.cells):
        cell.setdefault("metadata", {})["grader_cell"] = i
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    code = HARNESS.replace("__TESTS_DIR__", repr(str(tests)))
    harness = nbformat.v4.new_code_cell(code.replace("__TEST_TIMEOUT__", repr(float(test_timeout))))
    harness.metadata["grader_cell"] = "harness"
    nb.cells.insert(0, harness)
    nb.metadata.setdefault("kernelspec", {})["name"] = "python3"

    subdir = workdir / "submission"
    subdir.mkdir()
    notebook = subdir / meta["notebook"]
    nbformat.write(nb, notebook)
    return notebook, tests


def answers(submission: pathlib.Path, meta: dict) -> dict[str, str]:
    """Texts of the hand-graded answers: the otter answer Markdown cells, in question order."""
    import nbformat

    nb = nbformat.read(submission, as_version=4)
    texts = [
        c.source
        for c in nb.cells
        if c.cell_type == "markdown" and "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    manual = [q["name"] for q in meta["questions"] if q["manual"]]
    return {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(manual)}


def cell_errors(executed: Any) -> list[dict]:
    """Errors raised by the student's cells (index as in the submission), clipped."""
    errors = []
    for cell in executed.cells:
        index = cell.get("metadata", {}).get("grader_cell")
        if not isinstance(index, int) or cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                # Clipped only after scrub (in grade): a hidden test cut in half would slip by.
                ename = _clip(out.get("ename", ""), 100_000)
                message = _clip(out.get("evalue", ""), 100_000)
                if ename == "KeyboardInterrupt":
                    note = "the cell ran past its time limit and was interrupted"
                    message = f"{message} ({note})" if message else note
                errors.append({"cell": index, "error": ename, "message": message})
    return errors


MIN_FINGERPRINT = 12  # shorter lines ("import torch") are too common to hide


def trusted_tests(tests: pathlib.Path) -> tuple[dict[str, dict], set[str]]:
    """Each question's test cases, read here from the autograder (not from the notebook).

    Names, points, hidden flags and descriptions come from these files; the notebook's process
    only reports which cases passed, so it cannot relabel a hidden test as public to have its
    text shown. Also returns the fingerprints of the hidden tests: their names and their lines
    that no public test has, which ``scrub`` looks for in any text shown to the student.
    """
    import ast

    from otter.test_files import ExceptionTestFile

    questions, hidden_lines, public_lines, hidden_names = {}, set(), set(), set()
    for path in sorted(tests.glob("*.py")):
        source = path.read_text()
        test_file = ExceptionTestFile.from_string(source, path=str(path))
        functions = [
            node
            for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and node.decorator_list
        ]
        for function, case in zip(functions, test_file.test_cases, strict=False):
            segment = ast.get_source_segment(source, function) or ""
            lines = {line.strip() for line in segment.splitlines()}
            (hidden_lines if case.hidden else public_lines).update(lines)
            if case.hidden:
                hidden_names.add(function.name)
        questions[test_file.name] = {
            "cases": test_file.test_cases,
            "names": [f.name for f in functions],
            "all_or_nothing": test_file.all_or_nothing,
        }
    fingerprints = {line for line in hidden_lines - public_lines if len(line) >= MIN_FINGERPRINT}
    return questions, fingerprints | hidden_names


def scrub(text: str, fingerprints: set[str]) -> str:
    """The text, or a notice if it quotes a hidden test anywhere."""
    if any(f in text for f in fingerprints):
        return "[message removed: it quotes a hidden test]"
    return text


def score(
    results: Any,
    meta: dict,
    answers_by_name: dict[str, str],
    trusted: dict[str, dict],
    fingerprints: set[str],
) -> list[dict]:
    """Per-question scores: which cases passed (from the notebook), what they are worth (here)."""
    questions = []
    for q in meta["questions"]:
        entry = {"name": q["name"], "max_score": q["points"], "manual": q["manual"]}
        if q["manual"]:
            entry.update(score=None, answer=answers_by_name.get(q["name"], ""))
            questions.append(entry)
            continue
        reported = results.results.get(q["name"]) if results is not None else None
        outcomes = list(getattr(reported, "test_case_results", None) or [])
        tests = trusted.get(q["name"])
        if tests is None or not outcomes:
            entry.update(score=0, public=[], hidden_failed=[], hidden_passed=0, note="not run")
            questions.append(entry)
            continue
        public, hidden_failed, hidden_passed, earned = [], [], 0, 0.0
        for i, case in enumerate(tests["cases"]):
            outcome = outcomes[i] if i < len(outcomes) else None
            passed = outcome is not None and getattr(outcome, "passed", False) is True
            earned += case.points if passed else 0
            if case.hidden:
                if passed:
                    hidden_passed += 1
                else:
                    hidden_failed.append(case.failure_message or "a hidden test failed")
            else:
                message = "" if passed else str(getattr(outcome, "message", "") or "")
                public.append(
                    {
                        "name": tests["names"][i] if i < len(tests["names"]) else case.name,
                        "passed": passed,
                        "message": _clip(scrub(message, fingerprints), 1500),
                    }
                )
        if tests["all_or_nothing"] and hidden_failed + [p for p in public if not p["passed"]]:
            earned = 0.0
        entry.update(
            score=float(earned),
            public=public,
            hidden_passed=hidden_passed,
            hidden_failed=hidden_failed,
        )
        questions.append(entry)
    return questions


def grade(args: argparse.Namespace) -> dict:
    """Grade ``args.submission``; return the result (every question present)."""
    meta = json.loads(pathlib.Path(args.meta).read_text())
    result = {
        "assignment": meta["assignment"],
        "notebook": meta["notebook"],
        "status": "ok",
        "message": "",
        "errors": [],
    }
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="grade-"))
    results, trusted, fingerprints, answers_by_name = None, {}, set(), {}
    submission = pathlib.Path(args.submission).resolve()
    try:
        try:
            answers_by_name = answers(submission, meta)
            notebook, tests = prepare(
                submission, pathlib.Path(args.autograder), meta, workdir, args.test_timeout
            )
        except Exception as e:
            result.update(status="unreadable", message=_clip(f"{type(e).__name__}: {e}"))
        else:
            # Read before the notebook runs: it may delete the files.
            trusted, fingerprints = trusted_tests(tests)
            results = run_notebook(notebook, tests, args.cell_timeout, result)
    finally:
        os.chdir(tempfile.gettempdir())
        _writable(workdir)
        shutil.rmtree(workdir, ignore_errors=True)
    for error in result["errors"]:
        error["error"] = _clip(scrub(error["error"], fingerprints), 80)
        error["message"] = _clip(scrub(error["message"], fingerprints))
    result["questions"] = score(results, meta, answers_by_name, trusted, fingerprints)
    auto = [q for q in result["questions"] if not q["manual"]]
    result["score"] = sum(q["score"] for q in auto)
    result["max_score"] = sum(q["max_score"] for q in auto)
    result["manual_max_score"] = sum(q["max_score"] for q in result["questions"] if q["manual"])
    return result


def run_notebook(
    notebook: pathlib.Path, tests: pathlib.Path, cell_timeout: float, result: dict
) -> Any:
    """Run the prepared notebook with otter's grading API; note failures in ``result``."""
    _configure_otter(cell_timeout)
    from otter.execute import grade_notebook

    os.chdir(notebook.parent)
    try:
        results = grade_notebook(
            str(notebook),
            tests_glob=sorted(str(p) for p in tests.glob("*.py")),
            cwd=str(notebook.parent),
            test_dir=str(tests),
            ignore_errors=True,
        )
    except Exception as e:  # e.g. DeadKernelError: the notebook killed its own kernel
        result.update(status="error", message=_clip(f"grading stopped: {type(e).__name__}: {e}"))
        return None
    failure = results.catastrophic_error
    if failure is not None:
        result.update(
            status="error",
            message=_clip(
                "the notebook ran but the final grading cell did not finish "
                f"({type(failure).__name__}), so every question scores 0"
            ),
        )
    result["errors"] = cell_errors(results.notebook)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade one notebook (used by tools/grade.py).")
    parser.add_argument("--submission", required=True)
    parser.add_argument("--autograder", required=True, help="otter autograder zip")
    parser.add_argument("--meta", required=True, help="JSON written by exercises/build.py")
    parser.add_argument("--result", required=True, help="where to write the result JSON")
    parser.add_argument("--cell-timeout", type=float, default=60.0)
    parser.add_argument("--test-timeout", type=float, default=20.0)
    parser.add_argument("--memory-mb", type=int, default=8192, help="address space, 0: no limit")
    parser.add_argument("--file-mb", type=int, default=100, help="file size, 0: no limit")
    args = parser.parse_args(argv)
    set_limits(args.memory_mb, args.file_mb)
    sys.modules.setdefault("rfc3987_syntax", None)  # see _configure_otter

    start = time.monotonic()
    try:
        result = grade(args)
    except Exception as e:  # the worker itself failed: still leave a result file
        result = {
            "status": "error",
            "message": _clip(f"grader failure: {type(e).__name__}: {e}"),
            "trace": traceback.format_exc()[-2000:],
        }
    result["seconds"] = round(time.monotonic() - start, 2)
    out = pathlib.Path(args.result)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2))
    tmp.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
