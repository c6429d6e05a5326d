// The explorer's state: the names of the settings, a model for the static site (the few
// methods of anywidget's model the view uses), the input presets and resizing, which output
// cells read an input cell, and a seeded random generator (predict mode, the presets).
import { outputShape, pooledSize, windowPositions } from "./pooling.js";

// [setting, the word on its control, its smallest value]
export const PAIRS = [
  ["kernel_size", "kernel", 1],
  ["stride", "stride", 1],
  ["padding", "padding", 0],
  ["dilation", "dilation", 1],
];
// Which mode reads which control (pooling_book.settings.USES).
export const USES = {
  max: ["kernel_size", "stride", "padding", "dilation", "ceil_mode"],
  avg: ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"],
  lp: ["norm_type", "kernel_size", "stride", "ceil_mode"],
};
export const SETTINGS = [
  "mode", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
  "count_include_pad", "divisor_override", "norm_type",
];
// Every control, in the order the full explorer shows them (pooling_book.explorer.widget.CONTROLS).
export const CONTROLS = ["size", ...SETTINGS, "batch", "channel", "values", "view"];
// The input presets, in the order of their menu (their words: strings.js "presets").
export const PRESETS = ["original", "ramp", "random", "ties", "nan", "negative"];
export const MAX_SIZE = 16;

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
export const toNumber = (v) => (typeof v === "string" ? Number(v.replace("inf", "Infinity")) : v);
export const toJson = (v) => (Number.isFinite(v) ? v : String(v));

// A seeded generator of integers in [0, n) (the same LCG as the "random" preset).
export function makeRandom(seed) {
  let state = Math.abs(Math.floor(seed)) % 2147483648;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
}

// The values of preset `name` for an input of `shape` [N, C, H, W]. "original" and "nan"
// start from the tensor given to explore() (`original`, of shape `originalShape`), cropped
// or filled with 0 to the new size.
export function presetValues(name, original, shape, originalShape = shape) {
  const [N, C, H, W] = shape;
  const n = N * C * H * W;
  const plane = H * W;
  if (name === "ramp") return Array.from({ length: n }, (_, k) => k % plane);
  if (name === "ties") return Array(n).fill(1);
  if (name === "negative") return Array.from({ length: n }, (_, k) => -(k % plane));
  if (name === "random") {
    let seed = 42;
    return Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 10;
    });
  }
  const [, , h0, w0] = originalShape;
  const out = Array.from({ length: n }, (_, k) => {
    const b = Math.floor(k / plane), r = Math.floor((k % plane) / W), c = k % W;
    return r < h0 && c < w0 ? original[b * h0 * w0 + r * w0 + c] : 0;
  });
  if (name === "nan") {
    for (let start = 0; start < n; start += plane) out[start + Math.floor(H / 2) * W + Math.floor(W / 2)] = NaN;
  }
  return out;
}

// The input after a resize to `shape`: the preset fills the new size, and the cells the
// reader typed (`typed`: Map "b,r,c" -> value, b the plane) stay where they still fit.
export function resizedValues(preset, original, originalShape, shape, typed) {
  const out = presetValues(preset, original, shape, originalShape);
  const [, , H, W] = shape;
  for (const [key, v] of typed) {
    const [b, r, c] = key.split(",").map(Number);
    if (r < H && c < W && b * H * W < out.length) out[b * H * W + r * W + c] = v;
  }
  return out;
}

// For each input cell "r,c" (padding included), the output cells [i, j] whose window reads
// it (pooling_lib.shapes.window_positions along each axis).
export function readersOf(e, H, W) {
  const [oh, ow] = outputShape(e, H, W);
  const rows = Array.from({ length: oh }, (_, i) => windowPositions(i, e.kernel_size[0], e.stride[0], e.padding[0], e.dilation[0]));
  const cols = Array.from({ length: ow }, (_, j) => windowPositions(j, e.kernel_size[1], e.stride[1], e.padding[1], e.dilation[1]));
  const map = new Map();
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      for (const r of rows[i]) {
        for (const c of cols[j]) {
          const key = `${r},${c}`;
          if (!map.has(key)) map.set(key, []);
          map.get(key).push([i, j]);
        }
      }
    }
  }
  return map;
}

// Settings that turn an input of size `sizes` [H, W] into an output of size `target`
// [h, w] (the "→ output" control): along each axis the kernel, stride and padding
// (`free`, the settings that may change; padding only where the mode has it, and never more
// than half the kernel, PyTorch's rule) closest to `s`, with dilation and ceil_mode kept.
// Closest: first the fewest odd choices (a window half padding or more, 2·padding >=
// kernel; a stride longer than the window, so that cells no output reads), then the fewest
// settings changed, a setting not shown first (`shown`) counting three times, then the
// smallest change. Returns the new {kernel_size, stride, padding} and `odd`, how many odd
// choices it holds (0 when it has none), or null when no such setting exists (pooling.js's
// rules hold for what it returns).
export function fitSettings(s, sizes, target, free, shown, most) {
  const out = { kernel_size: s.kernel_size.slice(), stride: s.stride.slice(), padding: s.padding.slice(), odd: 0 };
  const weight = (key) => (shown.includes(key) ? 1 : 3);
  for (const a of [0, 1]) {
    const [k0, s0, p0, d] = [s.kernel_size[a], s.stride[a], s.padding[a], s.mode === "max" ? s.dilation[a] : 1];
    let best = null;
    for (let k = 1; k <= most; k++) {
      if (k !== k0 && !free.includes("kernel_size")) continue;
      for (let st = 1; st <= most; st++) {
        if (st !== s0 && !free.includes("stride")) continue;
        for (let p = 0; p <= Math.floor(k / 2); p++) {
          if (p !== p0 && !free.includes("padding")) continue;
          if (pooledSize(sizes[a], k, st, p, d, s.ceil_mode) !== target[a]) continue;
          const odd = (p > 0 && 2 * p >= k ? 1 : 0) + (st > (k - 1) * d + 1 ? 1 : 0);
          const changed = [["kernel_size", k, k0], ["stride", st, s0], ["padding", p, p0]].filter(([, v, v0]) => v !== v0);
          const cost = changed.reduce((sum, [key]) => sum + weight(key), 0);
          const step = Math.abs(k - k0) + Math.abs(st - s0) + Math.abs(p - p0);
          const better = !best || [odd - best.odd, cost - best.cost, step - best.step].find((x) => x !== 0) < 0;
          if (better) best = { odd, cost, step, k, st, p };
        }
      }
    }
    if (!best) return null;
    [out.kernel_size[a], out.stride[a], out.padding[a]] = [best.k, best.st, best.p];
    out.odd += best.odd;
  }
  return out;
}
