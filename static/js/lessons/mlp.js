// The forward pass of a frame's weights in the browser, for what the frame does not
// carry: every training point's output (the five losses of lesson 7), a few points
// through every layer (lessons 3 and 4) and a decision picture from a sweep's final
// weights. The server's core/network.py is the reference;
// lesson tests compare the two.

import { featureFunction } from "../schema.js";

const ACTIVATION = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
  linear: (z) => z,
};

export const sigmoid = ACTIVATION.sigmoid;

// One point's way through the network: its input features, then every layer's
// z = a·W + b and activation a (the output layer's a is its raw z, as in core's probe).
export function layerValues({ weights, biases }, features, activation, x1, x2) {
  const input = features.map((f) => featureFunction(f)(x1, x2));
  let a = input;
  const layers = weights.map((W, l) => {
    const z = biases[l].slice();
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < z.length; j++) z[j] += a[i] * W[i][j];
    }
    a = l === weights.length - 1 ? z : z.map(ACTIVATION[activation]);
    return { z, a };
  });
  return { input, layers };
}

// The output layer's raw values z for the point (x1, x2).
export function forward(params, features, activation, x1, x2) {
  return layerValues(params, features, activation, x1, x2).layers.at(-1).z;
}

// R×R bytes of σ(z) (binary) over [−6, 6]², row 0 at x2 = +6 like the server's grid.
export function binaryGrid(params, features, activation, R = 60) {
  const bytes = new Uint8Array(R * R);
  for (let row = 0; row < R; row++) {
    const x2 = 6 - ((row + 0.5) * 12) / R;
    for (let col = 0; col < R; col++) {
      const x1 = -6 + ((col + 0.5) * 12) / R;
      const p = sigmoid(forward(params, features, activation, x1, x2)[0]);
      bytes[row * R + col] = Math.round(p * 255);
    }
  }
  return bytes;
}
