// The loss chart: train, validation (when the run holds some rows out) and test loss,
// the λ·R(w) penalty (same axis, drawn apart from the data loss), and the test error
// rate (right axis, 0–1). Log-y, smoothing with the raw line kept faint, a hover
// readout, a marker at the epoch being shown, and text of any size (a projector).

import { fitCanvas, fmt, throttle } from "./canvas.js";
import { PALETTE } from "./palette.js";

export const SERIES_STYLE = PALETTE.series; // {color, dash, right?} per series

const LOSSES = ["train_loss", "validation_loss", "test_loss", "penalty"];
const CHART_MS = 100;

// Room for the axis labels at a font of `px` pixels.
function margins(px) {
  return { left: Math.round(px * 3 + 10), right: Math.round(px * 1.2 + 12), top: Math.round(px * 0.5 + 4), bottom: Math.round(px + 8) };
}

// onHover(entry | null) receives the history entry under the pointer.
export function createLossChart(canvas, history, { onHover = () => {}, onChange = () => {} } = {}) {
  const opts = { logY: false, smoothing: 0, marker: null, series: Object.keys(SERIES_STYLE), fontPx: 10 };
  let geom = null;
  let M = margins(opts.fontPx);

  // The curves move a pixel at a time, so 10 redraws a second are plenty (stroking long
  // dashed polylines is what a software-rendered page spends most on here).
  const draw = throttle(drawNow, () => CHART_MS);

  function drawNow() {
    const { ctx, width, height } = fitCanvas(canvas);
    ctx.clearRect(0, 0, width, height);
    const n = history.length;
    if (!n) return;
    M = margins(opts.fontPx);
    geom = geometry(width, height);
    drawFrame(ctx, geom);
    const stride = Math.max(1, Math.floor(n / geom.w)); // about one point per pixel column
    for (const key of opts.series) {
      if (!hasValues(key) || (key === "penalty" && geom.penaltyZero)) continue; // nothing to see
      const style = SERIES_STYLE[key];
      const ys = history.cols[key];
      const y = style.right ? geom.yRight : geom.yLeft;
      if (opts.smoothing > 0) {
        drawSeries(ctx, ys, y, stride, style, 0.25, 0);
        drawSeries(ctx, ys, y, stride, style, 1, opts.smoothing);
      } else drawSeries(ctx, ys, y, stride, style, 1, 0);
    }
    if (opts.marker !== null) drawMarker(ctx, opts.marker, "#777");
    if (geom.hover !== undefined && geom.hover !== null) drawMarker(ctx, geom.hover, "#bbb");
  }

  function geometry(width, height) {
    const n = history.length;
    const e0 = history.epoch[0];
    const e1 = Math.max(history.epoch[n - 1], e0 + 1);
    const w = Math.max(10, width - M.left - M.right);
    const h = Math.max(10, height - M.top - M.bottom);
    const t = opts.logY ? (v) => Math.log10(Math.max(v, 1e-4)) : (v) => v;
    let lo = Infinity;
    let hi = -Infinity;
    let penaltyZero = true; // no regularization: its line would lie on the axis
    for (const key of LOSSES) {
      if (!opts.series.includes(key)) continue;
      for (let i = 0; i < n; i++) {
        const v = history.cols[key][i];
        if (Number.isFinite(v)) { lo = Math.min(lo, t(v)); hi = Math.max(hi, t(v)); }
        if (key === "penalty" && v !== 0 && !Number.isNaN(v)) penaltyZero = false;
      }
    }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    if (!opts.logY) lo = Math.min(lo, 0);
    if (hi - lo < 1e-9) hi = lo + 1;
    return {
      width, height, w, h, e0, e1, lo, hi, t, penaltyZero, hover: geom?.hover ?? null,
      x: (e) => M.left + ((e - e0) / (e1 - e0)) * w,
      epochAt: (px) => e0 + ((px - M.left) / w) * (e1 - e0),
      yLeft: (v) => M.top + (1 - (t(v) - lo) / (hi - lo)) * h,
      yRight: (v) => M.top + (1 - v) * h,
    };
  }

  function drawFrame(ctx, g) {
    ctx.strokeStyle = "#c9ccd1";
    ctx.lineWidth = 1;
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, g.w, g.h);
    ctx.fillStyle = "#4a4f58";
    const px = opts.fontPx;
    ctx.font = `${px}px system-ui, sans-serif`;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const label = (v) => (opts.logY ? fmt(10 ** v, 2) : fmt(v, 2));
    ctx.fillText(label(g.hi), M.left - 3, M.top + px * 0.4);
    ctx.fillText(label(g.lo), M.left - 3, M.top + g.h - px * 0.4);
    ctx.textAlign = "left";
    if (opts.series.includes("test_error") && hasValues("test_error")) {
      ctx.fillStyle = "#a84300"; // the error line's orange, dark enough for text
      ctx.fillText("1", M.left + g.w + 4, M.top + px * 0.4);
      ctx.fillText("0", M.left + g.w + 4, M.top + g.h - px * 0.4);
    }
    ctx.fillStyle = "#4a4f58";
    ctx.textBaseline = "top";
    ctx.fillText(String(Math.round(g.e0)), M.left, M.top + g.h + 3);
    ctx.textAlign = "right";
    ctx.fillText(String(Math.round(g.e1)), M.left + g.w, M.top + g.h + 3);
  }

  // One polyline; `alpha` faint for the raw line under a smoothed one (EMA factor `smooth`).
  function drawSeries(ctx, ys, y, stride, style, alpha, smooth) {
    ctx.strokeStyle = style.color;
    ctx.globalAlpha = alpha;
    ctx.setLineDash(style.dash);
    ctx.lineWidth = (smooth || alpha === 1 ? 1.6 : 1) * Math.max(1, opts.fontPx / 12); // bolder with big text
    ctx.beginPath();
    let pen = false;
    let ema = NaN;
    const n = history.length;
    for (let i = 0; i < n; i++) {
      const v = ys[i];
      if (!Number.isFinite(v)) { pen = false; continue; }
      ema = smooth && Number.isFinite(ema) ? smooth * ema + (1 - smooth) * v : v;
      if (i % stride !== 0 && i !== n - 1) continue;
      const px = geom.x(history.epoch[i]);
      const py = y(smooth ? ema : v);
      if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }

  // A series is measured at every epoch of a run or at none (test_error of regression,
  // validation_loss without a split), so the first and the newest entries tell.
  function hasValues(key) {
    const ys = history.cols[key];
    const n = history.length;
    return n > 0 && (Number.isFinite(ys[0]) || Number.isFinite(ys[n - 1]));
  }

  function drawMarker(ctx, epoch, color) {
    const px = geom.x(epoch);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px, M.top);
    ctx.lineTo(px, M.top + geom.h);
    ctx.stroke();
  }

  canvas.addEventListener("pointermove", (event) => {
    if (!geom || !history.length) return;
    const x = event.clientX - canvas.getBoundingClientRect().left;
    const i = history.indexAt(geom.epochAt(x));
    geom.hover = i >= 0 ? history.epoch[i] : null;
    onHover(i >= 0 ? history.entry(i) : null);
    onChange();
  });
  canvas.addEventListener("pointerleave", () => {
    if (geom) geom.hover = null;
    onHover(null);
    onChange();
  });

  return {
    draw,
    setOptions(o) { Object.assign(opts, o); onChange(); },
    // Whether `key` has any value to draw (the legend shows only what is drawn).
    hasValues,
    // The epoch on screen when scrubbing (null: none); set while drawing, so no redraw.
    setMarker(epoch) { opts.marker = epoch; },
    get options() { return opts; },
  };
}
