// The explorer's pooling, in the browser: a port of pooling_lib.loops (one output cell at a
// time) and of the argument rules of pooling_lib.shapes, with the same error messages.
// Used by explorer.js; tests/test_browser_explorer.py checks it against pooling_lib.
//
// Settings `s` use torch.nn.functional's names, spatial ones as [h, w] pairs:
//   {mode: "max"|"avg"|"lp", kernel_size, stride, padding, dilation, ceil_mode,
//    count_include_pad, divisor_override (null or int), norm_type}
// float32 inputs are computed in float32 (Math.fround after every operation, as PyTorch's
// CPU kernels do), float64 inputs in float64.
import { STRINGS } from "./strings.js";

// The PyTorch function of each mode.
export const FN = { max: "max_pool2d", avg: "avg_pool2d", lp: "lp_pool2d" };

// Python's repr of what the explorer passes to pooling_lib: pairs as tuples, floats with ".0".
export function pyRepr(v) {
  if (Array.isArray(v)) return "(" + v.map(pyRepr).join(", ") + ")";
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
}

export function pyFloat(v) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

// PyTorch's output size along one axis (pooling_lib.shapes.pooled_size): with ceil_mode the
// last window is dropped when it would start in the right padding.
export function pooledSize(size, k, s, p, d, ceil) {
  let numerator = size + 2 * p - d * (k - 1) - 1;
  if (ceil) numerator += s - 1;
  let out = Math.floor(numerator / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out -= 1;
  return out;
}

// What `mode` actually uses: lp has no padding and no dilation, avg no dilation.
export function effective(s) {
  const e = { ...s };
  if (s.mode !== "max") e.dilation = [1, 1];
  if (s.mode === "lp") e.padding = [0, 0];
  if (s.mode !== "avg") {
    e.count_include_pad = true;
    e.divisor_override = null;
  }
  return e;
}

// The rule a setting breaks, worded as pooling_lib raises it, or null. In pooling_lib's
// order: norm_type (lp), kernel/stride/dilation positive, padding >= 0, padding <= k // 2,
// output size >= 1, divisor_override (avg).
export function ruleError(s, H, W, T = STRINGS.en) {
  const fn = FN[s.mode];
  const e = effective(s);
  const given = { kernel_size: s.kernel_size, stride: s.stride, padding: s.padding, dilation: e.dilation };
  if (s.mode === "avg" || s.mode === "lp") given.dilation = 1;
  if (s.mode === "lp") given.padding = 0;
  if (s.mode === "lp" && (s.norm_type === 0 || Number.isNaN(s.norm_type))) return T.errNorm(fn, pyFloat(s.norm_type));
  for (const name of ["kernel_size", "stride", "dilation"]) {
    if (Math.min(...e[name]) < 1) return T.errPositive(fn, name, pyRepr(given[name]));
  }
  if (Math.min(...e.padding) < 0) return T.errPadNegative(fn, pyRepr(given.padding));
  const half = e.kernel_size.map((k) => Math.floor(k / 2));
  if (e.padding.some((p, a) => p > half[a])) {
    const dil = Math.max(...e.dilation) > 1 ? pyRepr(given.dilation) : null;
    return T.errPadHalf(fn, pyRepr(given.padding), pyRepr(half), pyRepr(given.kernel_size), dil);
  }
  const out = outputShape(e, H, W);
  if (Math.min(...out) < 1) {
    const eff = e.kernel_size.map((k, a) => (k - 1) * e.dilation[a] + 1);
    const padded = [H + 2 * e.padding[0], W + 2 * e.padding[1]];
    return T.errOutput(fn, pyRepr(out), pyRepr([H, W]), pyRepr(e.kernel_size), pyRepr(e.stride), pyRepr(e.padding), pyRepr(e.dilation), pyRepr(eff), pyRepr(padded));
  }
  if (s.mode === "avg" && s.divisor_override === 0) return T.errDivisor(fn);
  return null;
}

export function outputShape(e, H, W) {
  return [H, W].map((n, a) =>
    pooledSize(n, e.kernel_size[a], e.stride[a], e.padding[a], e.dilation[a], e.ceil_mode),
  );
}

// Input positions the window of output `i` reads along one axis
// (pooling_lib.shapes.window_positions): i*stride - padding + a*dilation.
export function windowPositions(i, k, s, p, d) {
  const start = i * s - p;
  return Array.from({ length: k }, (_, a) => start + a * d);
}

// "input", "pad" or "beyond" (a ceil_mode window past the right padding) for position r.
export function axisKind(r, size, p) {
  if (r >= 0 && r < size) return "input";
  if (r >= -p && r < size + p) return "pad";
  return "beyond";
}

const RANK = { input: 0, pad: 1, beyond: 2 };
export function cellKind(r, c, H, W, pad) {
  const kr = axisKind(r, H, pad[0]);
  const kc = axisKind(c, W, pad[1]);
  return RANK[kr] >= RANK[kc] ? kr : kc;
}

// One output cell, as pooling_lib.loops computes it, with what the explorer explains:
// the cells read (row by row), the value, the arithmetic and each input's gradient share.
export function poolCell(plane, H, W, e, i, j, f32) {
  const r32 = f32 ? Math.fround : (v) => v;
  const rows = windowPositions(i, e.kernel_size[0], e.stride[0], e.padding[0], e.dilation[0]);
  const cols = windowPositions(j, e.kernel_size[1], e.stride[1], e.padding[1], e.dilation[1]);
  const cells = [];
  for (const r of rows) {
    for (const c of cols) {
      const kind = cellKind(r, c, H, W, e.padding);
      cells.push({ r, c, kind, value: kind === "input" ? plane[r * W + c] : null });
    }
  }
  const inside = cells.filter((cell) => cell.kind === "input");
  const result = { rows, cols, cells, grad: new Map() };
  if (e.mode === "max") {
    let best = -Infinity;
    let argbest = null;
    for (const cell of inside) {
      // the first maximum wins; a NaN always wins (so the last NaN does)
      if (argbest === null || cell.value > best || cell.value !== cell.value) {
        best = cell.value;
        argbest = cell;
      }
    }
    result.value = best; // a window of padding only: -inf, and no gradient
    if (argbest) result.grad.set(argbest.r * W + argbest.c, 1);
    result.winner = argbest;
    return result;
  }
  if (e.mode === "lp") return lpCell(result, inside, e.norm_type, W, r32);
  // avg: sum in row-major order (padding adds zero), then one division
  let sum = 0;
  for (const cell of inside) sum = r32(sum + cell.value);
  const end = (start, k, pad, size) => Math.min(start + k, size + pad);
  const h0 = rows[0], w0 = cols[0];
  const h1 = end(h0, e.kernel_size[0], e.padding[0], H);
  const w1 = end(w0, e.kernel_size[1], e.padding[1], W);
  let divisor;
  if (e.divisor_override !== null && e.divisor_override !== undefined) divisor = e.divisor_override;
  else if (e.count_include_pad) divisor = (h1 - h0) * (w1 - w0);
  else divisor = (Math.min(h1, H) - Math.max(h0, 0)) * (Math.min(w1, W) - Math.max(w0, 0));
  result.sum = sum;
  result.divisor = divisor;
  result.value = r32(sum / divisor) + 0; // + 0: PyTorch adds to a zeroed output (-0 -> 0)
  for (const cell of inside) result.grad.set(cell.r * W + cell.c, 1 / divisor);
  return result;
}

// Lp pooling as pooling_lib.functional.lp_pool: (sum of the window's inputs x**p) ** (1/p),
// only real inputs counted (also in a partial ceil_mode window); p = inf is max |x|,
// p = -inf is min |x|.
function lpCell(result, inside, p, W, r32) {
  if (!Number.isFinite(p)) {
    const sign = p > 0 ? 1 : -1;
    let best = -Infinity;
    let argbest = null;
    for (const cell of inside) {
      const v = sign * Math.abs(cell.value);
      if (argbest === null || v > best || v !== v) {
        best = v;
        argbest = cell;
      }
    }
    result.value = sign * best;
    if (argbest) result.grad.set(argbest.r * W + argbest.c, Math.sign(argbest.value));
    result.winner = argbest;
    return result;
  }
  let sum = 0;
  for (const cell of inside) sum = r32(sum + r32(cell.value ** p));
  result.sum = r32(sum / 1) + 0; // avg_pool2d(x**p, divisor_override=1)
  result.value = r32(result.sum ** r32(1 / p));
  for (const cell of inside) {
    // d out / d x = (x / out) ** (p - 1)
    result.grad.set(cell.r * W + cell.c, (cell.value / result.value) ** (p - 1));
  }
  return result;
}

// The whole output plane (H_out x W_out values, row-major), or {error}.
export function poolPlane(plane, H, W, s, f32) {
  const error = ruleError(s, H, W);
  if (error) return { error };
  const e = effective(s);
  const [oh, ow] = outputShape(e, H, W);
  const values = new Float64Array(oh * ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) values[i * ow + j] = poolCell(plane, H, W, e, i, j, f32).value;
  }
  return { shape: [oh, ow], values, settings: e };
}

// How a value is printed in the drawing (2 decimals at most; the tests print it alike).
export function formatValue(v) {
  if (v === null || v === undefined) return "";
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  let text = v.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
  if (text === "-0") text = "0";
  return text;
}
