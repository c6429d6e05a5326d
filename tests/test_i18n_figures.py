"""Figures in Chinese: pooling_book.i18n and the catalogue of the drawing code's labels.

* With ``POOLING_BOOK_LANG=zh_CN`` the book's figures carry Chinese text, and every glyph of
  it exists in a font of ``tools/matplotlibrc`` (drawn in a subprocess under the notebooks'
  environment, where matplotlib's missing-glyph warning is an error).
* Without it, ``_`` is the identity (the English figures stay byte for byte the same).
* The committed ``.mo`` is the compiled ``.po``; every label the drawing code passes to
  ``_`` has a translation that keeps its ``{placeholders}``; every entry is still used.
"""

from __future__ import annotations

import ast
import fnmatch
import gettext
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import polib
import pytest

from pooling_book import i18n

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebook_env  # noqa: E402

PO = ROOT / "pooling_book" / "locale" / "zh_CN" / "LC_MESSAGES" / "pooling_book.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
PLACEHOLDER = re.compile(r"\{\w+\}")  # a str.format field (not TeX braces)

# Draws figures of every drawing module, renders them (glyphs are looked up when drawn),
# and prints every text as JSON, with the characters no configured font has.
DRAW = r"""
import json
import matplotlib
import torch
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

texts = []  # every text any artist is given, animation frames included
set_text = Text.set_text
def recording_set_text(self, s):
    if s is not None and str(s):
        texts.append(str(s))
    return set_text(self, s)
Text.set_text = recording_set_text

from pooling_book.i18n import LANGUAGE
from pooling_book.drawing.axis_windows import draw_axis_windows, pooling_windows
from pooling_book.drawing.backward_animation import backward_animation
from pooling_book.drawing.bench_plot import load_results, plot_ratios, plot_suite, plot_times
from pooling_book.drawing.doubling import doubling_figure
from pooling_book.drawing.figures import draw_pooling_window
from pooling_book.drawing.roi_grid import draw_roi_sampling
from pooling_book.drawing.set_pooling import draw_multisets, draw_token_pooling
from pooling_book.drawing.slot_animation import slot_animation

X = torch.arange(9.0).reshape(3, 3)
figures = [
    draw_pooling_window(X, pool_size=(2, 2), position=(0, 0)),
    draw_axis_windows(8, pooling_windows(8, 3, 2, 1), padding=1,
                      title="n=8, k=3, s=2, p=1: L = 7, 4 windows"),
    draw_token_pooling([5, 3], 7),
    draw_multisets({"same elements": ([0, 1], [0, 1, 1]), "same proportions": ([0], [0, 0])}),
    doubling_figure(torch.arange(8.0), 4, window=1),
    draw_roi_sampling((7, 9), (1.4, 0.6, 6.3, 4.4), (2, 3), sampling_ratio=2, aligned=True),
    plot_times(load_results()), plot_ratios(load_results()), plot_suite(load_results()),
]
for fig in figures:
    fig.canvas.draw()  # renders the glyphs: a missing one raises here (PYTHONWARNINGS)
# The players render every frame (to_jshtml) while they are made.
backward_animation(X, kernel_size=2, stride=1, dpi=30)
slot_animation(torch.arange(16.0).reshape(4, 4), kernel_size=2, stride=2, dpi=30)
fonts = [
    FT2Font(font_manager.findfont(font_manager.FontProperties(family=name),
                                  fallback_to_default=False))
    for name in matplotlib.rcParams["font.family"]
]
missing = sorted({
    ch for s in texts for ch in s
    if not ch.isspace() and all(f.get_char_index(ord(ch)) == 0 for f in fonts)
})
print(json.dumps({"language": LANGUAGE, "texts": texts, "missing": missing}))
"""


def draw_texts(language: str | None) -> dict:
    """Run DRAW in a fresh Python under the notebooks' environment with
    ``POOLING_BOOK_LANG=language`` (unset when None); return its JSON."""
    env = notebook_env.apply(dict(os.environ))
    env.pop(i18n.ENV_VAR, None)
    if language is not None:
        env[i18n.ENV_VAR] = language
    run = subprocess.run(
        [sys.executable, "-c", DRAW], env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr == "", run.stderr[-3000:]  # a warning of any kind fails it
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_chinese_figures_have_chinese_text_and_every_glyph():
    drawn = draw_texts("zh_CN")
    assert drawn["language"] == "zh_CN"
    chinese = [t for t in drawn["texts"] if CJK.search(t)]
    assert drawn["missing"] == []
    for expected in (
        "输入 3×3",
        "输出 2×2",
        "填充",
        "所有位置的均值",
        "元素相同",
        "长度 2 的连续段",
    ):
        assert expected in drawn["texts"], (expected, drawn["texts"])
    assert "最大汇聚，前向" in drawn["texts"]
    assert "每次调用的毫秒数（对数刻度）" in drawn["texts"]
    # The animations' titles.
    assert any(t.startswith("最大汇聚层的反向传播：输出 (0, 0)") for t in drawn["texts"])
    assert any(t.startswith("第 1 步，共 4 步") for t in drawn["texts"])
    # No label of the drawing code is left in English.
    english = {e.msgid for e in polib.pofile(str(PO)) if not e.msgctxt}
    assert not english & set(drawn["texts"]) - {"max", "avg"}, english & set(drawn["texts"])
    assert len(chinese) >= 20


def test_english_figures_are_untranslated():
    drawn = draw_texts(None)
    assert drawn["language"] == "en"
    assert not [t for t in drawn["texts"] if CJK.search(t)]
    for expected in ("input 3×3", "output 2×2", "pad", "mean of all positions", "runs of 2"):
        assert expected in drawn["texts"]
    assert "max pooling, forward" in drawn["texts"]


def test_language_from_environment():
    assert i18n._language_from_env({}) == "en"
    assert i18n._language_from_env({"POOLING_BOOK_LANG": ""}) == "en"
    assert i18n._language_from_env({"POOLING_BOOK_LANG": "zh_CN"}) == "zh_CN"
    with pytest.raises(ValueError, match=r"POOLING_BOOK_LANG='fr'.*\['en', 'zh_CN'\]"):
        i18n._language_from_env({"POOLING_BOOK_LANG": "fr"})
    assert i18n.translations("en").gettext("input") == "input"
    assert i18n.translations("zh_CN").gettext("input") == "输入"
    assert i18n.translations("zh_CN").gettext("no such label") == "no such label"


def test_empty_label_stays_empty():
    assert i18n._("") == ""


def test_mo_is_the_compiled_po():
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog  # noqa: SLF001
    catalogue = polib.pofile(str(PO))
    expected = {
        (f"{e.msgctxt}\x04" if e.msgctxt else "") + e.msgid: e.msgstr
        for e in catalogue
        if not e.fuzzy and not e.obsolete
    }
    got = {k: v for k, v in compiled.items() if k != ""}
    assert got == expected, "run `python tools/zh_notebooks.py --compile`"


def _labels_in_code() -> dict[str, str]:
    """msgid -> file of every string literal passed to ``_`` in pooling_book's drawing code."""
    found = {}
    for path in sorted((ROOT / "pooling_book" / "drawing").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {}  # module-level dicts of msgids, e.g. _BACKWARD_TITLES
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found[arg.value] = path.name
                elif isinstance(arg, ast.Subscript):
                    constants[getattr(arg.value, "id", "")] = path.name
        for node in tree.body:
            target = node.targets[0] if isinstance(node, ast.Assign) else None
            if isinstance(target, ast.Name) and target.id in constants:
                for value in getattr(node.value, "values", getattr(node.value, "elts", [])):
                    if isinstance(value, ast.Constant):
                        found[value.value] = path.name
    return found


def test_every_label_of_the_code_is_translated():
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if not e.msgctxt}
    labels = _labels_in_code()
    assert "input X" in labels and labels["input X"] == "backward_animation.py"
    assert any(m.startswith("max pooling, backward") for m in labels)  # the titles' dict
    missing = sorted(m for m in labels if not catalogue.get(m))
    assert not missing, f"labels without a translation in {PO.name}: {missing}"


def test_translations_keep_placeholders():
    for entry in polib.pofile(str(PO)):
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
            PLACEHOLDER.findall(entry.msgid)
        ), entry.msgid
        assert CJK.search(entry.msgstr), f"{entry.msgid!r} is not translated into Chinese"
        # matplotlib draws a label with $...$ in mathtext, whose fonts have no CJK glyphs.
        assert entry.msgstr.count("$") < 2, f"{entry.msgstr!r}: Chinese text with mathtext"


def test_every_entry_is_used():
    """An entry is a label of the drawing code or one of the strings (titles, names) that
    the chapters' code gives matplotlib (context ``figure``), found in the code."""
    code = (ROOT / "pooling_book").glob("**/*.py")  # the drawing code, the data set's names
    sources = [p.read_text(encoding="utf-8") for p in code]
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        sources += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    text = "\n".join(sources)

    def used(msgid: str) -> bool:  # a {name} of the entry may be any {expression} in code
        pieces = [p.strip(" ,:;") for p in PLACEHOLDER.split(msgid)]
        if len(pieces) > 1 and all(p in text for p in pieces):  # a pattern, pieces in code
            return True
        for written in (msgid, msgid.replace("\\", "\\\\")):  # as Python source spells it
            pieces = PLACEHOLDER.split(written)
            regex = r"\{[^{}]*\}".join(re.escape(piece) for piece in pieces)
            if re.search(f'"{regex}"', text):
                return True
        return False

    unused = [e.msgid for e in polib.pofile(str(PO)) if not used(e.msgid)]
    assert not unused, f"entries of {PO.name} that no code uses: {unused}"


def test_catalogue_is_package_data():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["pooling_book"]
    relative = MO.relative_to(ROOT / "pooling_book").as_posix()
    assert any(fnmatch.fnmatch(relative, p) for p in patterns), patterns


def test_a_missing_glyph_fails_the_drawing(tmp_path):
    """The check above can fail: without the CJK font, drawing the Chinese figures raises."""
    rc = tmp_path / "matplotlibrc"
    rc.write_text("font.family: DejaVu Sans\n", encoding="utf-8")
    env = notebook_env.apply(dict(os.environ))
    env.update({i18n.ENV_VAR: "zh_CN", "MATPLOTLIBRC": str(rc)})
    run = subprocess.run(
        [sys.executable, "-c", DRAW], env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode != 0
    assert "missing from" in run.stderr and "Glyph" in run.stderr, run.stderr[-2000:]


FIGURE_TEXT = r"""
import json
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pooling_book.i18n as i18n
i18n.translate_figure_text()
i18n.translate_figure_text()  # a second call adds nothing
fig, ax = plt.subplots()
ax.set_title("softmax pooling")
ax.set_xlabel("shifted by 3")
ax.plot([0, 1], label="max")
ax.legend()
ax.text(0, 0, "not in the catalogue")
fig.canvas.draw()
texts = [ax.get_title(), ax.get_xlabel(), ax.get_legend().get_texts()[0].get_text(),
         ax.texts[0].get_text()]
print(json.dumps(texts))
"""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh_CN", ["softmax 汇聚", "平移 3", "最大值", "not in the catalogue"]),
        (None, ["softmax pooling", "shifted by 3", "max", "not in the catalogue"]),
    ],
)
def test_figure_text_of_code_cells(language, expected):
    """translate_figure_text: the text a chapter's own code gives matplotlib, exact entries
    and patterns of context ``figure``; nothing changes in English."""
    env = notebook_env.apply(dict(os.environ))
    env.pop(i18n.ENV_VAR, None)
    if language:
        env[i18n.ENV_VAR] = language
    run = subprocess.run(
        [sys.executable, "-c", FIGURE_TEXT], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0 and run.stderr == "", run.stderr[-2000:]
    assert json.loads(run.stdout) == expected
