// The shift explorer (the aliasing section of "Pooling in a network"): a slider shifts the
// input by 0 to max_shift pixels to the right (torch.roll along the width), and the view
// shows, side by side, 2×2 max pooling at stride 2 and blur pooling (a 2×2 max at stride 1,
// then the binomial blur [1, 2, 1]/4 along both axes with reflection padding, at stride 2:
// pooling_book.training.BlurPool2d after MaxPool2d(2, stride=1)). Cells are shaded by value
// and the cells that differ from the unshifted input's output are outlined.
import { languageOf, strings } from "./strings.js";
import { formatValue } from "./pooling.js";
import { h } from "./drawing.js";
import { css } from "./style.js";

export function rollWidth(plane, H, W, s) {
  return Array.from({ length: H * W }, (_, k) => {
    const r = Math.floor(k / W), c = k % W;
    return plane[r * W + ((((c - s) % W) + W) % W)];
  });
}

export function maxPool(plane, H, W, k, stride) {
  const oh = Math.floor((H - k) / stride) + 1, ow = Math.floor((W - k) / stride) + 1;
  const out = [];
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let best = -Infinity;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) best = Math.max(best, plane[(i * stride + a) * W + j * stride + b]);
      out.push(best);
    }
  }
  return { values: out, shape: [oh, ow] };
}

export function blurPool(plane, H, W) {
  const dense = maxPool(plane, H, W, 2, 1);
  const [h0, w0] = dense.shape;
  const reflect = (i, n) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const taps = [0.25, 0.5, 0.25];
  const oh = Math.floor((h0 - 1) / 2) + 1, ow = Math.floor((w0 - 1) / 2) + 1;
  const out = [];
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let sum = 0;
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const r = reflect(2 * i + a - 1, h0), c = reflect(2 * j + b - 1, w0);
          sum = Math.fround(sum + Math.fround(taps[a] * taps[b]) * dense.values[r * w0 + c]);
        }
      }
      out.push(sum);
    }
  }
  return { values: out, shape: [oh, ow] };
}

export function mountShift(el, model) {
  const T = strings(languageOf(model));
  el.classList.add("pooling-explorer", "pe-shift");
  el.lang = T.lang;
  el.replaceChildren(h("style", {}, css(model.get("palette") || {})));
  const [H, W] = model.get("shape");
  const plane = model.get("values").map(Number);
  const most = model.get("max_shift");
  const slider = h("input", { type: "range", min: 0, max: most, step: 1, value: model.get("shift"), name: "shift", "aria-label": T.shiftAria(most) });
  const shown = h("output", { class: "pe-shift-value" });
  const root = h("div", { class: "pe-root" });
  const grids = h("div", { class: "pe-grids" });
  const summary = h("p", { class: "pe-math", "aria-live": "polite" });
  root.append(
    h("p", { class: "pe-title" }, T.shiftTitle(H, W)),
    h("div", { class: "pe-toolbar" }, h("label", { class: "pe-field" }, h("span", { class: "pe-label" }, T.shiftBy), slider, shown, T.px)),
    grids,
    summary,
  );
  el.append(root);
  const lo = Math.min(...plane), hi = Math.max(...plane);
  const accent = (model.get("palette") || {}).ACCENT || "#000000"; // css() above fails without it
  const rgb = [1, 3, 5].map((k) => Number.parseInt(accent.slice(k, k + 2), 16)).join(", ");
  const grid = (caption, res, base) => {
    const [oh, ow] = res.shape;
    const g = h("div", { class: "pe-grid", role: "img", "aria-label": `${caption}: ${res.values.map(formatValue).join(", ")}` });
    g.style.gridTemplateColumns = `repeat(${ow}, minmax(var(--pe-cell), 1fr))`;
    res.values.forEach((v, k) => {
      const t = hi > lo ? (v - lo) / (hi - lo) : 0;
      const cls = base && formatValue(base.values[k]) !== formatValue(v) ? "pe-cell pe-changed" : "pe-cell";
      const cell = h("div", { class: cls }, formatValue(v));
      cell.style.background = `rgba(${rgb}, ${(0.08 + 0.6 * t).toFixed(3)})`;
      g.append(cell);
    });
    g.dataset.values = JSON.stringify(res.values);
    g.dataset.shape = JSON.stringify([oh, ow]);
    return h("div", { class: "pe-panel" }, h("p", { class: "pe-caption" }, caption), h("div", { class: "pe-scroll" }, g));
  };
  const base = { max: maxPool(plane, H, W, 2, 2), blur: blurPool(plane, H, W) };
  function redraw() {
    const s = model.get("shift");
    slider.value = s;
    shown.textContent = String(s);
    const x = rollWidth(plane, H, W, s);
    const out = { max: maxPool(x, H, W, 2, 2), blur: blurPool(x, H, W) };
    el.style.setProperty("--pe-cell", W <= 8 ? "40px" : "30px");
    grids.replaceChildren(
      grid(T.shifted(s), { values: x, shape: [H, W] }, null),
      grid(T.shiftMax, out.max, base.max),
      grid(T.shiftBlur, out.blur, base.blur),
    );
    const changed = (a, b) => a.values.filter((v, k) => formatValue(v) !== formatValue(b.values[k])).length;
    const n = out.max.values.length;
    const largest = (o, b) => formatValue(Math.max(...o.values.map((v, k) => Math.abs(v - b.values[k]))));
    summary.textContent = T.shiftSummary(changed(out.max, base.max), n, changed(out.blur, base.blur), out.blur.values.length, largest(out.max, base.max), largest(out.blur, base.blur));
    el.dataset.shift = String(s);
  }
  slider.addEventListener("input", () => {
    model.set("shift", Number(slider.value));
    model.save_changes();
  });
  let alive = true;
  model.on("change:shift", () => alive && redraw());
  redraw();
  return () => {
    alive = false;
  };
}
