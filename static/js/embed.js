// The embeddable view: the output (heatmap, points, neuron lines), play/pause and the
// test loss. It reuses the playground's modules; issue 7 extends it.

import { connect, msg } from "./protocol.js";
import { createRenderLoop, fmt } from "./canvas.js";
import { createI18n } from "./i18n.js";
import { createRun } from "./run.js";
import { createOutputView } from "./output-view.js";
import { configToQuery } from "./url.js";

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("page-data").textContent);
const { t } = createI18n(page.lang, page.strings);
const run = createRun();
const loop = createRenderLoop(draw);
const output = createOutputView($("output"), {
  tooltip: $("output-tip"), t, onChange: loop.invalidate,
  onClick: ({ x1, x2 }) => { output.setProbe([x1, x2]); },
});
let started = false;

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

const client = connect("/ws/train", {
  onMessage(m) {
    if (m.type === "hello" && !started) { started = true; client.send(msg.start(page.config)); }
    else if (m.type === "dataset") {
      run.setDataset(m);
      output.setData(run.data);
      $("open-full").href = `/?${configToQuery(m.config, { lang: page.lang })}`;
    } else if (m.type === "status") run.state = m.state;
    else if (m.type === "error") { $("banner").textContent = m.message; $("banner").hidden = false; }
    loop.invalidate();
  },
  onFrame: (frame) => { if (run.addFrame(frame)) loop.invalidate(); },
});

$("play").addEventListener("click", () => client.send(run.state === "running" ? msg.pause() : msg.resume()));
window.addEventListener("resize", loop.invalidate);
window.nnlive = { run, stats: loop.stats };
