// The input features (DESIGN.md canonical order) with their display names and small
// maps over [−6, 6]², painted once and cached, for the network diagram's input column.

import { DIVERGING } from "./palette.js";

export const FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"];

export const FEATURE_LABELS = {
  x1: "x₁", x2: "x₂", x1_sq: "x₁²", x2_sq: "x₂²", x1x2: "x₁x₂", sin_x1: "sin x₁", sin_x2: "sin x₂",
};

const FN = {
  x1: (a) => a, x2: (a, b) => b, x1_sq: (a) => a * a, x2_sq: (a, b) => b * b,
  x1x2: (a, b) => a * b, sin_x1: (a) => Math.sin(a), sin_x2: (a, b) => Math.sin(b),
};

const R = 24;
const cache = new Map();

// One small canvas per feature name (null for an unknown name).
export function featureMaps(names) {
  return names.map((name) => {
    if (!FN[name]) return null;
    if (!cache.has(name)) cache.set(name, paintFeature(FN[name]));
    return cache.get(name);
  });
}

function paintFeature(fn) {
  const values = new Float32Array(R * R);
  for (let row = 0; row < R; row++) {
    for (let col = 0; col < R; col++) {
      const x1 = -6 + ((col + 0.5) * 12) / R;
      const x2 = 6 - ((row + 0.5) * 12) / R;
      values[row * R + col] = fn(x1, x2);
    }
  }
  const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-9);
  const canvas = document.createElement("canvas");
  canvas.width = R;
  canvas.height = R;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(R, R);
  values.forEach((v, i) => {
    const j = Math.round(((v / max + 1) / 2) * 255) * 3;
    image.data.set([DIVERGING[j], DIVERGING[j + 1], DIVERGING[j + 2], 255], i * 4);
  });
  ctx.putImageData(image, 0, 0);
  return canvas;
}

// Features in canonical order, whatever order they were given in.
export function canonical(names) {
  return FEATURES.filter((f) => names.includes(f));
}
