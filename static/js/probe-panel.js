// One point's forward pass with its numbers, as MathML: for each layer
// z = xW + b and its activation, then the output (or softmax probabilities) and the loss.

import { fmt } from "./canvas.js";

const MATHML = "http://www.w3.org/1998/Math/MathML";

function m(tag, ...children) {
  const el = document.createElementNS(MATHML, tag);
  for (const c of children) el.append(typeof c === "string" ? c : c);
  return el;
}

const mi = (s) => m("mi", s);
const mo = (s) => m("mo", s);
const mn = (v) => m("mn", fmt(v, 3));

// A row vector [v1, v2, …] (at most `max` entries shown).
function vector(values, max = 8) {
  const row = m("mrow", mo("["));
  values.slice(0, max).forEach((v, i) => {
    if (i) row.append(mo(","));
    row.append(mn(v));
  });
  if (values.length > max) row.append(mo(","), mo("…"));
  row.append(mo("]"));
  return row;
}

function sup(base, index) { return m("msup", mi(base), m("mrow", mo("("), m("mn", String(index)), mo(")"))); }

function equation(...parts) {
  const math = m("math");
  math.setAttribute("display", "block");
  math.append(m("mrow", ...parts));
  return math;
}

// Renders a probe result into `root`. t translates labels.
export function renderProbe(root, result, { t = (k) => k, hiddenCount = 0 } = {}) {
  const out = [];
  const heading = document.createElement("p");
  heading.className = "probe-point";
  heading.textContent = `${t("probe.point")} x = (${result.x ? result.x.map((v) => fmt(v, 2)).join(", ") : ""})`;
  out.push(heading);
  out.push(equation(mi("x"), mo("="), vector(result.input ?? [])));
  result.layers.forEach((layer, i) => {
    const l = i + 1;
    const isOutput = i >= hiddenCount;
    const caption = document.createElement("p");
    caption.className = "probe-layer";
    caption.textContent = isOutput ? t("probe.output_layer") : t("probe.layer", { n: l });
    out.push(caption);
    out.push(equation(sup("z", l), mo("="), sup("a", l - 1), sup("W", l), mo("+"), sup("b", l), mo("="), vector(layer.z)));
    if (!isOutput) out.push(equation(sup("a", l), mo("="), mi("f"), mo("("), sup("z", l), mo(")"), mo("="), vector(layer.a)));
  });
  if (result.probabilities) out.push(equation(mi("softmax"), mo("("), mi("z"), mo(")"), mo("="), vector(result.probabilities)));
  else out.push(equation(m("mover", mi("y"), mo("^")), mo("="), vector(result.output ?? [])));
  const loss = document.createElement("p");
  loss.className = "probe-loss";
  loss.textContent = result.loss === null || result.loss === undefined
    ? t("probe.no_label") : `${t("probe.loss")} = ${fmt(result.loss, 4)}`;
  out.push(loss);
  root.replaceChildren(...out);
}
