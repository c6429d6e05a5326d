// The pooling explorer's view, used two ways.
//   * In Jupyter (JupyterLab, Notebook 7, Colab, Binder) it is an anywidget: `render` draws
//     into the output cell and every control is a synced trait of
//     pooling_book.explorer.Explorer, so Python sees each change and recomputes with pooling_lib.
//   * On the static site (no kernel) `mountAll` finds the <div class="pooling-explorer">
//     the notebook output carries and runs the same view on a local model.
// The parts are modules of their own (pooling_book/explorer/bundle.py joins them into one
// file): pooling.js computes, model.js holds the state, drawing.js draws, controls.js and
// predict.js take the reader's input; this module wires them together.
import { STRINGS, languageOf, strings } from "./strings.js";
import { FN, effective, formatValue, poolCell, poolPlane, pyRepr, ruleError } from "./pooling.js";
import { CONTROLS, MAX_SIZE, SETTINGS, USES, fitSettings, localModel, presetValues, readersOf, resizedValues, toJson, toNumber } from "./model.js";
import { css } from "./style.js";
import { cellSize, clearGrid, drawInput, drawOutput, explain, h, placeWindow, unbroken, windowGrid } from "./drawing.js";
import { buildControls } from "./controls.js";
import { buildPredict } from "./predict.js";
import { mountShift } from "./shift.js";

const MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

// Draw the explorer for `model` into `el`; returns a function that stops it.
export function mount(el, model) {
  if (el._peStop) el._peStop(); // a view mounted here before stops drawing into `el`
  if (model.get("kind") === "shift") return (el._peStop = mountShift(el, model));
  const palette = model.get("palette") || {};
  const T = strings(languageOf(model));
  el.classList.add("pooling-explorer");
  el.lang = T.lang;
  el.replaceChildren();
  el.append(h("style", {}, css(palette)));
  const [N, C] = model.get("shape");
  const f32 = model.get("dtype") !== "float64";
  const original = model.get("values").map(toNumber);
  const originalShape = model.get("shape").slice();
  let values = original.slice();
  let presetName = "original";
  const typed = new Map(); // "b,r,c" -> a value the reader typed (kept when resizing)
  let timer = null;
  let result = null;
  let readers = new Map();
  const indexErrors = { batch: "", channel: "" };
  let sizeError = ""; // an input size out of range, typed into the shape row
  const settingsNow = () => Object.fromEntries(SETTINGS.map((k) => [k, model.get(k)]));
  const initial = settingsNow(); // the settings explore() was given (the "→ output" fallback)
  let picked = null; // [r, c] of the input cell clicked last (a second click edits it)
  const view = {
    model,
    T,
    N,
    C,
    H: 0,
    W: 0,
    editing: null, // [r, c] of the input cell being edited
    hover: null, // [r, c] of the input cell under the pointer
    grad: null,
    set(key, value) {
      model.set(key, value);
      model.save_changes();
    },
    redraw: () => redraw(),
    resize,
    preset(name) {
      presetName = name;
      typed.clear();
      setValues(presetValues(name, original, model.get("shape"), originalShape));
    },
    setValues,
    settings: settingsNow,
    // Make the output [oh, ow]: the kernel, stride and padding closest to `before` (the
    // settings when the reader began typing; the current ones by default) that give it
    // (model.js fitSettings). When every such setting is odd (a window half padding, cells
    // no window reads), the search starts again with explore()'s own dilation and ceil_mode
    // and takes what it finds if that is not. Returns what it set, in words, or null when
    // nothing gives that output (the settings go back to `before`).
    target(oh, ow, before = null) {
      const base = { ...(before || settingsNow()), mode: model.get("mode") };
      const [, , H, W] = model.get("shape");
      const free = ["kernel_size", "stride", ...(USES[base.mode].includes("padding") ? ["padding"] : [])];
      const named = model.get("controls") || [];
      const shown = named.length ? named : CONTROLS;
      const most = Math.max(9, H, W);
      let fit = fitSettings(base, [H, W], [oh, ow], free, shown, most);
      let from = base;
      if (!fit || fit.odd) {
        const known = { ...base, dilation: initial.dilation, ceil_mode: initial.ceil_mode };
        const other = fitSettings(known, [H, W], [oh, ow], free, shown, most);
        if (other && (!fit || other.odd < fit.odd)) [fit, from] = [other, known];
      }
      const next = fit ? { ...from, ...fit } : base;
      const changed = ["kernel_size", "stride", "padding", "dilation", "ceil_mode"].filter(
        (key) => JSON.stringify(next[key]) !== JSON.stringify(model.get(key)),
      );
      for (const key of changed) model.set(key, next[key]);
      model.save_changes();
      if (!fit) return null;
      const word = (key) => (T.pairs[key] || T.flags[key]);
      const shownValue = (v) => (Array.isArray(v) ? (v[0] === v[1] ? String(v[0]) : `(${v.join(", ")})`) : String(v));
      return changed.length ? T.targetSet(changed.map((key) => `${word(key)} ${shownValue(next[key])}`).join(", ")) : "";
    },
    // An input size out of range (axis "h" or "w", the text typed): its rule is shown and the
    // input keeps (or gets back) the size `before`; badSize(null) clears the message.
    badSize(axis, linked, text, before) {
      if (axis === null) {
        if (sizeError) {
          sizeError = "";
          redraw();
        }
        return;
      }
      const [, , H, W] = model.get("shape");
      if (H !== before[0] || W !== before[1]) resize(before[0], before[1], true);
      sizeError = T.errSize(axis, linked, text, MAX_SIZE, before[0], before[1]);
      redraw();
    },
    sizeError: () => sizeError,
    setIndex(key, text, size, word) {
      const v = Number(text);
      const ok = text !== "" && Number.isInteger(v) && v >= 0 && v < size;
      indexErrors[key] = ok ? "" : T.errIndex(word, text, size, key);
      if (ok && v !== model.get(key)) view.set(key, v);
      else redraw();
    },
    indexError: (key) => indexErrors[key],
    current: () => ({ result, position: model.get("position") }),
  };

  const root = h("div", { class: "pe-root" });
  el.append(root);
  const title = h("p", { class: "pe-title" });
  const controls = buildControls(view);
  const predict = model.get("predict")
    ? buildPredict({ ...view, scope: controls.focus, seed: model.get("predict_seed") ?? Math.floor(Math.random() * 2147483647) })
    : null;

  // --- drawing
  const error = h("p", { class: "pe-error", role: "alert" });
  const inputGrid = h("div", { class: "pe-grid pe-input", tabindex: "0", role: "group", "aria-label": T.inputAria });
  const outputGrid = h("div", { class: "pe-grid pe-output", tabindex: "0", role: "group", "aria-label": T.outputAria });
  view.inputGrid = inputGrid;
  const windowBox = h("div", { class: "pe-window", hidden: "" });
  const edit = h("input", { type: "number", step: "any", name: "edit-value" });
  const editLabel = h("span", {});
  const editWrap = h("label", { class: "pe-edit", hidden: "" }, editLabel, edit);
  // one line across both grids: how to use them, and which outputs read the cell pointed at
  const hint = h("p", { class: "pe-caption pe-hint" }, T.hint);
  const inputCaption = h("p", { class: "pe-caption" }, T.inputCaption);
  const outputCaption = h("p", { class: "pe-caption" }, T.output);
  // a grid wider than the page scrolls sideways inside its panel; a note above it says so
  // (shown by markOverflow only while the grid is wider than its panel)
  const inputStage = h("div", { class: "pe-stage" }, inputGrid, windowBox);
  const outputStage = h("div", { class: "pe-stage" }, outputGrid);
  const inputScroll = h("div", { class: "pe-scroll" }, inputStage);
  const outputScroll = h("div", { class: "pe-scroll" }, outputStage);
  const scrolls = [inputScroll, outputScroll].map((scroll) => [scroll, h("p", { class: "pe-caption pe-scroll-note", hidden: "" }, T.scrollNote)]);
  const grids = h(
    "div",
    { class: "pe-grids" },
    h("div", { class: "pe-panel" }, inputCaption, editWrap, scrolls[0][1], inputScroll),
    h("div", { class: "pe-panel" }, outputCaption, scrolls[1][1], outputScroll),
  );
  function markOverflow() {
    for (const [scroll, note] of scrolls) {
      const over = scroll.scrollWidth > scroll.clientWidth + 1;
      note.hidden = !over;
      if (over) scroll.dataset.overflow = "";
      else delete scroll.dataset.overflow;
    }
  }
  const kform = h("div", { class: "pe-kwrap" });
  const arithmetic = h("p", { class: "pe-math" });
  const formula = h("div", { class: "pe-math pe-formula" });
  const drawing = h("div", { class: "pe-drawing" }, error, controls.shapeRow, hint, grids, h("div", { class: "pe-arith" }, kform, arithmetic), formula);
  const alt = h("p", { class: "pe-alt", "aria-live": "polite" });
  const call = h("pre", { class: "pe-call" });
  const python = h("p", { class: "pe-python" });
  const text = h("details", { class: "pe-text" }, h("summary", {}, T.details), alt, call, python);
  if (controls.full) text.open = true;
  root.append(title, controls.toolbar);
  if (predict) root.append(predict.panel);
  root.append(drawing, text);

  function setValues(next) {
    values = next;
    view.set("values", next.map(toJson));
  }

  // The input of size H x W: the preset fills it, typed cells stay where they fit.
  function resize(H, W, quiet = false) {
    sizeError = "";
    const [n, c] = model.get("shape");
    const next = resizedValues(presetName, original, originalShape, [n, c, H, W], typed);
    values = next;
    view.editing = null;
    // values first, then the shape: a redraw waits until both match
    model.set("values", next.map(toJson));
    model.set("shape", [n, c, H, W]);
    model.save_changes();
    if (!quiet) redraw();
  }

  // --- the player
  function step(delta) {
    if (!result || result.error) return;
    const [oh, ow] = result.shape;
    const [i, j] = model.get("position");
    const flat = (((i * ow + j + delta) % (oh * ow)) + oh * ow) % (oh * ow);
    view.set("position", [Math.floor(flat / ow), flat % ow]);
  }
  const { play, speed } = controls;
  controls.back.addEventListener("click", () => step(-1));
  controls.next.addEventListener("click", () => step(1));
  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.textContent = T.play;
    play.setAttribute("aria-label", T.playAria);
    play.setAttribute("aria-pressed", "false");
  };
  const start = () => {
    timer = setInterval(() => step(1), 1000 / Number(speed.value));
    play.textContent = T.pause;
    play.setAttribute("aria-label", T.pauseAria);
    play.setAttribute("aria-pressed", "true");
  };
  play.addEventListener("click", () => (timer ? stop() : start()));
  speed.addEventListener("input", () => {
    if (timer) {
      clearInterval(timer);
      start();
    }
  });

  // --- pointer and keys on the grids
  outputGrid.addEventListener("keydown", (event) => {
    if (!MOVES[event.key] || !result || result.error) return;
    event.preventDefault();
    const [oh, ow] = result.shape;
    const [i, j] = model.get("position");
    const [di, dj] = MOVES[event.key];
    view.set("position", [Math.min(oh - 1, Math.max(0, i + di)), Math.min(ow - 1, Math.max(0, j + dj))]);
  });
  const pick = (event) => {
    const cell = event.target.closest(".pe-cell");
    if (!cell || cell.dataset.i === undefined) return;
    const [i, j] = model.get("position");
    if (Number(cell.dataset.i) !== i || Number(cell.dataset.j) !== j) view.set("position", [Number(cell.dataset.i), Number(cell.dataset.j)]);
  };
  outputGrid.addEventListener("mouseover", pick);
  outputGrid.addEventListener("click", pick);
  const inputCell = (event) => {
    const cell = event.target.closest(".pe-cell");
    return cell && cell.dataset.r !== undefined ? [Number(cell.dataset.r), Number(cell.dataset.c)] : null;
  };
  inputGrid.addEventListener("mouseover", (event) => {
    const rc = inputCell(event);
    if (rc && (!view.hover || view.hover[0] !== rc[0] || view.hover[1] !== rc[1])) {
      view.hover = rc;
      redraw();
    }
  });
  inputGrid.addEventListener("mouseleave", () => {
    view.hover = null;
    redraw();
  });
  const startEdit = () => {
    redraw();
    edit.focus();
    edit.select();
  };
  // A click (a tap on a phone) picks a cell: the outputs that read it are outlined. A second
  // click on the picked cell opens its value box (a phone's keyboard only then comes up).
  inputGrid.addEventListener("click", (event) => {
    const rc = inputCell(event);
    if (!rc) return;
    const cell = event.target.closest(".pe-cell");
    if (picked && picked[0] === rc[0] && picked[1] === rc[1] && cell.dataset.kind === "input") {
      view.editing = rc;
      startEdit();
      return;
    }
    picked = rc;
    view.hover = rc;
    if (view.editing && (view.editing[0] !== rc[0] || view.editing[1] !== rc[1])) view.editing = null;
    redraw();
  });
  inputGrid.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      // Enter edits the selected cell (the first one when none is): its value box takes the focus.
      event.preventDefault();
      view.editing = view.editing || [0, 0];
      startEdit();
      return;
    }
    if (!MOVES[event.key]) return;
    event.preventDefault();
    const [r, c] = view.editing || [0, 0];
    view.editing = [Math.min(view.H - 1, Math.max(0, r + MOVES[event.key][0])), Math.min(view.W - 1, Math.max(0, c + MOVES[event.key][1]))];
    redraw();
  });
  edit.addEventListener("input", () => {
    const v = Number.parseFloat(edit.value);
    if (view.editing === null || Number.isNaN(v)) return;
    const b = model.get("batch") * C + model.get("channel");
    const next = values.slice();
    next[b * view.H * view.W + view.editing[0] * view.W + view.editing[1]] = v;
    typed.set(`${b},${view.editing[0]},${view.editing[1]}`, v);
    setValues(next);
  });

  // --- redraw
  let alive = true;
  function redraw() {
    if (!alive) return;
    const t0 = performance.now();
    const [, , H, W] = model.get("shape");
    if (values.length !== N * C * H * W) return; // a resize in flight: shape and values differ
    view.H = H;
    view.W = W;
    if (view.editing && (view.editing[0] >= H || view.editing[1] >= W)) view.editing = null;
    title.textContent = T.title([N, C, H, W]);
    const s = Object.fromEntries(SETTINGS.map((k) => [k, model.get(k)]));
    controls.sync(s);
    const offset = (model.get("batch") * C + model.get("channel")) * H * W;
    const plane = values.slice(offset, offset + H * W);
    result = poolPlane(plane, H, W, s, f32);
    // result.error is pooling_lib's English message (compared with Python's); shown in T's words
    const message = sizeError || indexErrors.batch || indexErrors.channel || (result.error ? ruleError(s, H, W, T) : "");
    // cells past the tensor given to explore() are 0 under its presets: said, not hidden
    const zeros = (presetName === "original" || presetName === "nan") && (H > originalShape[2] || W > originalShape[3]);
    // a setting the mode has no parameter for (avg's dilation, lp's padding, ...): said, not dropped
    const e = effective(s);
    const unused = SETTINGS.filter((k) => JSON.stringify(e[k]) !== JSON.stringify(s[k]))
      .map((k) => T.unused(FN[s.mode], k, pyRepr(s[k])));
    const notes = [zeros ? T.zeroFill(originalShape[2], originalShape[3]) : "", ...unused];
    controls.sizeNote.textContent = notes.filter(Boolean).join("; ");
    el.dataset.error = message;
    error.textContent = message;
    const hide = predict ? predict.hiding() : null;
    el.dataset.hidden = hide || "";
    if (message) {
      // the input as given (no padding: the rule that failed may be the padding's), no output
      const e = { ...s, padding: [0, 0], kernel_size: [1, 1], stride: [1, 1], dilation: [1, 1] };
      view.grad = null;
      drawInput(view, e, plane, null, null);
      windowBox.hidden = true;
      delete el.dataset.outShape;
      delete el.dataset.values;
      delete el.dataset.position;
      clearGrid(outputGrid);
      outputGrid.replaceChildren(h("span", { class: "pe-none" }, T.noOutput));
      for (const node of [alt, arithmetic, call]) node.textContent = "";
      call.hidden = true;
      kform.replaceChildren();
      formula.replaceChildren();
      readers = new Map();
      controls.showShape(null);
      outputCaption.textContent = T.output;
      hint.textContent = T.hint;
    } else {
      const [oh, ow] = result.shape;
      let [i, j] = model.get("position");
      if (i >= oh || j >= ow) {
        i = Math.min(i, oh - 1);
        j = Math.min(j, ow - 1);
        model.set("position", [i, j]);
      }
      const cell = poolCell(plane, H, W, result.settings, i, j, f32);
      // while predict mode hides the answer, nothing marks the window's maximum (it would give it away)
      const shown = hide ? { ...cell, winner: null } : cell;
      el.dataset.outShape = JSON.stringify(result.shape);
      controls.showShape(hide === "shape" ? null : result.shape);
      el.dataset.values = JSON.stringify(Array.from(result.values, String));
      el.dataset.position = JSON.stringify([i, j]);
      view.grad = model.get("view") === "gradient" && !hide ? cell.grad : null; // the gradient view would show the maximum too
      readers = readersOf(result.settings, H, W);
      const focusCell = view.hover || view.editing;
      const marked = focusCell ? readers.get(`${focusCell[0]},${focusCell[1]}`) || [] : [];
      const isPicked = Boolean(picked && focusCell && picked[0] === focusCell[0] && picked[1] === focusCell[1]);
      hint.textContent = focusCell ? T.readBy(`X[${model.get("batch")}, ${model.get("channel")}, ${focusCell[0]}, ${focusCell[1]}]`, marked.length, isPicked) : T.hint;
      const size = cellSize(root.clientWidth || 700, Math.max(W + 2 * result.settings.padding[1], 1), ow);
      el.style.setProperty("--pe-cell", `${size}px`);
      const cells = drawInput(view, result.settings, plane, shown, result.shape);
      if (hide === "shape") {
        clearGrid(outputGrid);
        outputGrid.replaceChildren(h("span", { class: "pe-none" }, "? × ?"));
      } else drawOutput(outputGrid, result, i, j, marked, hide === "value");
      placeWindow(windowBox, cells, cell);
      const words = explain({ N, C, H, W, batch: model.get("batch"), channel: model.get("channel"), shape: result.shape }, result.settings, cell, i, j, hide, T);
      arithmetic.replaceChildren(...unbroken(words.arithmetic));
      alt.textContent = words.alt;
      call.textContent = words.call;
      call.hidden = false;
      formula.replaceChildren(...words.formula.map((line) => h("p", {}, line)));
      kform.replaceChildren(windowGrid(result.settings, shown, hide ? "?" : formatValue(cell.value), T));
    }
    editWrap.hidden = !view.editing;
    if (view.editing) {
      editLabel.textContent = `X[${model.get("batch")}, ${model.get("channel")}, ${view.editing[0]}, ${view.editing[1]}] =`;
      const v = plane[view.editing[0] * W + view.editing[1]];
      if (document.activeElement !== edit) edit.value = Number.isFinite(v) ? v : "";
    }
    if (predict) predict.describe();
    showPython(s);
    el.dataset.redrawMs = String(performance.now() - t0);
  }

  // Python's check (pooling_lib against its loops), when it was made for what is shown.
  function showPython(s) {
    const py = model.get("python") || {};
    if (!py.settings) {
      python.textContent = "";
      return;
    }
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const current =
      same(py.settings, s) && py.batch === model.get("batch") && py.channel === model.get("channel") && same(py.input, model.get("values"));
    if (!current) {
      python.textContent = model.get("live") ? T.pyComputing : T.pyStatic;
      python.className = "pe-python";
      return;
    }
    const ours = el.dataset.values ? JSON.parse(el.dataset.values).map((x) => formatValue(Number(x))) : null;
    const agree = py.error ? py.error === result.error : same(py.values, ours);
    // py.check is Python's English sentence; another language words it from its parts
    const check = py.error ? (T === STRINGS.en ? py.check : `pooling_lib：${ruleError(s, view.H, view.W, T)}`) : T.pyCheck(py);
    python.textContent = `${check} ${agree ? T.drawingSame : T.drawingDiffers}`;
    python.className = py.ok && agree ? "pe-python pe-ok" : "pe-python pe-bad";
  }

  for (const key of [...SETTINGS, "batch", "channel", "position", "view", "python", "shape"]) model.on(`change:${key}`, redraw);
  model.on("change:values", () => {
    values = model.get("values").map(toNumber);
    redraw();
  });
  redraw();
  // Cell sizes follow the explorer's width (the first redraw may run before layout).
  let observer = null;
  if (typeof ResizeObserver !== "undefined") {
    let width = root.clientWidth;
    observer = new ResizeObserver(() => {
      if (root.clientWidth !== width && root.clientWidth > 0) {
        width = root.clientWidth;
        redraw();
      }
    });
    observer.observe(root);
  }
  // the grids' panels change width with the page, the grids with the settings: either may
  // start or end a sideways scroll (observed, so a redraw forces no layout to find out)
  let overflowObserver = null;
  if (typeof ResizeObserver !== "undefined") {
    overflowObserver = new ResizeObserver(markOverflow);
    for (const node of [inputScroll, outputScroll, inputStage, outputStage]) overflowObserver.observe(node);
  }
  el._peStop = () => {
    alive = false;
    stop();
    if (observer) observer.disconnect();
    if (overflowObserver) overflowObserver.disconnect();
  };
  return el._peStop;
}

// Static site: mount every explorer on the page from the state its notebook output carries.
// Returns how many it mounted.
export function mountAll(doc = document) {
  let count = 0;
  for (const el of doc.querySelectorAll("div.pooling-explorer[data-state]:not([data-mounted])")) {
    el.dataset.mounted = "true";
    const state = JSON.parse(el.dataset.state);
    el.removeAttribute("data-state");
    mount(el, localModel(state));
    count += 1;
  }
  return count;
}

export default {
  render({ model, el }) {
    return mount(el, model);
  },
};
