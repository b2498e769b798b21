// Small function plots on a canvas: axes with a few ticks, sampled curves clipped to
// the y range, and marked points. Used for sigmoid, the loss curves, log / −log.

import { fitCanvas } from "../canvas.js";

const M = { left: 36, right: 10, top: 10, bottom: 24 };

// spec: {x: [lo, hi], y: [lo, hi], xTicks, yTicks, xLabel, yLabel,
//        curves: [{fn | points, color, dash, width}], marks: [{x, y, color, label}]}
export function drawPlot(canvas, spec) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const w = Math.max(10, width - M.left - M.right);
  const h = Math.max(10, height - M.top - M.bottom);
  const [x0, x1] = spec.x;
  const [y0, y1] = spec.y;
  const px = (x) => M.left + ((x - x0) / (x1 - x0)) * w;
  const py = (y) => M.top + (1 - (y - y0) / (y1 - y0)) * h;
  axes(ctx, spec, px, py, w, h);
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, w, h);
  ctx.clip();
  for (const curve of spec.curves ?? []) drawCurve(ctx, curve, spec, px, py, w);
  ctx.restore();
  for (const mark of spec.marks ?? []) drawMark(ctx, mark, px, py);
  return { px, py };
}

function axes(ctx, spec, px, py, w, h) {
  ctx.strokeStyle = "#c9ccd1";
  ctx.lineWidth = 1;
  ctx.strokeRect(M.left + 0.5, M.top + 0.5, w, h);
  ctx.fillStyle = "#4a4f58";
  ctx.font = "10px system-ui, sans-serif";
  const label = (v) => String(Math.round(v * 100) / 100).replace("-", "−");
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of spec.xTicks ?? spec.x) ctx.fillText(label(v), px(v), M.top + h + 3);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of spec.yTicks ?? spec.y) ctx.fillText(label(v), M.left - 4, py(v));
  ctx.strokeStyle = "#e4e6ea";
  if (spec.x[0] < 0 && spec.x[1] > 0) line(ctx, px(0), M.top, px(0), M.top + h);
  if (spec.y[0] < 0 && spec.y[1] > 0) line(ctx, M.left, py(0), M.left + w, py(0));
  ctx.fillStyle = "#222";
  ctx.textAlign = "right";
  ctx.textBaseline = "bottom";
  if (spec.xLabel) ctx.fillText(spec.xLabel, M.left + w, M.top + h - 2);
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  if (spec.yLabel) ctx.fillText(spec.yLabel, M.left + 4, M.top + 2);
}

function line(ctx, ax, ay, bx, by) {
  ctx.beginPath();
  ctx.moveTo(ax, ay);
  ctx.lineTo(bx, by);
  ctx.stroke();
}

function drawCurve(ctx, curve, spec, px, py, w) {
  const points = curve.points ?? sample(curve.fn, spec.x, Math.max(60, Math.round(w)));
  ctx.strokeStyle = curve.color ?? "#222";
  ctx.lineWidth = curve.width ?? 1.8;
  ctx.setLineDash(curve.dash ?? []);
  ctx.beginPath();
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) { pen = false; continue; }
    const yy = Math.max(spec.y[0] - 10 * (spec.y[1] - spec.y[0]), Math.min(spec.y[1] + 10 * (spec.y[1] - spec.y[0]), y));
    if (pen) ctx.lineTo(px(x), py(yy)); else ctx.moveTo(px(x), py(yy));
    pen = true;
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

// n + 1 samples of fn over [lo, hi]; a step's jump stays a vertical segment.
function sample(fn, [lo, hi], n) {
  const out = [];
  for (let i = 0; i <= n; i++) {
    const x = lo + ((hi - lo) * i) / n;
    out.push([x, fn(x)]);
  }
  return out;
}

function drawMark(ctx, { x, y, color = "#111", label }, px, py) {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return;
  ctx.fillStyle = color;
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(px(x), py(y), 4.5, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
  if (label) {
    ctx.fillStyle = "#111";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = px(x) > ctx.canvas.clientWidth / 2 ? "right" : "left";
    ctx.textBaseline = "bottom";
    ctx.fillText(label, px(x) + (ctx.textAlign === "left" ? 7 : -7), py(y) - 4);
  }
}
