// Lesson 6: several hidden sizes trained on the same data (POST /api/sweep): each size's
// final losses and test error in a table, in the order of the sizes, and every
// variant's test-loss curve. The table shows, it does not choose: a choice belongs to a
// validation set (the lesson's text says why).

import { postJson } from "../api.js";
import { drawPlot } from "../plot.js";
import { neuronColor } from "../../palette.js";
import { fmt } from "../../canvas.js";
import { nodeCounts } from "./design-count.js";

export function start(root, { config, t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const sizes = root.dataset.values.split(",").map(Number);
  const epochs = Number(root.dataset.epochs);
  const state = { result: null, rows: null };

  async function run() {
    $("run-sweep").disabled = true;
    $("sweep-status").textContent = t("design.running", { count: sizes.length });
    try {
      state.result = await postJson("/api/sweep", { config, vary: { field: "hidden", values: sizes.map((n) => [n]) }, epochs });
      state.rows = state.result.variants.map((v) => ({ size: v.value[0], last: v.history[v.history.length - 1] }));
      table();
      draw();
      $("sweep-status").textContent = t("design.done", { count: sizes.length, epochs });
    } catch (error) {
      $("sweep-status").textContent = t("design.failed", { message: error.message });
    } finally {
      $("run-sweep").disabled = false;
    }
  }

  function table() {
    const rows = state.rows.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.size = String(r.size);
      const { params } = nodeCounts(config.dataset, config.features, r.size);
      for (const text of [r.size, params, fmt(r.last.train_loss, 3), fmt(r.last.test_loss, 3), fmt(r.last.test_error, 3)]) {
        const td = document.createElement("td");
        td.textContent = String(text);
        tr.append(td);
      }
      return tr;
    });
    root.querySelector('[data-role="sweep-table"] tbody').replaceChildren(...rows);
  }

  function draw() {
    if (!state.result) return;
    const variants = state.result.variants;
    const top = Math.max(...variants.flatMap((v) => v.history.map((h) => h.test_loss ?? 0)));
    drawPlot($("sweep-plot"), {
      x: [0, epochs], y: [0, Math.ceil(top * 10) / 10], xTicks: [0, epochs / 2, epochs], xLabel: "epoch",
      curves: variants.map((v, i) => ({ points: v.history.map((h) => [h.epoch, h.test_loss]), color: neuronColor(i), width: 1.8 })),
      marks: variants.map((v, i) => {
        const last = v.history[v.history.length - 1];
        return { x: last.epoch, y: last.test_loss, color: neuronColor(i), label: String(v.value[0]) };
      }),
    });
  }

  $("run-sweep").addEventListener("click", run);
  window.addEventListener("resize", draw);
  run();
  return { run, get result() { return state.result; }, get rows() { return state.rows; } };
}
