"""Gradescope: the same grader, run by the autograder zip that ``make exercises`` writes.

Gradescope unpacks the zip into ``/autograder/source``, runs its ``setup.sh`` once (which
installs this package) and, for each submission, its ``run_autograder``, which runs::

    pooling-grade --gradescope /autograder

with the student's files in ``/autograder/submission``. This module grades the notebook found
there with the grader of ``make grade`` (the trusted process, the method and integrity checks,
the hidden tests, which stay in ``source/``) and writes ``/autograder/results/results.json``
in Gradescope's format: one test per test case (public cases visible at once, hidden cases
with their one-line description ``after_due_date``), one per method or integrity verdict,
the score, and one test visible to instructors only (``hidden``) that says which protections
held. The grader's own output (stdout) is hidden from students too.

Nothing a student sees before the due date tells the hidden tests' results: the top-level
``output`` gives the score of the visible tests only (and how many points the hidden ones
are worth), and where there are hidden tests the top-level ``visibility`` (which holds the
total ``score``) is ``after_due_date``, like theirs; the visible tests keep their own
``visible``. Gradescope's specification: https://gradescope-autograders.readthedocs.io/en/
latest/specs/ (``visibility``: ``hidden``, ``after_due_date``, ``after_published``,
``visible``).

Gradescope's containers run as root, and Docker's default seccomp profile refuses the user
namespaces bubblewrap needs. So the sandbox is chosen by what works (``--sandbox auto``):

1. ``bwrap``: bubblewrap starts (the protections of ``make grade``);
2. ``user``: as root without bubblewrap, student code runs as a uid of its own (no process
   runs as it; 64990 to 64999, not ``nobody``) in a private empty folder, with the runner's
   resource limits; ``source/`` and ``results/`` are made readable by root only; the network
   is cut with a network namespace where the container allows one (CAP_SYS_ADMIN); every
   process of that uid is killed afterwards; and the notebook's top-level cells are not run
   at all (no error report), so that only the answer modules, which the integrity check has
   read, ever run;
3. ``none``: neither: student code runs as the grader's user (reported as such).

Each protection is checked by a probe run as the student's user, not assumed.
"""

from __future__ import annotations

import json
import os
import pathlib
import stat
import time

from . import messages, sandbox
from . import session as sessions

VISIBLE, AFTER_DUE_DATE, HIDDEN = "visible", "after_due_date", "hidden"


def choose_sandbox(requested: str, root: pathlib.Path) -> tuple[dict, list[str]]:
    """(settings for ``session.Limits``, protections that held), for ``auto`` or a mode."""
    held: list[str] = []
    notes: list[str] = []
    bwrap_problem = "not tried"
    if requested in ("auto", "bwrap"):
        bwrap_problem = "not installed" if sandbox.bwrap_path() is None else sandbox.check() or ""
        if not bwrap_problem:
            held += [
                "bubblewrap sandbox: yes (own network, PID, IPC and user namespaces; only "
                "/usr, Python and the virtual environment visible, read-only; private /tmp "
                "and home)",
                f"student code runs as: nobody ({sandbox.NOBODY}) inside the sandbox",
                "resource limits (memory, file size, processes, CPU time): yes",
            ]
            return {"sandboxed": True, "user": None}, held
        if requested == "bwrap":
            raise RuntimeError(f"bubblewrap cannot start a sandbox here: {bwrap_problem}")
    notes.append(f"bubblewrap sandbox: no ({bwrap_problem})")
    if requested in ("auto", "user") and os.getuid() == 0:
        private = [root / "source", root / "results"]
        for folder in private:
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, 0, 0)
            os.chmod(folder, stat.S_IRWXU)
        uid = sandbox.free_uid()
        unshare = sandbox.can_unshare_network()
        secrets = sorted(str(p) for p in (root / "source").rglob("*") if p.is_file())[:50]
        found = sandbox.probe(uid, secrets + [str(root / "results")], unshare)
        held.append(f"student code runs as: uid {uid}, a separate user that runs nothing else")
        if found.get("ok") and not found["readable"]:
            held.append(
                f"tests and results unreadable to that user: yes ({len(secrets)} files of "
                "source/ and results/ tried)"
            )
        else:
            notes.append(
                "tests and results unreadable to that user: NO "
                f"({found.get('readable') or found.get('error')})"
            )
        if unshare:
            held.append("network: cut (a network namespace of its own)")
        elif found.get("ok") and not found["network"]:
            notes.append(
                "network: not cut by the grader (no network namespace allowed); the probe "
                "could not connect out, so the container seems to have none"
            )
        else:
            notes.append("network: NOT cut (no network namespace allowed, and it connects)")
        held += [
            "resource limits (memory, file size, processes, CPU time): yes",
            "top-level cells: not run (only the checked answer modules run; no error report)",
            "processes left by that user: killed after grading",
        ]
        return {
            "sandboxed": False,
            "user": uid,
            "unshare_net": unshare,
            "report_cells": False,
        }, held + notes
    if requested == "user":
        raise RuntimeError("--sandbox user needs root (to run student code as another user)")
    notes += [
        "student code runs as: the grader's own user (NOT separated: it can read the tests)",
        "resource limits (memory, file size, processes, CPU time): yes",
        "top-level cells: not run (only the checked answer modules run; no error report)",
    ]
    return {"sandboxed": False, "user": None, "report_cells": False}, held + notes


def find_notebook(submission: pathlib.Path, autograders: dict) -> tuple[pathlib.Path, str]:
    """The submitted notebook of one of ``autograders``' assignments (the first, by name)."""
    from .cli import assignment_of

    found = []
    for path in sorted(submission.rglob("*.ipynb")):
        if any(part.startswith(".") for part in path.relative_to(submission).parts):
            continue
        assignment = assignment_of(path, autograders)
        if assignment is not None:
            found.append((path, assignment))
    if not found:
        names = ", ".join(pathlib.Path(m["notebook"]).name for m in autograders.values())
        raise FileNotFoundError(f"no notebook of this assignment in the submission ({names})")
    return found[0]


def results_json(entry: dict, protections: list[str], seconds: float) -> dict:
    """Gradescope's results.json for one graded notebook: what students see in the language of
    their release (``entry['language']``), the instructors-only test in English."""
    say = messages.Messages(entry.get("language", messages.DEFAULT))
    tests = []
    for q in entry["questions"]:
        if q["manual"]:
            tests.append(
                {
                    "name": say("gs_manual_name", name=q["name"]),
                    "score": 0.0,
                    "max_score": 0.0,
                    "visibility": VISIBLE,
                    "output": say("gs_manual_output", points=q["max_score"]),
                }
            )
            continue
        if q.get("method") or not q.get("cases"):
            reason = "; ".join(q.get("method", [])) or q.get("note") or say("not_graded")
            tests.append(
                {
                    "name": say("gs_method_name", name=q["name"]),
                    "score": 0.0,
                    "max_score": float(q["max_score"]),
                    "status": "failed",
                    "visibility": VISIBLE,
                    "output": reason,
                }
            )
            continue
        for number, case in enumerate(q["cases"], start=1):
            kind = say("gs_hidden") if case["hidden"] else say("gs_public")
            tests.append(
                {
                    "name": say(
                        "gs_case_name", name=q["name"], kind=kind, number=number, case=case["name"]
                    ),  # fmt: skip
                    "score": case["points"] if case["passed"] else 0.0,
                    "max_score": case["points"],
                    "status": "passed" if case["passed"] else "failed",
                    "visibility": AFTER_DUE_DATE if case["hidden"] else VISIBLE,
                    "output": case["message"],
                }
            )
    review = entry.get("review", [])
    tests.append(
        {
            "name": "Grader: protections and review (instructors only)",
            "score": 0.0,
            "max_score": 0.0,
            "visibility": HIDDEN,
            "output": "\n".join(
                ["Protections:", *(f"- {p}" for p in protections), "", "To review by hand:"]
                + ([f"- {r}" for r in review] or ["- nothing"])
            ),
        }
    )
    shown = [t for t in tests if t["visibility"] == VISIBLE]
    later = [t for t in tests if t["visibility"] == AFTER_DUE_DATE]
    if later:  # the total would tell the hidden tests' results: only what is visible
        output = say(
            "gs_visible_score",
            score=sum(t["score"] for t in shown),
            max_score=sum(t["max_score"] for t in shown),
            hidden=sum(t["max_score"] for t in later),
        )
    else:
        output = say("gs_score", score=entry["score"], max_score=entry["max_score"])
    if entry["manual_max_score"]:
        output += say("fb_manual_extra", points=entry["manual_max_score"])
    if entry["status"] != "ok":
        output += say("gs_problem", status=entry["status"], message=entry["message"])
    return {
        "score": float(entry["score"]),
        "execution_time": round(seconds, 1),
        "output": output,
        "visibility": AFTER_DUE_DATE if later else VISIBLE,
        "stdout_visibility": HIDDEN,
        "tests": tests,
    }


def run(root: pathlib.Path, limits: sessions.Limits, requested: str = "auto") -> int:
    """Grade ``root/submission`` with ``root/source/autograder`` into ``root/results``."""
    from .cli import complete, grade_one, load_autograders

    start = time.monotonic()
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    autograders = load_autograders(root / "source" / "autograder")
    settings, protections = choose_sandbox(requested, root)
    for key, value in settings.items():
        setattr(limits, key, value)
    try:
        path, assignment = find_notebook(root / "submission", autograders)
        entry = grade_one(path, autograders[assignment], limits)
    except FileNotFoundError as e:
        meta = next(iter(autograders.values()))
        entry = complete({"status": "no notebook", "message": str(e)}, meta)
    finally:
        if limits.user is not None:
            sandbox.kill_user(limits.user)
    data = results_json(entry, protections, time.monotonic() - start)
    (results / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    print(f"score {entry['score']:g}/{entry['max_score']:g} ({entry['status']})")
    for line in protections:
        print(f"  {line}")
    return 0
