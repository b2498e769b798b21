// The spotlight: one learner large, for the projector — the output (heatmap, training and
// test points, neuron lines), the network diagram and the loss chart, drawn by the same
// modules as the playground from the learner's newest frame (GET …/spotlight: the frame
// the learner's own page got, with the whole run's history). Esc or Close ends it.

import { decodeFrame } from "../protocol.js";
import { createOutputView } from "../output-view.js";
import { createNetworkDiagram } from "../network.js";
import { createLossChart } from "../loss-chart.js";
import { createHistory } from "../history.js";
import { createRenderLoop, fmt } from "../canvas.js";
import { taskOf } from "../schema.js";
import { createPresentation, PRESENT_FONT_PX } from "../present.js";

const $ = (id) => document.getElementById(id);

// api: the class API; rowsOf(learnerId, dataKey) → Promise of {train, test, task} rows.
export function createSpotlight({ t, api, rowsOf }) {
  const overlay = $("spotlight");
  const loop = createRenderLoop(draw);
  const output = createOutputView($("spot-output"), { t, onChange: loop.invalidate });
  const diagram = createNetworkDiagram($("spot-network"));
  const history = createHistory();
  const chart = createLossChart($("spot-chart"), history, { onChange: loop.invalidate });
  const presentation = createPresentation($("spot-present"), { onChange: present });
  const state = { id: null, frame: null, dataKey: null, returnTo: null, framesShown: 0 };

  function draw() {
    output.setFrame(state.frame);
    diagram.setFrame(state.frame);
    output.draw();
    diagram.draw();
    chart.draw();
  }

  function present(on) {
    const px = on ? PRESENT_FONT_PX : null;
    output.setOptions({ fontPx: px ?? 10 });
    chart.setOptions({ fontPx: px ?? 10 });
    diagram.setFontPx(px ?? 11);
    loop.invalidate();
  }

  async function open(learner, returnTo) {
    Object.assign(state, { id: learner.session_prefix, frame: null, dataKey: null, returnTo });
    history.clear();
    $("spot-name").textContent = learner.name;
    overlay.hidden = false;
    $("spot-close").focus();
    await api.spotlight(learner.session_prefix);
    refresh();
  }

  async function close() {
    if (overlay.hidden) return;
    overlay.hidden = true;
    if (presentation.on) presentation.set(false);
    state.id = null;
    state.returnTo?.focus();
    await api.spotlight(null);
  }

  // The newest frame of the spotlit learner (ignored if it is someone else's: the
  // spotlight moved meanwhile).
  async function refresh() {
    if (state.id === null) return;
    const buffer = await api.spotlightFrame();
    if (!buffer || state.id === null) return;
    const frame = decodeFrame(buffer);
    if (frame.header.id !== state.id) return;
    if (frame.header.data !== state.dataKey) {
      const rows = await rowsOf(state.id, frame.header.data);
      if (!rows || state.id !== frame.header.id) return;
      state.dataKey = frame.header.data;
      output.setData({ ...rows, task: taskOf(frame.header.config) });
      diagram.setFeatures(frame.header.config.features, taskOf(frame.header.config));
    }
    state.frame = frame;
    state.framesShown++;
    history.clear();
    for (const entry of frame.header.history) history.push(entry);
    showNumbers(frame.header);
    loop.invalidate();
  }

  function showNumbers(header) {
    const last = header.history[header.history.length - 1] ?? {};
    $("spot-epoch").textContent = String(header.epoch);
    $("spot-train").textContent = fmt(header.train_loss);
    $("spot-test").textContent = fmt(header.test_loss);
    const validation = last.validation_loss ?? null;
    $("spot-validation-stat").hidden = validation === null;
    $("spot-validation").textContent = fmt(validation);
  }

  $("spot-close").addEventListener("click", close);
  overlay.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); close(); } });
  overlay.addEventListener("click", (event) => { if (event.target === overlay) close(); });
  window.addEventListener("resize", loop.invalidate);

  return {
    open, close, refresh,
    get id() { return state.id; },
    get framesShown() { return state.framesShown; },
    redraw: loop.invalidate,
  };
}
