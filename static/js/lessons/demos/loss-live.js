// Lesson 7: the five losses, each the mean over the training points, computed here from
// the live weights (mlp.js); cross-entropy, the one being trained, is checked against
// the server's train_loss in the same frame.

import { createLive } from "../live.js";
import { fill } from "../mathml.js";
import { forward, sigmoid } from "../mlp.js";

export function lossesOf(header, config, rows) {
  const sums = { zero_one: 0, mse: 0, mae: 0, cross_entropy: 0, hinge: 0 };
  for (const [x1, x2, y] of rows) {
    const z = forward(header, config.features, config.activation, x1, x2)[0];
    const p = sigmoid(z);
    const tz = (2 * y - 1) * z;
    sums.zero_one += (p >= 0.5 ? 1 : 0) !== y ? 1 : 0;
    sums.mse += (p - y) ** 2;
    sums.mae += Math.abs(p - y);
    sums.cross_entropy += Math.log1p(Math.exp(-tz)); // = −[y log p + (1−y) log(1−p)], stable
    sums.hinge += Math.max(0, 1 - tz);
  }
  const n = rows.length;
  return { n, ce_sum: -sums.cross_entropy, ...Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n])) };
}

export function start(root, { config, t }) {
  const state = { values: null };
  const live = createLive(root, config, t, { numbers }, { speed: 20, maxEpochs: 2000 });

  function numbers(frame) {
    const rows = live.run.data.train;
    if (!rows.length) return;
    state.values = lossesOf(frame.header, live.run.config ?? config, rows);
    fill(root, { ...state.values, n: String(state.values.n), server_loss: frame.header.train_loss }, 4);
  }

  return { live, get values() { return state.values; } };
}
