// Lesson 6: several hidden sizes trained on the same data (POST /api/sweep), chosen the
// honest way. Every size shows its final training and validation loss; the server's
// `best` (the lowest final validation loss) is the chosen size, and only its test loss
// and test error are shown, once: the test set reports, it never chooses. The plot is
// every size's validation-loss curve, the chosen one drawn thicker.

import { postJson } from "../api.js";
import { drawPlot } from "../plot.js";
import { neuronColor } from "../../palette.js";
import { fmt } from "../../canvas.js";
import { nodeCounts } from "./design-count.js";

const NOT_LOOKED_AT = "—"; // a test number the lesson does not look at

export function start(root, { config, t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const sizes = root.dataset.values.split(",").map(Number);
  const epochs = Number(root.dataset.epochs);
  const state = { result: null, rows: null, best: null };

  async function run() {
    $("run-sweep").disabled = true;
    $("sweep-status").textContent = t("design.running", { count: sizes.length });
    try {
      state.result = await postJson("/api/sweep", { config, vary: { field: "hidden", values: sizes.map((n) => [n]) }, epochs });
      state.best = state.result.best;
      state.rows = state.result.variants.map((v) => ({ size: v.value[0], last: v.history[v.history.length - 1] }));
      table();
      chosen();
      draw();
      $("sweep-status").textContent = t("design.done", { count: sizes.length, epochs });
    } catch (error) {
      $("sweep-status").textContent = t("design.failed", { message: error.message });
    } finally {
      $("run-sweep").disabled = false;
    }
  }

  function table() {
    const rows = state.rows.map((r, i) => {
      const tr = document.createElement("tr");
      tr.dataset.size = String(r.size);
      const picked = i === state.best;
      tr.classList.toggle("best", picked);
      const { params } = nodeCounts(config.dataset, config.features, r.size);
      const test = picked ? [fmt(r.last.test_loss, 3), fmt(r.last.test_error, 3)] : [NOT_LOOKED_AT, NOT_LOOKED_AT];
      for (const text of [r.size, params, fmt(r.last.train_loss, 3), fmt(r.last.validation_loss, 3), ...test]) {
        const td = document.createElement("td");
        td.textContent = String(text);
        if (text === NOT_LOOKED_AT) td.title = t("design.not_tested");
        tr.append(td);
      }
      if (picked) tr.cells[0].append(" ", Object.assign(document.createElement("strong"), { textContent: t("design.chosen_mark") }));
      return tr;
    });
    root.querySelector('[data-role="sweep-table"] tbody').replaceChildren(...rows);
  }

  function chosen() {
    const row = state.rows[state.best];
    $("sweep-chosen").textContent = row ? t("design.chosen", {
      size: row.size, validation_loss: fmt(row.last.validation_loss, 3),
      test_loss: fmt(row.last.test_loss, 3), test_error: fmt(row.last.test_error, 3),
    }) : "";
  }

  function draw() {
    if (!state.result) return;
    const variants = state.result.variants;
    const top = Math.max(...variants.flatMap((v) => v.history.map((h) => h.validation_loss ?? 0)));
    drawPlot($("sweep-plot"), {
      x: [0, epochs], y: [0, Math.ceil(top * 10) / 10], xTicks: [0, epochs / 2, epochs], xLabel: "epoch",
      curves: variants.map((v, i) => ({
        points: v.history.map((h) => [h.epoch, h.validation_loss]), color: neuronColor(i), width: i === state.best ? 3.5 : 1.5,
      })),
      marks: variants.map((v, i) => {
        const last = v.history[v.history.length - 1];
        return { x: last.epoch, y: last.validation_loss, color: neuronColor(i), label: String(v.value[0]) };
      }),
    });
  }

  $("run-sweep").addEventListener("click", run);
  window.addEventListener("resize", draw);
  run();
  return {
    run, get result() { return state.result; }, get rows() { return state.rows; }, get best() { return state.best; },
  };
}
