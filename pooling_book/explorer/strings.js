// Every word the explorer shows, in English and in Chinese (简体中文): one table per
// language, the same keys in each. A text with numbers in it is a function of them.
// The Chinese terms are the book's glossary's (book/glossary.md): 汇聚窗口, 步幅, 填充,
// 空洞, 向上取整模式, 计入填充, 除数覆盖, 通道, 梯度, 输出形状; PyTorch's argument names
// stay as they are spelled in code.
// Which table: the widget's `lang` trait when it names one (Jupyter), else the page's
// language (<html lang="zh-CN"> on the Chinese edition of the site): `languageOf`.

const EN = {
  lang: "en",
  // the rules a setting breaks, worded as pooling_lib raises them (pooling.js ruleError)
  errNorm: (fn, p) => `${fn}: norm_type=${p} must be a non-zero number (the p of the p-norm)`,
  errPositive: (fn, name, v) => `${fn}: ${name}=${v} must be positive (each entry >= 1)`,
  errPadNegative: (fn, v) => `${fn}: padding=${v} must be non-negative (each entry >= 0)`,
  errPadHalf: (fn, p, half, k, dil) =>
    `${fn}: padding=${p} must be at most half the kernel size: padding <= kernel_size // 2 = ${half} (kernel_size=${k}` +
    (dil ? `; dilation=${dil} does not change this bound)` : ")"),
  errOutput: (fn, out, size, k, s, p, d, eff, padded) =>
    `${fn}: output size would be ${out} for input size ${size} (kernel_size=${k}, stride=${s}, padding=${p}, ` +
    `dilation=${d}); it must be at least 1: the window of effective size ${eff} must fit into the padded input of size ${padded}`,
  errDivisor: (fn) => `${fn}: divisor_override=0 must be None or a non-zero int (one divisor for every window)`,
  errIndex: (word, text, size, key) =>
    `${word}=${text || "(empty)"} must be an integer from 0 to ${size - 1} (X has ${size} ${key === "batch" ? "samples" : "channels"})`,
  // the view
  title: (shape) => `Pooling explorer: X of shape (${shape.join(", ")})`,
  inputAria: "input X (click a cell to see the outputs that read it, again to change it; arrow keys select, Enter edits)",
  outputAria: "output (arrow keys move the window)",
  hint: "click an input cell to see the outputs that read it, click it again to change it",
  inputCaption: "input X (padding dashed)",
  scrollNote: "scroll sideways for every column →",
  output: "output",
  readBy: (x, n, picked) => `${x} is read by ${n === 1 ? "1 output" : `${n} outputs`} (outlined); click it ${picked ? "again" : "twice"} to change it`,
  details: "in words, in PyTorch, and checked by Python",
  noOutput: "no output: see the rule above",
  play: "▶ play",
  pause: "❚❚ pause",
  playAria: "play",
  pauseAria: "pause",
  pyComputing: "Python (pooling_lib): computing…",
  pyStatic:
    "Computed in your browser. The Python check (pooling_lib against its loops) ran for the settings the notebook cell was run with; in a running notebook it checks every setting.",
  pyCheck: (py) => py.check,
  drawingSame: "The drawing shows the same.",
  drawingDiffers: "The drawing DIFFERS from pooling_lib.",
  // controls
  more: "more settings",
  sizeAria: (axis) => `input ${axis === "h" ? "height H" : "width W"}`,
  sizeSplit: "input H × W",
  sizeLinked: "input size H = W",
  target: "→ output",
  targetAria: (axis) => `target output ${axis === "h" ? "height" : "width"} (the explorer picks a kernel and a stride that give it)`,
  targetNone: (o, n) => `no kernel, stride and padding give an output of ${o} from ${n}`,
  targetSet: (what) => `set ${what}`,
  targetBad: (axis, text, most) => `output ${axis === "h" ? "height" : "width"} ${text || "(empty)"}: must be an integer from 1 to ${most}`,
  errSize: (axis, linked, text, most, H, W) =>
    `${linked ? "input size H = W" : axis === "h" ? "input height H" : "input width W"} = ${text || "(empty)"}: must be an integer from 1 to ${most}; the input stays ${H}×${W}`,
  zeroFill: (h0, w0) => `the new cells are 0: the tensor given to explore() is ${h0}×${w0} ("input values" fills them otherwise)`,
  unused: (fn, name, value) => `${fn} has no ${name}: ${name}=${value} is kept for the other modes, not used here`,
  mode: "mode",
  modes: { max: "max", avg: "avg", lp: "lp" },
  pairs: { kernel_size: "kernel", stride: "stride", padding: "padding", dilation: "dilation" },
  height: "height",
  width: "width",
  slider: "slider",
  split: "h ≠ w",
  flags: { ceil_mode: "ceil_mode", count_include_pad: "count_include_pad", divisor_override: "divisor_override", norm_type: "norm_type" },
  none: "None",
  batchWord: "batch index n",
  channelWord: "channel c",
  indexLabel: (word, size) => `${word} (0 to ${size - 1})`,
  presets: {
    original: "the tensor given to explore() (0 past its size)",
    ramp: "0, 1, 2, ... (row by row)",
    random: "random integers 0 to 9",
    ties: "ties: every value 1",
    nan: "a NaN in the middle",
    negative: "negative values",
  },
  inputValues: "input values",
  showOnInput: "show on the input",
  gradientView: "gradient of the current output",
  positionAria: "output position",
  backAria: "previous output cell",
  nextAria: "next output cell",
  speed: "speed",
  speedAria: "speed (steps per second)",
  // the drawing's words
  pad: "pad",
  beyond: "beyond",
  onlyPadding: "the window holds padding only, so no input receives its gradient",
  hangs: " Part of this window hangs over the padded input (ceil_mode); those cells are ignored.",
  lpHead: (p) => `(sum of x^${p} over (`,
  lpTail: (p, shown) => `))^(1/${p}) = ${shown}`,
  infHead: (maxOrMin) => `${maxOrMin} |x| over (`,
  gradMax: (x) => `the gradient goes to ${x} (the first maximum), share 1`,
  gradNone: "no input receives a gradient",
  gradAvg: (inputs, d) => `each of the ${inputs} input cells receives 1/${d} of the gradient`,
  gradPadShare: (pads, d) => `; the ${pads} padding cells take their share (1/${d} each) and drop it`,
  gradPadNone: (pads, why) => `; the ${pads} padding cells take no share (${why})`,
  whyOverride: "divisor_override sets the divisor",
  whyNotCounted: "count_include_pad=False: they are not counted",
  gradLp: "each input cell x receives (x / out)^(p - 1) of the gradient",
  alt: (i, j, ch, n, rows, cols, inputs, pads, v, grad) =>
    `Window of output [${i}, ${j}] of channel ${ch}, batch ${n}: rows ${rows}, columns ${cols} (${inputs} input cells, ${pads} padding cells); value ${v}. Gradient: ${grad}.`,
  dropped: (raw) => ` (${raw} − 1: the last window would start in the right padding, so ceil_mode drops it)`,
  callShape: "# output shape",
  lpNote: "# this window is partial: pooling_lib sums its real inputs; PyTorch scales their average by the full kernel size (pooling_lib's torch_compatible=True)",
  // predict mode
  predictAria: "predict the output",
  predict: "Predict:",
  answerAria: "your answer",
  check: "check",
  newQuestion: "new question",
  nextQuestion: "next question",
  noQuestion: "no output for this setting: change it, or ask a new question.",
  askShape: (H, W) => `the output's shape (H_out, W_out) for a ${H}×${W} input?`,
  askValue: (i, j) => `the value of the highlighted output cell out[${i}, ${j}]?`,
  score: (right, asked) => `score: ${right} of ${asked}`,
  again: (verdict) => `${verdict} For the next question, press "next question".`,
  typeShape: "type two numbers, such as (2, 3)",
  typeValue: "type a number, such as 4, -1.5, 3/4 or nan",
  right: (truth) => `right: ${truth}.`,
  rightLater: (truth) => `right on a second try: ${truth} (the score counts first tries).`,
  wrong: (wrongBefore, typed, truth) => `${wrongBefore ? "still not" : "not quite"}: you typed ${typed}, the answer is ${truth}. Its arithmetic is below.`,
  // the shift explorer
  shiftAria: (most) => `shift of the input in pixels (0 to ${most})`,
  shiftTitle: (H, W) => `Shift explorer: X of shape (${H}, ${W}), max pooling and blur pooling`,
  shiftBy: "shift right by",
  px: " px",
  shifted: (s) => `input shifted by ${s}`,
  shiftMax: "max pooling (2×2, stride 2)",
  shiftBlur: "blur pooling (2×2 max at stride 1, blur, stride 2)",
  shiftSummary: (cm, n, cb, nb, dm, db) =>
    `Against the unshifted input, ${cm} of ${n} max-pooling outputs and ${cb} of ${nb} blur-pooling outputs changed (outlined); the largest change is ${dm} for max pooling and ${db} for blur pooling.`,
};

const ZH = {
  lang: "zh-CN",
  errNorm: (fn, p) => `${fn}：norm_type=${p} 必须是非零数（p 范数的 p）`,
  errPositive: (fn, name, v) => `${fn}：${name}=${v} 必须为正（每一项 >= 1）`,
  errPadNegative: (fn, v) => `${fn}：padding=${v} 不能为负（每一项 >= 0）`,
  errPadHalf: (fn, p, half, k, dil) =>
    `${fn}：填充 padding=${p} 至多为汇聚窗口大小的一半：padding <= kernel_size // 2 = ${half}（kernel_size=${k}` +
    (dil ? `；空洞 dilation=${dil} 不改变这个上限）` : "）"),
  errOutput: (fn, out, size, k, s, p, d, eff, padded) =>
    `${fn}：对大小为 ${size} 的输入，输出大小将是 ${out}（kernel_size=${k}，stride=${s}，padding=${p}，` +
    `dilation=${d}）；它必须至少为 1：有效大小为 ${eff} 的汇聚窗口必须放得进填充后大小为 ${padded} 的输入`,
  errDivisor: (fn) => `${fn}：divisor_override=0 必须是 None 或非零整数（所有窗口共用的一个除数）`,
  errIndex: (word, text, size, key) =>
    `${word}=${text || "（空）"} 必须是 0 到 ${size - 1} 之间的整数（X 有 ${size} 个${key === "batch" ? "样本" : "通道"}）`,
  title: (shape) => `汇聚探索器：X 的形状为 (${shape.join(", ")})`,
  inputAria: "输入 X（单击一个单元格，查看读取它的输出；再单击一次可修改它；方向键选择，回车键编辑）",
  outputAria: "输出（方向键移动汇聚窗口）",
  hint: "单击一个输入单元格，查看读取它的输出；再单击一次可修改它",
  inputCaption: "输入 X（虚线为填充）",
  scrollNote: "左右滑动可看到每一列 →",
  output: "输出",
  readBy: (x, n, picked) => `${x} 被 ${n} 个输出读取（已描边）；${picked ? "再单击一次" : "单击两次"}可修改它`,
  details: "文字说明、PyTorch 调用，以及 Python 的核对",
  noOutput: "没有输出：见上面的规则",
  play: "▶ 播放",
  pause: "❚❚ 暂停",
  playAria: "播放",
  pauseAria: "暂停",
  pyComputing: "Python（pooling_lib）：正在计算…",
  pyStatic:
    "在你的浏览器中计算。Python 的核对（pooling_lib 与其循环实现对照）针对运行该笔记本单元格时的设置；在运行中的笔记本里，它会核对每一种设置。",
  pyCheck: (py) => {
    const fn = `${py.settings.mode}_pool2d`;
    return `Python：pooling_lib.functional.${fn} 与 pooling_lib.loops.${fn} 在整个输入上${py.ok ? "一致" : "不一致"}（输出形状 (${py.shape.join(", ")})）。`;
  },
  drawingSame: "图中显示的结果与之相同。",
  drawingDiffers: "图中显示的结果与 pooling_lib 不同。",
  more: "更多设置",
  sizeAria: (axis) => `输入的${axis === "h" ? "高 H" : "宽 W"}`,
  sizeSplit: "输入 H × W",
  sizeLinked: "输入大小 H = W",
  target: "→ 输出",
  targetAria: (axis) => `目标输出的${axis === "h" ? "高" : "宽"}（探索器会选出得到它的汇聚窗口和步幅）`,
  targetNone: (o, n) => `没有汇聚窗口、步幅和填充能从 ${n} 得到大小为 ${o} 的输出`,
  targetSet: (what) => `已设置 ${what}`,
  targetBad: (axis, text, most) => `输出的${axis === "h" ? "高" : "宽"} ${text || "（空）"}：必须是 1 到 ${most} 之间的整数`,
  errSize: (axis, linked, text, most, H, W) =>
    `${linked ? "输入大小 H = W" : axis === "h" ? "输入的高 H" : "输入的宽 W"} = ${text || "（空）"}：必须是 1 到 ${most} 之间的整数；输入仍为 ${H}×${W}`,
  zeroFill: (h0, w0) => `新单元格为 0：传给 explore() 的张量是 ${h0}×${w0}（“输入值”菜单可以用别的值填充它们）`,
  unused: (fn, name, value) => `${fn} 没有 ${name} 参数：${name}=${value} 留给其他模式，这里不使用`,
  mode: "模式",
  modes: { max: "最大 max", avg: "平均 avg", lp: "Lp" },
  pairs: { kernel_size: "汇聚窗口", stride: "步幅", padding: "填充", dilation: "空洞" },
  height: "高",
  width: "宽",
  slider: "滑块",
  split: "h ≠ w",
  flags: { ceil_mode: "向上取整模式 ceil_mode", count_include_pad: "计入填充 count_include_pad", divisor_override: "除数覆盖 divisor_override", norm_type: "范数 norm_type" },
  none: "None",
  batchWord: "批量索引 n",
  channelWord: "通道 c",
  indexLabel: (word, size) => `${word}（0 到 ${size - 1}）`,
  presets: {
    original: "传给 explore() 的张量（超出其大小处为 0）",
    ramp: "0, 1, 2, ...（逐行）",
    random: "0 到 9 的随机整数",
    ties: "并列：每个值都是 1",
    nan: "中间有一个 NaN",
    negative: "负值",
  },
  inputValues: "输入值",
  showOnInput: "输入上显示",
  gradientView: "当前输出的梯度",
  positionAria: "输出位置",
  backAria: "上一个输出单元格",
  nextAria: "下一个输出单元格",
  speed: "速度",
  speedAria: "速度（每秒步数）",
  pad: "填充",
  beyond: "超出",
  onlyPadding: "窗口里只有填充，所以没有输入得到它的梯度",
  hangs: " 这个窗口有一部分伸出了填充后的输入（ceil_mode）；那些单元格被忽略。",
  lpHead: (p) => `(对 (`,
  lpTail: (p, shown) => `) 中的 x^${p} 求和)^(1/${p}) = ${shown}`,
  infHead: (maxOrMin) => `${maxOrMin} |x|，x 取自 (`,
  gradMax: (x) => `梯度传给 ${x}（第一个最大值），份额为 1`,
  gradNone: "没有输入得到梯度",
  gradAvg: (inputs, d) => `${inputs} 个输入单元格各得到梯度的 1/${d}`,
  gradPadShare: (pads, d) => `；${pads} 个填充单元格也各占一份（各 1/${d}），随后被丢弃`,
  gradPadNone: (pads, why) => `；${pads} 个填充单元格不占份额（${why}）`,
  whyOverride: "除数由 divisor_override 决定",
  whyNotCounted: "count_include_pad=False：不计入填充",
  gradLp: "每个输入单元格 x 得到梯度的 (x / out)^(p - 1)",
  alt: (i, j, ch, n, rows, cols, inputs, pads, v, grad) =>
    `批量 ${n}、通道 ${ch} 的输出 [${i}, ${j}] 的汇聚窗口：第 ${rows} 行，第 ${cols} 列（${inputs} 个输入单元格，${pads} 个填充单元格）；值为 ${v}。梯度：${grad}。`,
  dropped: (raw) => `（${raw} − 1：最后一个窗口会从右侧填充里开始，所以 ceil_mode 去掉它）`,
  callShape: "# 输出形状",
  lpNote: "# 这个窗口不完整：pooling_lib 对其中的真实输入求和；PyTorch 用完整窗口大小缩放它们的平均（pooling_lib 的 torch_compatible=True）",
  predictAria: "预测输出",
  predict: "预测：",
  answerAria: "你的答案",
  check: "检查",
  newQuestion: "换一题",
  nextQuestion: "下一题",
  noQuestion: "这个设置没有输出：请修改设置，或者换一题。",
  askShape: (H, W) => `${H}×${W} 的输入，输出形状 (H_out, W_out) 是多少？`,
  askValue: (i, j) => `高亮的输出单元格 out[${i}, ${j}] 的值是多少？`,
  score: (right, asked) => `得分：${asked} 题中答对 ${right} 题`,
  again: (verdict) => `${verdict} 要做下一题，请按“下一题”。`,
  typeShape: "请输入两个数，例如 (2, 3)",
  typeValue: "请输入一个数，例如 4、-1.5、3/4 或 nan",
  right: (truth) => `正确：${truth}。`,
  rightLater: (truth) => `第二次答对：${truth}（得分只计第一次作答）。`,
  wrong: (wrongBefore, typed, truth) => `${wrongBefore ? "仍然不对" : "不对"}：你输入的是 ${typed}，答案是 ${truth}。下面是它的算式。`,
  shiftAria: (most) => `输入平移的像素数（0 到 ${most}）`,
  shiftTitle: (H, W) => `平移探索器：X 的形状为 (${H}, ${W})，最大汇聚与模糊汇聚`,
  shiftBy: "向右平移",
  px: " 像素",
  shifted: (s) => `平移 ${s} 像素后的输入`,
  shiftMax: "最大汇聚（2×2，步幅 2）",
  shiftBlur: "模糊汇聚（步幅 1 的 2×2 最大值，模糊，步幅 2）",
  shiftSummary: (cm, n, cb, nb, dm, db) =>
    `与未平移的输入相比，${n} 个最大汇聚输出中有 ${cm} 个改变，${nb} 个模糊汇聚输出中有 ${cb} 个改变（已描边）；最大的变化：最大汇聚为 ${dm}，模糊汇聚为 ${db}。`,
};

export const STRINGS = { en: EN, "zh-CN": ZH };

// The table for `lang` ("en", "zh-CN", or any "zh..." tag); English for anything else.
export function strings(lang) {
  return typeof lang === "string" && lang.toLowerCase().startsWith("zh") ? ZH : EN;
}

// The explorer's language: the widget's `lang` when it names one, else the page's.
export function languageOf(model, doc = typeof document === "undefined" ? null : document) {
  const chosen = model && model.get("lang");
  if (chosen) return strings(chosen).lang;
  const page = doc && doc.documentElement ? doc.documentElement.lang || "" : "";
  return strings(page).lang;
}
