// Lesson 8: softmax cross-entropy for one clicked point of three_blobs (cat, dog,
// sheep). The server's probe gives the logits; this page takes them through exp,
// the sum, the probabilities and −log p of the true class, and shows the server's own
// probabilities and loss beside them.

import { createLive } from "../live.js";
import { fill } from "../mathml.js";
import { drawPlot } from "../plot.js";
import { nearestPoint } from "../../points.js";
import { fmt } from "../../canvas.js";

const NAMES = ["softmax.cat", "softmax.dog", "softmax.sheep"];

// exp, sum, probabilities and each −log p_k, from the logits z.
export function softmaxSteps(z) {
  const exps = z.map(Math.exp);
  const sum = exps.reduce((a, b) => a + b, 0);
  const top = Math.max(...z); // shifting by the largest logit keeps the ratios finite
  const shifted = z.map((v) => Math.exp(v - top));
  const total = shifted.reduce((a, b) => a + b, 0);
  const probs = shifted.map((e) => e / total);
  return { exps, sum, probs, nlogs: probs.map((p) => -Math.log(p)) };
}

export function start(root, { config, t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const state = { x: null, label: 0, probe: null, steps: null };
  const live = createLive(root, config, t, { draw, onProbe, onClick }, { speed: 20, maxEpochs: 2000 });
  const radios = [...root.querySelectorAll('input[name="true-class"]')];

  // The nearest data point (within a few pixels) gives both the place and the class.
  function onClick({ x1, x2 }) {
    const { train, test } = live.run.data;
    const rows = [...train, ...test];
    const square = live.field.square;
    const i = nearestPoint(rows, square, square.px(x1), square.py(x2), 10);
    state.x = i >= 0 ? [rows[i][0], rows[i][1]] : [x1, x2];
    if (i >= 0) setLabel(rows[i][2]);
    ask();
  }

  function setLabel(label) {
    state.label = label;
    radios.forEach((r) => { r.checked = Number(r.value) === label; });
  }

  function ask() {
    if (!state.x) return;
    live.field.setProbe(state.x);
    live.probe(state.x, state.label);
  }

  for (const r of radios) r.addEventListener("change", () => { if (r.checked) { state.label = Number(r.value); ask(); } });

  function onProbe(message) {
    const z = message.layers[message.layers.length - 1].z;
    const steps = softmaxSteps(z);
    const y = message.label;
    state.probe = message;
    state.steps = steps;
    const values = { sum: steps.sum, ey: steps.exps[y], py: steps.probs[y], loss: steps.nlogs[y], server_loss: message.loss };
    z.forEach((v, k) => Object.assign(values, { [`z${k}`]: v, [`e${k}`]: steps.exps[k], [`p${k}`]: steps.probs[k], [`nl${k}`]: steps.nlogs[k] }));
    fill(root, values, 4);
    for (const row of root.querySelectorAll("tr[data-class]")) row.classList.toggle("true", Number(row.dataset.class) === y);
    $("point-text").textContent = t("softmax.point", {
      x1: fmt(message.x[0], 2), x2: fmt(message.x[1], 2), label: t(NAMES[y]), epoch: message.epoch,
    });
    $("server-probs").textContent = t("softmax.server_probs", { values: message.probabilities.map((p) => fmt(p, 4)).join(", ") });
    live.invalidate();
  }

  function draw() {
    const p = state.steps && state.probe ? state.steps.probs[state.probe.label] : null;
    const marks = p === null ? [] : [
      { x: p, y: -Math.log(p), color: "#c0392b", label: `−log ${fmt(p, 3)} = ${fmt(-Math.log(p), 3)}` },
      { x: p, y: Math.log(p), color: "#888" },
    ];
    drawPlot($("log-plot"), {
      x: [0, 1], y: [-4, 4], xTicks: [0, 0.25, 0.5, 0.75, 1], yTicks: [-4, -2, 0, 2, 4], xLabel: "p",
      curves: [{ fn: Math.log, color: "#999", width: 2 }, { fn: (v) => -Math.log(v), color: "#222", width: 2.2 }],
      marks,
    });
  }

  return { live, get probe() { return state.probe; }, get steps() { return state.steps; } };
}
