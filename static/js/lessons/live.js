// One live training run for one demo: its own WebSocket session (protocol.js), the
// run state (run.js), the standard controls (train/pause, reset, epoch, test error),
// the field view (output-view.js) when the demo has one, and one redraw per animation
// frame. Numbers in MathML are refreshed at most every NUMBERS_MS so the DOM stays calm.

import { connect, msg } from "../protocol.js";
import { createRenderLoop, fmt } from "../canvas.js";
import { createRun } from "../run.js";
import { createOutputView } from "../output-view.js";
import { classQuery, createClassLine } from "../class-join.js";

const NUMBERS_MS = 150;
let classLine = null; // ?class=CODE: one line per page, made when its demo joins
const NEAR_VIEW = "300px"; // how close to the viewport a demo starts

function whenNearView(element, start) {
  if (!("IntersectionObserver" in window)) { start(); return; }
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    start();
  }, { rootMargin: NEAR_VIEW });
  observer.observe(element);
}

// hooks: {draw(frame), numbers(frame), onDataset(message), onProbe(message), onClick(hit)}.
// options: {speed (epochs/s), maxEpochs (pause there so idle pages stop training)}.
export function createLive(root, config, t, hooks = {}, { speed = 30, maxEpochs = 3000 } = {}) {
  const run = createRun();
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const ui = { play: $("play"), reset: $("reset"), epoch: $("epoch"), error: $("test-error") };
  const loop = createRenderLoop(draw);
  const fieldCanvas = $("field");
  const field = fieldCanvas ? createOutputView(fieldCanvas, { t, onChange: loop.invalidate, onClick: hooks.onClick ?? null }) : null;
  let started = false;
  let lastNumbers = 0;
  let numbersDirty = false;
  let statusNote = "";
  let limit = maxEpochs;

  function draw() {
    const frame = run.shown;
    if (field) { field.setFrame(frame); field.draw(); }
    hooks.draw?.(frame);
    if (!numbersDirty) return;
    const now = performance.now();
    if (now - lastNumbers < NUMBERS_MS && run.state === "running") { loop.invalidate(); return; }
    lastNumbers = now;
    numbersDirty = false;
    showReadouts(frame);
    if (frame) hooks.numbers?.(frame);
  }

  function showReadouts(frame) {
    if (ui.epoch) ui.epoch.textContent = frame ? String(frame.header.epoch) : "0";
    if (ui.error) ui.error.textContent = frame ? fmt(frame.header.test_error, 3) : "—";
    if (ui.play) {
      const running = run.state === "running";
      ui.play.textContent = running ? t("live.pause") : t("live.play");
      ui.play.setAttribute("aria-pressed", String(running));
      ui.play.title = statusNote;
    }
  }

  function changed() { numbersDirty = true; loop.invalidate(); }

  const handlers = {
    hello(m) {
      if (started && m.session === client.session) return;
      started = true;
      client.send(msg.start(config));
      client.send(msg.speed(speed));
    },
    dataset(m) {
      run.setDataset(m);
      field?.setData(run.data);
      hooks.onDataset?.(m);
      changed();
    },
    status(m) {
      run.state = m.state;
      statusNote = m.state === "diverged" ? t("live.diverged") : "";
      changed();
    },
    probe(m) { hooks.onProbe?.(m); },
    class(m) { (classLine ??= createClassLine({ t })).message(m); },
    error(m) {
      if ((classLine ??= createClassLine({ t })).refused(m)) return;
      statusNote = m.message; console.warn(`nnlive lesson demo: ${m.message}`); changed();
    },
  };

  // A class opening a lesson should not start every demo of the page at once: a demo
  // connects (takes a session, starts training) when it first comes near the viewport.
  const client = connect("/ws/train", {
    onMessage: (m) => handlers[m.type]?.(m),
    onFrame: (frame) => {
      if (!run.addFrame(frame)) return;
      if (run.state === "running" && frame.header.epoch >= limit) {
        client.send(msg.pause());
        statusNote = t("live.paused_at_limit", { epochs: limit });
      }
      changed();
    },
    onClose: (retry) => { statusNote = retry ? t("live.reconnecting") : t("live.disconnected"); changed(); },
  }, { deferred: true });
  // in a class (?class=CODE), the page's first demo to start is the learner's run there
  whenNearView(root, () => classQuery(t).then((joining) => client.open(joining)));

  ui.play?.addEventListener("click", () => {
    if (run.state === "running") { client.send(msg.pause()); return; }
    const epoch = run.ring.newest?.header.epoch ?? 0;
    if (epoch >= limit) limit = epoch + maxEpochs;
    client.send(msg.resume());
  });
  ui.reset?.addEventListener("click", () => client.send(msg.reset()));
  window.addEventListener("resize", changed);

  return {
    run, field, client, invalidate: changed,
    send: (m) => client.send(m),
    pause: () => client.send(msg.pause()),
    resume: () => client.send(msg.resume()),
    update: (partial) => client.send(msg.update(partial)),
    // Pauses first so the probe and the frame sent on pausing share the same weights.
    probe(x, label) {
      if (run.state === "running") client.send(msg.pause());
      client.send(msg.probe(x, label));
    },
    // The newest frame received at `epoch` (frames carry the weights of their epoch).
    frameAt(epoch) {
      for (let i = run.ring.length - 1; i >= 0; i--) {
        const frame = run.ring.at(i);
        if (frame.header.epoch === epoch) return frame;
        if (frame.header.epoch < epoch) return null;
      }
      return null;
    },
  };
}
