// Lesson 9, live: an L1/L2 switch and a λ slider sent as hot updates (the weights are
// kept), a histogram of every weight, how many are near zero, and R(w), λ·R(w) and the
// objective with the server's numbers.

import { createLive } from "../live.js";
import { fill } from "../mathml.js";
import { fitCanvas } from "../../canvas.js";

const NEAR_ZERO = 0.01;
const BINS = 25;

export function weightStats(weights, kind) {
  const all = weights.flat(2);
  const l1 = all.reduce((s, w) => s + Math.abs(w), 0);
  const l2 = 0.5 * all.reduce((s, w) => s + w * w, 0);
  return { all, total: all.length, near_zero: all.filter((w) => Math.abs(w) < NEAR_ZERO).length, R: kind === "l2" ? l2 : l1 };
}

export function start(root, { config, t }) {
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const rates = root.dataset.rates.split(",").map(Number);
  const slider = $("rate");
  const kinds = [...root.querySelectorAll('input[name="regularization"]')];
  const state = { kind: config.regularization, rate: config.reg_rate, stats: null };
  slider.value = String(Math.max(0, rates.indexOf(config.reg_rate)));
  kinds.forEach((k) => { k.checked = k.value === config.regularization; });
  const live = createLive(root, config, t, { draw, numbers }, { speed: 30, maxEpochs: 4000 });

  function send() {
    $("rate-value").textContent = String(state.rate);
    live.update({ regularization: state.kind, reg_rate: state.rate });
  }
  slider.addEventListener("input", () => { state.rate = rates[Number(slider.value)]; send(); });
  kinds.forEach((k) => k.addEventListener("change", () => { if (k.checked) { state.kind = k.value; send(); } }));

  function numbers(frame) {
    const h = frame.header;
    state.stats = weightStats(h.weights, state.kind);
    const lam = state.rate;
    fill(root, {
      near_zero: String(state.stats.near_zero), total: String(state.stats.total), R: state.stats.R,
      lam, penalty: h.penalty, data_loss: h.train_loss, objective: h.train_loss + (h.penalty ?? 0),
    }, 4);
  }

  function draw(frame) {
    if (!frame) return;
    const all = frame.header.weights.flat(2);
    const { ctx, width, height } = fitCanvas($("histogram"));
    ctx.clearRect(0, 0, width, height);
    const max = Math.max(0.5, ...all.map(Math.abs));
    const counts = new Array(BINS).fill(0);
    for (const w of all) counts[Math.min(BINS - 1, Math.floor(((w + max) / (2 * max)) * BINS))]++;
    const top = Math.max(...counts, 1);
    const bar = (width - 20) / BINS;
    counts.forEach((c, i) => {
      const lo = -max + (2 * max * i) / BINS;
      ctx.fillStyle = lo <= NEAR_ZERO && lo + (2 * max) / BINS >= -NEAR_ZERO ? "#d55e00" : "#0072b2";
      const h = ((height - 24) * c) / top;
      ctx.fillRect(10 + i * bar + 1, height - 16 - h, bar - 2, h);
    });
    ctx.fillStyle = "#4a4f58";
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText(`−${max.toFixed(2)}`, 10, height - 13);
    ctx.textAlign = "center";
    ctx.fillText("0", width / 2, height - 13);
    ctx.textAlign = "right";
    ctx.fillText(max.toFixed(2), width - 10, height - 13);
  }

  return { live, get stats() { return state.stats; }, get setting() { return { ...state }; } };
}
