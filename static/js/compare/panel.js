// The compare panel: train several variants of the main run at once (same data and seed)
// and show them side by side. It talks to the page through window events only:
//   nnlive:message      (from main.js) every JSON message of the main socket
//   nnlive:sweep-frame  (from main.js) every decoded sweep frame
//   nnlive:send         (to main.js)   a sweep or sweep_stop message to send
//   nnlive:use-config   (to main.js)   a partial config to apply to the main run

import { msg } from "../protocol.js";
import { createRenderLoop } from "../canvas.js";
import { createI18n } from "../i18n.js";
import { taskOf } from "../schema.js";
import { createMultiples } from "./multiples.js";
import { createSweepChart } from "./chart.js";
import { parseValues, suggestedValues } from "./values.js";

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("page-data").textContent);
const i18n = createI18n(page.lang, page.strings);
const t = i18n.t;
const form = $("compare-form");
const status = $("compare-status");
const errorOut = document.querySelector("#compare [data-error-for='vary']");
const loop = createRenderLoop(draw);

const state = {
  config: page.config, data: null, // the main run's, as last sent by the server
  sweep: null,                     // {id, field, values, epochs, variants, best, done}
  pending: null,                   // {field, values, data} sent, not yet answered
  touched: false,                  // the values box was edited by hand
};

const multiples = createMultiples($("compare-grid"), { t, onUse: use });
const chart = createSweepChart($("compare-chart"), { t });

function draw() {
  multiples.draw();
  const s = state.sweep;
  chart.set(s?.field ?? form.field.value, s?.variants ?? [], s?.best ?? null);
  chart.draw();
  status.textContent = s ? statusText(s) : "";
  $("compare-stop").disabled = !s || s.done;
}

function statusText(s) {
  const epoch = Math.min(...s.variants.map((v) => v.epoch ?? 0));
  const key = s.done ? (s.stopped ? "compare.stopped" : "compare.done") : "compare.running";
  return t(key, { epoch, epochs: s.epochs, n: s.values.length });
}

function send(message) {
  window.dispatchEvent(new CustomEvent("nnlive:send", { detail: message }));
}

function showError(message) {
  errorOut.textContent = message ?? "";
  errorOut.hidden = !message;
  form.values.toggleAttribute("aria-invalid", Boolean(message));
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const field = form.field.value;
  const values = parseValues(field, form.values.value);
  const epochs = Number(form.epochs.value);
  showError(null);
  state.pending = { field, data: state.data };
  send(msg.sweep({ field, values }, epochs));
});

$("compare-stop").addEventListener("click", () => send(msg.sweepStop()));
form.field.addEventListener("change", () => {
  form.values.value = suggestedValues(form.field.value, state.config);
  state.touched = false;
  updateHint();
});
form.values.addEventListener("input", () => { state.touched = true; });

function updateHint() {
  const lambdaIdle = form.field.value === "reg_rate" && state.config?.regularization === "none";
  $("compare-lambda-hint").hidden = !lambdaIdle;
}

// "use this": the variant's value goes to the main run (its form, URL and server).
function use(index) {
  const s = state.sweep;
  if (!s) return;
  window.dispatchEvent(new CustomEvent("nnlive:use-config", { detail: { [s.field]: s.values[index] } }));
}

function begin(id, field, values, epochs, data) {
  state.sweep = { id, field, values, epochs, best: null, done: false, stopped: false,
    variants: values.map((value) => ({ value, epoch: 0 })) };
  multiples.reset(field, values, epochs, data ?? { train: [], test: [], task: "classification" });
  multiples.setBest(null);
  loop.invalidate();
}

const onMessage = {
  dataset(m) {
    state.config = m.config;
    state.data = { train: m.train, test: m.test, task: taskOf(m.config) };
    if (!state.touched) form.values.value = suggestedValues(form.field.value, m.config);
    updateHint();
  },
  sweep_started(m) {
    const data = state.pending?.data ?? state.data;
    state.pending = null;
    begin(m.sweep, m.field, m.values, m.epochs, data);
  },
  sweep_done(m) {
    const s = state.sweep;
    if (!s || s.id !== m.sweep) return;
    Object.assign(s, { done: true, stopped: m.stopped, best: m.best, variants: m.variants });
    multiples.numbers(m.variants);
    multiples.setBest(m.best);
    loop.invalidate();
  },
  error(m) {
    const ours = (m.field ?? "").startsWith("vary") || m.code === "no_sweep" ||
      (state.pending && (m.field === "epochs" || m.code === "no_run"));
    if (!ours) return;
    state.pending = null;
    showError(m.message);
  },
};

window.addEventListener("nnlive:message", (e) => onMessage[e.detail.type]?.(e.detail));
window.addEventListener("nnlive:sweep-frame", (e) => {
  const { header, grid } = e.detail;
  if (!state.sweep || header.sweep > state.sweep.id) { // a sweep this page did not start (a reload)
    begin(header.sweep, header.field, header.values, header.epochs, state.data);
  }
  const s = state.sweep;
  if (header.sweep !== s.id) return; // an older sweep's last frame
  multiples.update(header, grid);
  s.variants = header.variants.map(({ history, grid: _, ...numbers }) => numbers);
  s.best = header.best;
  s.done ||= header.done;
  multiples.setBest(header.best);
  loop.invalidate();
});

for (const link of document.querySelectorAll("[data-lang]")) {
  link.addEventListener("click", async () => { await i18n.load(link.dataset.lang); loop.invalidate(); });
}
window.addEventListener("resize", loop.invalidate);
form.values.value = suggestedValues(form.field.value, state.config);
updateHint();
// A read-only handle for the browser tests.
window.nnliveCompare = { state, stats: loop.stats };
