// Validation loss (and train loss) against the varied value: one mark per variant, in the
// order the values were given (categorical axis), the best (the server's: the lowest
// validation loss) ringed. The test loss is not drawn: it never chooses. On a <canvas>.

import { fitCanvas, fmt } from "../canvas.js";
import { formatValue } from "./values.js";

export const SWEEP_COLORS = { validation: "#009e73", train: "#e66100" }; // validation as the loss chart's
const { validation: VALIDATION, train: TRAIN } = SWEEP_COLORS;

export function createSweepChart(canvas, { t }) {
  let state = { field: "hidden", variants: [], best: null };

  function draw() {
    const { ctx, width, height } = fitCanvas(canvas);
    ctx.clearRect(0, 0, width, height);
    const vs = state.variants;
    if (!vs.length) return;
    const m = { left: 46, right: 10, top: 12, bottom: 30 };
    const losses = vs.flatMap((v) => [v.validation_loss, v.train_loss]).filter(Number.isFinite);
    const hi = losses.length ? Math.max(...losses) : 1;
    const lo = 0;
    const x = (i) => m.left + (vs.length === 1 ? 0.5 : i / (vs.length - 1)) * (width - m.left - m.right);
    const y = (v) => m.top + (1 - (v - lo) / ((hi - lo) || 1)) * (height - m.top - m.bottom);
    axes(ctx, width, height, m, hi, y);
    series(ctx, vs.map((v) => v.train_loss), x, y, TRAIN, false);
    series(ctx, vs.map((v) => v.validation_loss), x, y, VALIDATION, true);
    ctx.fillStyle = "#5b616b";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    vs.forEach((v, i) => ctx.fillText(formatValue(state.field, v.value), x(i), height - m.bottom + 14));
    ctx.fillText(t(`compare.field.${state.field}`), (m.left + width - m.right) / 2, height - 3);
    if (state.best !== null && Number.isFinite(vs[state.best]?.validation_loss)) {
      ctx.strokeStyle = "#1d2127";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x(state.best), y(vs[state.best].validation_loss), 7, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  function axes(ctx, width, height, m, hi, y) {
    ctx.strokeStyle = "#d9dce1";
    ctx.fillStyle = "#5b616b";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "right";
    for (const v of [0, hi / 2, hi]) {
      ctx.beginPath();
      ctx.moveTo(m.left, y(v));
      ctx.lineTo(width - m.right, y(v));
      ctx.stroke();
      ctx.fillText(fmt(v, 3), m.left - 4, y(v) + 4);
    }
  }

  function series(ctx, values, x, y, color, filled) {
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let open = false;
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) { open = false; return; }
      if (open) ctx.lineTo(x(i), y(v)); else ctx.moveTo(x(i), y(v));
      open = true;
    });
    ctx.stroke();
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      ctx.beginPath();
      ctx.arc(x(i), y(v), filled ? 3.5 : 2.5, 0, 2 * Math.PI);
      if (filled) ctx.fill(); else ctx.stroke();
    });
  }

  return {
    draw,
    set(field, variants, best) { state = { field, variants, best }; },
  };
}
