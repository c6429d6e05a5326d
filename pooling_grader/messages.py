"""What the grader tells students, in each language of the exercise releases.

One table, keyed by language (``MESSAGES["en"]``, ``MESSAGES["zh_CN"]``), with the same keys
and the same ``{placeholders}`` in every language (tests/test_grader_messages.py). A release
says its language in the notebook's metadata (``metadata.pooling_exercises.language``,
written by ``exercises/build.py``); a notebook without it is English. What the assignment
itself says (its rules' texts, its hidden tests' descriptions) comes translated from the
autograder's JSON (``translations``: language -> English text -> translated text, built from
``locale/<lang>/LC_MESSAGES/exercises/feedback.po``); a text with no translation stays English.

Reports for teachers (CSV, review notes, the manual-grading file) stay English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "rule_uses": "rule broken: {rule} (the code uses {names})",
        "rule_never": "rule broken: {rule} (the code never uses {names})",
        "rule_loops_idle": (
            "rule broken: {rule} (seen while the tests ran: in {short} of the {total} calls "
            "that returned a result, none of its loops ran)"
        ),
        "rule_loops_few": (
            "rule broken: {rule} (seen while the tests ran: in {short} of the {total} calls "
            "that returned a result, its loops ran fewer times than the result has values)"
        ),
        "or": " or ",
        "integrity": (
            "the answer inspects or patches the running program ({found}): not run; the "
            "question scores 0 until a teacher approves it"
        ),
        "load_raised": "your answer's code raised {error} when it was loaded: {message}",
        "load_failed": "your answer's code could not be loaded: {reason}",
        "no_tests": "no tests",
        "not_graded": "not graded",
        "tensor": "tensor of shape {shape}, {dtype}",
        "call_returned": "{call} returned {value}",
        "call_timeout": "{name} ran past its {seconds:g} s time limit",
        "call_not_plain": "{name} returned {what}",
        "call_raised": "{name} raised {kind}: {message}",
        "call_no_result": "{name} did not return: {reason}",
        "argument": "argument {n}",
        "modified": "{name} modified its input in place ({which}): inputs must stay unchanged",
        "not_plain_name": "{name} is not plain data: {reason}",
        "not_defined": "{name} is not defined (did its cell run without error?)",
        "failed_at": "failed at `{line}`",
        "last_call": "last call: ",
        "hidden_default": "a hidden test failed",
        "hidden_hung": "your code did not return: it hung or ended the Python process",
        "hidden_timeout": "your code ran past its time limit",
        "hidden_not_plain": (
            "your code returned something that is not plain data (tensors, numbers, tuples...)"
        ),
        "hidden_modified": "your code modified its input in place",
        "hidden_raised": "your code raised {kind}",
        "hidden_own_class": "your code raised an exception of its own class",
        "cell_hung": "ran past its time limit and did not stop",
        "cell_ended": "ended the Python process ({reason})",
        "cell_timeout_note": " (the cell ran past its time limit)",
        "budget_out": "the notebook's time budget ran out before every cell ran",
        "notebook_timeout": "the notebook ran past its time budget",
        "fb_title": "# Feedback: {notebook} ({student})",
        "fb_score": "Autograded score: **{score:g} / {max_score:g}**",
        "fb_manual_extra": " (plus {points:g} points graded by hand)",
        "fb_problem": "**Grading problem ({status}):** {message}",
        "fb_manual_question": "## {name}: graded by hand ({points:g} points)",
        "fb_question": "## {name}: {score:g} / {max_score:g}",
        "fb_method": "- method check: {rule}; the question scores 0",
        "fb_public": "- public test `{name}`: {mark}",
        "fb_passed": "passed",
        "fb_failed": "FAILED",
        "fb_hidden": "- hidden tests passed: {passed} of {total}",
        "fb_hidden_failed": "  - failed: {description}",
        "fb_errors": "## Cells that raised an error",
        "fb_error": "- cell {cell}: `{error}`: {message}",
        "gs_manual_name": "{name}: graded by hand",
        "gs_manual_output": "This written answer ({points:g} points) is graded by hand.",
        "gs_method_name": "{name}: method",
        "gs_case_name": "{name}: {kind} {number}: {case}",
        "gs_hidden": "hidden test",
        "gs_public": "public test",
        "gs_score": "Autograded score: {score:g} / {max_score:g}",
        "gs_visible_score": "Public tests and method checks: {score:g} / {max_score:g}; the "
        "hidden tests (worth {hidden:g}) show their results after the due date",
        "gs_problem": "\nGrading problem ({status}): {message}",
    },
    "zh_CN": {
        "rule_uses": "违反规则：{rule}（代码用到了 {names}）",
        "rule_never": "违反规则：{rule}（代码从未用到 {names}）",
        "rule_loops_idle": (
            "违反规则：{rule}（运行测试时发现：在返回了结果的 {total} 次调用中，有 {short} 次"
            "它的循环一次也没有运行）"
        ),
        "rule_loops_few": (
            "违反规则：{rule}（运行测试时发现：在返回了结果的 {total} 次调用中，有 {short} 次"
            "它的循环运行的次数少于结果中值的个数）"
        ),
        "or": " 或 ",
        "integrity": (
            "答案检查或修改了正在运行的程序（{found}）：答案没有运行；在教师批准之前，本题记 0 分"
        ),
        "load_raised": "加载答案的代码时引发了 {error}：{message}",
        "load_failed": "无法加载答案的代码：{reason}",
        "no_tests": "没有测试",
        "not_graded": "未评分",
        "tensor": "形状为 {shape} 的张量，{dtype}",
        "call_returned": "{call} 返回了{value}",
        "call_timeout": "{name} 超过了 {seconds:g} 秒的时间限制",
        "call_not_plain": "{name} 返回了 {what}",
        "call_raised": "{name} 引发了 {kind}：{message}",
        "call_no_result": "{name} 没有返回：{reason}",
        "argument": "第 {n} 个参数",
        "modified": "{name} 原地修改了它的输入（{which}）：输入必须保持不变",
        "not_plain_name": "{name} 不是普通数据：{reason}",
        "not_defined": "{name} 没有定义（定义它的单元格是否运行无误？）",
        "failed_at": "失败于 `{line}`",
        "last_call": "最后一次调用：",
        "hidden_default": "一个隐藏测试未通过",
        "hidden_hung": "代码没有返回：它卡住了，或者结束了 Python 进程",
        "hidden_timeout": "代码超过了时间限制",
        "hidden_not_plain": "代码返回的不是普通数据（张量、数、元组……）",
        "hidden_modified": "代码原地修改了它的输入",
        "hidden_raised": "代码引发了 {kind}",
        "hidden_own_class": "代码引发了一个自定义类的异常",
        "cell_hung": "超过了时间限制，且没有停止",
        "cell_ended": "结束了 Python 进程（{reason}）",
        "cell_timeout_note": "（该单元格超过了时间限制）",
        "budget_out": "笔记本的时间预算在所有单元格运行完之前就用完了",
        "notebook_timeout": "笔记本超过了时间预算",
        "fb_title": "# 反馈：{notebook}（{student}）",
        "fb_score": "自动评分：**{score:g} / {max_score:g}**",
        "fb_manual_extra": "（另有 {points:g} 分由教师评分）",
        "fb_problem": "**评分问题（{status}）：** {message}",
        "fb_manual_question": "## {name}：由教师评分（{points:g} 分）",
        "fb_question": "## {name}：{score:g} / {max_score:g}",
        "fb_method": "- 方法检查：{rule}；本题记 0 分",
        "fb_public": "- 公开测试 `{name}`：{mark}",
        "fb_passed": "通过",
        "fb_failed": "未通过",
        "fb_hidden": "- 隐藏测试：通过 {passed} 个，共 {total} 个",
        "fb_hidden_failed": "  - 未通过：{description}",
        "fb_errors": "## 引发错误的单元格",
        "fb_error": "- 单元格 {cell}：`{error}`：{message}",
        "gs_manual_name": "{name}：由教师评分",
        "gs_manual_output": "这道书面回答（{points:g} 分）由教师评分。",
        "gs_method_name": "{name}：方法检查",
        "gs_case_name": "{name}：{kind} {number}：{case}",
        "gs_hidden": "隐藏测试",
        "gs_public": "公开测试",
        "gs_score": "自动评分：{score:g} / {max_score:g}",
        "gs_visible_score": "公开测试与方法检查：{score:g} / {max_score:g}；"
        "隐藏测试（{hidden:g} 分）的结果在截止日期后显示",
        "gs_problem": "\n评分问题（{status}）：{message}",
    },
}
LANGUAGES = tuple(MESSAGES)


def language_of(nb: Any) -> str:
    """The language of a submitted notebook's release (its metadata), or English."""
    try:
        lang = nb["metadata"]["pooling_exercises"]["language"]
    except (KeyError, TypeError):
        return DEFAULT
    return lang if lang in MESSAGES else DEFAULT


@dataclass
class Messages:
    """The student-facing texts of one language, and the assignment's own translated texts."""

    language: str = DEFAULT
    content: dict[str, str] = field(default_factory=dict)  # English text -> translation

    def __post_init__(self) -> None:
        if self.language not in MESSAGES:
            raise ValueError(
                f"language {self.language!r} has no message table (known: {', '.join(LANGUAGES)})"
            )

    def __call__(self, key: str, **values: Any) -> str:
        """The message ``key`` in this language, with ``values`` filled in."""
        return MESSAGES[self.language][key].format(**values)

    def text(self, english: str) -> str:
        """An assignment text (a rule, a hidden test's description) in this language."""
        return self.content.get(english) or english


ENGLISH = Messages()


def for_assignment(meta: dict, language: str) -> Messages:
    """The messages of ``language`` with the assignment's translations (``meta``)."""
    return Messages(language, dict((meta.get("translations") or {}).get(language) or {}))
