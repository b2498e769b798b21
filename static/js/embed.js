// The embeddable view: the output (heatmap, points, neuron lines), play/pause/reset,
// the controls chosen with controls=, presentation mode, and the conversation with the
// framing page (embed/bridge.js). It reuses the playground's modules; docs/embedding.md
// says how. embed.css lays it out inside its frame.

import { PROTOCOL_VERSION } from "./protocol.js";
import { createLiveRun } from "./live-run.js";
import { schema as readSchema } from "./schema.js";
import { createRenderLoop, fmt, throttle } from "./canvas.js";
import { createI18n } from "./i18n.js";
import { createOutputView } from "./output-view.js";
import { createConfigForm } from "./form.js";
import { configToQuery } from "./url.js";
import { createBridge } from "./embed/bridge.js";
import { disableLocked, lockedChange } from "./embed/locks.js";
import { showPlay, wireKeys, prefersReducedMotion } from "./controls.js";
import { describeError } from "./errors.js";
import { createPresentation, PRESENT_FONT_PX } from "./present.js";
import { naturalHeight } from "./embed/natural-height.js";

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("page-data").textContent);
const schema = readSchema();
const embed = page.embed;
const { t } = createI18n(page.lang, page.strings);
// Nothing moves by itself for a reader who asked for reduced motion, whatever autoplay says.
const autoplay = embed.autoplay && !prefersReducedMotion();
const loop = createRenderLoop(draw);
const formEl = $("config-form");
const live = createLiveRun(page.config, {
  message(m) { handlers[m.type]?.(m); loop.invalidate(); },
  frame: onFrame,
}, { autoplay, classroom: { t, form: formEl, anchor: $("banner") } }); // ?class=CODE
const { run } = live;
const output = createOutputView($("output"), {
  tooltip: $("output-tip"), t, onChange: loop.invalidate,
  onClick: ({ x1, x2 }) => { output.setProbe([x1, x2]); },
});
const form = formEl ? createConfigForm(formEl, { onChange: (partial) => change(partial, "form"), t }) : null;
const bridge = createBridge({ origins: embed.origins, parentOrigin: embed.parent_origin, onCommand: command });
const config = () => live.config.current; // as last sent
let lastStatus = "";

function draw() {
  output.setFrame(run.shown);
  output.draw();
  showText();
}

// The numbers at most 10 times a second (the newest always lands): see main.js.
const showText = throttle(() => {
  const frame = run.shown;
  $("epoch").textContent = frame ? String(frame.header.epoch) : "0";
  $("test-loss").textContent = fmt(frame?.header.test_loss);
  showPlay(run.state, t);
}, () => 100);

// A change from the learner's form or the parent's set_config; locked fields refused.
function change(partial, from) {
  const field = lockedChange(partial, config(), embed.lock);
  if (field) {
    const message = t("embed.refused_locked", { field });
    if (from === "form") { form?.set(config()); disableLocked(formEl, embed.lock); }
    bridge.post("error", { code: "locked", field, message });
    return;
  }
  for (const name of Object.keys(partial)) form?.clearError(name);
  live.update(partial);
}

function command(c) {
  if (c.type === "play") live.play();
  else if (c.type === "pause") live.pause();
  else if (c.type === "reset") live.reset();
  else if (c.config && typeof c.config === "object" && !Array.isArray(c.config)) change(c.config, "parent");
  else bridge.post("error", { code: "invalid_command", field: "config", message: "set_config needs config: an object of configuration fields." });
}

// Every problem with the page's parameters, in the page's language: next to its control
// when it has one, else in the box at the top.
function showPageErrors() {
  const list = $("embed-errors")?.querySelector("ul");
  const controls = new Set(embed.controls);
  const outside = [...embed.errors, ...page.errors.filter((e) => !controls.has(e.field))];
  list?.replaceChildren(...outside.map((e) => Object.assign(document.createElement("li"), { textContent: describeError(e, { t, schema }) })));
  for (const e of page.errors) if (controls.has(e.field)) form?.showError(e.field, describeError(e, { t, schema }));
}

function showBanner(text) {
  $("banner").textContent = text;
  $("banner").hidden = !text;
}

// Each message after the controller (live-run.js) has taken what it needs.
const handlers = {
  dataset(m) {
    output.setData(run.data);
    form?.set(m.config);
    form?.setLimits({ batch_size: { max: m.train.length } });
    disableLocked(formEl, embed.lock);
    $("open-full").href = `/?${configToQuery(m.config, { lang: page.lang })}`;
    bridge.post("config", { config: m.config });
  },
  status(m) {
    if (m.reset !== undefined) form?.pruneErrors(config());
    showBanner(m.state === "diverged" ? t("banner.diverged") : "");
    const key = `${m.state} ${m.epoch}`;
    if (key !== lastStatus) bridge.post("status", { state: m.state, epoch: m.epoch });
    lastStatus = key;
  },
  error(m) {
    const text = describeError(m, { t, schema });
    if (m.field && form) form.showError(m.field.replace(/\[.*$/, ""), text);
    else showBanner(text);
    bridge.post("error", { code: m.code, message: m.message, field: m.field ?? null });
  },
};

function onFrame(frame) {
  loop.invalidate();
  const h = frame.header;
  if (run.framesReceived === 1) bridge.post("ready", { protocol: PROTOCOL_VERSION, config: config(), controls: embed.controls, lock: embed.lock, lang: page.lang });
  bridge.epoch({ epoch: h.epoch, train_loss: h.train_loss, test_loss: h.test_loss, train_error: h.train_error, test_error: h.test_error });
}

$("play").addEventListener("click", live.toggle);
$("reset").addEventListener("click", () => { output.setProbe(null); live.reset(); });
wireKeys({ togglePlay: live.toggle, step: () => { if (run.state !== "running") live.step(1); } });
const presentation = createPresentation($("present"), {
  initial: embed.present,
  onChange(on) { output.setOptions({ fontPx: on ? PRESENT_FONT_PX : 10 }); },
});
window.addEventListener("resize", loop.invalidate);
disableLocked(formEl, embed.lock);
showPageErrors();
// The height the content would like at this width (plot as wide as the frame), so a
// page that follows the height event gives a frame where the plot is a full square.
bridge.watchHeight(naturalHeight($("embed-root"), $("embed-natural")));
// A read-only handle for the browser tests.
window.nnlive = { run, stats: loop.stats, output, presentation, client: live.client, bridge: { parent: bridge.parent, target: bridge.target } };
