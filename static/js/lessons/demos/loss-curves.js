// Lesson 7: each loss for one point, against the probability given to the true class
// and against the margin t·z (p = σ(t·z) links the two). Drawn once; no training.

import { drawPlot } from "../plot.js";
import { sigmoid } from "../mlp.js";

export const LOSS_STYLE = {
  zero_one: { color: "#555555", dash: [4, 3] },
  mse: { color: "#0072b2", dash: [] },
  mae: { color: "#009e73", dash: [] },
  cross_entropy: { color: "#d55e00", dash: [] },
  hinge: { color: "#cc79a7", dash: [] },
};

// Each loss of one example as a function of p (probability of the true class).
const BY_P = {
  zero_one: (p) => (p < 0.5 ? 1 : 0),
  mse: (p) => (1 - p) ** 2,
  mae: (p) => 1 - p,
  cross_entropy: (p) => -Math.log(p),
};

// …and of the margin m = t·z (hinge works on the raw score, not on p).
const BY_MARGIN = {
  zero_one: (m) => (m < 0 ? 1 : 0),
  mse: (m) => (1 - sigmoid(m)) ** 2,
  mae: (m) => 1 - sigmoid(m),
  cross_entropy: (m) => Math.log1p(Math.exp(-m)),
  hinge: (m) => Math.max(0, 1 - m),
};

export function start(root, { t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const curves = (table) => Object.entries(table).map(([name, fn]) => ({ fn, ...LOSS_STYLE[name], width: 2 }));
  function draw() {
    drawPlot($("plot-p"), { x: [0, 1], y: [0, 3], xTicks: [0, 0.5, 1], yTicks: [0, 1, 2, 3], xLabel: "p", curves: curves(BY_P) });
    drawPlot($("plot-margin"), { x: [-3, 3], y: [0, 3], xTicks: [-3, 0, 3], yTicks: [0, 1, 2, 3], xLabel: "t·z", curves: curves(BY_MARGIN) });
  }
  const legend = $("curve-legend");
  legend.replaceChildren(...Object.keys(LOSS_STYLE).map((name) => {
    const span = document.createElement("span");
    span.className = `curve-key k-${name}${LOSS_STYLE[name].dash.length ? " dashed" : ""}`;
    span.style.setProperty("--key", LOSS_STYLE[name].color);
    span.textContent = t(`losses.${name === "cross_entropy" ? "ce" : name}`);
    return span;
  }));
  draw();
  window.addEventListener("resize", draw);
  return { draw };
}
