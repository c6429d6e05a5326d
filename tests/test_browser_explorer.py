"""The explorer on the built static site (no kernel), operated in headless Chromium.

* The browser computes what pooling_lib computes: 200 random valid settings and inputs and 50
  invalid ones (fixed seed), each set through the explorer's controls on a built chapter
  page; the shape, the values and the printed cells it shows are compared with
  ``pooling_lib.functional`` run here, and an invalid setting must show pooling_lib's message.
* Every control of a chapter's explorer changes what is shown.
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

import pytest
import torch
from site_checks import SCREENSHOT_DIR as SCREENSHOTS

from pooling_book.drawing import palette
from pooling_book.explorer.widget import format_value
from pooling_book.settings import PoolSettings
from pooling_lib import functional

PAGE = "notebooks/explorer.html"
SEED = 20261129
VALID, INVALID = 200, 50

# Mounts a fresh explorer with the test's input (via the site's own copy of the module),
# then sets each control the way a reader does (value + the event the control listens to),
# and reads back what the explorer shows.
SET_CASE = """async ({state, controls}) => {
  const root = document.documentElement.dataset.content_root;
  const m = await import(root + "vendor/pooling-explorer/explorer.js");
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
    out: list[tuple[str, object]] = [("mode", s.mode)]
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


def _explorer_with_shape(page, shape: str):
    for handle in page.query_selector_all(".pooling-explorer[data-mounted]"):
        if shape in handle.query_selector(".pe-title").text_content():
            return handle
    raise AssertionError(f"no explorer of shape {shape} on the page")


def test_every_control_changes_what_is_shown(explorer_page):
    page, errors = explorer_page
    el = _explorer_with_shape(
        page, "(1, 2, 4, 4)"
    )  # explore(X2, kernel_size=3, padding=1, stride=2)
    el.scroll_into_view_if_needed()
    unchanged = []

    def changes(what: str, action) -> None:
        before = el.evaluate(SNAPSHOT)
        action()
        if el.evaluate(SNAPSHOT) == before:
            unchanged.append(what)

    def control(name: str):
        return el.query_selector(f'[name="{name}"]')

    changes("ceil_mode", lambda: control("ceil_mode").check())
    # (key the slider gets, number typed next): each moves the setting away and back
    moves = {
        "kernel_size": ("ArrowLeft", "3"),
        "stride": ("ArrowLeft", "2"),
        "padding": ("ArrowLeft", "1"),
        "dilation": ("ArrowRight", "1"),
    }
    for name, (key, typed) in moves.items():
        for axis in "hw":
            slider = control(f"{name}-{axis}-slider")
            changes(f"{name} {axis} slider", lambda s=slider, k=key: (s.focus(), s.press(k)))
            number = control(f"{name}-{axis}")
            changes(f"{name} {axis} number", lambda n=number, t=typed: n.fill(t))
    changes("channel", lambda: control("channel").fill("1"))
    changes("mode avg", lambda: control("mode").select_option("avg"))
    changes("padding for avg", lambda: control("padding-h").fill("0"))
    changes("count_include_pad", lambda: control("count_include_pad").uncheck())
    changes("divisor_override", lambda: control("divisor_override").fill("3"))
    changes("mode lp", lambda: control("mode").select_option("lp"))
    changes("norm_type", lambda: control("norm_type").fill("3"))
    changes("preset", lambda: control("preset").select_option("random"))
    changes("view", lambda: control("view").select_option("gradient"))
    changes("next", lambda: control("next").click())
    changes("back", lambda: control("back").click())
    changes(
        "hover an output cell", lambda: el.query_selector_all(".pe-output .pe-cell")[-1].hover()
    )
    out = el.query_selector(".pe-output")
    changes("arrow key on the output", lambda: (out.focus(), out.press("ArrowLeft")))
    cell = el.query_selector(".pe-input .pe-cell[data-kind=input]")
    changes("edit an input value", lambda: (cell.click(), control("edit-value").fill("42")))
    grid = el.query_selector(".pe-input")
    changes("arrow key on the input", lambda: (grid.focus(), grid.press("ArrowRight")))
    grid.press("Enter")  # Enter on the input grid edits the selected cell
    assert page.evaluate("document.activeElement.name") == "edit-value"
    changes("typed after Enter", lambda: page.keyboard.type("7"))
    changes("invalid setting", lambda: control("kernel_size-h").fill("9"))
    assert "must fit into the padded input" in el.get_attribute("data-error")
    control("kernel_size-h").fill("1")

    # play steps the window by itself, pause stops it, speed changes its pace
    positions = []
    control("speed").fill("10")
    control("play").click()
    for _ in range(5):
        page.wait_for_timeout(150)
        positions.append(el.get_attribute("data-position"))
    control("play").click()  # pause
    paused = el.get_attribute("data-position")
    page.wait_for_timeout(400)
    assert len(set(positions)) >= 3, positions
    assert el.get_attribute("data-position") == paused

    # batch index, on an explorer of a batch of two
    page.evaluate(
        SET_CASE, {"state": state_for(torch.arange(18.0).reshape(2, 1, 3, 3)), "controls": []}
    )
    batched = page.query_selector("#explorer-under-test")
    before = batched.evaluate(SNAPSHOT)
    batched.query_selector('[name="batch"]').fill("1")
    if batched.evaluate(SNAPSHOT) == before:
        unchanged.append("batch")
    assert not errors, errors
    assert not unchanged, f"controls that change nothing: {unchanged}"


def test_phone_layout(browser, site_url):
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    page.goto(site_url + PAGE)
    page.wait_for_selector(".pooling-explorer[data-mounted] .pe-output")
    width = page.evaluate("document.documentElement.scrollWidth")
    short = page.evaluate(
        """() => [...document.querySelectorAll('.pooling-explorer input[type=range]')]
            .map((s) => s.getBoundingClientRect().width).filter((w) => w < 120)"""
    )
    small = page.evaluate(
        """() => [...document.querySelectorAll('.pooling-explorer select, .pooling-explorer input')]
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
