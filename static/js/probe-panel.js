// One point's forward pass with its numbers, as MathML: for each layer
// z = xW + b and its activation, then the output (σ(z) for one output, softmax(z) for
// several) and the loss. A long vector wraps: each entry is its own inline formula.

import { fmt } from "./canvas.js";

const MATHML = "http://www.w3.org/1998/Math/MathML";

function m(tag, ...children) {
  const el = document.createElementNS(MATHML, tag);
  for (const c of children) el.append(c);
  return el;
}

const mi = (s) => m("mi", s);
const mo = (s) => m("mo", s);
const mn = (v) => m("mn", fmt(v, 3));

function math(...parts) {
  const el = m("math");
  el.append(m("mrow", ...parts));
  return el;
}

function sup(base, index) { return m("msup", mi(base), m("mrow", mo("("), m("mn", String(index)), mo(")"))); }

// "left = [v1, v2, …]": the left side is one formula, then every entry its own, with a
// space between them so the line may break there.
function equation(left, values) {
  const p = document.createElement("p");
  p.className = "eq";
  p.append(math(...left, mo("=")));
  if (!values.length) { p.append(" ", math(mo("["), mo("]"))); return p; }
  values.forEach((v, i) => {
    const parts = [mn(v), mo(i === values.length - 1 ? "]" : ",")];
    if (i === 0) parts.unshift(mo("["));
    p.append(" ", math(...parts));
  });
  return p;
}

// The output layer's function: σ of one score, softmax of several.
function outputEquation(probabilities) {
  const z = [mo("("), mi("z"), mo(")")];
  const name = probabilities.length === 1 ? mi("σ") : mi("softmax");
  return equation([name, ...z], probabilities);
}

function text(tag, className, content) {
  return Object.assign(document.createElement(tag), { className, textContent: content });
}

// Renders a probe result into `root`. t translates labels.
export function renderProbe(root, result, { t = (k) => k, hiddenCount = 0 } = {}) {
  const out = [];
  const where = result.x ? result.x.map((v) => fmt(v, 2)).join(", ") : "";
  out.push(text("p", "probe-point", `${t("probe.point")} x = (${where})`));
  out.push(equation([mi("x")], result.input ?? []));
  result.layers.forEach((layer, i) => {
    const l = i + 1;
    const isOutput = i >= hiddenCount;
    out.push(text("p", "probe-layer", isOutput ? t("probe.output_layer") : t("probe.layer", { n: l })));
    out.push(equation([sup("z", l), mo("="), sup("a", l - 1), sup("W", l), mo("+"), sup("b", l)], layer.z));
    if (!isOutput) out.push(equation([sup("a", l), mo("="), mi("f"), mo("("), sup("z", l), mo(")")], layer.a));
  });
  if (result.probabilities) out.push(outputEquation(result.probabilities));
  else out.push(equation([m("mover", mi("y"), mo("^"))], result.output ?? []));
  out.push(text("p", "probe-loss", result.loss === null || result.loss === undefined
    ? t("probe.no_label") : `${t("probe.loss")} = ${fmt(result.loss, 4)}`));
  root.replaceChildren(...out);
}

// The panel as it is before any point was probed.
export function clearProbe(root, t) {
  root.replaceChildren(text("p", "hint", t("probe.hint")));
}
