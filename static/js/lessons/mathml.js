// MathML built in the page (no math library): element builders, vectors and
// matrices of live numbers, and filling the <mn data-v="name"> slots of a template.

import { fmt } from "../canvas.js";

const NS = "http://www.w3.org/1998/Math/MathML";

export function m(tag, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const child of children) el.append(child);
  return el;
}

export const mi = (s) => m("mi", s);
export const mo = (s) => m("mo", s);
export const mn = (value, digits = 3) => m("mn", fmt(value, digits));

// A number as the lessons print it: fixed digits, a real minus sign, "—" for null.
export function num(value, digits = 3) { return fmt(value, digits); }

// [v1, v2, …] on one line (a row vector), at most `max` entries.
export function vector(values, digits = 3, max = 8) {
  const row = m("mrow", mo("["));
  values.slice(0, max).forEach((v, i) => {
    if (i) row.append(mo(","));
    row.append(mn(v, digits));
  });
  if (values.length > max) row.append(mo(","), mo("…"));
  row.append(mo("]"));
  return row;
}

// A bracketed matrix from rows of numbers; `maxRows` rows shown, then a row of ⋮.
export function matrix(rows, digits = 2, maxRows = 8) {
  const table = m("mtable");
  rows.slice(0, maxRows).forEach((r) => table.append(m("mtr", ...r.map((v) => m("mtd", mn(v, digits))))));
  if (rows.length > maxRows) table.append(m("mtr", ...rows[0].map(() => m("mtd", mo("⋮")))));
  return m("mrow", mo("["), table, mo("]"));
}

// Puts `node` into every [data-mat=name] slot under root.
export function setMat(root, name, node) {
  const slots = root.querySelectorAll(`[data-mat="${name}"]`);
  slots.forEach((slot, i) => slot.replaceChildren(i ? node.cloneNode(true) : node));
}

// Sets every [data-v] slot whose name is in `values`; data-paren wraps negatives in
// parentheses (so "+ (−0.5)·x₂" reads right); data-digits overrides `digits`.
export function fill(root, values, digits = 3) {
  for (const slot of root.querySelectorAll("[data-v]")) {
    const name = slot.dataset.v;
    if (!(name in values)) continue;
    const value = values[name];
    let text = typeof value === "string" ? value : fmt(value, Number(slot.dataset.digits ?? digits));
    if (slot.hasAttribute("data-paren") && typeof value === "number" && value < 0) text = `(${text})`;
    slot.textContent = text;
  }
}
