"""The explorer's Python side (``pooling_book.explorer``): the anywidget's traits, the
check against pooling_lib's loops, the static rendering the website shows, and bad input.
The view itself is tested in the browser (tests/test_browser_explorer.py) and in
JupyterLab (tests/test_jupyterlab_explorer.py).
"""

from __future__ import annotations

import html
import json
import re

import pytest
import torch

from pooling_book.explorer import Explorer, bundle, explore, explore_shift
from pooling_book.explorer.bundle import MODULES, module_text, site_bundle
from pooling_book.explorer.shift import shifted_outputs
from pooling_book.explorer.widget import SITE_MODULE, esm_source, format_value
from pooling_book.settings import PoolSettings

X = torch.arange(16.0).reshape(4, 4)


@pytest.mark.parametrize("shape", [(4, 4), (2, 4, 4), (3, 2, 4, 4)])
def test_explore_accepts_every_layout(shape):
    ex = explore(torch.arange(float(torch.Size(shape).numel())).reshape(shape), kernel_size=2)
    n, c = (1, 1, *shape)[-4:-2]
    assert ex.shape == [n, c, 4, 4]
    assert ex.python["shape"] == [n, c, 2, 2]
    assert ex.python["ok"] and "agree" in ex.python["check"]


def test_python_sets_a_control_and_the_check_follows():
    ex = explore(X, kernel_size=3, stride=2, padding=1)
    assert ex.python["values"] == ["5", "7", "13", "15"]
    ex.kernel_size = (2, 2)
    ex.mode = "avg"
    assert ex.settings == PoolSettings.create("avg", (2, 2), (2, 2), (1, 1))
    assert ex.python["values"][:3] == ["0", "0.75", "0.75"]  # (1 + 2) / 4, 3 / 4
    assert "avg_pool2d" in ex.python["check"]
    ex.kernel_size = 3  # an int means a square kernel, as in PyTorch
    assert ex.kernel_size == [3, 3]


def test_invalid_setting_shows_pooling_libs_message_and_stays_usable():
    ex = explore(X, kernel_size=2)
    ex.padding = (2, 0)
    assert ex.python["error"] == (
        "max_pool2d: padding=(2, 0) must be at most half the kernel size: "
        "padding <= kernel_size // 2 = (1, 1) (kernel_size=(2, 2))"
    )
    ex.padding = (1, 0)
    assert ex.python["error"] is None and ex.python["ok"]


def test_values_edited_in_the_view_are_pooled_in_python():
    ex = explore(X, kernel_size=2)
    values = list(ex.values)
    values[0] = "NaN"  # what the view sends for a NaN the reader typed
    ex.values = values
    assert torch.isnan(ex.X[0, 0, 0, 0])
    assert ex.python["values"][0] == "nan"


def test_static_html_carries_the_state_and_loads_the_sites_module():
    ex = explore(X, mode="avg", kernel_size=3, padding=1, stride=2, count_include_pad=False)
    page = ex.static_html()
    state = json.loads(html.unescape(re.search(r'data-state="([^"]*)"', page).group(1)))
    assert state["mode"] == "avg" and state["count_include_pad"] is False
    assert state["live"] is False and state["python"]["ok"]
    assert SITE_MODULE in page and 'type="module"' not in page  # a classic script: file:// too
    assert state["controls"] == [] and state["predict"] is False
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/html"] == page
    assert "application/vnd.jupyter.widget-view+json" in data


def test_widget_module_is_one_file():
    source = esm_source()
    assert 'from "./' not in source
    assert "export function poolPlane" in source and "export default" in source
    for name in MODULES:  # every module is in it, in order
        assert f"// ---- {name}" in source


def test_site_bundle_is_one_classic_script():
    bundle = site_bundle()
    assert "\nexport " not in bundle and "\nimport " not in bundle
    assert "window.PoolingExplorer = {" in bundle
    api = bundle.split("window.PoolingExplorer = {")[1].split("}")[0]
    for name in ("mount", "mountAll", "localModel", "poolPlane", "mountShift", "widget"):
        assert f" {name}," in f" {api.strip()},", name


def test_a_module_importing_a_later_one_is_refused(monkeypatch):
    texts = {name: module_text(name) for name in MODULES}
    texts["pooling.js"] = 'import { css } from "./style.js";\n' + texts["pooling.js"]
    monkeypatch.setattr(bundle, "module_text", texts.__getitem__)
    with pytest.raises(ValueError, match=r"pooling\.js imports \./style\.js"):
        bundle.widget_module()


def test_focused_controls_and_predict_travel_to_the_view():
    ex = explore(X, kernel_size=3, padding=1, controls=["padding", "size"], predict=True)
    assert ex.controls == ["padding", "size"] and ex.predict is True
    state = json.loads(html.unescape(re.search(r'data-state="([^"]*)"', ex.static_html())[1]))
    assert state["controls"] == ["padding", "size"] and state["predict"] is True


@pytest.mark.parametrize(
    ("controls", "words"),
    [(["padding", "kernel"], "controls=\\['padding', 'kernel'\\] must name"),
     (["padding", "padding"], "at most once")],
)  # fmt: skip
def test_unknown_or_repeated_control_names_the_rule(controls, words):
    with pytest.raises(ValueError, match=words):
        explore(X, controls=controls)


def test_predict_must_be_a_bool():
    with pytest.raises(TypeError, match="predict='yes' must be True or False"):
        explore(X, predict="yes")


def test_resizing_in_the_view_is_checked_in_python():
    """The view sends the new values, then the new shape: Python checks once both match."""
    ex = explore(X, kernel_size=2)
    ex.values = list(range(6 * 6))  # 6x6 values, shape still 4x4: no check yet
    assert ex.python["shape"] == [1, 1, 2, 2]
    ex.shape = [1, 1, 6, 6]
    assert ex.python["shape"] == [1, 1, 3, 3] and ex.python["ok"]
    assert ex.python["values"] == ["7", "9", "11", "19", "21", "23", "31", "33", "35"]
    with pytest.raises(ValueError, match=r"shape=\[1, 1, 0, 6\] must be"):
        ex.shape = [1, 1, 0, 6]


@pytest.mark.parametrize("shift", [0, 1, 2, 3])
def test_shift_explorer_outputs_are_max_and_blur_pooling(shift):
    from pooling_book.training import BlurPool2d

    x = torch.tensor([0.0, 0, 1, 1] * 2).repeat(6, 1)
    max_out, blur_out = shifted_outputs(x, shift)
    rolled = torch.roll(x, shift, dims=-1)[None, None]
    assert torch.equal(max_out, torch.nn.functional.max_pool2d(rolled, 2)[0, 0])
    dense = torch.nn.functional.max_pool2d(rolled, 2, stride=1)
    assert torch.allclose(blur_out, BlurPool2d(1)(dense)[0, 0])
    assert blur_out.shape == max_out.shape == (3, 4)


def test_shift_explorer_state_and_bad_input():
    ex = explore_shift(torch.arange(16.0).reshape(4, 4), max_shift=2)
    page = ex.static_html()
    state = json.loads(html.unescape(re.search(r'data-state="([^"]*)"', page)[1]))
    assert state["kind"] == "shift" and state["max_shift"] == 2 and SITE_MODULE in page
    with pytest.raises(ValueError, match=r"shift=3 must be in \[0, 2\]"):
        ex.shift = 3
    with pytest.raises(ValueError, match=r"X of shape \(2, 4\) must be \(H, W\)"):
        explore_shift(torch.ones(2, 4))
    with pytest.raises(ValueError, match="max_shift=0 must be an int >= 1"):
        explore_shift(torch.ones(4, 4), max_shift=0)


@pytest.mark.parametrize(
    ("value", "text"),
    [(4.0, "4"), (4.5, "4.5"), (1 / 3, "0.33"), (0.125, "0.13"), (-0.125, "-0.13"),
     (-0.001, "0"), (float("nan"), "nan"), (float("-inf"), "-inf"), (100.0, "100")],
)  # fmt: skip
def test_format_value_rounds_like_the_browser(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(
    ("X", "kwargs", "error", "words"),
    [
        ([[1.0, 2.0]], {}, TypeError, "X must be a torch.Tensor"),
        (torch.ones(5), {}, ValueError, r"X of shape \(5,\)"),
        (torch.ones(1, 1, 1, 2, 2), {}, ValueError, "must be"),
        (torch.ones(2, 2), {"mode": "median"}, ValueError, "mode='median'"),
        (torch.ones(2, 2), {"channel": 1}, ValueError, r"channel=1 must be in \[0, 1\)"),
        (torch.ones(2, 2), {"kernel_size": (1, 2, 3)}, TypeError, "kernel_size"),
    ],
)
def test_bad_input_names_the_parameter(X, kwargs, error, words):
    with pytest.raises(error, match=words):
        explore(X, **kwargs)


def test_integer_input_is_shown_as_float():
    ex = Explorer(torch.arange(4).reshape(2, 2), PoolSettings.create(kernel_size=1))
    assert ex.dtype == "float32" and ex.python["values"] == ["0", "1", "2", "3"]


def test_front_page_explorer_is_what_its_call_renders():
    """book/index.md embeds an explorer as raw HTML (a Markdown page has no code cells): it
    must be exactly what the call in the comment above it renders today."""
    from pathlib import Path

    page = (Path(__file__).parents[1] / "book" / "index.md").read_text(encoding="utf-8")
    block = re.search(r"```\{raw\} html\n<!-- (explore\(.*\)) -->\n(.*?)\n```", page, re.S)
    assert block, "book/index.md has no explorer block"
    call, rendered = block[1], block[2]
    assert eval(call, {"explore": explore, "torch": torch}).static_html() == rendered  # noqa: S307


def test_the_text_repr_is_stable_and_names_the_call():
    """A notebook stores the widget's ``text/plain``: it must not hold a memory address,
    so that two runs store the same output (issue 19)."""
    one = explore(X, kernel_size=3, stride=2, padding=1)
    two = explore(X, kernel_size=3, stride=2, padding=1)
    plain = one._repr_mimebundle_()[0]["text/plain"]
    assert plain == repr(one) == repr(two)
    assert "0x" not in plain and "object at" not in plain
    assert plain == (
        "Explorer(max_pool2d(X of shape (1, 1, 4, 4), kernel_size=(3, 3), stride=(2, 2), "
        "padding=(1, 1), dilation=(1, 1), ceil_mode=False); output shape (1, 1, 2, 2))"
    )
    bad = explore(X, kernel_size=5)
    assert "error: max_pool2d: output size would be (0, 0)" in repr(bad)
    shift = explore_shift(X)
    assert shift._repr_mimebundle_()[0]["text/plain"] == (
        "ShiftExplorer(X of shape (4, 4), shift=0, max_shift=3)"
    )


def test_the_views_language_follows_pooling_book_lang(monkeypatch):
    """``lang``: the Chinese words with POOLING_BOOK_LANG=zh_CN (as pooling_book.i18n read
    it), the page's language when unset; ``explore(lang=...)`` overrides; the site's state
    never carries it (an edition's page decides there); a language the view lacks is refused."""
    from pooling_book import i18n
    from pooling_book.explorer.widget import default_language

    monkeypatch.delenv("POOLING_BOOK_LANG", raising=False)
    assert default_language() == "" and explore(X).lang == ""
    monkeypatch.setenv("POOLING_BOOK_LANG", "zh_CN")
    monkeypatch.setattr(i18n, "LANGUAGE", "zh_CN")
    ex = explore(X, kernel_size=2)
    assert ex.lang == "zh-CN" and explore(X, lang="en").lang == "en"
    assert explore_shift(X).lang == "zh-CN"
    page = ex.static_html()
    assert "&quot;lang&quot;" not in page
    assert "汇聚探索器：对形状为 (1, 1, 4, 4) 的 X 做 max_pool2d。输出形状为 (1, 1, 2, 2)。" in page
    monkeypatch.setenv("POOLING_BOOK_LANG", "en")
    monkeypatch.setattr(i18n, "LANGUAGE", "en")
    assert default_language() == "en"
    with pytest.raises(Exception, match="lang"):
        explore(X, lang="fr")
