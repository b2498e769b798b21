// Data points and the plot square's coordinate mapping, shared by the output view,
// the embed view and the lessons. Inputs live in [−6, 6]²; x2 grows upwards.

import { CLASS_COLORS, PALETTE, SEQUENTIAL, lutCss } from "./palette.js";

export const EXTENT = 6;

// A square plot area inside a canvas of width × height CSS pixels, leaving `margin`
// ({left, right, top, bottom}) for the axes. Maps data ↔ pixels.
export function plotSquare(width, height, margin = { left: 0, right: 0, top: 0, bottom: 0 }) {
  const size = Math.max(10, Math.min(width - margin.left - margin.right, height - margin.top - margin.bottom));
  const x0 = margin.left;
  const y0 = margin.top;
  const scale = size / (2 * EXTENT);
  return {
    x0, y0, size,
    px: (x1) => x0 + (x1 + EXTENT) * scale,
    py: (x2) => y0 + (EXTENT - x2) * scale,
    dataX: (px) => (px - x0) / scale - EXTENT,
    dataY: (py) => EXTENT - (py - y0) / scale,
    inside: (px, py) => px >= x0 && px <= x0 + size && py >= y0 && py <= y0 + size,
  };
}

// Draws [x1, x2, label] rows. Classes: filled marks (or outlined when `outlined`), a
// different shape per class so colour is not the only cue. Regression: the label's
// colour on the sequential scale over `range`.
export function drawPoints(ctx, rows, square, { outlined = false, task = "classification", range = [0, 1], radius = 3.6 } = {}) {
  ctx.lineWidth = outlined ? 1.6 : 1;
  for (const [x1, x2, label] of rows) {
    const color = task === "regression"
      ? lutCss(SEQUENTIAL, (label - range[0]) / ((range[1] - range[0]) || 1))
      : CLASS_COLORS[label % CLASS_COLORS.length];
    markPath(ctx, square.px(x1), square.py(x2), radius, task === "regression" ? 0 : label);
    if (outlined) {
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fill();
      ctx.strokeStyle = color;
      ctx.stroke();
    } else {
      ctx.fillStyle = color;
      ctx.fill();
      // a regression point shares the background's scale, so it needs a dark rim
      ctx.strokeStyle = task === "regression" ? "rgba(20,20,20,0.85)" : "rgba(255,255,255,0.9)";
      ctx.stroke();
    }
  }
}

// One filled mark of class `label` at pixel (x, y): what a new custom point will look like.
export function drawMark(ctx, x, y, radius, label) {
  markPath(ctx, x, y, radius, label);
  ctx.fillStyle = CLASS_COLORS[label % CLASS_COLORS.length];
  ctx.fill();
  ctx.lineWidth = 1.2;
  ctx.strokeStyle = "#111";
  ctx.stroke();
}

// Circle for class 0, square for class 1, triangle for class 2.
function markPath(ctx, x, y, r, shape) {
  ctx.beginPath();
  if (shape === 1) ctx.rect(x - r * 0.88, y - r * 0.88, r * 1.76, r * 1.76);
  else if (shape === 2) {
    ctx.moveTo(x, y - r * 1.15);
    ctx.lineTo(x + r * 1.05, y + r * 0.75);
    ctx.lineTo(x - r * 1.05, y + r * 0.75);
    ctx.closePath();
  } else ctx.arc(x, y, r, 0, 2 * Math.PI);
}

// The row of `rows` nearest to (px, py) within `maxPx` pixels, or -1.
export function nearestPoint(rows, square, px, py, maxPx = 8) {
  let best = -1;
  let bestD = maxPx * maxPx;
  rows.forEach(([x1, x2], i) => {
    const d = (square.px(x1) - px) ** 2 + (square.py(x2) - py) ** 2;
    if (d <= bestD) { bestD = d; best = i; }
  });
  return best;
}

// Axes: the plot frame and ticks at −6, −3, 0, 3, 6 (labels `fontPx` high).
export function drawAxes(ctx, square, { fontPx = 10 } = {}) {
  ctx.strokeStyle = PALETTE.axes.frame;
  ctx.lineWidth = 1;
  ctx.strokeRect(square.x0 + 0.5, square.y0 + 0.5, square.size - 1, square.size - 1);
  ctx.fillStyle = PALETTE.axes.text;
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  for (const v of [-6, -3, 0, 3, 6]) {
    const label = String(v).replace("-", "−");
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(label, square.px(v), square.y0 + square.size + 3);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(label, square.x0 - 4, square.py(v));
  }
  ctx.textAlign = "left";
  ctx.textBaseline = "alphabetic";
}
