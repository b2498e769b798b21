// Grid bytes → pixels, in one ImageData loop at the grid's own resolution
// (Observable Plot's raster style); the caller scales the result with drawImage.
// Orientation is the server's: row 0 is the top (x2 = +6), so bytes are copied in order.

import { DIVERGING, SEQUENTIAL, classRgb } from "./palette.js";

// kind: "binary" (bytes = P(class 1)), "multiclass" (K bytes per cell), "regression".
export function createHeatmap() {
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d");
  let image = null;

  function ensure(rows, cols) {
    if (!image || image.width !== cols || image.height !== rows) {
      canvas.width = cols;
      canvas.height = rows;
      image = ctx.createImageData(cols, rows);
    }
  }

  return {
    canvas,
    // Paints `bytes` with shape [R, C] or [R, C, K]; returns the R×C canvas.
    paint(bytes, shape, { kind = "binary", discretize = false } = {}) {
      const [rows, cols, k = 1] = shape;
      ensure(rows, cols);
      if (k > 1) paintClasses(image.data, bytes, rows * cols, k, discretize);
      else paintScalar(image.data, bytes, rows * cols, kind === "regression" ? SEQUENTIAL : DIVERGING,
        discretize ? (kind === "regression" ? 8 : 2) : 0);
      ctx.putImageData(image, 0, 0);
      return canvas;
    },
  };
}

// One byte per cell through a 256-entry LUT; `bands` > 0 quantizes into that many steps.
function paintScalar(data, bytes, cells, lut, bands) {
  const index = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    if (!bands) { index[b] = b; continue; }
    const band = Math.min(bands - 1, Math.floor((b / 256) * bands));
    index[b] = bands === 2 ? (band ? 215 : 40) : Math.round((band + 0.5) * 255 / bands);
  }
  for (let i = 0, p = 0; i < cells; i++, p += 4) {
    const j = index[bytes[i]] * 3;
    data[p] = lut[j];
    data[p + 1] = lut[j + 1];
    data[p + 2] = lut[j + 2];
    data[p + 3] = 255;
  }
}

function paintClasses(data, bytes, cells, k, discrete) {
  const probs = new Float32Array(k);
  const rgb = [0, 0, 0];
  for (let i = 0, p = 0; i < cells; i++, p += 4) {
    for (let c = 0; c < k; c++) probs[c] = bytes[i * k + c] / 255;
    classRgb(probs, discrete, rgb);
    data[p] = rgb[0];
    data[p + 1] = rgb[1];
    data[p + 2] = rgb[2];
    data[p + 3] = 255;
  }
}

// All hidden neurons' r×r maps side by side in one atlas canvas (one loop per frame);
// neuron i occupies columns [i·r, (i+1)·r). Each map uses its own range, so the
// diverging scale shows the neuron's low (orange) and high (blue) side.
export function createNeuronAtlas() {
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d");
  let image = null;
  return {
    canvas,
    paint(bytes, r, count) {
      if (!image || image.width !== r * count || image.height !== r) {
        canvas.width = Math.max(1, r * count);
        canvas.height = r;
        image = ctx.createImageData(canvas.width, r);
      }
      const data = image.data;
      for (let n = 0; n < count; n++) {
        for (let i = 0; i < r * r; i++) {
          const row = (i / r) | 0;
          const p = (row * r * count + n * r + (i - row * r)) * 4;
          const j = bytes[n * r * r + i] * 3;
          data[p] = DIVERGING[j];
          data[p + 1] = DIVERGING[j + 1];
          data[p + 2] = DIVERGING[j + 2];
          data[p + 3] = 255;
        }
      }
      ctx.putImageData(image, 0, 0);
      return canvas;
    },
  };
}

// The grid's value(s) in the cell holding (x1, x2): a number (P(class 1), or the
// regression value), or K class probabilities. Row 0 is x2 = +6, column 0 x1 = −6.
export function gridAt(frame, x1, x2, extent = 6) {
  const meta = frame?.header.grid;
  if (!meta || !frame.grid) return null;
  const [rows, cols, k = 1] = meta.shape;
  const col = Math.min(cols - 1, Math.max(0, Math.floor(((x1 + extent) / (2 * extent)) * cols)));
  const row = Math.min(rows - 1, Math.max(0, Math.floor(((extent - x2) / (2 * extent)) * rows)));
  const [lo, hi] = meta.range;
  const value = (b) => lo + (b / 255) * (hi - lo);
  const at = (row * cols + col) * k;
  return k === 1 ? value(frame.grid[at]) : Array.from(frame.grid.subarray(at, at + k), value);
}
