// The pooling explorer's front end: one ES module, used two ways.
//   * In Jupyter (JupyterLab, Notebook 7, Colab, Binder) it is an anywidget: `render` draws
//     into the output cell and every control is a synced trait of
//     pooling_book.explorer.Explorer, so Python sees each change and recomputes with pooling_lib.
//   * On the static site (no kernel) `mountAll` finds the <div class="pooling-explorer">
//     the notebook output carries and runs the same view on a local model.
// The pooling itself is pooling.js, a port of pooling_lib.loops (Python concatenates the
// two files into the widget's module; on the site this file imports it).
import {
  cellKind,
  formatValue,
  pooledSize,
  poolCell,
  poolPlane,
  pyFloat,
  pyRepr,
} from "./pooling.js";

const PAIRS = [
  ["kernel_size", "kernel", 1],
  ["stride", "stride", 1],
  ["padding", "padding", 0],
  ["dilation", "dilation", 1],
];
// Which mode reads which control (pooling_book.settings.USES).
const USES = {
  max: ["kernel_size", "stride", "padding", "dilation", "ceil_mode"],
  avg: ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"],
  lp: ["norm_type", "kernel_size", "stride", "ceil_mode"],
};
const SETTINGS = [
  "mode", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
  "count_include_pad", "divisor_override", "norm_type",
];
const PRESETS = {
  original: "the tensor given to explore()",
  ramp: "0, 1, 2, ... (row by row)",
  random: "random integers 0 to 9",
  ties: "ties: every value 1",
  nan: "a NaN in the middle",
  negative: "negative values",
};

// A model for the static site, with the few methods of anywidget's model the view uses.
export function localModel(state) {
  const listeners = new Map();
  return {
    get: (key) => state[key],
    set(key, value) {
      if (JSON.stringify(state[key]) === JSON.stringify(value)) return;
      state[key] = value;
      for (const cb of listeners.get("change:" + key) || []) cb();
    },
    save_changes() {},
    on(event, cb) {
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(cb);
    },
    off() {},
  };
}

// Non-finite numbers travel as strings in JSON.
const toNumber = (v) => (typeof v === "string" ? Number(v.replace("inf", "Infinity")) : v);
const toJson = (v) => (Number.isFinite(v) ? v : String(v));

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

let uid = 0;
// A grid column: at least --pe-cell wide; as the grid is max-content wide, all 1fr columns
// take the width of the longest printed value, so every cell shows its whole number.
const COLUMN = "minmax(var(--pe-cell), 1fr)";

// Draw the explorer for `model` into `el`; returns a function that stops it.
export function mount(el, model) {
  const id = `pe${++uid}`;
  const palette = model.get("palette") || {};
  el.classList.add("pooling-explorer");
  el.replaceChildren();
  el.append(h("style", {}, css(palette)));
  const [N, C, H, W] = model.get("shape");
  const f32 = model.get("dtype") !== "float64";
  let values = model.get("values").map(toNumber);
  const original = values.slice();
  let timer = null;
  let editing = null; // [r, c] of the input cell being edited
  const controls = {};

  const root = h("div", { class: "pe-root" });
  el.append(root);
  const status = h("p", { class: "pe-status" });
  root.append(h("p", { class: "pe-title" }, `Pooling explorer: X of shape (${[N, C, H, W].join(", ")})`));

  // --- controls -------------------------------------------------------------------------
  const form = h("div", { class: "pe-controls" });
  root.append(form);
  const field = (label, input, extra) => {
    const wrap = h("label", { class: "pe-field" }, h("span", { class: "pe-label" }, label), input);
    if (extra) wrap.append(extra);
    form.append(wrap);
    return wrap;
  };
  const set = (key, value) => {
    model.set(key, value);
    model.save_changes();
  };

  const mode = h("select", { name: "mode" });
  for (const m of ["max", "avg", "lp"]) mode.append(h("option", { value: m }, m));
  mode.addEventListener("change", () => set("mode", mode.value));
  controls.mode = [field("mode", mode)];

  const maxOf = { kernel_size: Math.max(9, H, W), stride: Math.max(9, H, W), padding: 8, dilation: 8 };
  for (const [key, word, low] of PAIRS) {
    controls[key] = [];
    for (const axis of [0, 1]) {
      const name = `${key}-${axis ? "w" : "h"}`;
      const range = h("input", { type: "range", min: low, max: maxOf[key], step: 1, name: name + "-slider", "aria-label": `${word} (${axis ? "width" : "height"}) slider` });
      const number = h("input", { type: "number", step: 1, name, class: "pe-number", "aria-label": `${word} (${axis ? "width" : "height"})` });
      const update = (text) => {
        const v = Number.parseInt(text, 10);
        if (Number.isNaN(v)) return;
        const pair = model.get(key).slice();
        pair[axis] = v;
        set(key, pair);
      };
      range.addEventListener("input", () => update(range.value));
      number.addEventListener("input", () => update(number.value));
      controls[key].push(field(`${word} ${axis ? "w" : "h"}`, range, number));
    }
  }
  const checkbox = (key) => {
    const box = h("input", { type: "checkbox", name: key });
    box.addEventListener("change", () => set(key, box.checked));
    controls[key] = [field(key, box)];
  };
  checkbox("ceil_mode");
  checkbox("count_include_pad");
  const divisor = h("input", { type: "number", step: 1, name: "divisor_override", placeholder: "None" });
  divisor.addEventListener("input", () => {
    const v = Number.parseInt(divisor.value, 10);
    set("divisor_override", Number.isNaN(v) ? null : v);
  });
  controls.divisor_override = [field("divisor_override", divisor)];
  const norm = h("input", { type: "number", step: "any", name: "norm_type" });
  norm.addEventListener("input", () => {
    const v = Number.parseFloat(norm.value);
    if (!Number.isNaN(v)) set("norm_type", v);
  });
  controls.norm_type = [field("norm_type", norm)];
  // An index out of range is an invalid setting like the others: its rule is shown, no output.
  const indexErrors = { batch: "", channel: "" };
  const index = (key, size, word) => {
    const input = h("input", { type: "number", min: 0, max: size - 1, step: 1, name: key });
    input.addEventListener("input", () => {
      const v = Number(input.value);
      const ok = input.value !== "" && Number.isInteger(v) && v >= 0 && v < size;
      indexErrors[key] = ok ? "" : `${word}=${input.value || "(empty)"} must be an integer from 0 to ${size - 1} (X has ${size} ${key === "batch" ? "samples" : "channels"})`;
      if (ok && v !== model.get(key)) set(key, v);
      else redraw();
    });
    controls[key] = [field(`${word} (0 to ${size - 1})`, input)];
    if (size === 1) input.disabled = true;
  };
  index("batch", N, "batch index n");
  index("channel", C, "channel c");

  const preset = h("select", { name: "preset" });
  for (const [k, text] of Object.entries(PRESETS)) preset.append(h("option", { value: k }, text));
  preset.addEventListener("change", () => setValues(presetValues(preset.value, original, [N, C, H, W])));
  field("input values", preset);
  const edit = h("input", { type: "number", step: "any", name: "edit-value", disabled: "" });
  const editLabel = h("span", { class: "pe-label" }, "value of the selected input cell");
  const editWrap = h("label", { class: "pe-field" }, editLabel, edit);
  form.append(editWrap);
  edit.addEventListener("input", () => {
    const v = Number.parseFloat(edit.value);
    if (editing === null || Number.isNaN(v)) return;
    const next = values.slice();
    next[planeOffset() + editing[0] * W + editing[1]] = v;
    setValues(next);
  });

  const view = h("select", { name: "view" });
  view.append(h("option", { value: "values" }, "input values"), h("option", { value: "gradient" }, "gradient of the current output"));
  view.addEventListener("change", () => set("view", view.value));
  field("show on the input", view);

  // --- position: step, play/pause, speed --------------------------------------------------
  const player = h("div", { class: "pe-player", role: "group", "aria-label": "output position" });
  const back = h("button", { type: "button", name: "back", "aria-label": "previous output cell" }, "◀");
  const play = h("button", { type: "button", name: "play", "aria-label": "play", "aria-pressed": "false" }, "▶ play");
  const next = h("button", { type: "button", name: "next", "aria-label": "next output cell" }, "▶|");
  const speed = h("input", { type: "range", min: 1, max: 10, step: 1, value: 2, name: "speed", "aria-label": "speed (steps per second)" });
  player.append(back, play, next, h("label", { class: "pe-field" }, h("span", { class: "pe-label" }, "speed"), speed));
  root.append(player);
  back.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.textContent = "▶ play";
    play.setAttribute("aria-label", "play");
    play.setAttribute("aria-pressed", "false");
  };
  const start = () => {
    timer = setInterval(() => step(1), 1000 / Number(speed.value));
    play.textContent = "❚❚ pause";
    play.setAttribute("aria-label", "pause");
    play.setAttribute("aria-pressed", "true");
  };
  play.addEventListener("click", () => (timer ? stop() : start()));
  speed.addEventListener("input", () => {
    if (timer) {
      clearInterval(timer);
      start();
    }
  });

  // --- drawing ----------------------------------------------------------------------------
  const error = h("p", { class: "pe-error", role: "alert" });
  const grids = h("div", { class: "pe-grids" });
  const inputGrid = h("div", { class: "pe-grid pe-input", tabindex: "0", role: "group", "aria-label": "input X (click a cell to edit its value)" });
  const outputGrid = h("div", { class: "pe-grid pe-output", tabindex: "0", role: "group", "aria-label": "output (arrow keys move the window)" });
  grids.append(
    h("div", { class: "pe-panel" }, h("p", { class: "pe-caption" }, "input (padding dashed)"), h("div", { class: "pe-scroll" }, inputGrid)),
    h("div", { class: "pe-panel" }, h("p", { class: "pe-caption" }, "output"), h("div", { class: "pe-scroll" }, outputGrid)),
  );
  const alt = h("p", { class: "pe-alt", "aria-live": "polite" });
  const arithmetic = h("p", { class: "pe-math" });
  const formula = h("div", { class: "pe-math" });
  const call = h("pre", { class: "pe-call" });
  const python = h("p", { class: "pe-python" });
  root.append(error, grids, alt, arithmetic, formula, call, status, python);

  const planeOffset = () => (model.get("batch") * C + model.get("channel")) * H * W;
  const settings = () => Object.fromEntries(SETTINGS.map((k) => [k, model.get(k)]));
  let result = null;

  function setValues(next) {
    values = next;
    set("values", next.map(toJson));
  }

  function step(delta) {
    if (!result || result.error) return;
    const [oh, ow] = result.shape;
    const [i, j] = model.get("position");
    const flat = (((i * ow + j + delta) % (oh * ow)) + oh * ow) % (oh * ow);
    set("position", [Math.floor(flat / ow), flat % ow]);
  }

  outputGrid.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (!moves[event.key] || !result || result.error) return;
    event.preventDefault();
    const [oh, ow] = result.shape;
    const [i, j] = model.get("position");
    const [di, dj] = moves[event.key];
    set("position", [Math.min(oh - 1, Math.max(0, i + di)), Math.min(ow - 1, Math.max(0, j + dj))]);
  });
  const pick = (event) => {
    const cell = event.target.closest(".pe-cell");
    if (!cell || cell.dataset.i === undefined) return;
    const [i, j] = model.get("position");
    if (Number(cell.dataset.i) !== i || Number(cell.dataset.j) !== j) set("position", [Number(cell.dataset.i), Number(cell.dataset.j)]);
  };
  outputGrid.addEventListener("mouseover", pick);
  outputGrid.addEventListener("click", pick);
  inputGrid.addEventListener("click", (event) => {
    const cell = event.target.closest(".pe-cell");
    if (!cell || cell.dataset.kind !== "input") return;
    editing = [Number(cell.dataset.r), Number(cell.dataset.c)];
    redraw();
    edit.focus();
    edit.select();
  });
  inputGrid.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      // Enter edits the selected cell (the first one when none is): its value box takes the focus.
      event.preventDefault();
      editing = editing || [0, 0];
      redraw();
      edit.focus();
      edit.select();
      return;
    }
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (!moves[event.key]) return;
    event.preventDefault();
    const [r, c] = editing || [0, 0];
    editing = [Math.min(H - 1, Math.max(0, r + moves[event.key][0])), Math.min(W - 1, Math.max(0, c + moves[event.key][1]))];
    redraw();
  });

  // --- redraw -----------------------------------------------------------------------------
  function syncControls(s) {
    mode.value = s.mode;
    for (const [key] of PAIRS) {
      controls[key].forEach((wrap, axis) => {
        const [range, number] = wrap.querySelectorAll("input");
        range.value = s[key][axis];
        if (Number(number.value) !== s[key][axis] || number.value === "") number.value = s[key][axis];
      });
    }
    controls.ceil_mode[0].querySelector("input").checked = s.ceil_mode;
    controls.count_include_pad[0].querySelector("input").checked = s.count_include_pad;
    if (s.divisor_override === null) divisor.value = "";
    else if (Number(divisor.value) !== s.divisor_override) divisor.value = s.divisor_override;
    if (Number(norm.value) !== s.norm_type || norm.value === "") norm.value = s.norm_type;
    for (const key of ["batch", "channel"]) if (!indexErrors[key]) controls[key][0].querySelector("input").value = model.get(key);
    view.value = model.get("view");
    for (const key of SETTINGS.slice(1)) {
      const used = USES[s.mode].includes(key);
      for (const wrap of controls[key]) {
        wrap.classList.toggle("pe-unused", !used);
        for (const input of wrap.querySelectorAll("input")) input.disabled = !used;
      }
    }
  }

  function redraw() {
    const t0 = performance.now();
    const s = settings();
    syncControls(s);
    const plane = values.slice(planeOffset(), planeOffset() + H * W);
    result = poolPlane(plane, H, W, s, f32);
    const message = indexErrors.batch || indexErrors.channel || result.error || "";
    el.dataset.error = message;
    error.textContent = message;
    error.hidden = !message;
    call.hidden = Boolean(message);
    if (message) {
      // One message (the alert above); the input unpadded, as the setting gives no valid padding.
      el.dataset.outShape = "";
      el.dataset.values = "";
      stop();
      drawInput({ ...s, padding: [0, 0] }, plane, null, null);
      outputGrid.style.gridTemplateColumns = "";
      outputGrid.classList.remove("pe-small");
      outputGrid.dataset.origin = "";
      outputGrid.replaceChildren(h("span", { class: "pe-none" }, "no output: see the rule above"));
      for (const node of [alt, arithmetic, call]) node.textContent = "";
      formula.replaceChildren();
    } else {
      const [oh, ow] = result.shape;
      let [i, j] = model.get("position");
      if (i >= oh || j >= ow) {
        i = Math.min(i, oh - 1);
        j = Math.min(j, ow - 1);
        model.set("position", [i, j]);
      }
      const cell = poolCell(plane, H, W, result.settings, i, j, f32);
      el.dataset.outShape = JSON.stringify(result.shape);
      el.dataset.values = JSON.stringify(Array.from(result.values, String));
      el.dataset.position = JSON.stringify([i, j]);
      drawInput(result.settings, plane, cell, result.shape);
      drawOutput(result, i, j);
      explain(result.settings, cell, i, j);
    }
    showPython(s);
    el.dataset.redrawMs = String(performance.now() - t0);
  }

  // The grid's `count` cells: the ones it has, when it has that many (a redraw then only
  // changes classes and texts; `placed` says so), else new ones.
  function cellsOf(grid, count) {
    if (count > 0 && grid.children.length === count && grid.firstElementChild.classList.contains("pe-cell")) {
      const nodes = [...grid.children];
      nodes.placed = true; // their data-* positions are already set
      return nodes;
    }
    const nodes = Array.from({ length: count }, () => document.createElement("div"));
    grid.replaceChildren(...nodes);
    return nodes;
  }

  // `shape`: the output's [oh, ow], or null when there is none.
  function drawInput(e, plane, cell, shape) {
    const p = e.padding.map((v) => Math.max(0, v));
    const ext = [H, W].map((n, a) => {
      let last = n + p[a];
      if (shape) {
        const out = shape[a];
        last = Math.max(last, (out - 1) * e.stride[a] - p[a] + (e.kernel_size[a] - 1) * e.dilation[a] + 1);
      }
      return [-p[a], last];
    });
    const rows = ext[0][1] - ext[0][0];
    const cols = ext[1][1] - ext[1][0];
    inputGrid.style.gridTemplateColumns = `repeat(${cols}, ${COLUMN})`;
    inputGrid.classList.toggle("pe-small", Math.max(rows, cols) > 16);
    const read = new Map();
    if (cell) for (const c of cell.cells) read.set(`${c.r},${c.c}`, c);
    const box = cell ? [cell.rows[0], cell.cols[0], cell.rows.at(-1), cell.cols.at(-1)] : null;
    const grad = model.get("view") === "gradient" && cell ? cell.grad : null;
    const nodes = cellsOf(inputGrid, rows * cols);
    const origin = `${ext}`;
    const placed = inputGrid.dataset.origin === origin && nodes.placed;
    inputGrid.dataset.origin = origin;
    let n = 0;
    for (let r = ext[0][0]; r < ext[0][1]; r++) {
      for (let c = ext[1][0]; c < ext[1][1]; c++) {
        const kind = cellKind(r, c, H, W, p);
        const inside = kind === "input";
        let cls = `pe-cell pe-${kind}`;
        const hit = read.get(`${r},${c}`);
        if (hit) cls += " pe-read";
        else if (box && r >= box[0] && r <= box[2] && c >= box[1] && c <= box[3]) cls += " pe-gap";
        if (cell && cell.winner && cell.winner.r === r && cell.winner.c === c) cls += " pe-winner";
        if (editing && editing[0] === r && editing[1] === c) cls += " pe-editing";
        let text = inside ? formatValue(plane[r * W + c]) : kind === "pad" ? (e.mode === "max" ? "-inf" : "0") : "";
        if (grad) text = inside ? formatValue(grad.get(r * W + c) || 0) : "";
        const node = nodes[n++];
        if (node.className !== cls) node.className = cls;
        if (node.textContent !== text) node.textContent = text;
        if (!placed) {
          node.dataset.r = r;
          node.dataset.c = c;
          node.dataset.kind = kind;
        }
      }
    }
    if (editing) {
      edit.disabled = false;
      editLabel.textContent = `value of X[${model.get("batch")}, ${model.get("channel")}, ${editing[0]}, ${editing[1]}]`;
      const v = plane[editing[0] * W + editing[1]];
      if (document.activeElement !== edit) edit.value = Number.isFinite(v) ? v : "";
    }
  }

  function drawOutput(res, i, j) {
    const [oh, ow] = res.shape;
    outputGrid.style.gridTemplateColumns = `repeat(${ow}, ${COLUMN})`;
    outputGrid.classList.toggle("pe-small", Math.max(oh, ow) > 16);
    const nodes = cellsOf(outputGrid, oh * ow);
    const placed = outputGrid.dataset.origin === `${oh},${ow}` && nodes.placed;
    outputGrid.dataset.origin = `${oh},${ow}`;
    for (let a = 0; a < oh; a++) {
      for (let b = 0; b < ow; b++) {
        const node = nodes[a * ow + b];
        const cls = a === i && b === j ? "pe-cell pe-out pe-current" : "pe-cell pe-out";
        const text = formatValue(res.values[a * ow + b]);
        if (node.className !== cls) node.className = cls;
        if (node.textContent !== text) node.textContent = text;
        if (!placed) {
          node.dataset.i = a;
          node.dataset.j = b;
        }
      }
    }
  }

  function explain(e, cell, i, j) {
    const v = formatValue(cell.value);
    const show = (c) => (c.kind === "input" ? formatValue(c.value) : c.kind === "pad" ? (e.mode === "max" ? "-inf (pad)" : "0 (pad)") : "beyond");
    const read = cell.cells.filter((c) => c.kind !== "beyond");
    let math;
    if (e.mode === "max") {
      math = cell.winner ? `max(${read.map(show).join(", ")}) = ${v}` : `max(${read.map(show).join(", ")}) = -inf: the window holds padding only, so no input receives its gradient`;
    } else if (e.mode === "avg") {
      math = `(${read.map(show).join(" + ")}) / ${cell.divisor} = ${formatValue(cell.sum)} / ${cell.divisor} = ${v}`;
    } else if (!Number.isFinite(e.norm_type)) {
      math = `${e.norm_type > 0 ? "max" : "min"}(|${read.filter((c) => c.kind === "input").map((c) => formatValue(c.value)).join("|, |")}|) = ${v}`;
    } else {
      const p = pyFloat(e.norm_type);
      math = `(${read.filter((c) => c.kind === "input").map((c) => `${formatValue(c.value)}^${p}`).join(" + ")})^(1/${p}) = ${formatValue(cell.sum)}^(1/${p}) = ${v}`;
    }
    const beyond = cell.cells.some((c) => c.kind === "beyond") ? " Part of this window hangs over the padded input (ceil_mode); those cells are ignored." : "";
    arithmetic.textContent = `out[${i}, ${j}]: ${math}.${beyond}`;
    const n = model.get("batch"), c = model.get("channel");
    const rows = cell.rows.join(", "), cols = cell.cols.join(", ");
    const inputs = cell.cells.filter((x) => x.kind === "input").length;
    const pads = cell.cells.filter((x) => x.kind === "pad").length;
    let gradText;
    if (e.mode === "max") gradText = cell.winner ? `the gradient goes to X[${n}, ${c}, ${cell.winner.r}, ${cell.winner.c}] (the first maximum), share 1` : "no input receives a gradient";
    else if (e.mode === "avg") {
      // pooling_lib's avg rule: 1/divisor for each real cell; the padding counts in the divisor
      // (and so takes a share) only with count_include_pad=True and divisor_override=None.
      gradText = `each of the ${inputs} input cells receives 1/${cell.divisor} of the gradient`;
      if (pads && e.count_include_pad && e.divisor_override == null) gradText += `; the ${pads} padding cells take their share (1/${cell.divisor} each) and drop it`;
      else if (pads) gradText += `; the ${pads} padding cells take no share (${e.count_include_pad ? "divisor_override sets the divisor" : "count_include_pad=False: they are not counted"})`;
    }
    else gradText = "each input cell x receives (x / out)^(p - 1) of the gradient";
    alt.textContent = `Window of output [${i}, ${j}] of channel ${c}, batch ${n}: rows ${rows}, columns ${cols} (${inputs} input cells, ${pads} padding cells); value ${v}. Gradient: ${gradText}.`;
    const axes = [["H", H, 0], ["W", W, 1]];
    formula.replaceChildren(
      ...axes.map(([name, size, a]) => {
        const [k, s, p, d] = [e.kernel_size[a], e.stride[a], e.padding[a], e.dilation[a]];
        const [lo, hi] = e.ceil_mode ? ["⌈", "⌉"] : ["⌊", "⌋"];
        const raw = Math.floor((size + 2 * p - d * (k - 1) - 1 + (e.ceil_mode ? s - 1 : 0)) / s) + 1;
        const out = pooledSize(size, k, s, p, d, e.ceil_mode);
        const dropped = raw !== out ? ` (${raw} − 1: the last window would start in the right padding, so ceil_mode drops it)` : "";
        return h("p", {}, `${name}_out = ${lo}(${name} + 2·padding − dilation·(kernel_size − 1) − 1) / stride${hi} + 1 = ${lo}(${size} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s}${hi} + 1 = ${out}${dropped}`);
      }),
    );
    const args = [`kernel_size=${pyRepr(e.kernel_size)}`, `stride=${pyRepr(e.stride)}`];
    if (e.mode !== "lp") args.push(`padding=${pyRepr(e.padding)}`);
    if (e.mode === "max") args.push(`dilation=${pyRepr(e.dilation)}`);
    args.push(`ceil_mode=${pyRepr(e.ceil_mode)}`);
    if (e.mode === "avg") args.push(`count_include_pad=${pyRepr(e.count_include_pad)}`, `divisor_override=${pyRepr(e.divisor_override)}`);
    const fn = { max: "max_pool2d", avg: "avg_pool2d", lp: "lp_pool2d" }[e.mode];
    const first = e.mode === "lp" ? `X, norm_type=${pyFloat(e.norm_type)}, ` : "X, ";
    let note = "";
    if (e.mode === "lp" && e.ceil_mode && cell.cells.some((x) => x.kind !== "input")) {
      note = "\n# this window is partial: pooling_lib sums its real inputs; PyTorch scales their average by the full kernel size (pooling_lib's torch_compatible=True)";
    }
    call.textContent = `torch.nn.functional.${fn}(${first}${args.join(", ")})\n# output shape (${N}, ${C}, ${result.shape.join(", ")})${note}`;
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
      python.textContent = model.get("live")
        ? "Python (pooling_lib): computing…"
        : "Computed in your browser. The Python check (pooling_lib against its loops) ran for the settings the notebook cell was run with; in a running notebook it checks every setting.";
      python.className = "pe-python";
      return;
    }
    const ours = el.dataset.values ? JSON.parse(el.dataset.values).map((x) => formatValue(Number(x))) : null;
    const agree = py.error ? py.error === result.error : same(py.values, ours);
    python.textContent = `${py.check} ${agree ? "The drawing shows the same." : "The drawing DIFFERS from pooling_lib."}`;
    python.className = py.ok && agree ? "pe-python pe-ok" : "pe-python pe-bad";
  }

  for (const key of [...SETTINGS, "batch", "channel", "position", "view", "python"]) model.on(`change:${key}`, redraw);
  model.on("change:values", () => {
    values = model.get("values").map(toNumber);
    redraw();
  });
  redraw();
  return () => stop();
}

export function presetValues(name, original, shape) {
  const n = original.length;
  const W = shape[3];
  if (name === "ramp") return Array.from({ length: n }, (_, k) => k % (shape[2] * W));
  if (name === "ties") return Array(n).fill(1);
  if (name === "negative") return Array.from({ length: n }, (_, k) => -(k % (shape[2] * W)));
  if (name === "random") {
    let seed = 42;
    return Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 10;
    });
  }
  if (name === "nan") {
    const out = original.slice();
    const plane = shape[2] * W;
    for (let start = 0; start < n; start += plane) out[start + Math.floor(shape[2] / 2) * W + Math.floor(W / 2)] = NaN;
    return out;
  }
  return original.slice();
}

function css(pal) {
  // The colours come from pooling_book.drawing.palette (the "palette" trait): one palette.
  const c = (k) => {
    if (!pal[k]) throw new Error(`pooling explorer: palette colour ${k} missing`);
    return pal[k];
  };
  return `
.pooling-explorer{--pe-cell:2.4em;color:${c("TEXT")};font-size:0.9rem;max-width:100%;overflow:hidden}
.pooling-explorer .pe-title{font-weight:600;margin:0 0 .3em}
.pe-controls{display:flex;flex-wrap:wrap;gap:.3em 1em;align-items:center}
.pe-field{display:flex;align-items:center;gap:.4em;flex-wrap:wrap;margin:0}
.pe-label{min-width:6.5em}
.pe-controls input[type=range],.pe-player input[type=range]{width:9rem;min-width:120px}
.pe-number{width:4em}
.pe-controls input[type=number]{width:5em}
.pe-unused{opacity:.45}
.pe-player{display:flex;gap:.5em;align-items:center;flex-wrap:wrap;margin:.5em 0}
.pe-player button{min-width:44px;min-height:44px}
.pe-grids{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
.pe-panel{max-width:100%}
.pe-scroll{max-width:100%;overflow:auto}
.pe-caption{margin:.2em 0;font-style:italic}
.pe-grid{display:grid;gap:2px;width:max-content;contain:layout paint}
.pe-grid:focus{outline:3px solid ${c("ACCENT")};outline-offset:2px}
.pe-grid.pe-small{--pe-cell:1.6em;font-size:.6rem}
.pe-cell{height:var(--pe-cell);padding:0 .2em;line-height:calc(var(--pe-cell) - 2px);text-align:center;white-space:nowrap;box-sizing:border-box;border:1px solid ${c("GRID_EDGE")};background:${c("CELL_FILL")};font-variant-numeric:tabular-nums;cursor:pointer;overflow:hidden}
.pe-pad{border-style:dashed;background:${c("PAD_FILL")};font-style:italic}
.pe-beyond{border:1px dotted ${c("CROSS")};background:transparent}
.pe-read{background:${c("ACCENT_FILL")};border:2px solid ${c("ACCENT")}}
.pe-pad.pe-read{border-style:dashed}
.pe-beyond.pe-read{border:2px dotted ${c("CROSS")};background:transparent}
.pe-gap{background:repeating-linear-gradient(45deg,${c("CELL_FILL")} 0 4px,${c("FAINT")} 4px 6px)}
.pe-winner{font-weight:700;background:${c("ACCENT_LIGHT")}}
.pe-editing{outline:3px solid ${c("NATIVE")}}
.pe-out{background:${c("OUTPUT_FILL")}}
.pe-current{background:${c("ACCENT_FILL")};border:2px solid ${c("ACCENT")};font-weight:700}
.pe-error{color:${c("BAD")};font-weight:600}
.pe-math,.pe-alt{margin:.3em 0;overflow-wrap:anywhere}
.pe-call[hidden],.pe-error[hidden]{display:none}
.pe-call{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em;margin:.3em 0}
.pe-none{white-space:nowrap;font-style:italic}
@media (max-width:600px){
.pooling-explorer select,.pooling-explorer input[type=number],.pooling-explorer input[type=range]{min-height:44px}
.pooling-explorer input[type=checkbox]{width:28px;height:44px;margin:0}
}
.pe-ok{color:${c("OK")}}
.pe-bad{color:${c("BAD")}}
`;
}

// Static site: mount every explorer on the page from the state its notebook output carries.
export function mountAll(doc = document) {
  for (const el of doc.querySelectorAll("div.pooling-explorer[data-state]:not([data-mounted])")) {
    el.dataset.mounted = "true";
    const state = JSON.parse(el.dataset.state);
    el.removeAttribute("data-state");
    mount(el, localModel(state));
  }
}

export default {
  render({ model, el }) {
    return mount(el, model);
  },
};
