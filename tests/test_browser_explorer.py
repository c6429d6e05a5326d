"""The explorer on the built static site (no kernel), operated in headless Chromium.

Nothing here depends on timing or on what an earlier step left behind: each check mounts a
fresh explorer in a known setting (through the page's own copy of the explorer's script),
and play/pause runs on Playwright's fake clock.

* The browser computes what pooling_lib computes: 200 random valid settings and inputs and 50
  invalid ones (fixed seed), each set through the explorer's controls on a built chapter
  page; the shape, the values and the printed cells it shows are compared with
  ``pooling_lib.functional`` run here, and an invalid setting must show pooling_lib's message.
* Every control changes what is shown, each from a setting in which it must; play steps the
  window in raster order, pause stops it, speed sets the pace.
* Both grids carry indices (negative on the padding); hovering works both ways (the cells
  an output reads, the outputs an input feeds, by pooling_lib's window rule); the window is
  also drawn as a k×k grid; a size change keeps typed values; predict mode checks a right
  and a wrong answer, keeps the score and stays within its explorer's scope.
* The chapters' explorers: focused ones show at most 6 controls in about 100 px, the drawing
  takes at least half of every explorer at 1280 px with cells of at least 40 px, the grids
  come before the controls on a phone, five chapters ask for predictions, the explorers are
  mounted before MathJax typesets, and every one works from ``file://``.
* The shift explorer shows pooling_lib's max pooling and BlurPool2d's blur pooling.
* The gradient sentence follows pooling_lib's avg rule (checked against torch's gradient).
* Every cell shows its whole printed value; an invalid setting (including an index out of
  range) shows one message, an unpadded input and no stale output or code.
* At 390 px the page does not scroll sideways, the sliders stay at least 120 px long and the
  selects, checkboxes, sliders and number fields are at least 44 px tall.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest
import torch
from site_checks import SCREENSHOT_DIR as SCREENSHOTS
from site_checks import TWO_FRAMES

from pooling_book.drawing import palette
from pooling_book.explorer import explore
from pooling_book.explorer.widget import format_value
from pooling_book.settings import KEYWORDS, PoolSettings
from pooling_lib import functional

PAGE = "notebooks/explorer.html"
SEED = 20261129
VALID, INVALID = 200, 50

# Mounts a fresh explorer with the test's input (via the site's own copy of the module),
# then sets each control the way a reader does (value + the event the control listens to),
# and reads back what the explorer shows.
SET_CASE = """async ({state, controls}) => {
  const m = window.PoolingExplorer;
  let el = document.getElementById("explorer-under-test");
  if (!el) {
    el = document.createElement("div");
    el.id = "explorer-under-test";
    document.querySelector("main").prepend(el);
  }
  m.mount(el, m.localModel(state));
  for (const [name, value] of controls) {
    const input = el.querySelector(`[name="${name}"]`);
    if (input.type === "checkbox") {
      input.checked = value;
      input.dispatchEvent(new Event("change"));
    } else if (input.tagName === "SELECT") {
      input.value = value;
      input.dispatchEvent(new Event("change"));
    } else {
      input.value = value;
      input.dispatchEvent(new Event("input"));
    }
  }
  return {
    error: el.dataset.error,
    shape: el.dataset.outShape,
    values: el.dataset.values,
    printed: [...el.querySelectorAll(".pe-output .pe-cell")].map((c) => c.textContent),
    shown: el.querySelector(".pe-error").textContent,
    alt: el.querySelector(".pe-alt").textContent,
  };
}"""


def random_case(rng: random.Random) -> tuple[torch.Tensor, PoolSettings]:
    mode = rng.choice(["max", "max", "avg", "avg", "lp"])
    H, W = rng.randint(1, 7), rng.randint(1, 7)
    k = (rng.randint(1, 4), rng.randint(1, 4))
    kind = rng.random()
    if kind < 0.4:
        x = torch.tensor(
            [[rng.randint(-4, 4) for _ in range(W)] for _ in range(H)], dtype=torch.float32
        )
    elif kind < 0.8:
        x = torch.tensor(
            [[rng.gauss(0, 2) for _ in range(W)] for _ in range(H)], dtype=torch.float32
        )
    else:  # ties, NaN and -inf
        pool = [0.0, 1.0, 1.0, float("nan"), float("-inf"), 2.5]
        x = torch.tensor([[rng.choice(pool) for _ in range(W)] for _ in range(H)])
    if mode == "lp" and rng.random() < 0.5:
        x = x.abs()
    settings = PoolSettings.create(
        mode=mode,
        kernel_size=k,
        stride=(rng.randint(1, 4), rng.randint(1, 4)),
        padding=(rng.randint(0, k[0] // 2 + 1), rng.randint(0, k[1] // 2 + 1)),
        dilation=(rng.randint(1, 3), rng.randint(1, 3)),
        ceil_mode=rng.random() < 0.5,
        count_include_pad=rng.random() < 0.5,
        divisor_override=rng.choice([None, None, None, 0, 3, -2]),
        norm_type=rng.choice([1.0, 2.0, 3.0, 1.5, 0.0]) if rng.random() < 0.9 else 2.0,
    )
    if rng.random() < 0.05:  # rules only a typed number can break
        name = rng.choice(["kernel_size", "stride", "dilation", "padding"])
        settings = settings.replace(**{name: (0, 1) if name != "padding" else (-1, 0)})
    return x[None, None], settings


def pooling_lib_result(x: torch.Tensor, s: PoolSettings) -> tuple[str | None, torch.Tensor | None]:
    try:
        return None, getattr(functional, f"{s.mode}_pool2d")(x, **s.call_kwargs())
    except (ValueError, TypeError) as exc:
        return str(exc), None


def controls_for(s: PoolSettings) -> list[tuple[str, object]]:
    """The controls a reader sets for ``s``, in order (mode first: it enables the others)."""
    out: list[tuple[str, object]] = [("mode", s.mode), ("hw-split", True)]
    for name in ("kernel_size", "stride", "padding", "dilation"):
        if name == "kernel_size" or s.uses(name):
            out += [
                (f"{name}-h", str(getattr(s, name)[0])),
                (f"{name}-w", str(getattr(s, name)[1])),
            ]
    for name in ("ceil_mode", "count_include_pad"):
        if s.uses(name):
            out.append((name, getattr(s, name)))
    if s.uses("divisor_override"):
        out.append(
            ("divisor_override", "" if s.divisor_override is None else str(s.divisor_override))
        )
    if s.uses("norm_type"):
        out.append(("norm_type", repr(s.norm_type)))
    return out


def state_for(x: torch.Tensor) -> dict:
    values = [v if math.isfinite(v) else str(v) for v in x.flatten().tolist()]
    return {
        "values": values,
        "shape": list(x.shape),
        "dtype": "float32",
        "mode": "max",
        "kernel_size": [1, 1],
        "stride": [1, 1],
        "padding": [0, 0],
        "dilation": [1, 1],
        "ceil_mode": False,
        "count_include_pad": True,
        "divisor_override": None,
        "norm_type": 2.0,
        "batch": 0,
        "channel": 0,
        "position": [0, 0],
        "view": "values",
        "python": {},
        "live": False,
        "controls": [],
        "predict": False,
        "palette": {name: getattr(palette, name) for name in palette.__all__},
    }


@pytest.fixture(scope="module")
def explorer_page(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site_url + PAGE)
    page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output")
    yield page, errors
    page.close()


def test_browser_computes_what_pooling_lib_computes(explorer_page):
    page, errors = explorer_page
    rng = random.Random(SEED)
    valid = invalid = 0
    mismatches = []
    while valid < VALID or invalid < INVALID:
        x, s = random_case(rng)
        error, expected = pooling_lib_result(x, s)
        if (error is None and valid >= VALID) or (error is not None and invalid >= INVALID):
            continue
        shown = page.evaluate(SET_CASE, {"state": state_for(x), "controls": controls_for(s)})
        case = f"{s} on {x[0, 0].tolist()}"
        if error is not None:
            invalid += 1
            if shown["error"] != error or shown["shown"] != error:
                mismatches.append(f"{case}: browser says {shown['error']!r}, pooling_lib {error!r}")
            continue
        valid += 1
        got_shape = json.loads(shown["shape"]) if shown["shape"] else None
        if shown["error"] or got_shape != list(expected.shape[-2:]):
            mismatches.append(
                f"{case}: browser {shown['error'] or got_shape}, "
                f"pooling_lib {tuple(expected.shape)}"
            )
            continue
        got = torch.tensor([float(v) for v in json.loads(shown["values"])], dtype=torch.float64)
        want = expected.flatten().double()
        if not torch.allclose(got, want, rtol=1e-5, atol=1e-6, equal_nan=True):
            mismatches.append(f"{case}: browser {got.tolist()}, pooling_lib {want.tolist()}")
        printed = [format_value(v) for v in expected.flatten().tolist()]
        if shown["printed"] != printed:
            mismatches.append(f"{case}: printed {shown['printed']}, pooling_lib {printed}")
    print(f"explorer vs pooling_lib: {valid} valid and {invalid} invalid cases compared")
    assert not errors, errors
    assert not mismatches, f"{len(mismatches)} of {VALID + INVALID} differ:\n" + "\n".join(
        mismatches[:10]
    )


# ------------------------------------------------------------------ every control, as a reader

SNAPSHOT = """(el) => JSON.stringify([
  el.querySelector(".pe-input").innerHTML, el.querySelector(".pe-output").innerHTML,
  el.querySelector(".pe-alt").textContent, el.querySelector(".pe-call").textContent,
  [...el.querySelectorAll(".pe-math")].map((n) => n.textContent), el.dataset.error,
])"""

OPEN_DETAILS = "(el) => el.querySelectorAll('details').forEach((d) => { d.open = true; })"
X2 = torch.arange(32.0).reshape(1, 2, 4, 4)  # two channels: the channel control matters
BASE = {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1]}  # a 2x2 output
AVG = {**BASE, "mode": "avg"}
LP = {"mode": "lp", "kernel_size": [2, 2], "stride": [2, 2]}


def mount(page, x: torch.Tensor, **state):
    """A fresh explorer of ``x`` in the known ``state``, mounted by the page's own script.
    The pointer is moved off first: the page is shared by the module's tests, and an
    explorer mounted under the pointer an earlier test left would start hovered."""
    page.mouse.move(0, 0)
    page.evaluate(SET_CASE, {"state": state_for(x) | state, "controls": []})
    return page.query_selector("#explorer-under-test")


def control(el, name: str):
    return el.query_selector(f'[name="{name}"]')


def press(name: str, key: str):
    def act(page, el):
        control(el, name).focus()
        control(el, name).press(key)

    return act


def fill(name: str, text: str):
    return lambda page, el: control(el, name).fill(text)


def check(name: str, on: bool = True):
    return lambda page, el: control(el, name).set_checked(on)


def choose(name: str, value: str):
    return lambda page, el: control(el, name).select_option(value)


def click(name: str):
    return lambda page, el: control(el, name).click()


def split_then(action):
    def act(page, el):
        control(el, "hw-split").check()
        action(page, el)

    return act


def hover(selector: str):
    return lambda page, el: el.query_selector(selector).hover()


def key_on(selector: str, key: str, first_click: str | None = None):
    def act(page, el):
        if first_click:
            el.query_selector(first_click).click()
        grid = el.query_selector(selector)
        grid.focus()
        grid.press(key)

    return act


def edit_a_cell(page, el):
    el.query_selector('.pe-input .pe-cell[data-r="0"][data-c="0"]').dblclick()  # pick, edit
    control(el, "edit-value").fill("42")


def enter_then_type(page, el):
    grid = el.query_selector(".pe-input")
    grid.focus()
    grid.press("Enter")  # Enter on the input grid edits the selected cell (the first one)
    assert page.evaluate("document.activeElement.name") == "edit-value"
    page.keyboard.type("7")


FIRST_INPUT = '.pe-input .pe-cell[data-r="0"][data-c="0"]'
# (what, the known setting it starts from, what the reader does): in that setting the
# control must change what is shown. Every case starts from a freshly mounted explorer of X2.
CONTROL_CASES = [
    ("ceil_mode", {"kernel_size": [3, 3], "stride": [2, 2]}, check("ceil_mode")),
    ("kernel slider", BASE, press("kernel_size-h-slider", "ArrowLeft")),
    ("kernel number", BASE, fill("kernel_size-h", "2")),
    ("stride slider", BASE, press("stride-h-slider", "ArrowLeft")),
    ("stride number", BASE, fill("stride-h", "1")),
    ("padding slider", BASE, press("padding-h-slider", "ArrowLeft")),
    ("padding number", BASE, fill("padding-h", "0")),
    ("dilation slider", BASE, press("dilation-h-slider", "ArrowRight")),
    ("dilation number", BASE, fill("dilation-h", "2")),
    ("kernel w (h ≠ w)", BASE, split_then(fill("kernel_size-w", "2"))),
    ("stride w slider (h ≠ w)", BASE, split_then(press("stride-w-slider", "ArrowLeft"))),
    ("padding w (h ≠ w)", BASE, split_then(fill("padding-w", "0"))),
    ("dilation w (h ≠ w)", BASE, split_then(fill("dilation-w", "2"))),
    ("h ≠ w off", {**BASE, "kernel_size": [3, 2]}, check("hw-split", False)),
    ("input height", BASE, fill("size-h", "6")),
    ("input width (h ≠ w)", BASE, split_then(fill("size-w", "7"))),
    ("channel", BASE, fill("channel", "1")),
    ("mode avg", BASE, choose("mode", "avg")),
    ("padding for avg", AVG, fill("padding-h", "0")),
    ("count_include_pad", AVG, check("count_include_pad", False)),
    ("divisor_override", AVG, fill("divisor_override", "3")),
    ("mode lp", BASE, choose("mode", "lp")),
    ("norm_type", LP, fill("norm_type", "3")),
    ("preset", BASE, choose("preset", "random")),
    ("view", BASE, choose("view", "gradient")),
    ("next", BASE, click("next")),
    ("back", {**BASE, "position": [1, 1]}, click("back")),
    ("hover an output cell", BASE, hover('.pe-output .pe-cell[data-i="1"][data-j="1"]')),
    ("hover an input cell", BASE, hover('.pe-input .pe-cell[data-r="1"][data-c="1"]')),
    ("arrow key on the output", {**BASE, "position": [1, 1]}, key_on(".pe-output", "ArrowLeft")),
    ("edit an input value", BASE, edit_a_cell),
    ("arrow key on the input", BASE, key_on(".pe-input", "ArrowRight", first_click=FIRST_INPUT)),
    ("typed after Enter", BASE, enter_then_type),
    ("invalid setting", BASE, fill("kernel_size-h", "9")),
]


@pytest.mark.parametrize(
    ("what", "state", "action"), CONTROL_CASES, ids=[c[0] for c in CONTROL_CASES]
)
def test_every_control_changes_what_is_shown(explorer_page, what, state, action):
    page, errors = explorer_page
    el = mount(page, X2, **state)
    el.evaluate(OPEN_DETAILS)
    el.scroll_into_view_if_needed()
    page.mouse.move(0, 0)  # no pointer over a grid
    before = el.evaluate(SNAPSHOT)
    action(page, el)
    assert el.evaluate(SNAPSHOT) != before, f"{what} changes nothing from {state}"
    assert not errors, errors


def test_an_invalid_kernel_shows_the_rule(explorer_page):
    page, _ = explorer_page
    el = mount(page, X2, **BASE)
    el.evaluate(OPEN_DETAILS)
    control(el, "kernel_size-h").fill("9")
    assert "must fit into the padded input" in el.get_attribute("data-error")


def test_batch_index_changes_what_is_shown(explorer_page):
    page, errors = explorer_page
    el = mount(page, torch.arange(18.0).reshape(2, 1, 3, 3))
    el.evaluate(OPEN_DETAILS)
    before = el.evaluate(SNAPSHOT)
    control(el, "batch").fill("1")
    assert el.evaluate(SNAPSHOT) != before
    assert not errors, errors


def test_play_steps_in_order_and_pause_stops(browser, site_url):
    """Play and pause on the page's clock (Playwright's fake timers, paused: it moves only
    when the test runs it): at 10 steps a second,
    0.5 s of play moves the window exactly five cells in raster order, a paused explorer
    does not move, and at 4 steps a second 1 s moves it four cells."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.clock.install()
    page.goto(site_url + PAGE)
    page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output")
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), kernel_size=[2, 2], stride=[1, 1])
    el.evaluate(OPEN_DETAILS)
    assert el.get_attribute("data-out-shape") == "[3,3]"
    positions = []

    def run(ms: int, steps: int) -> None:
        for _ in range(steps):
            page.clock.run_for(ms // steps)
            positions.append(json.loads(el.get_attribute("data-position")))

    page.clock.pause_at(page.evaluate("Date.now()") + 1000)  # from here on, time stands still
    control(el, "speed").fill("10")
    control(el, "play").click()
    run(500, 5)
    assert positions == [[0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    assert control(el, "play").get_attribute("aria-pressed") == "true"
    control(el, "play").click()  # pause
    page.clock.run_for(2000)
    assert json.loads(el.get_attribute("data-position")) == [1, 2]
    control(el, "speed").fill("4")
    control(el, "play").click()
    positions.clear()
    run(1000, 4)
    assert positions == [[2, 0], [2, 1], [2, 2], [0, 0]]  # and round to the first again
    control(el, "play").click()
    page.close()


# ------------------------------------------------------------------ indices and hovering


def test_both_grids_carry_indices_negative_on_the_padding(explorer_page):
    page, _ = explorer_page
    el = mount(page, X2, **BASE)
    indices = el.evaluate(
        """(el) => Object.fromEntries(["input", "output"].map((g) => [g, ["row", "col"]
             .map((a) => [...el.querySelectorAll(`.pe-${g} .pe-idx[data-axis=${a}]`)]
             .map((n) => n.textContent))]))"""
    )
    assert indices["input"] == [["-1", "0", "1", "2", "3", "4"]] * 2
    assert indices["output"] == [["0", "1"]] * 2
    assert el.query_selector_all(".pe-input .pe-idx.pe-neg")[0].text_content() == "-1"


def readers_by_pooling_lib(r: int, c: int, s: PoolSettings, H: int, W: int) -> list[list[int]]:
    """The output cells whose window reads input cell (r, c), by pooling_lib's window rule."""
    from pooling_lib.shapes import pooled_size, window_positions

    out = [
        pooled_size(n, s.kernel_size[a], s.stride[a], s.padding[a], s.dilation[a], s.ceil_mode)
        for a, n in enumerate((H, W))
    ]
    return [
        [i, j]
        for i in range(out[0])
        for j in range(out[1])
        if r in window_positions(i, s.kernel_size[0], s.stride[0], s.padding[0], s.dilation[0])
        and c in window_positions(j, s.kernel_size[1], s.stride[1], s.padding[1], s.dilation[1])
    ]


HOVER_SETTINGS = [BASE, {"kernel_size": [2, 2], "stride": [1, 1], "dilation": [2, 2]}]


def test_the_window_moves_with_a_transition_onto_the_cells_its_output_reads(explorer_page):
    """Picking another output starts a short CSS transition of the window (none with
    reduced motion); finished, the window frames exactly the cells that output reads, in the
    accent colour that also frames the output cell: the highlight that links them."""
    page, errors = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE)  # 3x3 windows, 2x2 out
    style = el.evaluate(
        """(el) => { const s = getComputedStyle(el.querySelector(".pe-window"));
                     return [s.transitionProperty, s.transitionDuration]; }"""
    )
    assert "left" in style[0] and "top" in style[0], style
    assert 0 < max(float(t.rstrip("s")) for t in style[1].split(",")) <= 0.3, style
    el.query_selector('.pe-output .pe-cell[data-i="1"][data-j="1"]').click()
    moving = el.evaluate(
        """(el) => { const moves = el.querySelector(".pe-window").getAnimations();
                     moves.forEach((x) => x.finish()); return moves.length; }"""
    )
    assert moving >= 1  # the move is animated, not a jump
    frame = el.evaluate(
        """(el) => {
          const box = (n) => { const r = n.getBoundingClientRect();
                               return [r.left, r.top, r.right, r.bottom]; };
          const cells = [...el.querySelectorAll(".pe-input .pe-cell")].filter((n) =>
            [1, 2, 3].includes(Number(n.dataset.r)) && [1, 2, 3].includes(Number(n.dataset.c)));
          const boxes = cells.map(box);
          const w = el.querySelector(".pe-window");
          const out = el.querySelector(".pe-output .pe-current");
          return {
            cells: [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
                    Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))],
            window: box(w), n: cells.length,
            colours: [getComputedStyle(w).borderTopColor, getComputedStyle(out).borderTopColor],
            current: [out.dataset.i, out.dataset.j],
          };
        }"""
    )
    assert frame["n"] == 9 and frame["current"] == ["1", "1"]
    # the frame (3 px border) sits just outside the window's cells, on every side
    for got, cell_edge, outward in zip(
        frame["window"], frame["cells"], (-1, -1, 1, 1), strict=True
    ):
        assert 0 <= (got - cell_edge) * outward <= 4, frame
    assert frame["colours"][0] == frame["colours"][1], frame["colours"]
    page.emulate_media(reduced_motion="reduce")
    duration = el.evaluate(
        '(el) => getComputedStyle(el.querySelector(".pe-window")).transitionDuration'
    )
    assert all(float(t.rstrip("s")) == 0 for t in duration.split(",")), duration
    assert not errors, errors


@pytest.mark.parametrize("state", HOVER_SETTINGS)
def test_hover_works_both_ways(explorer_page, state):
    """An output cell shows its window; an input cell every output cell that reads it."""
    page, errors = explorer_page
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    el = mount(page, x, **state)
    page.mouse.move(0, 0)
    s = PoolSettings.create(**{k: tuple(v) for k, v in state.items()})
    el.query_selector('.pe-output .pe-cell[data-i="1"][data-j="1"]').hover()
    assert el.get_attribute("data-position") == "[1,1]"
    read = el.evaluate(
        """(el) => [...el.querySelectorAll(".pe-input .pe-read")]
             .map((n) => [+n.dataset.r, +n.dataset.c])"""
    )
    from pooling_lib.shapes import window_positions

    rows = window_positions(1, s.kernel_size[0], s.stride[0], s.padding[0], s.dilation[0])
    cols = window_positions(1, s.kernel_size[1], s.stride[1], s.padding[1], s.dilation[1])
    assert sorted(read) == sorted([r, c] for r in rows for c in cols)
    box = el.evaluate("(el) => !el.querySelector('.pe-window').hidden")
    assert box, "the window's frame is shown"
    for r, c in [(0, 0), (1, 1), (3, 2)]:
        el.query_selector(f'.pe-input .pe-cell[data-r="{r}"][data-c="{c}"]').hover()
        assert "click it twice to change it" in el.query_selector(".pe-hint").text_content()
        marked = el.evaluate(
            """(el) => [...el.querySelectorAll(".pe-output .pe-reader")]
                 .map((n) => [+n.dataset.i, +n.dataset.j])"""
        )
        assert marked == readers_by_pooling_lib(r, c, s, 4, 4), (state, r, c)
    assert not errors, errors


def test_the_window_is_also_a_small_grid(explorer_page):
    page, _ = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE)
    line = el.query_selector(".pe-kform").get_attribute("data-line")
    assert line == "max([[-inf, -inf, -inf], [-inf, 0, 1], [-inf, 4, 5]]) = 5"
    assert el.query_selector(".pe-kgrid .pe-kwin").text_content() == "5"
    assert "click it again to change it" in el.query_selector(".pe-caption").text_content()


# ------------------------------------------------------------------ input size


# the input cells shown: "r,c" -> the printed value
INPUT_CELLS = """(el) => Object.fromEntries(
  [...el.querySelectorAll(".pe-input .pe-cell[data-kind=input]")]
  .map((n) => [n.dataset.r + "," + n.dataset.c, n.textContent]))"""


def test_a_setting_the_mode_does_not_use_is_said_not_dropped(explorer_page):
    """Max pooling with dilation 2, then avg (avg_pool2d has no dilation): the note says the
    dilation is kept but not used, and back in max mode the dilation counts again."""
    page, errors = explorer_page
    el = mount(page, torch.arange(36.0).reshape(1, 1, 6, 6), kernel_size=[2, 2],
               stride=[1, 1], padding=[0, 0], dilation=[2, 2])  # fmt: skip
    note = el.query_selector(".pe-size-note")
    assert el.get_attribute("data-out-shape") == "[4,4]" and note.text_content() == ""
    control(el, "mode").select_option("avg")
    assert el.get_attribute("data-out-shape") == "[5,5]"  # dilation 1
    assert "avg_pool2d has no dilation: dilation=(2, 2)" in note.text_content()
    control(el, "mode").select_option("max")
    assert el.get_attribute("data-out-shape") == "[4,4]" and note.text_content() == ""
    control(el, "mode").select_option("lp")
    assert "lp_pool2d has no dilation" in note.text_content()
    assert not errors, errors


def test_a_size_change_keeps_typed_values_and_fills_the_rest(explorer_page):
    page, errors = explorer_page
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    el = mount(page, x, kernel_size=[3, 3], stride=[2, 2])
    el.query_selector('.pe-input .pe-cell[data-r="1"][data-c="2"]').dblclick()  # pick, edit
    control(el, "edit-value").fill("42")
    assert not control(el, "size-w").is_visible()  # H and W linked, as the other pairs
    control(el, "size-h").fill("7")
    assert el.get_attribute("data-out-shape") == "[3,3]"  # 7x7 -> 3x3 in one step
    cells = el.evaluate(INPUT_CELLS)
    assert len(cells) == 49 and cells["1,2"] == "42"  # typed, kept
    assert cells["0,0"] == "0" and cells["3,3"] == "15" and cells["6,6"] == "0"  # X, then 0
    assert "(1, 1, 7, 7)" in el.query_selector(".pe-title").text_content()
    assert "= 3" in el.query_selector(".pe-formula").text_content()
    control(el, "preset").select_option("ramp")  # a preset fills the new size
    cells = el.evaluate(
        """(el) => [...el.querySelectorAll(".pe-input .pe-cell[data-kind=input]")]
             .map((n) => n.textContent)"""
    )
    assert cells == [str(k) for k in range(49)]
    control(el, "size-h").fill("8")  # larger: the preset (ramp) fills the new cells
    cells = el.evaluate(
        """(el) => [...el.querySelectorAll(".pe-input .pe-cell[data-kind=input]")]
             .map((n) => n.textContent)"""
    )
    assert cells == [str(k) for k in range(64)]
    control(el, "hw-split").check()  # "h ≠ w" splits H and W too
    control(el, "size-w").fill("3")  # smaller: the preset again, cut to size
    assert el.get_attribute("data-out-shape") == "[3,1]"
    assert not errors, errors


# ------------------------------------------------------------------ predict mode

# a max-pooling explorer in predict mode, its questions drawn from a fixed seed
PREDICT = {"predict": True, "controls": ["kernel_size", "stride", "padding"], "predict_seed": 3}


def test_predict_mode_checks_a_right_and_a_wrong_answer(explorer_page):
    page, errors = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE, **PREDICT)
    printed = [c.text_content() for c in el.query_selector_all(".pe-output .pe-cell")]
    assert printed == ["?"] * 4 and el.get_attribute("data-hidden") == "value"
    truth = json.loads(el.get_attribute("data-values"))
    i, j = json.loads(el.get_attribute("data-position"))
    assert f"out[{i}, {j}]" in el.query_selector(".pe-question").text_content()
    answer = control(el, "predict-answer")
    answer.fill(format_value(float(truth[i * 2 + j])))
    answer.press("Enter")
    assert el.query_selector(".pe-feedback").text_content().startswith("right")
    assert el.query_selector(".pe-score").text_content() == "score: 1 of 1"
    assert el.get_attribute("data-hidden") == ""  # revealed
    assert [c.text_content() for c in el.query_selector_all(".pe-output .pe-cell")] == [
        format_value(float(v)) for v in truth
    ]
    # the next questions, from the keyboard: a random input and setting; a wrong answer
    next_question = control(el, "predict-new")
    assert next_question.text_content() == "next question"
    next_question.press("Enter")
    kinds = []
    for _ in range(12):
        hidden = el.get_attribute("data-hidden")
        kinds.append(hidden)
        shape = json.loads(el.get_attribute("data-out-shape"))
        if hidden == "value":
            i, j = json.loads(el.get_attribute("data-position"))
            v = float(json.loads(el.get_attribute("data-values"))[i * shape[1] + j])
            answer.fill(format_value(v + 1))
            control(el, "predict-check").click()
            assert el.query_selector(".pe-feedback").text_content().startswith("not quite")
        else:
            assert hidden == "shape" and el.query_selector(".pe-output .pe-cell") is None
            answer.fill(f"({shape[0]}, {shape[1]})")
            answer.press("Enter")
            assert el.query_selector(".pe-feedback").text_content().startswith("right")
        next_question.press("Enter")  # the explicit step to the next question
    assert {"value", "shape"} <= set(kinds), kinds
    right = 1 + kinds.count("shape")
    assert el.query_selector(".pe-score").text_content() == f"score: {right} of 13"
    assert not errors, errors


def test_predict_questions_stay_within_the_explorers_scope(explorer_page):
    """A question changes only the settings the explorer is focused on (here the padding)."""
    page, _ = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE, predict=True,
               controls=["padding"], predict_seed=11)  # fmt: skip
    seen = set()
    for _ in range(6):
        control(el, "predict-new").click()
        call = el.query_selector(".pe-call").text_content()
        assert "kernel_size=(3, 3), stride=(2, 2)" in call, call
        seen.add(call.split("padding=")[1].split(")")[0])
    assert len(seen) >= 2, seen


def test_predict_questions_draw_lp_pooling_where_its_p_is_in_scope(explorer_page):
    """The Lp section's explorer (scope mode, norm_type, kernel_size) asks Lp questions with
    several p, and each hidden value is PyTorch's Lp pool of the input shown."""
    page, errors = explorer_page
    scope = ["mode", "norm_type", "kernel_size"]
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **LP, norm_type=2.0,
               predict=True, controls=scope, predict_seed=5)  # fmt: skip
    inputs = """(el) => [...el.querySelectorAll(".pe-input .pe-cell[data-kind=input]")]
             .map((n) => Number(n.textContent))"""
    ps = set()
    for _ in range(20):
        control(el, "predict-new").click()
        call = el.query_selector(".pe-call").text_content()
        found = re.search(r"lp_pool2d\(X, norm_type=([\d.]+), kernel_size=\((\d+), (\d+)\), "
                          r"stride=\((\d+), (\d+)\)", call)  # fmt: skip
        if not found:
            continue
        p, kh, kw, sh, sw = (float(found[1]), *map(int, found.groups()[1:]))
        ps.add(p)
        x = torch.tensor(el.evaluate(inputs), dtype=torch.float64).reshape(1, 1, 4, 4)
        want = torch.nn.functional.lp_pool2d(x, p, (kh, kw), (sh, sw))
        shape = json.loads(el.get_attribute("data-out-shape"))
        assert shape == list(want.shape[2:]), (call, shape)
        i, j = json.loads(el.get_attribute("data-position"))
        shown = float(json.loads(el.get_attribute("data-values"))[i * shape[1] + j])
        assert shown == pytest.approx(want[0, 0, i, j].item(), rel=1e-5), call
    assert len(ps) >= 2, ps
    assert not errors, errors


def test_predict_mode_hides_the_maximum_until_answered(explorer_page):
    """In max mode the window's maximum is the answer: while it is hidden, no input cell,
    k×k cell or text marks it; after the answer the first maximum is marked again."""
    page, errors = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE, **PREDICT)
    marks = """(el) => [
        el.querySelectorAll(".pe-winner").length, el.querySelectorAll(".pe-kwin").length,
        [...el.querySelectorAll(".pe-kgrid td, .pe-input .pe-cell")].filter(
          (n) => getComputedStyle(n).fontWeight !== getComputedStyle(el).fontWeight).length]"""
    assert el.get_attribute("data-hidden") == "value"
    assert el.evaluate(marks) == [0, 0, 0]
    control(el, "predict-answer").fill("nan")
    control(el, "predict-check").click()
    assert el.get_attribute("data-hidden") == ""
    assert el.evaluate(marks)[:2] == [1, 1]
    assert not errors, errors


def test_predict_checks_a_retyped_answer_and_moves_on_only_when_asked(explorer_page):
    """A second answer is checked and said ("right on a second try"); the score counts
    first tries; Enter in the answer field never loads a new question, the "next question"
    button does."""
    page, errors = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE, **PREDICT)
    i, j = json.loads(el.get_attribute("data-position"))
    v = float(json.loads(el.get_attribute("data-values"))[i * 2 + j])
    question = el.query_selector(".pe-question").text_content()
    answer, feedback = control(el, "predict-answer"), el.query_selector(".pe-feedback")
    answer.fill(format_value(v + 1))
    answer.press("Enter")
    assert feedback.text_content().startswith("not quite")
    answer.fill(format_value(v))
    answer.press("Enter")
    assert feedback.text_content().startswith("right on a second try")
    assert el.query_selector(".pe-score").text_content() == "score: 0 of 1"
    answer.press("Enter")  # the same answer again: still this question, and how to go on
    assert el.query_selector(".pe-question").text_content() == question
    assert json.loads(el.get_attribute("data-position")) == [i, j]
    assert "next question" in feedback.text_content()
    button = control(el, "predict-new")
    assert button.text_content() == "next question" and button.is_visible()
    button.click()
    assert feedback.text_content() == "" and el.get_attribute("data-hidden") in ("value", "shape")
    assert button.text_content() == "new question" and answer.input_value() == ""
    assert not errors, errors


def test_later_tries_after_a_right_first_answer_are_not_called_second_tries(explorer_page):
    """After a right first answer, a wrong one is "not quite" (not "still not"), a second
    wrong one "still not", and a right one again "right" (not "on a second try")."""
    page, errors = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE, **PREDICT)
    i, j = json.loads(el.get_attribute("data-position"))
    v = float(json.loads(el.get_attribute("data-values"))[i * 2 + j])
    answer, feedback = control(el, "predict-answer"), el.query_selector(".pe-feedback")
    said = []
    for typed in (v, v + 1, v + 2, v):
        answer.fill(format_value(typed))
        answer.press("Enter")
        said.append(feedback.text_content().split(":")[0])
    assert said == ["right", "not quite", "still not", "right"]
    assert el.query_selector(".pe-score").text_content() == "score: 1 of 1"
    assert not errors, errors


def test_a_tap_shows_the_readers_and_a_second_tap_edits(explorer_page):
    """A click (a phone's tap) on an input cell outlines the outputs that read it and says
    how many, keeping the current output's border; only a second click on that cell opens
    the value box."""
    page, errors = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE)
    cell = el.query_selector('.pe-input .pe-cell[data-r="1"][data-c="1"]')
    cell.click()
    assert not control(el, "edit-value").is_visible()
    assert page.evaluate("document.activeElement.name") != "edit-value"
    assert len(el.query_selector_all(".pe-output .pe-reader")) == 4
    caption = el.query_selector(".pe-hint").text_content()
    assert "X[0, 0, 1, 1] is read by 4 outputs" in caption, caption
    current = el.query_selector(".pe-output .pe-current")
    style = current.evaluate(
        "(n) => [getComputedStyle(n).borderTopColor, getComputedStyle(n).outlineOffset]"
    )
    assert "pe-reader" in current.get_attribute("class") and style[1] == "-6px", style
    assert "click it again to change it" in el.query_selector(".pe-caption").text_content()
    cell.click()
    assert control(el, "edit-value").is_visible()
    assert page.evaluate("document.activeElement.name") == "edit-value"
    assert not errors, errors


def test_minus_inf_and_indices_do_not_break_across_lines(explorer_page):
    page, errors = explorer_page
    el = mount(page, torch.arange(16.0).reshape(1, 1, 4, 4), **BASE, **PREDICT)
    unbroken = """(el, sel) => [...el.querySelectorAll(sel + " .pe-nw")]
        .filter((n) => getComputedStyle(n).whiteSpace === "nowrap").map((n) => n.textContent)"""
    assert "-inf" in el.evaluate(unbroken, ".pe-math")  # the padding of the current window
    assert any(t.startswith("out[") for t in el.evaluate(unbroken, ".pe-question"))
    assert el.evaluate(
        """(el) => [...el.querySelectorAll(".pe-kgrid td")].every(
          (n) => getComputedStyle(n).whiteSpace === "nowrap")"""
    )
    assert not errors, errors


# ------------------------------------------------------------------ the chapters' explorers

MEASURE = """() => [...document.querySelectorAll(".pooling-explorer[data-mounted]")].map((el) => {
  const box = (n) => (n ? n.getBoundingClientRect() : { width: 0, height: 0, top: 0, bottom: 0 });
  const area = (n) => box(n).width * box(n).height;
  const shown = (n) => n.getClientRects().length > 0;
  const toolbar = el.querySelector(".pe-toolbar");
  const first = toolbar && toolbar.querySelector(":scope > .pe-controls");
  const more = el.querySelector(".pe-more > summary");
  return {
    title: (el.querySelector(".pe-title") || {}).textContent,
    kind: el.classList.contains("pe-shift") ? "shift" : "pool",
    focused: !!more,
    controls: first ? [...first.children].filter(shown).length : 0,
    controlsHeight: toolbar ? (more ? box(more).top : box(toolbar).bottom) - box(toolbar).top : 0,
    share: area(el.querySelector(".pe-drawing")) / area(el),
    cell: box(el.querySelector(".pe-input .pe-cell[data-kind=input]")).width,
    W: Number((el.querySelector(".pe-title") || {}).textContent.split(", ").at(-1).split(")")[0]),
    drawingTop: box(el.querySelector(".pe-grids")).top,
    toolbarTop: box(toolbar).top,
    // the arithmetic (k×k grid and line) of an explorer, the sentence of the shift explorer
    arithTop: box(el.querySelector(".pe-arith, .pe-root > .pe-math")).top,
    formulaTop: box(el.querySelector(".pe-formula")).top,
    // per grid panel: is the grid wider than its panel, and is the note saying so shown
    scrolls: [...el.querySelectorAll(".pe-grids > .pe-panel")].map((panel) => {
      const scroll = panel.querySelector(".pe-scroll");
      const note = panel.querySelector(".pe-scroll-note");
      return [scroll.scrollWidth > scroll.clientWidth + 1, !!note && shown(note)];
    }),
  };
})"""
CHAPTERS = [
    "book/index.html",
    "notebooks/pooling.html",
    "notebooks/output_shape.html",
    "notebooks/explorer.html",
    "notebooks/why_pooling.html",
    "notebooks/gradients.html",
    "notebooks/loops_to_vectors.html",
    "notebooks/beyond_max_avg.html",
    "notebooks/pooling_in_networks.html",
]
PREDICT_CHAPTERS = [
    "notebooks/pooling.html",
    "notebooks/output_shape.html",
    "notebooks/why_pooling.html",
    "notebooks/gradients.html",
    "notebooks/beyond_max_avg.html",
]


@pytest.fixture(scope="module")
def chapter_explorers(browser, site_url):
    """What every chapter's explorers look like at 1280 px and at 390 px."""
    found = {}
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        for path in CHAPTERS:
            page.goto(site_url + path)
            page.wait_for_selector(".pooling-explorer[data-mounted]")
            page.evaluate(TWO_FRAMES)  # the resize observers have run
            found[width, path] = page.evaluate(MEASURE)
            found[width, path, "predict"] = page.evaluate(
                "document.querySelectorAll('.pooling-explorer .pe-predict').length"
            )
        page.close()
    return found


def test_a_grid_wider_than_its_panel_says_that_it_scrolls_sideways(chapter_explorers):
    """At 390 px some grids are wider than the phone's page (the 8x8 input of "Pooling in
    networks" with its padding): each one's panel shows the note "scroll sideways for every
    column", and no grid that fits shows it. At 1280 px every grid fits."""
    wider, wrong = {1280: 0, 390: 0}, []
    for (width, path), found in ((k, v) for k, v in chapter_explorers.items() if len(k) == 2):
        for n, e in enumerate(found):
            for overflows, noted in e["scrolls"] if e["kind"] == "pool" else []:
                wider[width] += overflows
                if overflows != noted:
                    wrong.append((width, path, n, {"wider": overflows, "note shown": noted}))
    assert not wrong, wrong
    assert wider[390] >= 1 and wider[1280] == 0, wider


def test_focused_explorers_show_at_most_six_controls_in_about_100_px(chapter_explorers):
    """At 1280 px: at most 6 controls before "more settings", in about 100 px of height
    (the player's row and the controls, up to the "more settings" line)."""
    too_many, too_tall, focused = [], [], 0
    for path in CHAPTERS:
        for e in chapter_explorers[1280, path]:
            if e["kind"] != "pool" or not e["focused"]:
                continue
            focused += 1
            if e["controls"] > 6:
                too_many.append((path, e["title"], e["controls"]))
            if e["controlsHeight"] > 110:
                too_tall.append((path, e["title"], e["controlsHeight"]))
    assert focused >= 15, focused
    assert not too_many, too_many
    assert not too_tall, too_tall


def test_the_drawing_takes_at_least_half_of_each_explorer(chapter_explorers):
    small = [
        (path, e["title"], round(e["share"], 2))
        for path in CHAPTERS
        for e in chapter_explorers[1280, path]
        if e["kind"] == "pool" and e["share"] < 0.5
    ]
    assert not small, small
    narrow = [  # cells of at least 40 px for inputs up to 8 wide
        (path, e["title"], e["cell"])
        for path in CHAPTERS
        for e in chapter_explorers[1280, path]
        if e["kind"] == "pool" and e["cell"] and e["cell"] < 40 and e["W"] <= 8
    ]
    assert not narrow, narrow


def test_on_a_phone_the_grids_come_before_the_controls(chapter_explorers):
    late = [
        (path, e["title"])
        for path in CHAPTERS
        for e in chapter_explorers[390, path]
        if e["kind"] == "pool" and e["drawingTop"] >= e["toolbarTop"]
    ]
    assert not late, late


def test_on_a_phone_the_controls_sit_right_under_the_grids(chapter_explorers):
    """At 390 px a control and the grids it changes are seen together: the controls come
    right after the grids, before the arithmetic and the output-size formula (the shift
    explorer: its slider before its sentence)."""
    apart = [
        (path, e["kind"], e["title"], e["drawingTop"], e["toolbarTop"], e["arithTop"])
        for path in CHAPTERS
        for e in chapter_explorers[390, path]
        if not e["drawingTop"] < e["toolbarTop"] < e["arithTop"]
        or (e["kind"] == "pool" and e["formulaTop"] <= e["toolbarTop"])
    ]
    assert not apart, apart


def test_five_chapters_ask_for_a_prediction(chapter_explorers):
    asking = [path for path in PREDICT_CHAPTERS if chapter_explorers[1280, path, "predict"]]
    assert asking == PREDICT_CHAPTERS


def test_explorers_are_mounted_before_mathjax_typesets(browser, site_url):
    """The explorer's script runs ahead of MathJax (both deferred): when the last explorer
    is mounted, MathJax has typeset nothing yet; MathJax still typesets the page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + PAGE)
    page.wait_for_selector("mjx-container", state="attached")
    marks = page.evaluate("() => ({...document.documentElement.dataset})")
    page.close()
    assert marks["mathjaxBeforeExplorers"] == "false", marks
    assert float(marks["explorersMountedMs"]) > 0


def test_every_explorer_works_from_a_file_url(browser, built_site):
    """Opened from disk (file://), every chapter's explorers mount and respond."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    dead = []
    for path in CHAPTERS:
        page.goto((built_site / path).as_uri())
        page.wait_for_load_state("load")
        total = page.evaluate("document.querySelectorAll('div.pooling-explorer').length")
        page.wait_for_function(
            "(n) => document.querySelectorAll('.pooling-explorer[data-mounted]').length === n",
            arg=total,
        )
        el = page.query_selector(".pooling-explorer[data-mounted]:not(.pe-shift)")
        before = el.get_attribute("data-position")
        el.query_selector('[name="next"]').click()
        if el.get_attribute("data-position") == before:
            dead.append(path)
    page.close()
    assert not dead and not errors, (dead, errors)


def test_the_shift_explorer_shows_max_and_blur_pooling(browser, site_url):
    from pooling_book.explorer.shift import shifted_outputs

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + "notebooks/pooling_in_networks.html")
    el = page.wait_for_selector(".pooling-explorer.pe-shift")
    el.scroll_into_view_if_needed()
    el.query_selector('[name="shift"]').fill("0")
    first = "(el) => JSON.parse(el.querySelector('.pe-grid').dataset.%s)"
    x = torch.tensor(el.evaluate(first % "values")).reshape(el.evaluate(first % "shape"))
    for shift in range(4):
        el.query_selector('[name="shift"]').fill(str(shift))
        grids = el.evaluate(
            "(el) => [...el.querySelectorAll('.pe-grid')].map((g) => JSON.parse(g.dataset.values))"
        )
        max_out, blur_out = shifted_outputs(x, shift)
        assert torch.equal(torch.tensor(grids[0]).reshape(x.shape), torch.roll(x, shift, -1))
        assert torch.equal(torch.tensor(grids[1]).reshape(max_out.shape), max_out), shift
        assert torch.allclose(torch.tensor(grids[2]).reshape(blur_out.shape), blur_out), shift
        if shift == 1:
            el.screenshot(path=str(SCREENSHOTS / "shift-explorer-1280.png"))
    page.close()


def test_screenshots_of_a_focused_and_the_full_explorer(browser, site_url):
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(site_url + PAGE)
        page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output")
        explorers = page.query_selector_all(".pooling-explorer[data-mounted]")
        explorers[0].scroll_into_view_if_needed()
        explorers[0].screenshot(path=str(SCREENSHOTS / f"explorer-focused-{width}.png"))
        full = [e for e in explorers if not e.query_selector(".pe-more")][0]
        full.scroll_into_view_if_needed()
        full.screenshot(path=str(SCREENSHOTS / f"explorer-full-{width}.png"))
        page.close()


def test_phone_layout(browser, site_url):
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    page.goto(site_url + PAGE)
    page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.evaluate(
        "document.querySelectorAll('.pooling-explorer details').forEach((d) => { d.open = true; })"
    )
    shown = "(c) => c.getClientRects().length > 0"  # controls of the mode shown, details open
    short = page.evaluate(
        f"""() => [...document.querySelectorAll('.pooling-explorer input[type=range]')]
            .filter({shown}).map((s) => s.getBoundingClientRect().width).filter((w) => w < 120)"""
    )
    controls = ".pooling-explorer select, .pooling-explorer input, .pooling-explorer button"
    small = page.evaluate(
        f"""() => [...document.querySelectorAll('{controls}')].filter({shown})
            .map((c) => [c.name, c.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    page.screenshot(path=str(SCREENSHOTS / "explorer-390.png"), full_page=False)
    page.close()
    assert width <= 390, f"the page scrolls sideways at 390 px: {width} px wide"
    assert not short, f"sliders shorter than 120 px: {short}"
    assert not small, f"touch targets under 44 px tall: {small[:10]}"


# ------------------------------------------------------------------ the gradient sentence

GRADIENT_CASES = [  # (count_include_pad, divisor_override): the report's case and its kin
    (True, None),
    (False, None),
    (True, 3),
    (False, 3),
]


@pytest.mark.parametrize(("count_include_pad", "divisor_override"), GRADIENT_CASES)
def test_gradient_sentence_follows_the_avg_rule(explorer_page, count_include_pad, divisor_override):
    """Output [0, 0] of avg k=2, stride 2, padding 1 reads 1 input cell and 3 padding cells."""
    page, errors = explorer_page
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    controls = [("mode", "avg")]
    controls += [
        (f"{n}-{a}", v)
        for n, v in (("kernel_size", "2"), ("stride", "2"), ("padding", "1"))
        for a in "hw"
    ]
    controls += [("count_include_pad", count_include_pad)]
    controls += [("divisor_override", "" if divisor_override is None else str(divisor_override))]
    shown = page.evaluate(SET_CASE, {"state": state_for(x), "controls": controls})
    assert not shown["error"], shown
    sentence = shown["alt"].split("Gradient: ")[1]
    # what torch gives X[0, 0, 0, 0] (the window's one real cell) for d out[0, 0] = 1
    leaf = x.clone().requires_grad_(True)
    out = torch.nn.functional.avg_pool2d(
        leaf, 2, 2, 1, count_include_pad=count_include_pad, divisor_override=divisor_override
    )
    out[0, 0, 0, 0].backward()
    share = leaf.grad[0, 0, 0, 0].item()
    divisor = int(sentence.split("receives 1/")[1].split(" ")[0])
    assert 1 / divisor == pytest.approx(share), sentence
    padding_takes_a_share = count_include_pad and divisor_override is None
    assert ("padding cells take their share" in sentence) == padding_takes_a_share, sentence
    assert ("padding cells take no share" in sentence) == (not padding_takes_a_share), sentence
    assert not errors, errors


# ------------------------------------------------------------------ cells show their whole value

CLIPPED = """(root) => [...root.querySelectorAll(".pooling-explorer .pe-cell")]
  .filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent)"""

AVG_3X3_PADDED = [("mode", "avg")] + [
    (f"{n}-{a}", v) for n, v in (("kernel_size", "3"), ("padding", "1")) for a in "hw"
]
CELL_CASES = [  # (values, controls): long printed values in the input, output and gradient
    (
        [25.34, 6.4833, 1.1111, -0.1634] * 4,
        [("mode", "lp"), ("norm_type", "3.5"), ("kernel_size-h", "2"), ("kernel_size-w", "2")],
    ),
    ([1.0] * 16, AVG_3X3_PADDED),
    (
        [-123456.7, 0.16, 3.14159, 1e-7] * 4,
        [("mode", "max"), ("kernel_size-h", "2"), ("kernel_size-w", "2")],
    ),
    ([1.0] * 16, [*AVG_3X3_PADDED, ("view", "gradient")]),
]


def test_every_cell_shows_its_whole_value(browser, site_url):
    clipped = []
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        for path in (PAGE, "notebooks/beyond_max_avg.html", "notebooks/pooling_in_networks.html"):
            page.goto(site_url + path)
            page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output")
            clipped += [
                f"{width} px {path}: {t}"
                for t in page.evaluate(CLIPPED, page.query_selector("main"))
            ]
        for values, controls in CELL_CASES:
            x = torch.tensor(values).reshape(1, 1, 4, 4)
            page.evaluate(SET_CASE, {"state": state_for(x), "controls": controls})
            el = page.query_selector("#explorer-under-test")
            clipped += [
                f"{width} px {controls}: {t}"
                for t in el.evaluate(CLIPPED.replace(".pooling-explorer ", ""))
            ]
        page.close()
    assert not clipped, f"cells narrower than their printed value: {clipped[:10]}"


# ------------------------------------------------------------------ invalid settings

INVALID_VIEW = """(el) => {
  const none = el.querySelector(".pe-output .pe-none");
  const range = document.createRange();
  if (none) range.selectNodeContents(none);
  const call = el.querySelector(".pe-call");
  return {
    error: el.dataset.error,
    text: el.textContent,
    alt: el.querySelector(".pe-alt").textContent,
    columns: el.querySelector(".pe-output").style.gridTemplateColumns,
    noneLines: none ? range.getClientRects().length : 0,
    callShown: call.getClientRects().length > 0,
    inputCells: el.querySelectorAll(".pe-input .pe-cell").length,
    padCells: el.querySelectorAll(".pe-input .pe-pad").length,
    outputCells: el.querySelectorAll(".pe-output .pe-cell").length,
    channelField: el.querySelector('[name="channel"]').value,
  };
}"""


def test_an_invalid_setting_shows_one_message_and_no_stale_drawing(explorer_page):
    page, errors = explorer_page
    x = torch.arange(32.0).reshape(1, 2, 4, 4)
    sets = [(f"{n}-{a}", "2") for n in ("kernel_size", "stride") for a in "hw"]
    page.evaluate(SET_CASE, {"state": state_for(x), "controls": [*sets, ("padding-h", "2")]})
    el = page.query_selector("#explorer-under-test")
    shown = el.evaluate(INVALID_VIEW)
    _, expected = pooling_lib_result(
        x, PoolSettings(mode="max", kernel_size=(2, 2), stride=(2, 2), padding=(2, 0))
    )
    assert shown["error"] and shown["text"].count(shown["error"]) == 1, shown
    assert shown["alt"] == "" and not shown["callShown"], shown
    assert shown["columns"] == "" and shown["noneLines"] == 1 and shown["outputCells"] == 0, shown
    assert shown["inputCells"] == 16 and shown["padCells"] == 0, shown  # not padded by 2

    # a channel out of range is an invalid setting too: its rule, no output; back in range, drawn
    page.evaluate(SET_CASE, {"state": state_for(x), "controls": [("channel", "5")]})
    shown = el.evaluate(INVALID_VIEW)
    assert "channel c=5 must be an integer from 0 to 1" in shown["error"], shown
    assert shown["text"].count(shown["error"]) == 1 and shown["channelField"] == "5", shown
    assert shown["outputCells"] == 0 and not shown["callShown"], shown
    el.query_selector('[name="channel"]').fill("1")
    shown = el.evaluate(INVALID_VIEW)
    assert shown["error"] == "" and shown["outputCells"] == 16 and shown["callShown"], shown
    assert "of channel 1, batch 0" in el.query_selector(".pe-alt").text_content()
    assert not errors, errors


# ------------------------------------------- the explorer in Chinese (issue 20), on its own page


def generated_page(browser, lang: str, *widgets, width: int = 1280):
    """A page of its own (no site build): ``<html lang=…>``, the site's script (the bundle
    of the explorer's modules) and each widget's ``static_html``, as a chapter carries it.
    Returns the Playwright page once every explorer is mounted, and the page errors seen."""
    body = "".join(w if isinstance(w, str) else w.static_html() for w in widgets)
    return page_with(browser, lang, body, len(widgets), width)


def page_with(browser, lang: str, body: str, count: int, width: int = 1280):
    """A page of its own: ``<html lang=…>``, the site's script and ``body`` (the stored
    outputs of ``count`` explorers); the page once all are mounted, and its errors."""
    from pooling_book.explorer.bundle import site_bundle

    text = (
        f'<!doctype html><html lang="{lang}" data-content_root="./"><head><meta charset="utf-8">'
        f"<script>{site_bundle()}</script></head><body><main>{body}</main></body></html>"
    )
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_content(text)
    page.wait_for_function(
        f"document.querySelectorAll('.pooling-explorer[data-mounted]').length === {count}"
    )
    return page, errors


HAN = "[\u4e00-\u9fff]"
LABELS = """(el) => [...el.querySelectorAll(`.pe-label, .pe-more > summary, .pe-caption,
  .pe-title, .pe-text > summary, .pe-predict strong, .pe-predict button, option`)]
  .map((n) => n.textContent)"""


def test_a_chinese_page_shows_the_explorer_in_chinese(browser):
    """On a page whose <html lang> is zh-CN every label, caption and sentence of the explorer
    is Chinese, with the glossary's terms; a rule a setting breaks is worded in Chinese;
    the same explorer on an English page keeps its English words."""
    from pooling_book.explorer import explore, explore_shift

    X = torch.arange(16.0).reshape(4, 4)
    focused = explore(X, kernel_size=3, stride=2, padding=1, controls=["kernel_size", "stride"])
    predicting = explore(X, kernel_size=2, controls=["kernel_size", "stride"], predict=True)
    full = explore(X, kernel_size=3, stride=2, padding=1)
    shift = explore_shift(torch.arange(36.0).reshape(6, 6))
    page, errors = generated_page(browser, "zh-CN", focused, predicting, full, shift)
    els = page.query_selector_all(".pooling-explorer[data-mounted]")
    labels = els[0].evaluate(LABELS) + els[1].evaluate(LABELS) + els[2].evaluate(LABELS)
    english = [t for t in labels if not re.search(HAN, t) and t not in ("h ≠ w", "Lp", "None")]
    assert not english, english
    text = els[2].inner_text()
    for term in ("汇聚窗口", "步幅", "填充", "空洞", "向上取整模式", "输入大小", "输出"):
        assert term in text, term
    assert els[2].get_attribute("lang") == "zh-CN"
    title = els[0].query_selector(".pe-title").text_content()
    assert title == "汇聚探索器：X 的形状为 (1, 1, 4, 4)"
    # the sentences: the arithmetic, the gradient, the Python check
    els[2].evaluate(OPEN_DETAILS)
    alt = els[2].query_selector(".pe-alt").text_content()
    assert "梯度传给 X[0, 0, 1, 1]（第一个最大值）" in alt
    assert "# 输出形状 (1, 1, 2, 2)" in els[2].query_selector(".pe-call").text_content()
    checked = els[2].query_selector(".pe-python").text_content()
    assert checked == (
        "Python：pooling_lib.functional.max_pool2d 与 pooling_lib.loops.max_pool2d 在整个输入上"
        "一致（输出形状 (1, 1, 2, 2)）。 图中显示的结果与之相同。"
    ), checked
    assert "预测：" in els[1].inner_text() and "得分：0 题中答对 0 题" in els[1].inner_text()
    assert els[3].query_selector(".pe-title").text_content().startswith("平移探索器")
    assert "最大汇聚" in els[3].inner_text()
    # an invalid kernel: pooling_lib's rule, in Chinese (the English one stays for Python)
    els[2].query_selector('[name="kernel_size-h"]').fill("9")
    shown = els[2].query_selector(".pe-error").text_content()
    assert shown.startswith("max_pool2d：对大小为 (4, 4) 的输入，输出大小将是"), shown
    assert "有效大小为 (9, 9) 的汇聚窗口必须放得进填充后大小为 (6, 6) 的输入" in shown
    els[2].query_selector('[name="stride-h"]').fill("1")  # a setting Python did not check
    assert "在你的浏览器中计算" in els[2].query_selector(".pe-python").text_content()
    assert not errors, errors
    page.close()

    page, errors = generated_page(browser, "en", focused)
    el = page.query_selector(".pooling-explorer[data-mounted]")
    assert el.query_selector(".pe-more > summary").text_content() == "more settings"
    assert not re.search(HAN, el.evaluate(LABELS).__str__())
    assert not errors, errors
    page.close()


def test_the_widgets_lang_overrides_the_page(browser):
    """In Jupyter the page is JupyterLab's: the ``lang`` trait (POOLING_BOOK_LANG=zh_CN by
    default) chooses the words. Mounted as the widget is, with that trait set."""
    from pooling_book.explorer import explore

    page, errors = generated_page(browser, "en", explore(torch.ones(3, 3)))
    el = page.query_selector(".pooling-explorer[data-mounted]")
    state = el.evaluate("(el) => el.dataset.state || null")
    assert state is None  # consumed by mountAll
    widget = explore(torch.ones(3, 3), controls=["stride"], lang="zh-CN")
    state = {k: getattr(widget, k) for k in widget.keys if not k.startswith("_")}
    state = {k: v for k, v in state.items() if k not in ("layout", "tabbable", "tooltip")}
    page.evaluate(
        """(state) => { const m = window.PoolingExplorer; const el = document.createElement("div");
        el.id = "zh"; document.body.append(el); m.mount(el, m.localModel(state)); }""",
        state,
    )
    zh = page.query_selector("#zh")
    assert zh.query_selector(".pe-more > summary").text_content() == "更多设置"
    assert not errors, errors
    page.close()


# ------------------------------------- the tasks of issue 19, each in at most 3 actions


ROOT = Path(__file__).parents[1]


def stored_explorer(notebook: str, source_has: str = "") -> str:
    """The explorer output stored in ``notebooks/<notebook>.ipynb`` (the site shows that
    text/html) of the first code cell whose source holds ``source_has``."""
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    return next(
        "".join(out["data"]["text/html"])
        for cell in cells["cells"]
        if cell["cell_type"] == "code" and source_has in "".join(cell["source"])
        for out in cell.get("outputs", [])
        if "pooling-explorer" in "".join(out.get("data", {}).get("text/html", []))
    )


def compact_explorers() -> dict[str, str]:
    """The compact explorers near the top of the front page and of chapter 1, as the site
    carries them: book/index.md's raw block and the first explorer output stored in
    notebooks/pooling.ipynb."""
    page = (ROOT / "book" / "index.md").read_text(encoding="utf-8")
    front = re.search(r"```\{raw\} html\n<!-- explore\(.*\) -->\n(.*?)\n```", page, re.S)[1]
    return {"front page": front, "chapter 1": stored_explorer("pooling")}


class Reader:
    """Operates one explorer as a reader does and counts the actions: a hover, a click, a
    tap, or typing one value into one field is one action."""

    def __init__(self, el):
        self.el, self.actions = el, 0

    def _at(self, selector: str):
        node = self.el.query_selector(selector)
        assert node is not None and node.is_visible(), f"{selector} is not on screen"
        self.actions += 1
        return node

    def hover(self, selector: str) -> None:
        self._at(selector).hover()

    def click(self, selector: str) -> None:
        self._at(selector).click()

    def type(self, name: str, value: str) -> None:
        """Types into a field; one more action first when it is under "more settings"
        (closed): opening it."""
        node = self.el.query_selector(f'[name="{name}"]')
        more = self.el.query_selector(".pe-more")
        if node is not None and not node.is_visible() and more and more.evaluate("(d) => !d.open"):
            self.click(".pe-more > summary")
        self._at(f'[name="{name}"]').fill(value)


READ_CELLS = """(el) => [...el.querySelectorAll(".pe-input .pe-read")]
  .map((n) => [Number(n.dataset.r), Number(n.dataset.c)])"""


def window_cells(el, i: int, j: int) -> list[list[int]]:
    """pooling_lib's window of output (i, j) for the explorer's current settings."""
    from pooling_lib.shapes import window_positions

    get = lambda name: json.loads(  # noqa: E731
        "[" + el.query_selector(f'[name="{name}-h"]').input_value() + "]"
    )[0]
    k, s, p, d = (get(n) for n in ("kernel_size", "stride", "padding", "dilation"))
    rows = window_positions(i, kernel_size=k, stride=s, padding=p, dilation=d)
    cols = window_positions(j, kernel_size=k, stride=s, padding=p, dilation=d)
    return sorted([r, c] for r in rows for c in cols)


@pytest.mark.parametrize("where", ["front page", "chapter 1"])
def test_each_task_takes_at_most_three_actions(browser, where):
    """Issue 19's tasks on the compact explorer of the front page and of chapter 1, each
    from a freshly opened page, each in at most 3 actions (Reader counts them): find the
    cells one output reads; make a 3x3 output from a 7x7 input; see what padding does; see
    what dilation does; see why one value is what it is; the first task on a phone."""
    html = compact_explorers()[where]
    counts: dict[str, int] = {}

    def fresh(width: int = 1280):
        page, errors = page_with(browser, "en", html, 1, width)
        return page, errors, Reader(page.query_selector(".pooling-explorer[data-mounted]"))

    # 1. the cells one output reads: hover it; the window's cells are marked
    page, errors, r = fresh()
    r.hover('.pe-output .pe-cell[data-i="1"][data-j="1"]')
    assert sorted(r.el.evaluate(READ_CELLS)) == window_cells(r.el, 1, 1)
    counts["find the cells one output reads"] = r.actions
    page.close()

    # 2. a 3x3 output from a 7x7 input: the input's size, then the output's
    page, errors, r = fresh()
    r.type("size-h", "7")
    r.type("target-h", "3")
    assert r.el.query_selector(".pe-title").text_content().endswith("(1, 1, 7, 7)")
    assert json.loads(r.el.get_attribute("data-out-shape")) == [3, 3]
    assert not r.el.get_attribute("data-error")
    counts["make a 3x3 output from a 7x7 input"] = r.actions
    page.close()

    # 3. what padding does: set it; dashed padding cells appear around the input, and the
    # output grows
    page, errors, r = fresh()
    before = json.loads(r.el.get_attribute("data-out-shape"))
    pads = r.el.evaluate("(el) => el.querySelectorAll('.pe-input .pe-pad').length")
    r.type("padding-h", "0" if pads else "1")
    after = json.loads(r.el.get_attribute("data-out-shape"))
    now = r.el.evaluate("(el) => el.querySelectorAll('.pe-input .pe-pad').length")
    assert (now == 0) == bool(pads) and after != before, (pads, now, before, after)
    counts["see what padding does"] = r.actions
    page.close()

    # 4. what dilation does: set it to 2; the current output's window reads every other
    # cell (the cells skipped are hatched) and the output shrinks
    page, errors, r = fresh()
    before = json.loads(r.el.get_attribute("data-out-shape"))
    r.type("dilation-h", "2")
    i, j = json.loads(r.el.get_attribute("data-position"))
    assert r.el.evaluate("(el) => el.querySelectorAll('.pe-input .pe-gap').length") > 0
    assert sorted(r.el.evaluate(READ_CELLS)) == window_cells(r.el, i, j)
    assert json.loads(r.el.get_attribute("data-out-shape")) != before
    counts["see what dilation does"] = r.actions
    page.close()

    # 5. why one value is what it is: point at it; its arithmetic ends in its value
    page, errors, r = fresh()
    r.hover('.pe-output .pe-cell[data-i="1"][data-j="0"]')
    value = r.el.query_selector('.pe-output .pe-cell[data-i="1"][data-j="0"]').text_content()
    line = r.el.query_selector(".pe-arith .pe-math").text_content()
    assert line.startswith("out[1, 0]: max(") and line.endswith(f") = {value}."), line
    assert r.el.query_selector(".pe-kform").get_attribute("data-line").endswith(f"= {value}")
    counts["see why one value is what it is"] = r.actions
    page.close()

    # 6. the first task on a phone: a tap on the output cell
    page, errors, r = fresh(390)
    r.click('.pe-output .pe-cell[data-i="1"][data-j="1"]')
    assert sorted(r.el.evaluate(READ_CELLS)) == window_cells(r.el, 1, 1)
    counts["find the cells one output reads, on a phone"] = r.actions
    assert not errors, errors
    page.close()

    print(where, counts)  # the measurements of the closing note (pytest -s)
    assert max(counts.values()) <= 3, counts


def test_the_output_size_control_finds_a_setting_exactly_when_one_exists(browser):
    """ "→ output" (model.js fitSettings) against pooling_lib: for inputs of 1 to 10 and
    outputs of 1 to 10, with and without ceil_mode and dilation 2, it returns a kernel,
    stride and padding that pooling_lib pools to that size (and accepts), and returns none
    only when no kernel and stride up to 10 with padding up to half the kernel does."""
    from pooling_lib.shapes import pooled_size

    page, errors = generated_page(browser, "en", explore(torch.ones(3, 3)))
    cases = [
        (n, o, ceil, d)
        for n in range(1, 11)
        for o in range(1, 11)
        for ceil in (False, True)
        for d in (1, 2)
    ]
    found = page.evaluate(
        """(cases) => cases.map(([n, o, ceil, d]) => window.PoolingExplorer.fitSettings(
          { mode: "max", kernel_size: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [d, d],
            ceil_mode: ceil }, [n, n], [o, o], ["kernel_size", "stride", "padding"],
          ["kernel_size", "stride"], 10))""",
        cases,
    )
    page.close()
    for (n, o, ceil, d), fit in zip(cases, found, strict=True):
        exists = any(
            pooled_size(n, k, s, p, d, ceil) == o
            for k in range(1, 11)
            for s in range(1, 11)
            for p in range(k // 2 + 1)
        )
        assert (fit is not None) == exists, (n, o, ceil, d, fit)
        if fit:
            k, s, p = fit["kernel_size"][0], fit["stride"][0], fit["padding"][0]
            assert pooled_size(n, k, s, p, d, ceil) == o and 0 <= p <= k // 2
            x = torch.ones(1, 1, n, n)
            out = functional.max_pool2d(x, k, s, p, dilation=d, ceil_mode=ceil)
            assert tuple(out.shape[-2:]) == (o, o), (n, o, ceil, d, fit)
    assert not errors, errors


def test_the_chinese_editions_explorers_speak_chinese(browser, site_root_url):
    """On the built site, every explorer of the Chinese edition (zh-cn/) shows its title,
    its "more settings" and its captions in Chinese; the English edition's, in English."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    words = """() => [...document.querySelectorAll(".pooling-explorer[data-mounted]")].map((el) =>
      [el.lang, ...[...el.querySelectorAll(".pe-title, .pe-more > summary, .pe-caption")]
        .map((n) => n.textContent)])"""
    for edition, expected in (("zh-cn", "zh-CN"), ("en", "en")):
        for path in CHAPTERS:
            page.goto(f"{site_root_url}{edition}/{path}")
            page.wait_for_selector(".pooling-explorer[data-mounted]")
            for lang, *texts in page.evaluate(words):
                assert lang == expected, (edition, path, lang)
                han = [bool(re.search(HAN, t)) for t in texts]
                assert all(han) if expected == "zh-CN" else not any(han), (edition, path, texts)
    page.close()
    assert not errors, errors


RULE_CASES = [  # (settings, H, W): one per rule of pooling.js ruleError, and valid ones
    ({"mode": "lp", "norm_type": 0}, 4, 4),
    ({"kernel_size": [0, 2]}, 4, 4),
    ({"stride": [1, 0]}, 4, 4),
    ({"dilation": [0, 0]}, 4, 4),
    ({"padding": [-1, 0]}, 4, 4),
    ({"kernel_size": [2, 2], "padding": [2, 2]}, 4, 4),
    ({"kernel_size": [2, 2], "padding": [2, 2], "dilation": [2, 2]}, 4, 4),
    ({"kernel_size": [5, 5]}, 4, 4),
    ({"mode": "avg", "divisor_override": 0}, 4, 4),
    ({}, 4, 4),
    ({"mode": "avg", "kernel_size": [3, 3], "padding": [1, 1]}, 5, 7),
]


def test_the_chinese_table_has_every_word_and_every_rule(browser):
    """strings.js: the Chinese table has the English table's keys (nested ones too); each
    rule pooling.js words in English it words in Chinese, with the same numbers."""
    page, errors = generated_page(browser, "zh-CN", explore(torch.ones(3, 3)))
    keys = page.evaluate(
        """() => { const S = window.PoolingExplorer.STRINGS;
        const shape = (t) => Object.keys(t).sort().map((k) =>
          typeof t[k] === "object" ? k + ":" + Object.keys(t[k]).sort().join(",") : k);
        return [shape(S.en), shape(S["zh-CN"])]; }"""
    )
    assert keys[0] == keys[1]
    base = {k: v for k, v in state_for(torch.ones(1, 1, 1, 1)).items() if k in KEYWORDS}
    base |= {"kernel_size": [2, 2], "stride": [2, 2]}
    cases = [({**base, **s}, H, W) for s, H, W in RULE_CASES]
    worded = page.evaluate(
        """(cases) => { const m = window.PoolingExplorer, zh = m.STRINGS["zh-CN"];
        return cases.map(([s, H, W]) => [m.ruleError(s, H, W), m.ruleError(s, H, W, zh)]); }""",
        cases,
    )
    page.close()
    for (s, *_), (en, zh) in zip(cases, worded, strict=True):
        assert (en is None) == (zh is None), (s, en, zh)
        if en is None:
            continue
        # the tuples, the keyword=value pairs and the function's name
        numbers = re.findall(r"\((?:-?\d+, )*-?\d+\)", en)
        numbers += re.findall(r"\b\w+=(?:\((?:-?\d+, )*-?\d+\)|[\w.-]+)", en)
        numbers.append(en.split(":")[0])
        missing = [n for n in numbers if n not in zh]
        assert not missing and re.search(HAN, zh), (en, zh, missing)
    assert sum(en is not None for en, _ in worded) == 9
    assert not errors, errors


# ------------------------------------- the size fields, typed key by key (review of issue 19)

X44 = torch.arange(16.0).reshape(4, 4)
NO_OUTPUT = "(el) => el.querySelectorAll('.pe-output .pe-cell').length"


def retype(el, name: str, text: str) -> None:
    """Empties field ``name`` and types ``text`` into it key by key, as a reader does (an
    input event per key: typing 32 shows 3 first)."""
    field = control(el, name)
    field.fill("")
    field.type(text)


def test_an_input_size_out_of_range_says_its_rule_and_applies_nothing(browser):
    """Typing 32 into the input's size (at most 16): the message names the field, the
    value and the rule, the input keeps the size it had (not the 3 typed first), no output
    is drawn, and the field keeps what was typed; a size in range then applies."""
    page, errors = generated_page(browser, "en", explore(X44, kernel_size=3, stride=2, padding=1))
    el = page.query_selector(".pooling-explorer[data-mounted]")
    retype(el, "size-h", "32")
    message = "input size H = W = 32: must be an integer from 1 to 16; the input stays 4×4"
    assert el.get_attribute("data-error") == message
    assert el.query_selector(".pe-error").text_content() == message
    assert el.query_selector(".pe-title").text_content().endswith("(1, 1, 4, 4)")
    assert el.evaluate(NO_OUTPUT) == 0 and control(el, "size-h").input_value() == "32"
    retype(el, "size-h", "7")
    assert el.get_attribute("data-error") == ""
    assert el.query_selector(".pe-title").text_content().endswith("(1, 1, 7, 7)")
    control(el, "hw-split").check()  # split: the width's own rule
    retype(el, "size-w", "0")
    assert el.get_attribute("data-error").startswith("input width W = 0: must be an integer")
    assert el.query_selector(".pe-title").text_content().endswith("(1, 1, 7, 7)")
    assert not errors, errors
    page.close()


def test_a_larger_input_says_that_its_new_cells_are_zero(browser):
    """The tensor given to explore() is 4×4: grown past it, the new cells are 0 and a note
    says so; back within it, or with a preset that fills any size, no note."""
    page, errors = generated_page(browser, "en", explore(X44, kernel_size=2))
    el = page.query_selector(".pooling-explorer[data-mounted]")
    note = el.query_selector(".pe-size-note")
    assert not note.is_visible()
    control(el, "size-h").fill("6")
    cells = el.evaluate(INPUT_CELLS)
    assert cells["3,3"] == "15" and cells["5,5"] == "0" and cells["0,4"] == "0"
    assert note.is_visible() and note.text_content() == (
        'the new cells are 0: the tensor given to explore() is 4×4 ("input values" fills them '
        "otherwise)"
    )
    control(el, "size-h").fill("3")
    assert not note.is_visible()
    control(el, "size-h").fill("6")
    control(el, "preset").select_option("ramp")  # a preset that fills any size
    assert not note.is_visible()
    assert not errors, errors
    page.close()


FIT = """([s, n, o, most]) => window.PoolingExplorer.fitSettings(
  { mode: "max", dilation: [1, 1], ceil_mode: false, ...s }, [n, n], [o, o],
  ["kernel_size", "stride", "padding"], ["kernel_size", "stride", "padding"], most)"""
# settings a reader may leave behind before asking for an output size
LEFTOVERS = [
    {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1]},
    {"kernel_size": [2, 2], "stride": [2, 2], "padding": [1, 1]},
    {"kernel_size": [5, 5], "stride": [1, 1], "padding": [2, 2]},
    {"kernel_size": [8, 8], "stride": [3, 3], "padding": [4, 4]},
]


def test_the_output_size_control_avoids_windows_of_half_padding(browser):
    """From any leftover setting, "→ output" picks a window less than half padding along
    each axis (2·padding < kernel) and a stride no longer than the window whenever such a
    setting gives the output (pooling_lib's sizes, brute force); padding never exceeds half
    the kernel (PyTorch's rule)."""
    from pooling_lib.shapes import pooled_size

    page, errors = generated_page(browser, "en", explore(torch.ones(3, 3)))
    odd_but_avoidable = []
    for start in LEFTOVERS:
        for n in range(1, 11):
            for o in range(1, 11):
                fit = page.evaluate(FIT, [start, n, o, 10])
                sensible = any(
                    pooled_size(n, k, st, p) == o and (p == 0 or 2 * p < k) and st <= k
                    for k in range(1, 11)
                    for st in range(1, 11)
                    for p in range(k // 2 + 1)
                )
                if fit is None:
                    assert not sensible, (start, n, o)
                    continue
                k, st, p = fit["kernel_size"][0], fit["stride"][0], fit["padding"][0]
                assert pooled_size(n, k, st, p) == o and 0 <= p <= k // 2, (start, n, o, fit)
                if sensible and (fit.get("odd") or (p and 2 * p >= k) or st > k):
                    odd_but_avoidable.append((start["kernel_size"][0], n, o, k, st, p))
    page.close()
    assert not odd_but_avoidable, odd_but_avoidable[:10]
    assert not errors, errors


def test_the_output_size_starts_from_the_settings_before_the_typing(browser):
    """Typing 12 (no kernel gives 12 from 4) after the 1 typed first fitted an output of 1:
    the settings go back to those before the typing, and the note says none exists. A
    wanted output size is fitted from the settings before the typing too; when every fit
    from them is odd (here with dilation 3), the fit starts again from explore()'s own
    dilation, and the note says what was set."""
    page, errors = generated_page(browser, "en", explore(X44, kernel_size=3, stride=2, padding=1))
    el = page.query_selector(".pooling-explorer[data-mounted]")
    call = lambda: el.query_selector(".pe-call").text_content()  # noqa: E731
    el.evaluate(OPEN_DETAILS)
    before = call()
    retype(el, "target-h", "12")
    assert call() == before, call()
    note = el.query_selector(".pe-target-note").text_content()
    assert note == "no kernel, stride and padding give an output of 12 from 4", note
    retype(el, "target-h", "3")
    assert el.get_attribute("data-out-shape") == "[3,3]"
    assert "kernel_size=(4, 4), stride=(1, 1), padding=(1, 1)" in call(), call()
    assert el.query_selector(".pe-target-note").text_content() == "set kernel 4, stride 1"
    control(el, "dilation-h").fill("3")  # every 4 -> 2 with dilation 3 is odd
    retype(el, "target-h", "2")
    assert el.get_attribute("data-out-shape") == "[2,2]"
    # with explore()'s dilation 1 again, stride 2 is the one change from kernel 4, padding 1
    assert "kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), dilation=(1, 1)" in call(), call()
    note = el.query_selector(".pe-target-note").text_content()
    assert note == "set stride 2, dilation 1", note
    assert not errors, errors
    page.close()


# ------------------------------------- the front page's first screen, and dilation's actions

FIRST_SCREENS = [(1280, 800), (390, 844)]


@pytest.mark.parametrize(("width", "height"), FIRST_SCREENS)
def test_the_front_pages_grids_are_in_the_first_screen(browser, site_url, width, height):
    """On the front page, as it opens, the compact explorer's grids (input and output,
    with their indices) lie wholly inside the first screen, at 1280×800 and at 390×844."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(site_url + "book/index.html")
    page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output .pe-cell")
    boxes = page.evaluate(
        """() => Object.fromEntries(["pe-grids", "pe-input", "pe-output"].map((c) => {
          const r = document.querySelector(`.pooling-explorer[data-mounted] .${c}`)
            .getBoundingClientRect();
          return [c, [r.left, r.top, r.right, r.bottom].map(Math.round)]; }))"""
    )
    page.screenshot(path=str(SCREENSHOTS / f"front-page-{width}x{height}.png"))
    page.close()
    print(f"front page {width}x{height}: {boxes}")  # left, top, right, bottom (pytest -s)
    for left, top, right, bottom in boxes.values():
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, boxes


def test_dilation_is_one_action_away_on_the_explorer_chapter(browser):
    """ "See what dilation does" on the explorer chapter: its dilation section's explorer
    (dilation first) and its explorer of every control each show it in one action, typed
    into the dilation field; the hatched gaps come or go and the window reads what
    pooling_lib's window rule says."""
    counts = {}
    for where, source, value in (
        ("dilation section", 'controls=["dilation"', "1"),
        ("every control", "explore(X2,", "2"),
    ):
        page, errors = page_with(browser, "en", stored_explorer("explorer", source), 1)
        r = Reader(page.query_selector(".pooling-explorer[data-mounted]"))
        gaps = "(el) => el.querySelectorAll('.pe-input .pe-gap').length"
        before = r.el.evaluate(gaps)
        r.type("dilation-h", value)
        assert (r.el.evaluate(gaps) > 0) != (before > 0), (where, before)
        i, j = json.loads(r.el.get_attribute("data-position"))
        assert sorted(r.el.evaluate(READ_CELLS)) == window_cells(r.el, i, j)
        counts[where] = r.actions
        assert not errors, errors
        page.close()
    print("see what dilation does, explorer chapter:", counts)
    assert max(counts.values()) <= 3 and set(counts) == {"dilation section", "every control"}
