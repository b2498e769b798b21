// One live training run for one demo: its own session through the page's live-run
// controller (live-run.js, as the playground and the embed), the standard controls
// (train/pause, reset, epoch, test error), the field view (output-view.js) when the demo
// has one, and one redraw per animation frame. Numbers in MathML are refreshed at most
// every NUMBERS_MS so the DOM stays calm.

import { createLiveRun } from "../live-run.js";
import { createRenderLoop, fmt } from "../canvas.js";
import { createOutputView } from "../output-view.js";

const NUMBERS_MS = 150;
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
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const ui = { play: $("play"), reset: $("reset"), epoch: $("epoch"), error: $("test-error") };
  const loop = createRenderLoop(draw);
  const fieldCanvas = $("field");
  const field = fieldCanvas ? createOutputView(fieldCanvas, { t, onChange: loop.invalidate, onClick: hooks.onClick ?? null }) : null;
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

  // Each message after the controller has taken what it needs (run state, config).
  const handlers = {
    dataset(m) {
      field?.setData(run.data);
      hooks.onDataset?.(m);
      changed();
    },
    status(m) {
      statusNote = m.state === "diverged" ? t("live.diverged") : "";
      changed();
    },
    probe(m) { hooks.onProbe?.(m); },
    error(m) { statusNote = m.message; console.warn(`nnlive lesson demo: ${m.message}`); changed(); },
  };

  // A class opening a lesson should not start every demo of the page at once: a demo
  // connects (takes a session, starts training) when it first comes near the viewport.
  const live = createLiveRun(config, {
    message: (m) => handlers[m.type]?.(m),
    frame(frame) {
      if (run.state === "running" && frame.header.epoch >= limit) {
        live.pause(); // idle pages stop training
        statusNote = t("live.paused_at_limit", { epochs: limit });
      }
      changed();
    },
    close(retry) { statusNote = retry ? t("live.reconnecting") : t("live.disconnected"); changed(); },
  }, { speed, deferred: true, classroom: { t } }); // ?class=CODE: the first demo to start joins
  const { run } = live;
  whenNearView(root, live.open);

  ui.play?.addEventListener("click", () => {
    if (run.state === "running") { live.pause(); return; }
    const epoch = run.ring.newest?.header.epoch ?? 0;
    if (epoch >= limit) limit = epoch + maxEpochs;
    live.play();
  });
  ui.reset?.addEventListener("click", live.reset);
  window.addEventListener("resize", changed);

  return {
    run, field, client: live.client, invalidate: changed,
    send: live.send,
    pause: live.pause,
    resume: live.play,
    update: live.update,
    // Pauses first so the probe and the frame sent on pausing share the same weights.
    probe(x, label) {
      if (run.state === "running") live.pause();
      live.probe(x, label);
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
