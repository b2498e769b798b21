// Lesson 7: the five losses, each the mean over the training points, computed here from
// the live weights (mlp.js), beside their formulas: each as sum / n = mean, and the MSE
// and cross-entropy sums written out with their first two terms. Cross-entropy, the one
// being trained, is checked against the server's train_loss in the same frame.

import { createLive } from "../live.js";
import { fill } from "../mathml.js";
import { forward, sigmoid } from "../mlp.js";

const WORKED_TERMS = 2;

export function lossesOf(header, config, rows) {
  const sums = { zero_one: 0, mse: 0, mae: 0, cross_entropy: 0, hinge: 0 };
  const first = [];
  for (const [x1, x2, y] of rows) {
    const z = forward(header, config.features, config.activation, x1, x2)[0];
    const p = sigmoid(z);
    const tz = (2 * y - 1) * z;
    if (first.length < WORKED_TERMS) first.push({ p, y });
    sums.zero_one += (p >= 0.5 ? 1 : 0) !== y ? 1 : 0;
    sums.mse += (p - y) ** 2;
    sums.mae += Math.abs(p - y);
    sums.cross_entropy += Math.log1p(Math.exp(-tz)); // = −[y log p + (1−y) log(1−p)], stable
    sums.hinge += Math.max(0, 1 - tz);
  }
  const n = rows.length;
  const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
  const totals = Object.fromEntries(Object.entries(sums).map(([k, v]) => [`${k}_sum`, v]));
  return { n, ...means, ...totals, ce_terms: -sums.cross_entropy, first };
}

// The slots of the written-out sums: pᵢ and yᵢ (labels as whole numbers) and, for
// cross-entropy, the probability the point gives its true class (p, or 1 − p for class 0).
function workedSlots(first) {
  const slots = {};
  first.forEach(({ p, y }, i) => {
    Object.assign(slots, { [`p${i + 1}`]: p, [`y${i + 1}`]: String(y), [`pt${i + 1}`]: y === 1 ? p : 1 - p });
  });
  return slots;
}

export function start(root, { config, t }) {
  const state = { values: null };
  const live = createLive(root, config, t, { numbers }, { speed: 20, maxEpochs: 2000 });

  function numbers(frame) {
    const rows = live.run.data.train;
    if (!rows.length) return;
    const values = lossesOf(frame.header, live.run.config ?? config, rows);
    state.values = values;
    fill(root, { ...values, ...workedSlots(values.first), n: String(values.n), zero_one_sum: String(values.zero_one_sum), server_loss: frame.header.train_loss }, 4);
  }

  return { live, get values() { return state.values; } };
}
