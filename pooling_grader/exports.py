"""Gradebook exports: a Canvas gradebook CSV and a Moodle grade-import CSV, from a roster.

The roster is the teacher's CSV with the columns ``id``, ``name``, ``email`` and ``section``
(a header row, in any order; other columns are ignored). A graded submission belongs to the
roster student whose ``id``, ``email`` or the part of the email before ``@`` equals its student
(the folder or file name, compared without case). Nothing is dropped silently: roster
students without a submission keep an empty grade and are listed, and submissions that match
no roster student (or more than one) are listed in ``roster.md`` with their scores.

* ``canvas.csv`` follows Canvas's gradebook import format: ``Student``, ``ID``, ``SIS User
  ID``, ``SIS Login ID``, ``Section``, then one column per assignment titled ``Title (id)``
  (``id`` is the Canvas assignment id given with ``--canvas-id``; without one the column is
  titled ``Title`` alone and Canvas creates the assignment when importing), and a second row
  ``Points Possible``. Canvas matches students on ``SIS User ID`` (the roster's id) and
  ``SIS Login ID`` (its email); ``ID``, Canvas's internal number, is left empty.
* ``moodle.csv`` is for Moodle's "Import grades from CSV": ``ID number``, ``Email address``,
  ``Full name``, ``Section``, then per assignment a grade column (its name) and a feedback
  column (``<name> feedback``), which Moodle's import maps to the grade item and its feedback.

Scores are the autograded ones; points graded by hand are not in them (the feedback says how
many remain). A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``, so that no spreadsheet reads it as a formula (``safe``).
"""

from __future__ import annotations

import csv
import pathlib

ROSTER_COLUMNS = ("id", "name", "email", "section")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("ID number", "Email address", "Full name", "Section")


class RosterError(ValueError):
    """The roster file is not a CSV with the columns id, name, email and section."""


def safe(value: object) -> object:
    """``value`` as a spreadsheet shows it: text that could start a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(path: pathlib.Path, rows: list[list[object]]) -> None:
    """Write ``rows`` with every text cell made ``safe``."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for row in rows:
            writer.writerow([safe(v) for v in row])


def read_roster(path: pathlib.Path) -> list[dict[str, str]]:
    """The roster's students, in file order; raises RosterError naming what is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise RosterError(f"roster {str(path)!r} cannot be read: {e}") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise RosterError(
            f"roster {str(path)!r} must have the columns {', '.join(ROSTER_COLUMNS)}; "
            f"missing {', '.join(missing)} (its header is {reader.fieldnames!r})"
        )
    students, seen = [], {}
    for number, row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        student = {c: row.get(c, "") for c in ROSTER_COLUMNS}
        if not student["id"]:
            raise RosterError(f"roster {str(path)!r}, line {number}: the id is empty")
        if student["id"].lower() in seen:
            raise RosterError(
                f"roster {str(path)!r}, line {number}: id {student['id']!r} is also on line "
                f"{seen[student['id'].lower()]}"
            )
        seen[student["id"].lower()] = number
        students.append(student)
    return students


def _keys(student: dict[str, str]) -> set[str]:
    email = student["email"].lower()
    keys = {student["id"].lower()}
    if email:
        keys |= {email, email.partition("@")[0]}
    return keys


def match(entries: list[dict], roster: list[dict[str, str]]) -> dict:
    """Submissions per roster student and assignment, and what matched no one.

    Returns ``{"grades": {(roster id, assignment): entry}, "missing": [(student, [assignments])],
    "unmatched": [entry], "ambiguous": [(entry, [roster ids])], "duplicates": [entry]}``;
    of two graded submissions of one student and assignment the higher score counts and the
    other is listed in ``duplicates``.
    """
    owners: dict[str, list[str]] = {}
    for student in roster:
        for key in _keys(student):
            owners.setdefault(key, []).append(student["id"])
    grades: dict[tuple[str, str], dict] = {}
    unmatched, ambiguous, duplicates = [], [], []
    for entry in entries:
        if entry.get("assignment") is None:
            unmatched.append(entry)
            continue
        ids = sorted(set(owners.get(entry["student"].lower(), [])))
        if not ids:
            unmatched.append(entry)
            continue
        if len(ids) > 1:
            ambiguous.append((entry, ids))
            continue
        key = (ids[0], entry["assignment"])
        if key in grades:
            kept, other = sorted([grades[key], entry], key=lambda e: -e["score"])
            grades[key] = kept
            duplicates.append(other)
        else:
            grades[key] = entry
    return {"grades": grades, "unmatched": unmatched, "ambiguous": ambiguous,
            "duplicates": duplicates}  # fmt: skip


def _feedback(entry: dict) -> str:
    text = f"autograded {entry['score']:g}/{entry['max_score']:g}"
    if entry["manual_max_score"]:
        text += f"; {entry['manual_max_score']:g} points graded by hand"
    for q in entry["questions"]:
        if not q["manual"]:
            text += f"; {q['name']} {q['score']:g}/{q['max_score']:g}"
    if entry["status"] != "ok":
        text += f"; grading problem ({entry['status']}): {entry['message']}"
    return text


def write_exports(
    entries: list[dict],
    roster: list[dict[str, str]],
    autograders: dict[str, dict],
    out: pathlib.Path,
    canvas_ids: dict[str, str] | None = None,
) -> dict:
    """Write canvas.csv, moodle.csv and roster.md into ``out``; return what ``match`` found
    with ``missing``: roster students without a submission, and the assignments they miss."""
    canvas_ids = canvas_ids or {}
    assignments = sorted(autograders)
    matched = match(entries, roster)
    grades = matched["grades"]
    points = {
        a: sum(q["points"] for q in autograders[a]["questions"] if not q["manual"])
        for a in assignments
    }
    titles = [f"{a} ({canvas_ids[a]})" if a in canvas_ids else a for a in assignments]
    canvas = [[*CANVAS_COLUMNS, *titles], ["Points Possible", "", "", "", "", *points.values()]]
    moodle = [[*MOODLE_COLUMNS, *(c for a in assignments for c in (a, f"{a} feedback"))]]
    missing = []
    for s in roster:
        scores = [
            grades[s["id"], a]["score"] if (s["id"], a) in grades else "" for a in assignments
        ]
        canvas.append([s["name"], "", s["id"], s["email"], s["section"], *scores])
        row = [s["id"], s["email"], s["name"], s["section"]]
        for a in assignments:
            entry = grades.get((s["id"], a))
            row += [entry["score"], _feedback(entry)] if entry else ["", ""]
        moodle.append(row)
        absent = [a for a in assignments if (s["id"], a) not in grades]
        if absent:
            missing.append((s, absent))
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "canvas.csv", canvas)
    write_csv(out / "moodle.csv", moodle)
    matched["missing"] = missing
    (out / "roster.md").write_text(roster_report(matched))
    return matched


def roster_report(matched: dict) -> str:
    """What the exports could not place: nothing in it means every row found its student."""

    def shown(entry: dict) -> str:
        score = (
            ""
            if entry.get("assignment") is None
            else f": {entry['score']:g}/{entry['max_score']:g}"
        )
        return (
            f"`{entry['submission']}` (student `{entry['student']}`, {entry['assignment']}){score}"
        )

    lines = ["# Roster and submissions", ""]
    lines += ["## Roster students without a submission (empty grade in the exports)", ""]
    lines += [
        f"- {s['id']} {s['name']} ({s['email']}): {', '.join(a)}" for s, a in matched["missing"]
    ]
    lines += ["", "## Submissions that match no roster student (not in the exports)", ""]
    lines += [f"- {shown(e)}" for e in matched["unmatched"]]
    lines += ["", "## Submissions that match several roster students (not in the exports)", ""]
    lines += [f"- {shown(e)}: {', '.join(ids)}" for e, ids in matched["ambiguous"]]
    lines += ["", "## Second submissions of a student (the higher score counts)", ""]
    lines += [f"- {shown(e)}" for e in matched["duplicates"]]
    return "\n".join(lines) + "\n"
