// A neuron's line w1·x1 + w2·x2 + b = 0 over the square [−6, 6]², its slope form
// x2 = k·x1 + c (the article's y = kx + b), drawing and hit-testing.

import { EXTENT } from "./points.js";
import { neuronColor } from "./palette.js";

// {k, c} of x2 = k·x1 + c, or {vertical: x1} when w2 is 0, or null when w1 = w2 = 0.
export function slopeForm({ w1, w2, b }) {
  if (w1 === null || w2 === null || b === null) return null;
  if (Math.abs(w2) > 1e-12) return { k: -w1 / w2, c: -b / w2 };
  if (Math.abs(w1) > 1e-12) return { vertical: -b / w1 };
  return null;
}

// The segment of the line inside the square, as [[x1, x2], [x1, x2]], or null.
export function clipLine({ w1, w2, b }) {
  const norm = w1 * w1 + w2 * w2;
  if (!(norm > 1e-24)) return null;
  const p = [(-b * w1) / norm, (-b * w2) / norm]; // the point of the line nearest the origin
  const d = [w2, -w1];
  let t0 = -Infinity;
  let t1 = Infinity;
  for (let axis = 0; axis < 2; axis++) {
    if (Math.abs(d[axis]) < 1e-15) {
      if (Math.abs(p[axis]) > EXTENT) return null;
      continue;
    }
    const a = (-EXTENT - p[axis]) / d[axis];
    const c = (EXTENT - p[axis]) / d[axis];
    t0 = Math.max(t0, Math.min(a, c));
    t1 = Math.min(t1, Math.max(a, c));
  }
  if (!(t0 < t1)) return null;
  return [[p[0] + t0 * d[0], p[1] + t0 * d[1]], [p[0] + t1 * d[0], p[1] + t1 * d[1]]];
}

// Draws every line in its neuron's colour; `highlight` (an index) is drawn thicker.
export function drawLines(ctx, lines, square, highlight = -1) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(square.x0, square.y0, square.size, square.size);
  ctx.clip();
  lines.forEach((line, i) => {
    const seg = clipLine(line);
    if (!seg) return;
    ctx.strokeStyle = "rgba(255,255,255,0.8)";
    ctx.lineWidth = i === highlight ? 5 : 3.5;
    strokeSegment(ctx, seg, square);
    ctx.strokeStyle = neuronColor(i);
    ctx.lineWidth = i === highlight ? 3 : 1.8;
    strokeSegment(ctx, seg, square);
  });
  ctx.restore();
}

function strokeSegment(ctx, [[ax, ay], [bx, by]], square) {
  ctx.beginPath();
  ctx.moveTo(square.px(ax), square.py(ay));
  ctx.lineTo(square.px(bx), square.py(by));
  ctx.stroke();
}

// Index of the line within `maxPx` pixels of data point (x1, x2), or -1.
export function lineAt(lines, x1, x2, square, maxPx = 6) {
  const perPx = (2 * EXTENT) / square.size;
  let best = -1;
  let bestD = maxPx * perPx;
  lines.forEach(({ w1, w2, b }, i) => {
    const norm = Math.hypot(w1, w2);
    if (!(norm > 0)) return;
    const d = Math.abs(w1 * x1 + w2 * x2 + b) / norm;
    if (d <= bestD) { bestD = d; best = i; }
  });
  return best;
}
