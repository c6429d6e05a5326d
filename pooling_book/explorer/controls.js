// The explorer's controls. A focused explorer (`controls` names what its section teaches)
// shows those first and every other control under one "more settings" disclosure; the full
// explorer (no names) shows them all. Height and width share one control per setting until
// "h ≠ w" splits them. Controls a mode does not use are hidden. Every explorer has a shape
// row right above its grids (`shapeRow`, drawn with them): the input's size H, W and
// "→ output": type the output size wanted and the explorer picks the kernel, stride and
// padding that give it (model.js fitSettings).
import { h } from "./drawing.js";
import { CONTROLS, MAX_SIZE, PAIRS, PRESETS, SETTINGS, USES } from "./model.js";

// view: {model, set(key, value), resize(H, W), preset(name), setIndex(key, text), dims()}.
export function buildControls(view) {
  const model = view.model;
  const T = view.T;
  const [N, C, H0, W0] = model.get("shape");
  const focus = (model.get("controls") || []).filter((k) => CONTROLS.includes(k));
  const full = focus.length === 0;
  const fields = {}; // control name -> its <label> (or wrapper)
  const toolbar = h("div", { class: "pe-toolbar" });
  const first = h("div", { class: "pe-controls" });
  const rest = h("div", { class: "pe-controls" });
  const more = h("details", { class: "pe-more" }, h("summary", {}, T.more), rest);

  const field = (label, ...inputs) => h("label", { class: "pe-field" }, h("span", { class: "pe-label" }, label), ...inputs);

  // --- size: the input's H and W
  const sizeInput = (axis) => h("input", { type: "number", min: 1, max: MAX_SIZE, step: 1, name: `size-${axis}`, class: "pe-size", "aria-label": T.sizeAria(axis) });
  const sizeH = sizeInput("h"), sizeW = sizeInput("w");
  // linked (one number for H and W) until "h ≠ w" splits them, as the (h, w) pairs below.
  // A number applies as it is typed; one out of range (typing 32: "3", then "32") says its
  // rule and puts back the size the input had before the typing began (view.badSize).
  let sizeBefore = null; // [H, W] when the reader began typing a size
  const onSizeFocus = () => (sizeBefore = model.get("shape").slice(2));
  const sizeOk = (text) => /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_SIZE;
  const onSize = () => {
    const boxes = split.checked ? [["h", sizeH], ["w", sizeW]] : [["h", sizeH]];
    if (boxes.some(([, box]) => box.value.trim() === "")) return view.badSize(null); // being retyped
    const bad = boxes.find(([, box]) => !sizeOk(box.value.trim()));
    if (bad) return view.badSize(bad[0], !split.checked, bad[1].value.trim(), sizeBefore || model.get("shape").slice(2));
    const [hh, ww] = [sizeH, split.checked ? sizeW : sizeH].map((x) => Number(x.value));
    view.resize(hh, ww);
  };
  for (const box of [sizeH, sizeW]) {
    box.addEventListener("focus", onSizeFocus);
    box.addEventListener("input", onSize);
  }
  const sizeLabel = h("span", { class: "pe-label" }, T.sizeSplit);
  const sizeTimes = h("span", {}, "×");
  const sizeNote = h("span", { class: "pe-size-note", role: "status" });
  // the output size wanted: the explorer sets a kernel, stride and padding that give it,
  // each time from the settings it had when the reader began typing (typing 12 fits 12
  // from those, not from what the "1" typed first had set)
  const targetInput = (axis) => h("input", { type: "number", min: 1, max: MAX_SIZE, step: 1, name: `target-${axis}`, class: "pe-size", "aria-label": T.targetAria(axis) });
  const targetH = targetInput("h"), targetW = targetInput("w");
  const targetTimes = h("span", {}, "×");
  const targetNote = h("span", { class: "pe-target-note", role: "status" });
  let targetBefore = null; // the settings when the reader began typing an output size
  const onTargetFocus = () => (targetBefore = view.settings());
  const onTarget = () => {
    const boxes = split.checked ? [["h", targetH], ["w", targetW]] : [["h", targetH]];
    const bad = boxes.find(([, box]) => !sizeOk(box.value.trim()));
    if (bad) {
      targetNote.textContent = bad[1].value.trim() === "" ? "" : T.targetBad(bad[0], bad[1].value.trim(), MAX_SIZE);
      return;
    }
    const [th, tw] = [targetH, split.checked ? targetW : targetH].map((x) => Number(x.value));
    const [, , H, W] = model.get("shape");
    const done = view.target(th, tw, targetBefore);
    targetNote.textContent = done !== null ? done : T.targetNone(split.checked ? `${th}×${tw}` : th, split.checked ? `${H}×${W}` : H);
  };
  for (const box of [targetH, targetW]) {
    box.addEventListener("focus", onTargetFocus);
    box.addEventListener("input", onTarget);
  }
  // "size" is this row, on every explorer (its name in `controls` only widens predict mode)
  const shapeRow = h(
    "div",
    { class: "pe-shape", "data-control": "size" },
    h("span", { class: "pe-field" }, sizeLabel, sizeH, sizeTimes, sizeW),
    h("span", { class: "pe-field" }, h("span", { class: "pe-label" }, T.target), targetH, targetTimes, targetW),
    targetNote,
    sizeNote,
  );

  // --- mode
  const mode = h("select", { name: "mode" });
  for (const m of ["max", "avg", "lp"]) mode.append(h("option", { value: m }, T.modes[m]));
  mode.addEventListener("change", () => view.set("mode", mode.value));
  fields.mode = field(T.mode, mode);

  // --- the (h, w) pairs: one slider and number, a second pair when split
  const split = h("input", { type: "checkbox", name: "hw-split" });
  const maxOf = { kernel_size: Math.max(9, H0, W0), stride: Math.max(9, H0, W0), padding: 8, dilation: 8 };
  const pairs = {};
  for (const [key, , low] of PAIRS) {
    const word = T.pairs[key];
    const parts = [0, 1].map((axis) => {
      const name = `${key}-${axis ? "w" : "h"}`;
      const dim = axis ? T.width : T.height;
      const range = h("input", { type: "range", min: low, max: maxOf[key], step: 1, name: name + "-slider", "aria-label": `${word} (${dim}) ${T.slider}` });
      const number = h("input", { type: "number", step: 1, name, class: "pe-number", "aria-label": `${word} (${dim})` });
      const update = (text) => {
        const v = Number.parseInt(text, 10);
        if (Number.isNaN(v)) return;
        const pair = model.get(key).slice();
        if (!split.checked) pair[0] = pair[1] = v;
        else pair[axis] = v;
        view.set(key, pair);
      };
      range.addEventListener("input", () => update(range.value));
      number.addEventListener("input", () => update(number.value));
      const label = h("span", { class: "pe-label" });
      return { range, number, label, wrap: h("span", { class: "pe-part" }, label, range, number) };
    });
    pairs[key] = { word, parts };
    fields[key] = h("span", { class: "pe-field", "data-control": key }, parts[0].wrap, parts[1].wrap);
  }
  const square = PAIRS.every(([key]) => model.get(key)[0] === model.get(key)[1]) && H0 === W0;
  split.checked = !square;
  split.addEventListener("change", () => {
    if (!split.checked) for (const [key] of PAIRS) view.set(key, [model.get(key)[0], model.get(key)[0]]);
    const [, , H, W] = model.get("shape");
    if (!split.checked && H !== W) view.resize(H, H);
    else view.redraw();
  });
  const splitField = field(T.split, split);

  // --- booleans and numbers
  const checkbox = (key) => {
    const box = h("input", { type: "checkbox", name: key });
    box.addEventListener("change", () => view.set(key, box.checked));
    fields[key] = field(T.flags[key], box);
    return box;
  };
  const ceil = checkbox("ceil_mode");
  const countPad = checkbox("count_include_pad");
  const divisor = h("input", { type: "number", step: 1, name: "divisor_override", placeholder: T.none });
  divisor.addEventListener("input", () => {
    const v = Number.parseInt(divisor.value, 10);
    view.set("divisor_override", Number.isNaN(v) ? null : v);
  });
  fields.divisor_override = field(T.flags.divisor_override, divisor);
  const norm = h("input", { type: "number", step: "any", name: "norm_type" });
  norm.addEventListener("input", () => {
    const v = Number.parseFloat(norm.value);
    if (!Number.isNaN(v)) view.set("norm_type", v);
  });
  fields.norm_type = field(T.flags.norm_type, norm);

  // --- the plane shown (an index out of range is an invalid setting: its rule is shown)
  const index = (key, size, word) => {
    const input = h("input", { type: "number", min: 0, max: size - 1, step: 1, name: key });
    input.addEventListener("input", () => view.setIndex(key, input.value, size, word));
    fields[key] = field(T.indexLabel(word, size), input);
    if (size === 1) fields[key].hidden = true;
    return input;
  };
  const batch = index("batch", N, T.batchWord);
  const channel = index("channel", C, T.channelWord);

  // --- the values: presets, and what the input shows
  const preset = h("select", { name: "preset" });
  for (const k of PRESETS) preset.append(h("option", { value: k }, T.presets[k]));
  preset.addEventListener("change", () => view.preset(preset.value));
  fields.values = field(T.inputValues, preset);
  const shows = h("select", { name: "view" });
  shows.append(h("option", { value: "values" }, T.inputValues), h("option", { value: "gradient" }, T.gradientView));
  shows.addEventListener("change", () => view.set("view", shows.value));
  fields.view = field(T.showOnInput, shows);

  // --- the player: step, play/pause (speed under more settings)
  const player = h("div", { class: "pe-player", role: "group", "aria-label": T.positionAria });
  const back = h("button", { type: "button", name: "back", "aria-label": T.backAria }, "◀");
  const play = h("button", { type: "button", name: "play", "aria-label": T.playAria, "aria-pressed": "false" }, T.play);
  const next = h("button", { type: "button", name: "next", "aria-label": T.nextAria }, "▶|");
  player.append(back, play, next);
  const speed = h("input", { type: "range", min: 1, max: 10, step: 1, value: 2, name: "speed", "aria-label": T.speedAria });
  const speedField = field(T.speed, speed);

  // --- placement
  toolbar.append(player);
  if (full) {
    for (const key of CONTROLS) if (fields[key]) first.append(fields[key]);
    first.append(splitField, speedField);
    toolbar.append(first);
  } else {
    for (const key of focus) if (fields[key]) first.append(fields[key]);
    for (const key of CONTROLS) if (!focus.includes(key) && fields[key]) rest.append(fields[key]);
    rest.append(splitField, speedField);
    toolbar.append(first, more);
  }

  function sync(s) {
    mode.value = s.mode;
    const [, , H, W] = model.get("shape");
    // (not while the reader types there, nor while a size typed out of range is shown)
    for (const [box, v] of [[sizeH, H], [sizeW, W]]) {
      if (view.sizeError() || box.ownerDocument.activeElement === box) continue;
      if (Number(box.value) !== v || box.value === "") box.value = v;
    }
    sizeLabel.textContent = split.checked ? T.sizeSplit : T.sizeLinked;
    sizeTimes.hidden = sizeW.hidden = targetTimes.hidden = targetW.hidden = !split.checked;
    for (const [key, { word, parts }] of Object.entries(pairs)) {
      parts.forEach(({ range, number, label, wrap }, axis) => {
        range.value = s[key][axis];
        if (Number(number.value) !== s[key][axis] || number.value === "") number.value = s[key][axis];
        label.textContent = split.checked ? (axis ? "w" : `${word} h`) : word;
        if (axis === 1) wrap.hidden = !split.checked;
      });
    }
    ceil.checked = s.ceil_mode;
    countPad.checked = s.count_include_pad;
    if (s.divisor_override === null) divisor.value = "";
    else if (Number(divisor.value) !== s.divisor_override) divisor.value = s.divisor_override;
    if (Number(norm.value) !== s.norm_type || norm.value === "") norm.value = s.norm_type;
    for (const [key, input] of [["batch", batch], ["channel", channel]]) if (!view.indexError(key)) input.value = model.get(key);
    shows.value = model.get("view");
    for (const key of SETTINGS.slice(1)) fields[key].hidden = !USES[s.mode].includes(key);
  }

  // the output's size in the "→ output" boxes (empty for an invalid setting), unless the
  // reader is typing there
  function showShape(shape) {
    for (const [box, v] of [[targetH, shape && shape[0]], [targetW, shape && shape[1]]]) {
      if (box.ownerDocument.activeElement === box) continue;
      box.value = v ? String(v) : "";
    }
    if (shape && targetNote.textContent && targetH.ownerDocument.activeElement !== targetH && targetW.ownerDocument.activeElement !== targetW) targetNote.textContent = "";
  }

  return { toolbar, shapeRow, sizeNote, sync, showShape, play, back, next, speed, preset, focus, full };
}
