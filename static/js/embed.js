// The embeddable view: the output (heatmap, points, neuron lines), play/pause/reset,
// the controls chosen with controls=, and the conversation with the framing page
// (embed/bridge.js). It reuses the playground's modules; docs/embedding.md says how.

import { connect, msg, PROTOCOL_VERSION } from "./protocol.js";
import { createRenderLoop, fmt } from "./canvas.js";
import { createI18n } from "./i18n.js";
import { createRun } from "./run.js";
import { createOutputView } from "./output-view.js";
import { createConfigForm } from "./form.js";
import { configToQuery } from "./url.js";
import { createBridge } from "./embed/bridge.js";
import { disableLocked, lockedChange } from "./embed/locks.js";

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("page-data").textContent);
const embed = page.embed;
const { t } = createI18n(page.lang, page.strings);
const run = createRun();
const loop = createRenderLoop(draw);
const output = createOutputView($("output"), {
  tooltip: $("output-tip"), t, onChange: loop.invalidate,
  onClick: ({ x1, x2 }) => { output.setProbe([x1, x2]); },
});
const formEl = $("config-form");
const form = formEl ? createConfigForm(formEl, { onChange: (partial) => change(partial, "form"), t }) : null;
const bridge = createBridge({ origins: embed.origins, parentOrigin: embed.parent_origin, onCommand: command });
let config = page.config;
let started = false;
let lastStatus = "";

function draw() {
  const frame = run.shown;
  output.setFrame(frame);
  output.draw();
  $("epoch").textContent = frame ? String(frame.header.epoch) : "0";
  $("test-loss").textContent = fmt(frame?.header.test_loss);
  const running = run.state === "running";
  $("play").textContent = running ? t("controls.pause") : t("controls.play");
  $("play").setAttribute("aria-pressed", String(running));
}

// A change from the learner's form or the parent's set_config; locked fields refused.
function change(partial, from) {
  const field = lockedChange(partial, config, embed.lock);
  if (field) {
    const message = t("embed.refused_locked", { field });
    if (from === "form") { form?.set(config); disableLocked(formEl, embed.lock); }
    bridge.post("error", { code: "locked", field, message });
    return;
  }
  for (const name of Object.keys(partial)) form?.clearError(name);
  client.send(msg.update(partial));
}

function command(c) {
  if (c.type === "play") client.send(msg.resume());
  else if (c.type === "pause") client.send(msg.pause());
  else if (c.type === "reset") client.send(msg.reset());
  else if (c.config && typeof c.config === "object" && !Array.isArray(c.config)) change(c.config, "parent");
  else bridge.post("error", { code: "invalid_command", field: "config", message: "set_config needs config: an object of configuration fields." });
}

const handlers = {
  hello(m) {
    if (m.resumed || started) return; // the server kept our run while we were away
    started = true;
    client.send(msg.start(config));
    if (!embed.autoplay) client.send(msg.restore(0)); // back to epoch 0, paused
  },
  dataset(m) {
    run.setDataset(m);
    config = m.config;
    output.setData(run.data);
    form?.set(config);
    disableLocked(formEl, embed.lock);
    $("open-full").href = `/?${configToQuery(config, { lang: page.lang })}`;
    bridge.post("config", { config });
  },
  status(m) {
    run.state = m.state;
    const key = `${m.state} ${m.epoch}`;
    if (key !== lastStatus) bridge.post("status", { state: m.state, epoch: m.epoch });
    lastStatus = key;
  },
  error(m) {
    if (m.field && form) form.showError(m.field.replace(/\[.*$/, ""), m.message);
    else { $("banner").textContent = m.message; $("banner").hidden = false; }
    bridge.post("error", { code: m.code, message: m.message, field: m.field ?? null });
  },
};

const client = connect("/ws/train", {
  onMessage(m) { handlers[m.type]?.(m); loop.invalidate(); },
  onFrame(frame) {
    if (!run.addFrame(frame)) return;
    loop.invalidate();
    const h = frame.header;
    if (run.framesReceived === 1) bridge.post("ready", { protocol: PROTOCOL_VERSION, config, controls: embed.controls, lock: embed.lock, lang: page.lang });
    bridge.epoch({ epoch: h.epoch, train_loss: h.train_loss, test_loss: h.test_loss, train_error: h.train_error, test_error: h.test_error });
  },
});

$("play").addEventListener("click", () => client.send(run.state === "running" ? msg.pause() : msg.resume()));
$("reset").addEventListener("click", () => client.send(msg.reset()));
window.addEventListener("resize", loop.invalidate);
disableLocked(formEl, embed.lock);
bridge.watchHeight($("embed-root"));
// A read-only handle for the browser tests.
window.nnlive = { run, stats: loop.stats, bridge: { parent: bridge.parent, target: bridge.target } };
