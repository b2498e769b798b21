// The configuration schema: GET /api/config's answer, which every page that trains
// embeds as #schema-data. What the core decides about datasets and features is read
// from it, never copied here: which datasets are regressions, and each feature as its
// factors (an elementary function of one coordinate each, multiplied).

let cached = null;

export function schema() {
  if (cached) return cached;
  const element = document.getElementById("schema-data");
  if (!element) throw new Error("this page has no #schema-data (GET /api/config's answer)");
  cached = JSON.parse(element.textContent);
  return cached;
}

export function taskOf(config) {
  return schema().dataset.regression.includes(config.dataset) ? "regression" : "classification";
}

// The elementary functions a factor may name (core/features.py ELEMENTARY).
const ELEMENTARY = { id: (v) => v, sin: Math.sin };

const functions = new Map();

// The feature `name` as a function of (x1, x2), from its factors (null if unknown).
export function featureFunction(name) {
  if (!functions.has(name)) {
    const factors = schema().features.factors[name];
    functions.set(name, factors ? (x1, x2) => factors.reduce(
      (value, [fn, coordinate]) => value * ELEMENTARY[fn](coordinate === "x1" ? x1 : x2), 1) : null);
  }
  return functions.get(name);
}
