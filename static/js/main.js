// The playground page: wires the modules together. No drawing or protocol logic here.

import { connect, msg, PROTOCOL_VERSION } from "./protocol.js";
import { createRenderLoop } from "./canvas.js";
import { createI18n } from "./i18n.js";
import { createRun } from "./run.js";
import { createOutputView } from "./output-view.js";
import { createNetworkDiagram } from "./network.js";
import { createLossChart } from "./loss-chart.js";
import { createConfigForm } from "./form.js";
import { wireControls, showRunState, DEFAULT_SPEED } from "./controls.js";
import { writeUrl } from "./url.js";
import { createCustomData } from "./custom-data.js";
import { createReadouts } from "./readouts.js";
import { createZoom } from "./zoom.js";

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("page-data").textContent);
const i18n = createI18n(page.lang, page.strings);
const t = i18n.t;
const run = createRun();
const loop = createRenderLoop(draw);
const invalidate = loop.invalidate;
let good = page.config; // the configuration as sent (the URL shows it)
const before = {}; // each field's value before its last change, restored if refused
let lastDrawn = null;
let speed = DEFAULT_SPEED;

const output = createOutputView($("output"), { tooltip: $("output-tip"), t, onChange: invalidate, onClick: (hit) => custom.click(hit) });
const readouts = createReadouts({ t, run });
const zoom = createZoom({ t });
const diagram = createNetworkDiagram($("network"), { onHover: (hit, x, y) => readouts.network(hit, x, y, diagram.layout), onNeuronClick: (n) => { zoom.open(n); invalidate(); } });
const chart = createLossChart($("loss-chart"), run.history, { onHover: readouts.chart, onChange: invalidate });
const form = createConfigForm($("config-form"), { onChange: sendUpdate, t });
const custom = createCustomData({ run, output, send: (m) => client.send(m), update: sendUpdate, t });

function draw() {
  const frame = run.shown;
  output.setFrame(frame);
  diagram.setFrame(frame);
  chart.setMarker(run.scrub === null ? null : frame?.header.epoch ?? null);
  if (frame !== lastDrawn) { loop.stats.framesDrawn++; lastDrawn = frame; }
  output.draw();
  diagram.draw();
  chart.draw();
  zoom.draw(frame);
  readouts.numbers(frame);
  showRunState({ state: run.state, ringLength: run.ring.length, scrub: run.scrub, shownEpoch: frame?.header.epoch ?? null }, t);
}

function sendUpdate(change) {
  const partial = custom.complete(change);
  for (const field of Object.keys(partial)) { form.clearError(field); before[field] = good[field]; }
  good = { ...good, ...partial };
  writeUrl(good, { lang: i18n.lang });
  client.send(msg.update(partial));
}

const handlers = {
  hello(m) {
    readouts.banner(m.protocol === PROTOCOL_VERSION ? null : t("banner.protocol", { got: m.protocol, want: PROTOCOL_VERSION }));
    if (m.resumed) return; // the server kept our run while we were away
    client.send(msg.start(good));
    client.send(msg.speed(speed));
  },
  dataset(m) {
    run.setDataset(m);
    good = m.config;
    form.set(good);
    diagram.setFeatures(good.features, run.data.task);
    output.setData(run.data);
    custom.onDataset(good);
    writeUrl(good, { lang: i18n.lang });
    invalidate();
  },
  status(m) { run.state = m.state; readouts.banner(m.state === "diverged" ? t("banner.diverged") : null); invalidate(); },
  probe(m) { readouts.probe(m, good.hidden.length); },
  error(m) {
    if (m.field?.startsWith("vary") || m.code === "no_sweep") return; // the compare panel's
    if (m.field) {
      const field = m.field.replace(/\[.*$/, "");
      form.showError(field, m.message);
      if (field in before) revert(field);
    } else if (m.code !== "unknown_session") readouts.banner(m.message); // then we start anew
  },
};

// A refused value stays in its control (so it can be fixed) but leaves the URL.
function revert(field) {
  good = { ...good, [field]: before[field] };
  writeUrl(good, { lang: i18n.lang });
}

const client = connect("/ws/train", {
  onMessage: (m) => { handlers[m.type]?.(m); window.dispatchEvent(new CustomEvent("nnlive:message", { detail: m })); },
  onFrame: (frame) => {
    if (frame.header.kind === "sweep") window.dispatchEvent(new CustomEvent("nnlive:sweep-frame", { detail: frame }));
    else if (run.addFrame(frame)) invalidate();
  },
  onClose: (retry) => readouts.banner(retry ? t("banner.reconnecting") : t("banner.disconnected")),
});

const controls = wireControls({
  togglePlay() {
    if (run.state === "running") { client.send(msg.pause()); return; }
    run.scrub = null;
    client.send(msg.resume());
  },
  step() { if (run.state === "running") client.send(msg.pause()); client.send(msg.step(1)); run.scrub = null; },
  reset() { run.scrub = null; client.send(msg.reset()); },
  speed(eps) { speed = eps; client.send(msg.speed(eps)); },
  scrub(index) {
    if (run.state === "running") client.send(msg.pause());
    run.scrub = index;
    invalidate();
  },
  trainHere() {
    const frame = run.shown;
    if (!frame) return;
    run.scrub = null;
    client.send(msg.restore(frame.header.epoch));
    client.send(msg.resume());
  },
  toggle(name, on) {
    if (name === "bias") diagram.setShowBias(on);
    else if (name === "logY") chart.setOptions({ logY: on });
    else output.setOptions({ [name]: on });
    invalidate();
  },
  smoothing(v) { chart.setOptions({ smoothing: v }); },
}, t);

for (const link of document.querySelectorAll("[data-lang]")) {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    await i18n.load(link.dataset.lang);
    form.relabel();
    controls.relabel();
    readouts.relabel();
    writeUrl(good, { lang: i18n.lang });
    document.getElementById("lessons-link").href = `/lessons?lang=${i18n.lang}`;
    invalidate();
  });
}

// The compare panel (compare/panel.js) sends its sweep messages and applies a variant.
window.addEventListener("nnlive:send", (e) => { if (/^sweep/.test(e.detail?.type)) client.send(e.detail); });
window.addEventListener("nnlive:use-config", (e) => { form.set({ ...good, ...e.detail }); sendUpdate(e.detail); });
window.addEventListener("resize", invalidate);
form.set(good);
for (const e of page.errors) form.showError(e.field, e.message);
writeUrl(good, { lang: i18n.lang });
// A handle for the browser tests and bench/browser.py (read-only use).
window.nnlive = { run, diagram, output, chart, stats: loop.stats, client };
