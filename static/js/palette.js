// Colour-blind-safe colours (Okabe–Ito hues, an orange–blue diverging scale, a
// viridis-like sequential scale), as 256-entry RGB lookup tables for ImageData loops.
// The numbers live in palette-data.js, which the server's figures read as well.

import PALETTE from "./palette-data.js";

export { PALETTE };
export const CLASS_COLORS = PALETTE.classColors; // class 0, 1, 2
const CLASS_RGB = CLASS_COLORS.map(hexToRgb);
const WHITE = PALETTE.white;

// Orange (0) → near white (0.5) → blue (1): P(class 1) for two classes. The ends stay
// lighter than the class colours so the points stand out on a confident background.
export const DIVERGING = makeLut(PALETTE.diverging);

// Dark purple → teal → yellow, for regression values.
export const SEQUENTIAL = makeLut(PALETTE.sequential);

// Distinct line colours for first-layer neurons (and their diagram outlines).
export const NEURON_COLORS = PALETTE.neuronColors;

export function neuronColor(i) { return NEURON_COLORS[i % NEURON_COLORS.length]; }

export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// A Uint8Array of 256 × 3 from [t, rgb] stops, linear between stops.
export function makeLut(stops) {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let s = 0;
    while (s < stops.length - 2 && t > stops[s + 1][0]) s++;
    const [t0, c0] = stops[s];
    const [t1, c1] = stops[s + 1];
    const u = (t - t0) / (t1 - t0);
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(c0[c] + u * (c1[c] - c0[c]));
  }
  return lut;
}

// Three classes: the hue of the likeliest class, saturated by confidence
// (1/K → white, 1 → the full hue). `discrete` paints the winning hue only.
export function classRgb(probs, discrete, out) {
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k] > probs[best]) best = k;
  const k = probs.length;
  const t = discrete ? 0.7 : Math.max(0, (probs[best] - 1 / k) / (1 - 1 / k));
  const hue = CLASS_RGB[best % CLASS_RGB.length];
  for (let c = 0; c < 3; c++) out[c] = Math.round(WHITE[c] + t * (hue[c] - WHITE[c]));
  return out;
}

export function lutCss(lut, t) {
  const i = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
  return `rgb(${lut[i]},${lut[i + 1]},${lut[i + 2]})`;
}
