// Predict mode: the output's values stay hidden until the reader has typed the value of
// the highlighted output cell, or the output's shape; the answer is checked at once with
// the explorer's own pooling (pooling.js), and a running score is kept. "new question"
// draws a random input and random settings within the explorer's scope (its focused
// controls), from a seeded generator. Everything works from the keyboard: Enter in the
// answer field checks what is typed (again after a change: the score counts the first try
// only, a later right answer says "right on a second try"); moving on is an explicit step,
// the "next question" button (Tab, then Enter).
import { h, unbroken } from "./drawing.js";
import { formatValue, ruleError } from "./pooling.js";
import { makeRandom } from "./model.js";

// What a question may change, per control (r: random integer in [0, n); scope: the
// explorer's focused controls). Lp pooling is drawn only where its p is in the scope.
const DRAW = {
  mode: (r, scope) => (scope.includes("norm_type") ? ["max", "avg", "lp"][r(3)] : ["max", "avg"][r(2)]),
  kernel_size: (r) => 2 + r(2),
  stride: (r) => 1 + r(3),
  padding: (r, k) => r(Math.floor(k / 2) + 1),
  dilation: (r) => 1 + r(2),
  ceil_mode: (r) => r(2) === 1,
  count_include_pad: (r) => r(2) === 1,
  divisor_override: (r) => [null, null, 2, 3][r(4)],
  norm_type: (r) => [1, 2, 3][r(3)],
};
const SHAPE_CONTROLS = ["size", "kernel_size", "stride", "padding", "dilation", "ceil_mode"];

// Parse "3", "-1.5", "3/4", "nan", "-inf"; null if it is not a number.
export function parseValue(text) {
  const t = text.trim().toLowerCase();
  if (t === "nan") return NaN;
  if (["inf", "+inf", "infinity"].includes(t)) return Infinity;
  if (["-inf", "-infinity"].includes(t)) return -Infinity;
  const frac = t.match(/^(-?[\d.]+)\s*\/\s*([\d.]+)$/);
  const v = frac ? Number(frac[1]) / Number(frac[2]) : t === "" ? NaN : Number(t);
  return Number.isNaN(v) && t !== "nan" ? null : v;
}

// Parse "(2, 3)", "2x3", "2 3", "(1, 1, 2, 3)": the last two numbers, or null.
export function parseShape(text) {
  const numbers = text.match(/-?\d+/g);
  if (!numbers || (numbers.length !== 2 && numbers.length !== 4)) return null;
  return numbers.slice(-2).map(Number);
}

export function sameValue(a, b) {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  return Number.isFinite(a) && (formatValue(a) === formatValue(b) || Math.abs(a - b) < 0.005 + 1e-9);
}

// view: {model, set, resize, setValues, current() -> {result, position}, redraw, scope, seed}.
export function buildPredict(view) {
  const T = view.T;
  const random = makeRandom(view.seed);
  const state = { asked: 0, right: 0, kind: "value", answered: false, checked: null, firstRight: false, lastRight: false };
  const question = h("span", { class: "pe-question" });
  const answer = h("input", { type: "text", name: "predict-answer", inputmode: "decimal", autocomplete: "off", "aria-label": T.answerAria });
  const check = h("button", { type: "button", name: "predict-check" }, T.check);
  const fresh = h("button", { type: "button", name: "predict-new" }, T.newQuestion);
  const feedback = h("span", { class: "pe-feedback", role: "status", "aria-live": "polite" });
  const score = h("span", { class: "pe-score" });
  const panel = h("div", { class: "pe-predict", role: "group", "aria-label": T.predictAria }, h("strong", {}, T.predict), question, answer, check, fresh, feedback, score);
  const scope = view.scope.length ? view.scope : ["kernel_size", "stride", "padding"];
  const canAskShape = scope.some((k) => SHAPE_CONTROLS.includes(k));

  function ask(kind) {
    state.kind = kind;
    state.answered = false;
    state.checked = null;
    state.firstRight = false;
    state.lastRight = false;
    fresh.textContent = T.newQuestion;
    fresh.classList.remove("pe-next");
    answer.value = "";
    feedback.textContent = "";
    feedback.className = "pe-feedback";
    view.redraw();
  }

  function describe() {
    const { result, position } = view.current();
    if (!result || result.error) {
      question.textContent = T.noQuestion;
      return;
    }
    const [i, j] = position;
    const [, , H, W] = view.model.get("shape");
    question.replaceChildren(...unbroken(state.kind === "shape" ? T.askShape(H, W) : T.askValue(i, j)));
    score.textContent = T.score(state.right, state.asked);
  }

  function submit() {
    const { result, position } = view.current();
    if (!result || result.error) return;
    const typed = answer.value.trim();
    if (state.answered && typed === state.checked) {
      feedback.textContent = T.again(feedback.dataset.verdict);
      return;
    }
    const [oh, ow] = result.shape;
    let right, truth;
    if (state.kind === "shape") {
      const got = parseShape(answer.value);
      truth = `(${oh}, ${ow})`;
      if (!got) return void (feedback.textContent = T.typeShape);
      right = got[0] === oh && got[1] === ow;
    } else {
      const got = parseValue(answer.value);
      const [i, j] = position;
      const v = result.values[i * ow + j];
      truth = formatValue(v);
      if (got === null) return void (feedback.textContent = T.typeValue);
      right = sameValue(got, v);
    }
    // the score counts the first try; a later try is checked and said, not counted
    const first = !state.answered;
    if (first) {
      state.asked += 1;
      if (right) state.right += 1;
      state.firstRight = right;
    }
    state.answered = true;
    state.checked = typed;
    // "on a second try" only when the first try was wrong, "still not" only after a wrong try
    let verdict;
    if (right) verdict = !first && !state.firstRight ? T.rightLater(truth) : T.right(truth);
    else verdict = T.wrong(!first && !state.lastRight, typed, truth);
    state.lastRight = right;
    feedback.dataset.verdict = verdict;
    feedback.textContent = verdict;
    feedback.className = right ? "pe-feedback pe-ok" : "pe-feedback pe-bad";
    fresh.textContent = T.nextQuestion;
    fresh.classList.add("pe-next");
    view.redraw();
  }

  // A random input and random settings within the scope, valid by pooling.js's rules.
  function newQuestion() {
    const model = view.model;
    const [N, C] = model.get("shape");
    let [, , H, W] = model.get("shape");
    const s = Object.fromEntries(Object.keys(DRAW).map((k) => [k, model.get(k)]));
    for (let attempt = 0; attempt < 50; attempt++) {
      if (scope.includes("size")) [H, W] = [3 + random(5), 3 + random(5)];
      for (const key of scope) {
        if (!DRAW[key]) continue;
        if (key === "padding") continue;
        const v = DRAW[key](random, scope);
        s[key] = Array.isArray(model.get(key)) ? [v, v] : v;
      }
      if (scope.includes("padding")) {
        const p = DRAW.padding(random, s.kernel_size[0]);
        s.padding = [p, p];
      }
      if (!ruleError(s, H, W)) break;
    }
    if (scope.includes("size")) view.resize(H, W, true);
    view.setValues(Array.from({ length: N * C * H * W }, () => random(10)));
    for (const [key, v] of Object.entries(s)) view.set(key, v);
    const { result } = view.current();
    if (result && !result.error) view.set("position", [random(result.shape[0]), random(result.shape[1])]);
    ask(canAskShape && random(2) === 1 ? "shape" : "value");
    answer.focus();
  }

  check.addEventListener("click", submit);
  fresh.addEventListener("click", newQuestion);
  answer.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    submit();
  });

  return {
    panel,
    describe,
    // what the drawing hides now: null, "value" or "shape"
    hiding: () => (state.answered ? null : state.kind),
    score: () => ({ ...state }),
  };
}
