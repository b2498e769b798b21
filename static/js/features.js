// The input features' display names and small maps over [−6, 6]², painted once and
// cached, for the network diagram's input column. The features themselves (their order
// and formulas) come from the schema (schema.js), as the core defines them.

import { DIVERGING } from "./palette.js";
import { featureFunction, schema } from "./schema.js";

export const FEATURE_LABELS = {
  x1: "x₁", x2: "x₂", x1_sq: "x₁²", x2_sq: "x₂²", x1x2: "x₁x₂", sin_x1: "sin x₁", sin_x2: "sin x₂",
};

const R = 24;
const cache = new Map();

// One small canvas per feature name (null for an unknown name).
export function featureMaps(names) {
  return names.map((name) => {
    const fn = featureFunction(name);
    if (!fn) return null;
    if (!cache.has(name)) cache.set(name, paintFeature(fn));
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
  return schema().features.choices.filter((f) => names.includes(f));
}
