"""The Chinese release of the exercises (issue 20, item 6): the same questions, tests and
grading as the English one, and the grader's feedback to its students in Chinese."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from pathlib import Path

import nbformat
import polib
import pytest
from exercise_modules import ROOT, build, needs_bwrap

from pooling_grader import messages

CJK = re.compile(r"[\u4e00-\u9fff]")
STEMS = [p.stem for p in build.master_paths()]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exercises_zh")
    build.build(out, build.master_paths())
    return out


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_message_tables_have_the_same_keys_and_placeholders() -> None:
    english = messages.MESSAGES["en"]
    for language, table in messages.MESSAGES.items():
        assert table.keys() == english.keys(), language
        for key, text in table.items():
            assert _fields(text) == _fields(english[key]), (language, key)
    assert all(
        CJK.search(t)
        for k, t in messages.MESSAGES["zh_CN"].items()
        if k not in ("fb_question", "gs_case_name")  # names and numbers only
    )


def test_language_comes_from_the_release_metadata() -> None:
    assert messages.language_of({"metadata": {}}) == "en"
    assert messages.language_of({"metadata": {"pooling_exercises": {"language": "zh_CN"}}}) == (
        "zh_CN"
    )
    assert messages.language_of({"metadata": {"pooling_exercises": {"language": "xx"}}}) == "en"
    with pytest.raises(ValueError, match="'xx'"):
        messages.Messages("xx")


def test_every_feedback_text_has_a_chinese_translation() -> None:
    path = ROOT / "locale/zh_CN/LC_MESSAGES/exercises/feedback.po"
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.translated()}
    for master in build.master_paths():
        rules = build.method_rules(build.read_master(master)["questions"])
        texts = build.feedback_texts(master, rules)
        assert texts, master
        missing = [t for t in texts if t not in catalogue]
        assert missing == [], f"{master.name}: translate in {path}: {missing}"
        assert all(CJK.search(catalogue[t]) for t in texts)


@pytest.mark.notebook  # builds the exercises with otter
def test_zh_release_has_the_same_questions_and_tests(built: Path) -> None:
    for stem in STEMS:
        for kind in ("release", "solutions"):
            en = nbformat.read(built / kind / f"{stem}.ipynb", as_version=4)
            zh = nbformat.read(built / f"{kind}-zh_CN" / f"{stem}.ipynb", as_version=4)
            assert [(c.id, c.cell_type) for c in zh.cells] == [
                (c.id, c.cell_type) for c in en.cells
            ]
            for a, b in zip(en.cells, zh.cells, strict=True):
                if a.cell_type != "markdown":
                    assert a.source == b.source and a.metadata == b.metadata, a.id
            assert zh.metadata["otter"] == en.metadata["otter"]  # the public tests, the name
            assert zh.metadata["pooling_exercises"] == {"language": "zh_CN"}
            assert "pooling_exercises" not in en.metadata
        release = nbformat.read(built / "release-zh_CN" / f"{stem}.ipynb", as_version=4)
        # Every text cell is Chinese, but otter's answer boxes (left as otter writes them)
        # and its question markers (HTML comments).
        markdown = [
            c
            for c in release.cells
            if c.cell_type == "markdown"
            and "otter_answer_cell" not in c.metadata.get("tags", [])
            and not c.source.strip().startswith("<!--")
        ]
        assert markdown and all(CJK.search(c.source) for c in markdown), stem
    meta = json.loads((built / "autograder" / "pooling_loops.json").read_text())
    assert meta["translations"]["zh_CN"]["compute the gradient without autograd"]


@pytest.mark.notebook  # builds the exercises with otter
def test_published_zh_copies_are_current(built: Path) -> None:
    assert build.published_differences(built / "release-zh_CN", build.ZH_PUBLISHED) == []


WRONG = """\
def pool2d_loops(X, kernel_size, stride=None, padding=(0, 0), mode="max"):
    for i in range(1):
        Y = X[: X.shape[0] - 1, : X.shape[1] - 1] + 1
    return Y


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    X = X.clone().requires_grad_(True)
    Y = torch.nn.functional.max_pool2d(X[None, None], kernel_size, stride=stride)
    Y.backward(dY[None, None])
    return X.grad
"""


@pytest.mark.notebook  # builds and grades
@needs_bwrap
def test_zh_submissions_get_chinese_feedback_and_the_same_scores(
    built: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "submissions"
    for student, kind in (("right-zh", "solutions-zh_CN"), ("right-en", "solutions")):
        (folder / student).mkdir(parents=True)
        (folder / student / "pooling_loops.ipynb").write_bytes(
            (built / kind / "pooling_loops.ipynb").read_bytes()
        )
    wrong = nbformat.read(built / "solutions-zh_CN" / "pooling_loops.ipynb", as_version=4)
    wrong.cells.append(nbformat.v4.new_code_cell("import torch\n\n" + WRONG))
    (folder / "wrong-zh").mkdir()
    nbformat.write(wrong, folder / "wrong-zh" / "pooling_loops.ipynb")
    out = tmp_path / "grades"
    proc = subprocess.run(
        [sys.executable, "-m", "pooling_grader", str(folder), "--autograders",
         str(built / "autograder"), "--out", str(out), "--jobs", "2"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    entries = {e["student"]: e for e in json.loads((out / "grades.json").read_text())}
    assert entries["right-zh"]["score"] == entries["right-zh"]["max_score"] == 9
    assert entries["right-en"]["score"] == 9
    assert entries["right-zh"]["language"] == "zh_CN"
    assert entries["right-en"]["language"] == "en"
    wrong_entry = entries["wrong-zh"]
    assert wrong_entry["score"] == 0
    feedback = {p.parent.name + "/" + p.name: p.read_text() for p in out.rglob("*.md")}
    text = next(t for name, t in feedback.items() if "wrong-zh" in name or "wrong-zh" in t)
    assert "自动评分：**0 / 9**" in text
    assert "公开测试" in text and "未通过" in text and "失败于 `" in text
    assert "违反规则：不用自动微分计算梯度（代码用到了 " in text  # the rule, in Chinese
    assert "高和宽上不同的窗口、步幅和填充" in text  # a hidden test's description
    for english in ("method check", "public test", "rule broken", "hidden tests passed"):
        assert english not in text
    right = next(t for name, t in feedback.items() if "right-zh" in name or "right-zh" in t)
    assert "自动评分：**9 / 9**" in right


def test_gradescope_results_of_a_chinese_release_are_in_chinese() -> None:
    from pooling_grader import gradescope

    entry = {
        "score": 1.0, "max_score": 4.0, "manual_max_score": 2.0, "status": "ok", "message": "",
        "language": "zh_CN", "review": [],
        "questions": [
            {"name": "q1", "manual": False, "max_score": 2.0, "score": 1.0, "cases": [
                {"hidden": False, "points": 1.0, "passed": True, "name": "test_a", "message": ""},
                {"hidden": True, "points": 1.0, "passed": False, "name": "ties", "message": ""},
            ]},
            {"name": "q2", "manual": False, "max_score": 2.0, "score": 0.0, "method": ["x"]},
            {"name": "q3", "manual": True, "max_score": 2.0, "score": None},
        ],
    }  # fmt: skip
    data = gradescope.results_json(entry, ["bubblewrap sandbox: yes"], 1.0)
    names = [t["name"] for t in data["tests"]]
    assert names[:4] == [
        "q1：公开测试 1：test_a", "q1：隐藏测试 2：ties", "q2：方法检查", "q3：由教师评分"
    ]  # fmt: skip
    assert data["output"] == (
        "公开测试与方法检查：1 / 3；隐藏测试（1 分）的结果在截止日期后显示（另有 2 分由教师评分）"
    )
    assert data["tests"][-1]["name"].startswith("Grader:")  # instructors only: English
    english = gradescope.results_json({**entry, "language": "en"}, [], 1.0)
    assert english["tests"][0]["name"] == "q1: public test 1: test_a"
