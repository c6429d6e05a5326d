// The explorer's drawing: the input and output grids with their row and column indices
// (negative on the padding), the window (a box that moves with a short transition over the
// input, in the colour of the output cell it makes), the cells one input cell feeds, and
// the arithmetic of the current output cell in words, as a k×k grid and as a formula.
import { STRINGS } from "./strings.js";
import { FN, cellKind, formatValue, pooledSize, pyFloat, pyRepr } from "./pooling.js";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

// A grid column: at least --pe-cell wide; as the grid is max-content wide, all 1fr columns
// take the width of the longest printed value, so every cell shows its whole number.
const COLUMN = "minmax(var(--pe-cell), 1fr)";

// Lay out `grid` for rows [r0, r1) and columns [c0, c1): a corner, the column indices, then
// each row's index and cells. Reuses the nodes when the extent is unchanged (a redraw then
// only changes classes and texts). Returns Map "r,c" -> cell node.
function layout(grid, [r0, r1], [c0, c1], data) {
  const key = `${r0},${r1},${c0},${c1}`;
  if (grid.dataset.origin === key && grid._cells) return grid._cells;
  grid.dataset.origin = key;
  grid.style.gridTemplateColumns = `auto repeat(${c1 - c0}, ${COLUMN})`;
  const nodes = [h("div", { class: "pe-idx", "aria-hidden": "true" })];
  const index = (v, axis) => h("div", { class: v < 0 ? "pe-idx pe-neg" : "pe-idx", "data-axis": axis, "aria-hidden": "true" }, String(v));
  for (let c = c0; c < c1; c++) nodes.push(index(c, "col"));
  const cells = new Map();
  for (let r = r0; r < r1; r++) {
    nodes.push(index(r, "row"));
    for (let c = c0; c < c1; c++) {
      const cell = document.createElement("div");
      Object.assign(cell.dataset, data(r, c));
      cells.set(`${r},${c}`, cell);
      nodes.push(cell);
    }
  }
  grid.replaceChildren(...nodes);
  grid._cells = cells;
  return cells;
}

export function clearGrid(grid) {
  grid.dataset.origin = "";
  grid._cells = null;
  grid.style.gridTemplateColumns = "";
}

// The extent of the input drawing: the padding, and as far as the last window reaches
// (a ceil_mode window may hang past the right padding). `shape`: the output's, or null.
export function inputExtent(e, H, W, shape) {
  const p = e.padding.map((v) => Math.max(0, v));
  return [H, W].map((n, a) => {
    let last = n + p[a];
    if (shape) last = Math.max(last, (shape[a] - 1) * e.stride[a] - p[a] + (e.kernel_size[a] - 1) * e.dilation[a] + 1);
    return [-p[a], last];
  });
}

// view: {inputGrid, H, W, editing, hover, grad}; cell: the current output cell's window or null.
export function drawInput(view, e, plane, cell, shape) {
  const { H, W } = view;
  const p = e.padding.map((v) => Math.max(0, v));
  const ext = inputExtent(e, H, W, shape);
  const cells = layout(view.inputGrid, ext[0], ext[1], (r, c) => ({ r, c, kind: cellKind(r, c, H, W, p) }));
  view.inputGrid.classList.toggle("pe-small", Math.max(ext[0][1] - ext[0][0], ext[1][1] - ext[1][0]) > 16);
  const read = new Map();
  if (cell) for (const c of cell.cells) read.set(`${c.r},${c.c}`, c);
  const box = cell ? [cell.rows[0], cell.cols[0], cell.rows.at(-1), cell.cols.at(-1)] : null;
  for (const [key, node] of cells) {
    const r = Number(node.dataset.r), c = Number(node.dataset.c);
    const kind = node.dataset.kind;
    let cls = `pe-cell pe-${kind}`;
    if (read.has(key)) cls += " pe-read";
    else if (box && r >= box[0] && r <= box[2] && c >= box[1] && c <= box[3]) cls += " pe-gap";
    if (cell && cell.winner && cell.winner.r === r && cell.winner.c === c) cls += " pe-winner";
    if (view.editing && view.editing[0] === r && view.editing[1] === c) cls += " pe-editing";
    if (view.hover && view.hover[0] === r && view.hover[1] === c) cls += " pe-hover";
    let text = kind === "input" ? formatValue(plane[r * W + c]) : kind === "pad" ? (e.mode === "max" ? "-inf" : "0") : "";
    if (view.grad) text = kind === "input" ? formatValue(view.grad.get(r * W + c) || 0) : "";
    if (node.className !== cls) node.className = cls;
    if (node.textContent !== text) node.textContent = text;
  }
  return cells;
}

// Put the window box over the cells of `cell` (rows and columns of its first and last cell).
export function placeWindow(box, cells, cell) {
  const first = cell && cells.get(`${cell.rows[0]},${cell.cols[0]}`);
  const last = cell && cells.get(`${cell.rows.at(-1)},${cell.cols.at(-1)}`);
  if (!first || !last) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const m = 3;
  box.style.left = `${first.offsetLeft - m}px`;
  box.style.top = `${first.offsetTop - m}px`;
  box.style.width = `${last.offsetLeft + last.offsetWidth - first.offsetLeft + 2 * m}px`;
  box.style.height = `${last.offsetTop + last.offsetHeight - first.offsetTop + 2 * m}px`;
}

// readers: the output cells [i, j] to mark (those reading the hovered input cell), or [].
// hide: true in predict mode before the answer (the values show as "?").
export function drawOutput(grid, res, i, j, readers, hide) {
  const [oh, ow] = res.shape;
  const cells = layout(grid, [0, oh], [0, ow], (a, b) => ({ i: a, j: b }));
  grid.classList.toggle("pe-small", Math.max(oh, ow) > 16);
  const marked = new Set(readers.map(([a, b]) => `${a},${b}`));
  for (const [key, node] of cells) {
    const a = Number(node.dataset.i), b = Number(node.dataset.j);
    let cls = a === i && b === j ? "pe-cell pe-out pe-current" : "pe-cell pe-out";
    if (marked.has(key)) cls += " pe-reader";
    const text = hide ? "?" : formatValue(res.values[a * ow + b]);
    if (node.className !== cls) node.className = cls;
    if (node.textContent !== text) node.textContent = text;
  }
  return cells;
}

// `text` as nodes in which "-inf" and an index such as "out[0, 1]" never break across
// lines (a phone would otherwise wrap "-" from "inf", or "out[0," from "1]").
export function unbroken(text) {
  return text.split(/(-inf|\w+\[[-\d, ]+\])/).map((part, k) => (k % 2 ? h("span", { class: "pe-nw" }, part) : part)).filter((x) => x !== "");
}

const padText = (e) => (e.mode === "max" ? "-inf" : "0");

// The window's values as a k×k grid inside the reduction: max([[…]]) = v, and the same as
// one line of text. `shown`: the value as printed ("?" in predict mode).
export function windowGrid(e, cell, shown, T = STRINGS.en) {
  const table = h("table", { class: "pe-kgrid", "aria-hidden": "true" });
  for (const r of cell.rows) {
    const tr = h("tr");
    for (const c of cell.cols) {
      const x = cell.cells.find((y) => y.r === r && y.c === c);
      const win = cell.winner && cell.winner.r === r && cell.winner.c === c;
      const text = x.kind === "input" ? formatValue(x.value) : x.kind === "pad" ? padText(e) : "·";
      tr.append(h("td", { class: x.kind !== "input" ? "pe-kpad" : win ? "pe-kwin" : "" }, text));
    }
    table.append(tr);
  }
  const rows = cell.rows.map((r) => "[" + cell.cols.map((c) => {
    const x = cell.cells.find((y) => y.r === r && y.c === c);
    return x.kind === "input" ? formatValue(x.value) : x.kind === "pad" ? padText(e) : "·";
  }).join(", ") + "]");
  let head, tail;
  if (e.mode === "max") [head, tail] = ["max(", `) = ${shown}`];
  else if (e.mode === "avg") [head, tail] = ["sum(", `) / ${cell.divisor} = ${shown}`];
  else if (!Number.isFinite(e.norm_type)) [head, tail] = [T.infHead(e.norm_type > 0 ? "max" : "min"), `) = ${shown}`];
  else [head, tail] = [T.lpHead(pyFloat(e.norm_type)), T.lpTail(pyFloat(e.norm_type), shown)];
  const line = `${head}[${rows.join(", ")}]${tail}`;
  return h("span", { class: "pe-kform", role: "img", "aria-label": line, "data-line": line }, head, table, tail);
}

// The one-line arithmetic, the sentence describing the window (with its gradient), the
// output-size formula per axis and the PyTorch call. `hide`: null, "value" or "shape".
export function explain(ctx, e, cell, i, j, hide, T = STRINGS.en) {
  const { N, C, H, W, batch: n, channel: ch } = ctx;
  const v = hide ? "?" : formatValue(cell.value);
  const show = (c) => (c.kind === "input" ? formatValue(c.value) : c.kind === "pad" ? `${padText(e)} (${T.pad})` : T.beyond);
  const read = cell.cells.filter((c) => c.kind !== "beyond");
  let math;
  if (e.mode === "max") {
    math = cell.winner || hide ? `max(${read.map(show).join(", ")}) = ${v}` : `max(${read.map(show).join(", ")}) = -inf: ${T.onlyPadding}`;
  } else if (e.mode === "avg") {
    math = `(${read.map(show).join(" + ")}) / ${cell.divisor} = ${hide ? "?" : formatValue(cell.sum)} / ${cell.divisor} = ${v}`;
  } else if (!Number.isFinite(e.norm_type)) {
    math = `${e.norm_type > 0 ? "max" : "min"}(|${read.filter((c) => c.kind === "input").map((c) => formatValue(c.value)).join("|, |")}|) = ${v}`;
  } else {
    const p = pyFloat(e.norm_type);
    math = `(${read.filter((c) => c.kind === "input").map((c) => `${formatValue(c.value)}^${p}`).join(" + ")})^(1/${p}) = ${hide ? "?" : formatValue(cell.sum)}^(1/${p}) = ${v}`;
  }
  const beyond = cell.cells.some((c) => c.kind === "beyond") ? T.hangs : "";
  const arithmetic = `out[${i}, ${j}]: ${math}.${beyond}`;
  const rows = cell.rows.join(", "), cols = cell.cols.join(", ");
  const inputs = cell.cells.filter((x) => x.kind === "input").length;
  const pads = cell.cells.filter((x) => x.kind === "pad").length;
  let gradText;
  if (e.mode === "max") gradText = cell.winner ? T.gradMax(`X[${n}, ${ch}, ${cell.winner.r}, ${cell.winner.c}]`) : T.gradNone;
  else if (e.mode === "avg") {
    // pooling_lib's avg rule: 1/divisor for each real cell; the padding counts in the divisor
    // (and so takes a share) only with count_include_pad=True and divisor_override=None.
    gradText = T.gradAvg(inputs, cell.divisor);
    if (pads && e.count_include_pad && e.divisor_override == null) gradText += T.gradPadShare(pads, cell.divisor);
    else if (pads) gradText += T.gradPadNone(pads, e.count_include_pad ? T.whyOverride : T.whyNotCounted);
  } else gradText = T.gradLp;
  const alt = hide ? "" : T.alt(i, j, ch, n, rows, cols, inputs, pads, v, gradText);
  const formula = hide === "shape" ? [] : [["H", H, 0], ["W", W, 1]].map(([name, size, a]) => {
    const [k, s, p, d] = [e.kernel_size[a], e.stride[a], e.padding[a], e.dilation[a]];
    const [lo, hi] = e.ceil_mode ? ["⌈", "⌉"] : ["⌊", "⌋"];
    const raw = Math.floor((size + 2 * p - d * (k - 1) - 1 + (e.ceil_mode ? s - 1 : 0)) / s) + 1;
    const out = pooledSize(size, k, s, p, d, e.ceil_mode);
    const dropped = raw !== out ? T.dropped(raw) : "";
    return `${name}_out = ${lo}(${name} + 2·padding − dilation·(kernel_size − 1) − 1) / stride${hi} + 1 = ${lo}(${size} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s}${hi} + 1 = ${out}${dropped}`;
  });
  const args = [`kernel_size=${pyRepr(e.kernel_size)}`, `stride=${pyRepr(e.stride)}`];
  if (e.mode !== "lp") args.push(`padding=${pyRepr(e.padding)}`);
  if (e.mode === "max") args.push(`dilation=${pyRepr(e.dilation)}`);
  args.push(`ceil_mode=${pyRepr(e.ceil_mode)}`);
  if (e.mode === "avg") args.push(`count_include_pad=${pyRepr(e.count_include_pad)}`, `divisor_override=${pyRepr(e.divisor_override)}`);
  const fn = FN[e.mode];
  const first = e.mode === "lp" ? `X, norm_type=${pyFloat(e.norm_type)}, ` : "X, ";
  let note = "";
  if (e.mode === "lp" && e.ceil_mode && cell.cells.some((x) => x.kind !== "input")) {
    note = "\n" + T.lpNote;
  }
  const shapeLine = hide === "shape" ? "(?)" : `(${N}, ${C}, ${ctx.shape.join(", ")})`;
  const call = `torch.nn.functional.${fn}(${first}${args.join(", ")})\n${T.callShape} ${shapeLine}${note}`;
  return { arithmetic, alt, formula, call };
}

// The cell size that lets the input and output grids (with their index column) sit side by
// side in `width` px, between 28 and 52 px; when they cannot, the size for one grid per row.
export function cellSize(width, inCols, outCols) {
  const gap = 60;
  const side = Math.floor((width - gap) / (inCols + outCols + 2.6)) - 2;
  if (side >= 40) return Math.min(52, side);
  return Math.max(28, Math.min(52, Math.floor((width - 20) / (Math.max(inCols, outCols) + 1.6)) - 2));
}
