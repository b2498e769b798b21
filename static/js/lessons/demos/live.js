// The generic live demo: a field, the standard controls, and whichever of these the
// template asks for — a loss chart, the network diagram (with bias units), the neuron
// lines as equations, live matrices in [data-mat] slots (W1, b1, Wb3, and X, A1, Z,
// Yhat for a few training points), and a clicked point's forward pass ([data-role=forward]).

import { createLive } from "../live.js";
import { createLossChart } from "../../loss-chart.js";
import { createNetworkDiagram } from "../../network.js";
import { neuronColor } from "../../palette.js";
import { fmt } from "../../canvas.js";
import { m, mi, mo, mn, matrix, vector, setMat } from "../mathml.js";
import { layerValues, sigmoid } from "../mlp.js";
import { createForwardPass } from "../forward-pass.js";

const EXAMPLE_ROWS = 4; // training points shown in the perceptron's X

export function start(root, { config, t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  let chart = null;
  let diagram = null;
  const forward = $("forward") ? createForwardPass($("forward"), t) : null;
  const hooks = { draw, numbers, onDataset };
  if (forward) Object.assign(hooks, { onClick, onProbe });
  const live = createLive(root, config, t, hooks);
  const chartCanvas = $("loss-chart");
  if (chartCanvas) chart = createLossChart(chartCanvas, live.run.history, { onChange: live.invalidate });
  const networkCanvas = $("network");
  if (networkCanvas) diagram = wireDiagram(networkCanvas, $("show-bias"), $("network-readout"), t, live);

  function onDataset(message) {
    diagram?.setFeatures(message.config.features, live.run.data.task);
  }

  function draw(frame) {
    chart?.draw();
    if (diagram && frame) { diagram.setFrame(frame); diagram.draw(); }
  }

  function numbers(frame) {
    const { weights, biases, lines } = frame.header;
    weights.forEach((W, l) => {
      setMat(root, `W${l + 1}`, matrix(W, 2));
      setMat(root, `b${l + 1}`, vector(biases[l], 3));
      setMat(root, `Wb${l + 1}`, matrix([...W, biases[l]], 2));
    });
    if (root.querySelector('[data-mat="X"]')) showExample(root, live.run.data.train, frame.header, runConfig());
    const list = $("lines");
    if (list && lines) list.replaceChildren(...lines.map((line, i) => lineEquation(line, i, t)));
    if (forward) forward.show(live.frameAt, runConfig().activation);
  }

  const runConfig = () => live.run.config ?? config;

  // A click pauses and probes the point; its forward pass shows once its frame is here.
  function onClick({ x1, x2 }) {
    live.field.setProbe([x1, x2]);
    live.probe([x1, x2]);
  }

  function onProbe(message) {
    forward.setProbe(message);
    if (forward.show(live.frameAt, runConfig().activation)) live.invalidate();
  }

  return {
    live, get chart() { return chart; }, get diagram() { return diagram; },
    get forward() { return forward?.shown ?? null; },
  };
}

// The first training points through every layer: X, each hidden layer's A, the output
// layer's Z, σ(Z) and the labels.
function showExample(root, train, params, { features, activation }) {
  const rows = train.slice(0, EXAMPLE_ROWS);
  const passes = rows.map(([x1, x2]) => layerValues(params, features, activation, x1, x2));
  const outputs = passes.map((p) => p.layers.at(-1).z);
  setMat(root, "X", matrix(passes.map((p) => p.input), 2));
  passes[0].layers.slice(0, -1).forEach((_, l) => setMat(root, `A${l + 1}`, matrix(passes.map((p) => p.layers[l].a), 2)));
  setMat(root, "Z", matrix(outputs, 2));
  setMat(root, "Yhat", matrix(outputs.map((r) => r.map(sigmoid)), 2));
  setMat(root, "y", matrix(rows.map((r) => [r[2]]), 0));
}

// "neuron i: w1·x1 + w2·x2 + b = 0" with the numbers, in the neuron's colour.
function lineEquation({ w1, w2, b }, i, t) {
  const p = document.createElement("p");
  p.className = "line-eq";
  const swatch = document.createElement("span");
  swatch.className = `neuron-key n${i % 8}`;
  swatch.style.setProperty("--key", neuronColor(i));
  swatch.textContent = `${t("live.neuron")} ${i + 1}`;
  const sub = (name, k) => m("msub", mi(name), m("mn", String(k)));
  const signed = (v) => [mo(v < 0 ? "−" : "+"), m("mn", fmt(Math.abs(v), 2))];
  const math = m("math", m("mn", fmt(w1, 2)), sub("x", 1), ...signed(w2), sub("x", 2), ...signed(b), mo("="), mn(0, 0));
  p.append(swatch, " ", math);
  p.dataset.color = neuronColor(i);
  return p;
}

function wireDiagram(canvas, toggle, readout, t, live) {
  const describe = (hit) => {
    if (!hit || hit.value === undefined) return t("layers.hover");
    if (hit.kind === "edge") {
      const e = hit.edge;
      const key = e.bias ? "layers.hover_bias" : "layers.hover_weight";
      return t(key, { layer: e.layer + 1, from: e.from + 1, to: e.to + 1, value: fmt(hit.value, 3) });
    }
    return t("layers.hover_node", { layer: hit.column, index: hit.index + 1, value: fmt(hit.value, 3) });
  };
  const diagram = createNetworkDiagram(canvas, { onHover: (hit) => { if (readout) readout.textContent = describe(hit); } });
  diagram.setShowBias(Boolean(toggle?.checked));
  toggle?.addEventListener("change", () => { diagram.setShowBias(toggle.checked); live.invalidate(); });
  return diagram;
}
