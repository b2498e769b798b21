// Lesson 1: one neuron. Its w1, w2, b and the k, b_ℓ of the same line, live; a click
// pauses training and probes the point, and its z is marked on the sigmoid curve.

import { createLive } from "../live.js";
import { fill } from "../mathml.js";
import { drawPlot } from "../plot.js";
import { sigmoid } from "../mlp.js";
import { slopeForm } from "../../lines.js";
import { fmt } from "../../canvas.js";

export function start(root, { config, t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const plot = $("sigmoid-plot");
  const state = { probe: null, shown: null }; // shown: the probe the derivation displays
  const live = createLive(root, config, t, { draw, numbers, onProbe, onClick }, { speed: 20, maxEpochs: 1500 });

  function weightsOf(frame) {
    const { weights, biases } = frame.header;
    return { w1: weights[0][0][0], w2: weights[0][1][0], b: biases[0][0] };
  }

  function numbers(frame) {
    const { w1, w2, b } = weightsOf(frame);
    const form = slopeForm({ w1, w2, b });
    fill(root, { w1, w2, b, k: form?.k ?? null, c: form?.c ?? null });
    if (state.probe && !state.shown) showProbe();
  }

  function onClick({ x1, x2 }) {
    live.field.setProbe([x1, x2]);
    live.probe([x1, x2]);
  }

  function onProbe(message) {
    state.probe = message;
    state.shown = null;
    showProbe();
  }

  // The derivation uses the weights of the frame at the probe's epoch (sent on pausing).
  function showProbe() {
    const frame = live.frameAt(state.probe.epoch);
    if (!frame) return;
    const p = state.probe;
    const z = p.layers[0].z[0];
    const { w1, w2, b } = weightsOf(frame);
    fill(root.querySelector('[data-role="probe-math"]'), {
      x1: p.x[0], x2: p.x[1], pw1: w1, pw2: w2, pb: b, z, p: sigmoid(z),
    });
    $("server-p").textContent = fmt(p.probabilities[0], 4);
    state.shown = p;
    live.invalidate();
  }

  function draw() {
    const z = state.shown?.layers[0].z[0];
    const marks = Number.isFinite(z) ? [{ x: Math.max(-8, Math.min(8, z)), y: sigmoid(z), color: "#c0392b", label: `z = ${fmt(z, 2)}` }] : [];
    drawPlot(plot, {
      x: [-8, 8], y: [0, 1], xTicks: [-8, -4, 0, 4, 8], yTicks: [0, 0.5, 1], xLabel: "z", yLabel: "σ(z)",
      curves: [{ fn: sigmoid, color: "#1f6fb4", width: 2 }], marks,
    });
  }

  return { live, get probe() { return state.shown; } };
}
