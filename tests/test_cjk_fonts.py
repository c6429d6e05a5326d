"""Chinese text renders in figures: no missing-glyph boxes.

The book gives its key terms in English and Chinese (book/glossary.md) and some figures
label axes in both. matplotlib draws a glyph that no configured font has as an empty box
and says so with the warning "Glyph N (...) missing from current font."; the notebook
kernels (tools/notebook_env.py) turn that warning into an error, and the fonts come from
tools/matplotlibrc (DejaVu Sans, then WenQuanYi Micro Hei, Debian fonts-wqy-microhei).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.notebook_env import notebook_env

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")

# Draws every term given on the command line in one figure, in the notebook kernels'
# environment; exits non-zero if matplotlib warns about a missing glyph.
DRAW = """
import sys
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
terms = sys.argv[1:]
fig, ax = plt.subplots(figsize=(4, 0.3 * len(terms)))
for k, term in enumerate(terms):
    ax.text(0, k, term)
ax.set_ylim(-1, len(terms))
ax.set_title("汇聚层 pooling layer")
fig.canvas.draw()
print("drew", len(terms), "terms")
"""


def glossary_terms() -> list[str]:
    """The term lines of the glossary directive (unindented lines inside it)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith(" ")]


def draw(terms: list[str], rc: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **notebook_env()}
    if rc is not None:
        env["MATPLOTLIBRC"] = str(rc)
    return subprocess.run(
        [sys.executable, "-c", DRAW, *terms], env=env, capture_output=True, text=True, timeout=120
    )


def test_glossary_gives_chinese_terms():
    chinese = [t for t in glossary_terms() if CJK.search(t)]
    required = ["汇聚层", "最大汇聚层", "平均汇聚层", "填充", "步幅", "多通道", "感受野"]
    for term in [*required, "平移不变性"]:
        assert term in chinese, term


def test_every_chinese_glossary_term_renders_with_the_notebook_fonts():
    result = draw([t for t in glossary_terms() if CJK.search(t)])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "drew" in result.stdout


def test_a_font_without_chinese_glyphs_is_caught(tmp_path):
    rc = tmp_path / "matplotlibrc"
    rc.write_text("font.family: DejaVu Sans\n", encoding="utf-8")
    result = draw(["汇聚层"], rc)
    assert result.returncode != 0
    assert "missing from current font" in result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_output_reports_a_missing_glyph(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for k, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("traceback", ""))
            assert "missing from current font" not in text, f"{path.name}, cell {k}"
