// Lesson 7: the same data trained with each loss (one POST /api/train per loss, so each
// panel is exactly that configuration's run), each final network painted from its
// weights over the training points, and compared on test error: each loss has its own
// units, so the panels' losses cannot be compared with one another.

import { createHeatmap } from "../../heatmap.js";
import { drawPoints, drawAxes, plotSquare } from "../../points.js";
import { fitCanvas, fmt } from "../../canvas.js";
import { binaryGrid } from "../mlp.js";
import { postJson } from "../api.js";

const NAME_KEY = { cross_entropy: "losses.ce", mse: "losses.mse", mae: "losses.mae", hinge: "losses.hinge" };
const MARGIN = { left: 18, right: 4, top: 4, bottom: 14 };

export function start(root, { config, t }) {
  const grid = root.querySelector('[data-role="compare-grid"]');
  const status = root.querySelector('[data-role="compare-status"]');
  const values = root.dataset.values.split(",");
  const epochs = Number(root.dataset.epochs);
  const state = { result: null, data: null };

  async function run() {
    status.textContent = t("losses.compare_running");
    try {
      const runs = await Promise.all(values.map((loss) => postJson("/api/train", { config: { ...config, loss }, epochs })));
      state.result = { variants: runs.map((r, i) => ({ value: values[i], config: r.config, history: r.history, final: r.final })) };
      state.data = runs[0].dataset;
      status.textContent = "";
      render();
    } catch (error) {
      status.textContent = t("losses.compare_failed", { message: error.message });
    }
  }

  function render() {
    grid.replaceChildren(...state.result.variants.map((variant) => cell(variant)));
    for (const c of grid.querySelectorAll("canvas")) paint(c, state.result.variants[Number(c.dataset.index)]);
  }

  function cell(variant) {
    const last = variant.history[variant.history.length - 1];
    const div = document.createElement("div");
    div.className = "compare-cell";
    const h = document.createElement("h3");
    h.textContent = t(NAME_KEY[variant.value]);
    const canvas = document.createElement("canvas");
    canvas.dataset.index = String(state.result.variants.indexOf(variant));
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", h.textContent);
    const p1 = document.createElement("p");
    p1.className = "test-error";
    p1.textContent = `${t("live.test_error")} ${fmt(last.test_error, 3)}`;
    const p2 = document.createElement("p");
    p2.textContent = t("losses.final", { epochs: last.epoch });
    div.append(h, canvas, p1, p2);
    return div;
  }

  function paint(canvas, variant) {
    const { ctx, width, height } = fitCanvas(canvas);
    const square = plotSquare(width, height, MARGIN);
    const R = 60;
    const bytes = binaryGrid(variant.final, variant.config.features, variant.config.activation, R);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(createHeatmap().paint(bytes, [R, R]), square.x0, square.y0, square.size, square.size);
    drawAxes(ctx, square);
    drawPoints(ctx, state.data.train, square, { radius: 2.4 });
  }

  window.addEventListener("resize", () => { if (state.result) render(); });
  run();
  return { run, get result() { return state.result; } };
}
