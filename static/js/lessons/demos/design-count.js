// Lesson 6: the node counter. Input nodes = the chosen features, output nodes = what
// the data asks for, parameters = (inputs + 1)·hidden + (hidden + 1)·outputs.

import { fill } from "../mathml.js";
import { taskOf } from "../../schema.js";

const OUTPUTS = { three_blobs: 3 };

export function nodeCounts(dataset, features, hidden) {
  const nIn = features.length;
  const nOut = OUTPUTS[dataset] ?? 1;
  return { n_in: nIn, n_out: nOut, h: hidden, params: (nIn + 1) * hidden + (hidden + 1) * nOut };
}

export function start(root, { t }) {
  const dataset = root.querySelector('[data-role="dataset"]');
  const hidden = root.querySelector('[data-role="hidden"]');
  const boxes = [...root.querySelectorAll('input[name="features"]')];
  const note = root.querySelector('[data-role="out-note"]');

  function update() {
    const features = boxes.filter((b) => b.checked).map((b) => b.value);
    const h = Math.max(1, Math.min(16, Math.round(Number(hidden.value) || 1)));
    const counts = nodeCounts(dataset.value, features, h);
    fill(root, Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, String(v)])));
    note.textContent = taskOf({ dataset: dataset.value }) === "regression" ? t("design.out_regression")
      : counts.n_out > 1 ? t("design.out_multi") : t("design.out_binary");
  }
  for (const input of [dataset, hidden, ...boxes]) input.addEventListener("input", update);
  update();
  return { update };
}
