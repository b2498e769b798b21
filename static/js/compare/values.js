// What a compare can vary, and the text a learner types for its values ⇄ the values the
// server takes (`sweep {vary: {field, values}}`). Nothing is checked here: the server
// validates every value as its field and names the one it refuses (vary.values[i]).

export const VARY_FIELDS = ["hidden", "reg_rate", "learning_rate", "loss", "activation"];

// A first suggestion for each field, from the current configuration.
export function suggestedValues(field, config = {}) {
  if (field === "hidden") return (config.hidden?.length ?? 1) > 1 ? "2,2; 4,2; 8,4" : "1, 2, 3, 4, 8";
  if (field === "reg_rate") return "0, 0.001, 0.01, 0.1, 1";
  if (field === "learning_rate") return "0.003, 0.01, 0.03, 0.1, 0.3";
  if (field === "loss") return "cross_entropy, mse, mae, hinge";
  return "sigmoid, tanh, relu, linear";
}

// "1, 2, 8" → [[1], [2], [8]] (one hidden layer each); "4,2; 8,4" → [[4, 2], [8, 4]];
// "" between semicolons is no hidden layer. Numbers stay strings when they do not parse,
// so the server's refusal quotes what was typed.
export function parseValues(field, text) {
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (field === "hidden") {
    const groups = trimmed.includes(";") ? trimmed.split(";") : trimmed.split(",");
    return groups.map((g) => (g.trim() === "" ? [] : g.split(",").map((n) => number(n.trim()))));
  }
  const items = trimmed.split(",").map((s) => s.trim());
  return field === "loss" || field === "activation" ? items : items.map(number);
}

function number(text) {
  const n = Number(text);
  return text !== "" && Number.isFinite(n) ? n : text;
}

// A value as a short label: [4, 2] → "4, 2"; [] → "—"; 0.001 → "0.001".
export function formatValue(field, value) {
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  return String(value);
}
