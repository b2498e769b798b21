// Lesson 6: several hidden sizes trained on the same data (POST /api/sweep), ranked by
// final test loss, with every variant's test-loss curve.

import { postJson } from "../api.js";
import { drawPlot } from "../plot.js";
import { neuronColor } from "../../palette.js";
import { fmt } from "../../canvas.js";

export function start(root, { config, t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const sizes = root.dataset.values.split(",").map(Number);
  const epochs = Number(root.dataset.epochs);
  const state = { result: null, ranked: null };

  async function run() {
    $("run-sweep").disabled = true;
    $("sweep-status").textContent = t("design.running", { count: sizes.length });
    try {
      state.result = await postJson("/api/sweep", { config, vary: { field: "hidden", values: sizes.map((n) => [n]) }, epochs });
      state.ranked = rank(state.result);
      table();
      draw();
      $("sweep-status").textContent = t("design.done", { count: sizes.length, epochs });
    } catch (error) {
      $("sweep-status").textContent = t("design.failed", { message: error.message });
    } finally {
      $("run-sweep").disabled = false;
    }
  }

  function rank(result) {
    return result.variants.map((v, i) => ({ i, size: v.value[0], last: v.history[v.history.length - 1], best: i === result.best }))
      .sort((a, b) => (a.last.test_loss ?? Infinity) - (b.last.test_loss ?? Infinity));
  }

  function table() {
    const nIn = config.features.length;
    const nOut = config.dataset === "three_blobs" ? 3 : 1;
    const rows = state.ranked.map((r, k) => {
      const tr = document.createElement("tr");
      tr.classList.toggle("best", r.best);
      tr.dataset.size = String(r.size);
      const params = (nIn + 1) * r.size + (r.size + 1) * nOut;
      for (const text of [k + 1, r.size, params, fmt(r.last.train_loss, 3), fmt(r.last.test_loss, 3), fmt(r.last.test_error, 3)]) {
        const td = document.createElement("td");
        td.textContent = String(text);
        tr.append(td);
      }
      return tr;
    });
    root.querySelector('[data-role="ranking"] tbody').replaceChildren(...rows);
  }

  function draw() {
    if (!state.result) return;
    const variants = state.result.variants;
    const top = Math.max(...variants.flatMap((v) => v.history.map((h) => h.test_loss ?? 0)));
    drawPlot($("sweep-plot"), {
      x: [0, epochs], y: [0, Math.ceil(top * 10) / 10], xTicks: [0, epochs / 2, epochs], xLabel: "epoch",
      curves: variants.map((v, i) => ({
        points: v.history.map((h) => [h.epoch, h.test_loss]), color: neuronColor(i), width: i === state.result.best ? 3.5 : 1.4,
      })),
      marks: variants.map((v, i) => {
        const last = v.history[v.history.length - 1];
        return { x: last.epoch, y: last.test_loss, color: neuronColor(i), label: i === state.result.best ? `${v.value[0]} ★` : String(v.value[0]) };
      }),
    });
  }

  $("run-sweep").addEventListener("click", run);
  window.addEventListener("resize", draw);
  run();
  return { run, get result() { return state.result; }, get ranked() { return state.ranked; } };
}
