// A refusal from the server, written again in the page's language with the label the
// reader sees. The server's error carries {code, field, message, allowed, received}
// (docs/protocol.md); `allowed` is English words whose numbers are what the field takes
// now (batch_size's limit follows the data), so the numbers are read from it and the
// sentence is the page's own. Anything not recognised keeps the server's message.

const RANGE = /(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\D+?(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i;
const EMBED_OPTIONS = new Set(["controls", "lock", "autoplay", "theme", "lang", "preset", "parent_origin", "present"]);

// How a received value is quoted: text in quotes, numbers and lists as JSON.
export function showValue(value) {
  if (value === undefined) return "—";
  if (typeof value === "string") return `“${value}”`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

// The numbers [lo, hi] of an `allowed` text ("an integer from 1 to 240 (…)"), or null.
export function rangeOf(allowed) {
  const m = typeof allowed === "string" ? allowed.match(RANGE) : null;
  return m ? [Number(m[1]), Number(m[2])] : null;
}

// A number as the page writes it (a real minus sign).
const num = (v) => String(v).replace("-", "−");

// error → a sentence. schema: GET /api/config's fields; t: the page's translator.
export function describeError(error, { t, schema = {} }) {
  const field = String(error.field ?? "");
  const base = field.replace(/\[.*$/, "");
  const has = (key) => t(key) !== key;
  const label = has(`form.${base}`) ? t(`form.${base}`) : base;
  const vars = { field: label, value: showValue(error.received) };
  if (EMBED_OPTIONS.has(base) && !schema[base]) return embedOption(base, error, t, vars);
  if (!error.allowed) return has(`error.code.${error.code}`) ? t(`error.code.${error.code}`, vars) : error.message;
  const spec = schema[base];
  if (!spec) {
    const range = rangeOf(error.allowed);
    if (base === "value" && range) return t("error.num_range", { ...vars, field: t("weight.value"), lo: num(range[0]), hi: num(range[1]) });
    return error.message;
  }
  const rule = RULES[spec.kind]?.(base, field, error, spec, t, vars);
  return rule ?? error.message;
}

const RULES = {
  choice(base, field, error, spec, t, vars) {
    const prefix = CHOICE_PREFIX[base];
    const name = (c) => (prefix ? t(`${prefix}.${c}`) : c);
    const known = spec.choices.includes(error.received);
    if (known) vars = { ...vars, value: showValue(name(error.received)) }; // as the menu says it
    if (base === "loss" && known) {
      return t("error.loss_regression", { ...vars, allowed: spec.regression_choices.map(name).join(t("error.list_sep")) });
    }
    return t("error.choice", { ...vars, allowed: spec.choices.map(name).join(t("error.list_sep")) });
  },
  integer: numberRule,
  number: numberRule,
  list(base, field, error, spec, t, vars) {
    if (base === "features") return t("error.features", { ...vars, hi: spec.max_items });
    return t("error.hidden", { ...vars, layers: spec.max_items, lo: spec.item_min, hi: spec.item_max });
  },
  points(base, field, error, spec, t, vars) {
    return t("error.points", { ...vars, lo: spec.min_rows, hi: spec.max_rows });
  },
};

const CHOICE_PREFIX = { dataset: "ds", activation: "act", loss: "lossname", regularization: "reg", optimizer: "opt" };

function numberRule(base, field, error, spec, t, vars) {
  const range = rangeOf(error.allowed);
  if (!range) {
    if (base === "validation_ratio") return t("error.validation_room", vars);
    if (base === "n_points") return t("error.n_points_custom", { ...vars, n: parseInt(error.allowed, 10) });
    return null;
  }
  const [lo, hi] = range.map(num);
  if (base === "batch_size") return t("error.batch_size", { ...vars, hi });
  if (/greater than/.test(error.allowed)) return t("error.num_gt", { ...vars, lo, hi });
  return t(spec.kind === "integer" ? "error.int_range" : "error.num_range", { ...vars, lo, hi });
}

// The embed's own parameters (controls=, lock=, autoplay=, …), named as in the URL.
function embedOption(base, error, t, vars) {
  const v = { ...vars, field: base };
  if (base === "controls" || base === "lock") return t("error.embed.fields", v);
  if (base === "parent_origin" && !Array.isArray(error.allowed)) return t("error.embed.parent_origin", v);
  const allowed = Array.isArray(error.allowed) ? error.allowed.join(", ") : error.allowed ?? "";
  return t("error.embed.choice", { ...v, allowed });
}
