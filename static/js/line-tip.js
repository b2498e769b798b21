// The tooltip of a neuron's line on the output view: its equation with the live weights,
// and its slope form y = kx + b_ℓ as lesson 1 writes it (b_ℓ, the line's intercept, is
// not the neuron's bias b). Built as DOM nodes with MathML, so b_ℓ has its subscript.

import { fmt } from "./canvas.js";
import { slopeForm } from "./lines.js";

const MATHML = "http://www.w3.org/1998/Math/MathML";

function m(tag, ...children) {
  const el = document.createElementNS(MATHML, tag);
  el.append(...children);
  return el;
}

const bl = () => m("msub", m("mi", "b"), m("mi", "ℓ"));

// [text node, line break, text, <math>…] for line `index` ({w1, w2, b}).
export function lineTip(line, index, t) {
  const { w1, w2, b } = line;
  const eq = `${t("lines.neuron")} ${index + 1}: ${fmt(w1, 2)}·x₁ + ${fmt(w2, 2)}·x₂ + ${fmt(b, 2)} = 0`;
  const form = slopeForm(line);
  const out = [document.createTextNode(eq)];
  if (!form) return out;
  const as = t("lines.as"); // "as" / "写成"; pages without the string show the formula alone
  out.push(document.createElement("br"));
  if (as !== "lines.as") out.push(document.createTextNode(`${as} `));
  if (form.vertical !== undefined) {
    out.push(m("math", m("mrow", m("msub", m("mi", "x"), m("mn", "1")), m("mo", "="), m("mn", fmt(form.vertical, 2)))));
    return out;
  }
  const slope = m("mrow", m("mi", "y"), m("mo", "="), m("mi", "k"), m("mi", "x"), m("mo", "+"), bl(), m("mo", ":"));
  const values = m("mrow", m("mi", "k"), m("mo", "="), m("mn", fmt(form.k, 2)), m("mo", ","),
    bl(), m("mo", "="), m("mn", fmt(form.c, 2)));
  out.push(m("math", slope), document.createTextNode(" "), m("math", values));
  return out;
}
