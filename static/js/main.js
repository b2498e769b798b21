// The playground page: wires the modules together. No drawing or protocol logic here.

import { PROTOCOL_VERSION } from "./protocol.js";
import { createLiveRun } from "./live-run.js";
import { schema as readSchema } from "./schema.js";
import { createRenderLoop, throttle } from "./canvas.js";
import { createI18n } from "./i18n.js";
import { createOutputView } from "./output-view.js";
import { createNetworkDiagram } from "./network.js";
import { createLossChart } from "./loss-chart.js";
import { createConfigForm } from "./form.js";
import { wireControls, showRunState, DEFAULT_SPEED, prefersReducedMotion } from "./controls.js";
import { writeUrl } from "./url.js";
import { createCustomData } from "./custom-data.js";
import { createReadouts } from "./readouts.js";
import { createZoom } from "./zoom.js";
import { describeError } from "./errors.js";
import { createColorScale } from "./color-scale.js";
import { createLayerButtons } from "./layer-buttons.js";
import { createWeightEditor } from "./weight-editor.js";
import { createPresentation, PRESENT_FONT_PX } from "./present.js";
import { predictionText } from "./prediction.js";
import { createToolkit } from "./toolkit/panel.js";
import { createRunNote } from "./run-note.js";

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("page-data").textContent);
const schema = readSchema();
const query = new URLSearchParams(location.search);
const i18n = createI18n(page.lang, page.strings);
const t = i18n.t;
const loop = createRenderLoop(draw);
const invalidate = loop.invalidate;
// Training waits for Play (a teacher explains first), unless ?autoplay=1 asks otherwise
// and the reader has not asked for reduced motion.
const autoplay = query.get("autoplay") === "1" && !prefersReducedMotion();
// The run, its socket and its configuration (as sent: the URL; and as it runs).
const live = createLiveRun(page.config, {
  message(m, info) { handlers[m.type]?.(m, info); window.dispatchEvent(new CustomEvent("nnlive:message", { detail: m })); },
  frame: invalidate,
  sweepFrame: (frame) => window.dispatchEvent(new CustomEvent("nnlive:sweep-frame", { detail: frame })),
  close: (retry) => readouts.banner(retry ? t("banner.reconnecting") : t("banner.disconnected")),
}, { autoplay, speed: DEFAULT_SPEED, classroom: { t, form: $("config-form"), anchor: $("banner") } });
const { run, config } = live;
const errors = new Map(); // field → the server's error shown for it (re-worded on a language switch)
let lastDrawn = null;
let played = autoplay;
let weightPending = false;
let presenting = false;
let toolkit = null; // the toolkit panel (made below, once the client exists)

const output = createOutputView($("output"), {
  tooltip: $("output-tip"), t, onChange: invalidate,
  onClick: (hit) => custom.click(hit),
  onCursor: (at) => readouts.cursor(at, at ? predictionText(run.shown, at, run.data.task, t) : ""),
});
const readouts = createReadouts({ t, run });
const runNote = createRunNote($("run-note"), { t, lang: () => (i18n.lang === "zh" ? "zh-CN" : "en") });
const zoom = createZoom({ t });
const diagram = createNetworkDiagram($("network"), {
  onHover: (hit, x, y) => readouts.network(hit, x, y, diagram.layout),
  onNeuronClick: (n) => { zoom.open(n); invalidate(); },
  onEdgeClick: editWeight,
  onLayout: (layout) => layerButtons.update(layout, config.current.hidden),
});
const chart = createLossChart($("loss-chart"), run.history, { onHover: readouts.chart, onChange: invalidate });
const form = createConfigForm($("config-form"), { onChange: sendUpdate, t });
const custom = createCustomData({ run, output, send: live.send, update: sendUpdate, t, form });
const scale = createColorScale($("color-scale"), { t });
const layerButtons = createLayerButtons($("layer-buttons"), { t, onChange: (hidden) => { form.setHidden(hidden); sendUpdate({ hidden }); } });
const weights = createWeightEditor($("weight-editor"), {
  describe: (hit) => readouts.edge(hit, diagram.layout),
  onSubmit(change) { weightPending = true; live.setWeight(change); },
});
const presentation = createPresentation($("present"), { initial: query.get("present") === "1", onChange: present });

function draw() {
  const frame = run.shown;
  output.setFrame(frame);
  diagram.setFrame(frame);
  chart.setMarker(run.scrub === null ? null : frame?.header.epoch ?? null);
  if (frame !== lastDrawn) { loop.stats.framesDrawn++; lastDrawn = frame; }
  output.draw();
  diagram.draw();
  chart.draw();
  zoom.draw(frame, run.data.task);
  showText();
}

// The text around the canvases changes with every frame, but nobody reads numbers at
// 60 a second: redrawn at most every TEXT_MS (the newest always lands), which spares
// the browser a style, layout and paint pass on most frames.
const TEXT_MS = 100;
const showText = throttle(() => {
  const frame = run.shown;
  readouts.numbers(frame);
  showSeries();
  scale.update({ task: run.data.task, range: frame?.header.grid?.range, classes: frame?.header.grid?.shape[2] ?? 2 });
  const hint = played || run.state === "running" || (frame?.header.epoch ?? 0) > 0;
  if ($("start-hint").hidden !== hint) $("start-hint").hidden = hint;
  showRunState({ state: run.state, ringLength: run.ring.length, scrub: run.scrub, shownEpoch: frame?.header.epoch ?? null }, t);
}, () => TEXT_MS);

// The legend and the top bar name only what the chart draws.
function showSeries() {
  for (const key of document.querySelectorAll("#chart-legend [data-series]")) {
    const hide = !chart.hasValues(key.dataset.series);
    if (key.hidden !== hide) key.hidden = hide;
  }
  const noValidation = !chart.hasValues("validation_loss");
  for (const el of document.querySelectorAll("[data-validation]")) if (el.hidden !== noValidation) el.hidden = noValidation;
}

function present(on) {
  presenting = on;
  const px = on ? PRESENT_FONT_PX : null;
  output.setOptions({ fontPx: px ?? 10 });
  chart.setOptions({ fontPx: px ?? 10 });
  diagram.setFontPx(px ?? 11);
  writeUrl(config.current, urlExtra());
  invalidate();
}

function urlExtra() {
  const data = config.current.dataset === "custom" ? toolkit?.dataId : null; // points by id
  return { lang: i18n.lang, autoplay: query.get("autoplay"), present: presenting ? "1" : null, data };
}

function sendUpdate(change) {
  const partial = live.update(custom.complete(change));
  for (const field of Object.keys(partial)) clearError(field);
  writeUrl(config.current, urlExtra());
}

function showError(field, error) {
  errors.set(field, error);
  form.showError(field, describeError(error, { t, schema }));
}

function clearError(field) { errors.delete(field); form.clearError(field); }

// A click on a connection: pause, then a small editor for that weight or bias.
function editWeight(hit, x, y) {
  if (run.state === "running") live.pause();
  run.scrub = null;
  weights.open(hit, x, y);
}

// A new run or a reset: the probed point's numbers no longer hold.
function forgetProbe() {
  readouts.clearProbe();
  output.setProbe(null);
}

const WEIGHT_FIELDS = new Set(["layer", "from", "to", "value"]);

// Each message after the controller (live-run.js) has taken what it needs.
const handlers = {
  hello(m) {
    readouts.banner(m.protocol === PROTOCOL_VERSION ? null : t("banner.protocol", { got: m.protocol, want: PROTOCOL_VERSION }));
    runNote.hello(m);
  },
  dataset(m, { fresh }) {
    const good = m.config;
    form.set(good);
    form.setLimits({ batch_size: { max: m.train.length } }); // the rows trained on
    diagram.setFeatures(good.features, run.data.task);
    layerButtons.update(null, good.hidden);
    output.setData(run.data);
    custom.onDataset(good);
    for (const el of document.querySelectorAll("[data-classification]")) el.hidden = run.data.task !== "classification";
    if (fresh) forgetProbe();
    writeUrl(good, urlExtra());
    invalidate();
  },
  status(m) {
    runNote.status(m);
    readouts.banner(m.state === "diverged" ? t("banner.diverged") : null);
    if (m.reset) forgetProbe();
    if (m.reset !== undefined) { // the answer to an update or a reset
      for (const field of form.pruneErrors(config.current)) errors.delete(field);
    }
    if (weightPending) { weightPending = false; weights.done(); }
    invalidate();
  },
  probe(m) { readouts.probe(m, config.current.hidden.length); },
  error(m) {
    if (m.field?.startsWith("vary") || m.code === "no_sweep") return; // the compare panel's
    if (WEIGHT_FIELDS.has(m.field) || (weightPending && m.code === "not_paused")) {
      weightPending = false;
      weights.showError(describeError(m, { t, schema }));
    } else if (m.field) {
      showError(m.field.replace(/\[.*$/, ""), m);
      if (m.code === "invalid_config") writeUrl(config.current, urlExtra()); // it did not happen: the address says what runs
    } else if (m.code !== "unknown_session") readouts.banner(describeError(m, { t, schema }));
  },
};

const controls = wireControls({
  togglePlay() {
    if (run.state === "running") { live.pause(); return; }
    played = true;
    run.scrub = null;
    live.play();
  },
  step() { played = true; if (run.state === "running") live.pause(); live.step(1); run.scrub = null; },
  reset() { run.scrub = null; forgetProbe(); live.reset(); },
  speed: live.speed,
  scrub(index) {
    if (run.state === "running") live.pause();
    run.scrub = index;
    invalidate();
  },
  trainHere() {
    const frame = run.shown;
    if (!frame) return;
    run.scrub = null;
    live.restore(frame.header.epoch);
    live.play();
  },
  toggle(name, on) {
    if (name === "bias") diagram.setShowBias(on);
    else if (name === "logY") chart.setOptions({ logY: on });
    else output.setOptions({ [name]: on });
    invalidate();
  },
  smoothing(v) { chart.setOptions({ smoothing: v }); },
}, t);

// "New data": the same settings with a new random seed.
$("regenerate").addEventListener("click", () => {
  const seed = crypto.getRandomValues(new Uint32Array(1))[0];
  form.set({ ...config.current, seed });
  sendUpdate({ seed });
});

for (const link of document.querySelectorAll("[data-lang]")) {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    await i18n.load(link.dataset.lang);
    form.relabel();
    controls.relabel();
    readouts.relabel();
    runNote.relabel();
    layerButtons.relabel();
    custom.relabel();
    live.relabel();
    for (const [field, error] of errors) form.showError(field, describeError(error, { t, schema }));
    writeUrl(config.current, urlExtra());
    $("lessons-link").href = `/lessons?lang=${i18n.lang}`;
    invalidate();
  });
}

// The compare panel (compare/panel.js) sends its sweep messages and applies a variant.
window.addEventListener("nnlive:send", (e) => { if (/^sweep/.test(e.detail?.type)) live.send(e.detail); });
window.addEventListener("nnlive:use-config", (e) => { form.set({ ...config.current, ...e.detail }); sendUpdate(e.detail); });
window.addEventListener("resize", invalidate);
const keptData = query.get("data") && page.config.dataset === "custom" && !page.errors.some((e) => e.field === "data");
toolkit = createToolkit($("toolkit"), {
  t, run, send: live.send, config: () => config.current, outputCanvas: $("output"),
  update(fields) { form.set({ ...config.current, ...fields }); sendUpdate(fields); },
  scrubTo(index) { run.scrub = index; invalidate(); },
  rewriteUrl: () => writeUrl(config.current, urlExtra()),
  initialData: keptData ? [page.config.points, query.get("data")] : null,
});
form.set(config.current);
for (const e of page.errors) showError(e.field, e);
writeUrl(config.current, urlExtra());
// A handle for the browser tests and bench/browser.py (read-only use).
window.nnlive = { run, diagram, output, chart, stats: loop.stats, client: live.client, presentation, toolkit };
