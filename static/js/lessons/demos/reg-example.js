// Lesson 9: the article's example, computed here from the vectors in the page:
// x·w for both weight vectors, then L1 = Σ|w| and L2 = ½Σw², each written out.

import { m, mo, vector, setMat } from "../mathml.js";

// Short exact-looking numbers for small worked examples: 0.125, 1, 0.5.
export function short(v) { return String(Math.round(v * 1e6) / 1e6).replace("-", "−"); }

export function exampleNumbers({ x, w1, w2 }) {
  const out = (w) => w.reduce((s, wi, i) => s + wi * x[i], 0);
  const l1 = (w) => w.reduce((s, wi) => s + Math.abs(wi), 0);
  const l2 = (w) => 0.5 * w.reduce((s, wi) => s + wi * wi, 0);
  return { out: [out(w1), out(w2)], l1: [l1(w1), l1(w2)], l2: [l2(w1), l2(w2)] };
}

const num = (v) => m("mn", short(v));

function sumOf(terms, op = "+") {
  const row = m("mrow");
  terms.forEach((term, i) => { if (i) row.append(mo(op)); row.append(term); });
  return row;
}

function cell(root, name, expression, result) {
  const math = m("math", expression, mo("="), m("mn", short(result)));
  math.lastChild.dataset.result = name;
  root.querySelector(`[data-cell="${name}"]`).replaceChildren(math);
}

export function start(root) {
  const example = JSON.parse(root.querySelector('[data-role="example"]').textContent);
  const { x } = example;
  const numbers = exampleNumbers(example);
  setMat(root, "x", vector(x, 0));
  ["w1", "w2"].forEach((key, j) => {
    const w = example[key];
    setMat(root, key, m("mrow", mo("["), sumOf(w.map(num), ","), mo("]")));
    cell(root, `out-${key}`, sumOf(w.map((wi, i) => m("mrow", num(x[i]), mo("·"), num(wi)))), numbers.out[j]);
    cell(root, `l1-${key}`, sumOf(w.map((wi) => m("mrow", mo("|"), num(wi), mo("|")))), numbers.l1[j]);
    const squares = sumOf(w.map((wi) => m("msup", num(wi), m("mn", "2"))));
    cell(root, `l2-${key}`, m("mrow", m("mfrac", m("mn", "1"), m("mn", "2")), mo("("), squares, mo(")")), numbers.l2[j]);
  });
  return { numbers };
}
