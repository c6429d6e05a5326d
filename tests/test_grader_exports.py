"""The gradebook exports of the grader: Canvas and Moodle CSVs from a roster, column for column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pooling_grader import cli as grade
from pooling_grader import exports

AUTOGRADERS = {
    "pooling-loops": {
        "questions": [
            {"name": "pool2d_loops", "points": 5.0, "manual": False},
            {"name": "max_pool_backward", "points": 4.0, "manual": False},
        ]
    },
    "pooling-variants": {
        "questions": [
            {"name": "pool_cost", "points": 4.0, "manual": False},
            {"name": "max_vs_avg", "points": 2.0, "manual": True},
        ]
    },
}


def _entry(student: str, assignment: str | None, score: float, submission: str = "") -> dict:
    if assignment is None:
        questions, max_score, manual = [], 0.0, 0.0
    else:
        questions = [
            {
                "name": q["name"],
                "max_score": q["points"],
                "manual": q["manual"],
                "score": None if q["manual"] else score / 2,
            }  # fmt: skip
            for q in AUTOGRADERS[assignment]["questions"]
        ]
        max_score = sum(
            q["points"] for q in AUTOGRADERS[assignment]["questions"] if not q["manual"]
        )
        manual = sum(q["points"] for q in AUTOGRADERS[assignment]["questions"] if q["manual"])
    return {
        "student": student,
        "submission": submission or f"{student}/{assignment}.ipynb",
        "assignment": assignment,
        "status": "ok",
        "message": "",
        "score": score,
        "max_score": max_score,
        "manual_max_score": manual,
        "questions": questions,
    }


ROSTER = """\
ID,Name,Email,Section,notes
s1,"Doe, Alice",alice@uni.example,A,ignored
s2,=HYPERLINK("http://evil"),bob@uni.example,B,
s3,+Carol,carol@uni.example,-A,
s4,@Dan,dan@uni.example,A,
"""


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture
def exported(tmp_path: Path) -> dict:
    (tmp_path / "roster.csv").write_text(ROSTER)
    roster = exports.read_roster(tmp_path / "roster.csv")
    entries = [
        _entry("alice", "pooling-loops", 9.0),  # matched by the email's local part
        _entry("s1", "pooling-variants", 3.0),  # by the id
        _entry("alice@uni.example", "pooling-loops", 4.0, "alice-late.ipynb"),  # a second one
        _entry("bob", "pooling-loops", 2.5),
        _entry("=cmd|' /C calc'!A0", "pooling-loops", 1.0),  # on no roster
        _entry("mystery", None, 0.0, "mystery.ipynb"),  # no assignment
    ]
    matched = exports.write_exports(
        entries, roster, AUTOGRADERS, tmp_path, {"pooling-loops": "4711"}
    )
    return {"out": tmp_path, "matched": matched, "roster": roster}


def test_canvas_csv_column_for_column(exported: dict) -> None:
    rows = _read(exported["out"] / "canvas.csv")
    assert rows[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
        "pooling-loops (4711)", "pooling-variants",
    ]  # fmt: skip
    assert rows[1] == ["Points Possible", "", "", "", "", "9.0", "4.0"]
    assert rows[2:] == [
        ["Doe, Alice", "", "s1", "alice@uni.example", "A", "9.0", "3.0"],
        ['\'=HYPERLINK("http://evil")', "", "s2", "bob@uni.example", "B", "2.5", ""],
        ["'+Carol", "", "s3", "carol@uni.example", "'-A", "", ""],
        ["'@Dan", "", "s4", "dan@uni.example", "A", "", ""],
    ]


def test_moodle_csv_column_for_column(exported: dict) -> None:
    rows = _read(exported["out"] / "moodle.csv")
    assert rows[0] == [
        "ID number", "Email address", "Full name", "Section",
        "pooling-loops", "pooling-loops feedback", "pooling-variants", "pooling-variants feedback",
    ]  # fmt: skip
    alice = rows[1]
    assert alice[:4] == ["s1", "alice@uni.example", "Doe, Alice", "A"]
    assert alice[4] == "9.0"
    assert alice[5] == "autograded 9/9; pool2d_loops 4.5/5; max_pool_backward 4.5/4"
    assert alice[6] == "3.0"
    assert alice[7] == "autograded 3/4; 2 points graded by hand; pool_cost 1.5/4"
    assert rows[2][:5] == ["s2", "bob@uni.example", '\'=HYPERLINK("http://evil")', "B", "2.5"]
    assert rows[3] == ["s3", "carol@uni.example", "'+Carol", "'-A", "", "", "", ""]
    assert len(rows) == 5 and all(len(r) == 8 for r in rows)


def test_nobody_is_dropped_silently(exported: dict) -> None:
    matched = exported["matched"]
    missing = {s["id"]: absent for s, absent in matched["missing"]}
    assert missing == {
        "s2": ["pooling-variants"],
        "s3": ["pooling-loops", "pooling-variants"],
        "s4": ["pooling-loops", "pooling-variants"],
    }
    assert [e["submission"] for e in matched["unmatched"]] == [
        "=cmd|' /C calc'!A0/pooling-loops.ipynb",
        "mystery.ipynb",
    ]
    assert [e["submission"] for e in matched["duplicates"]] == ["alice-late.ipynb"]
    report = (exported["out"] / "roster.md").read_text()
    assert "- s3 +Carol (carol@uni.example): pooling-loops, pooling-variants" in report
    assert "`=cmd|' /C calc'!A0/pooling-loops.ipynb`" in report and "1/9" in report
    assert "`mystery.ipynb`" in report and "`alice-late.ipynb`" in report


def test_a_student_matching_two_roster_rows_is_listed(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("id,name,email,section\nann,Ann,x@a.example,A\nx,X,,B\n")
    roster = exports.read_roster(tmp_path / "r.csv")
    matched = exports.match([_entry("x", "pooling-loops", 1.0)], roster)
    assert [ids for _, ids in matched["ambiguous"]] == [["ann", "x"]]
    assert matched["grades"] == {}


def test_safe_neutralises_formulas() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert exports.safe(text) == "'" + text
    assert exports.safe("Alice") == "Alice" and exports.safe(-1.5) == -1.5


@pytest.mark.parametrize(
    "text, message",
    [
        ("id,name,email\ns1,A,a@x\n", "missing section"),
        ("id,name,email,section\n,A,a@x,1\n", "line 2: the id is empty"),
        ("id,name,email,section\ns1,A,a@x,1\nS1,B,b@x,1\n", "line 3: id 'S1' is also on line 2"),
    ],
)
def test_bad_rosters_are_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "r.csv").write_text(text)
    with pytest.raises(exports.RosterError, match=message):
        exports.read_roster(tmp_path / "r.csv")


def test_cli_refuses_a_bad_roster(tmp_path: Path, capsys) -> None:
    (tmp_path / "r.csv").write_text("name\nA\n")
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--roster", str(tmp_path / "r.csv")])
    assert "must have the columns id, name, email, section" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--canvas-id", "pooling-loops"])
    assert "--canvas-id must be ASSIGNMENT=ID" in capsys.readouterr().err
