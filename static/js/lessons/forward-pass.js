// Lesson 2: one clicked point through the network, layer by layer. Every z and a shown
// is the server's (its probe message); the [W; b] beside them are the weights of the
// frame at the probe's epoch, so all the numbers on the page belong to one moment.
// Each step reads z⁽ˡ⁾ = [a⁽ˡ⁻¹⁾, 1]·[W⁽ˡ⁾; b⁽ˡ⁾], then a⁽ˡ⁾ = f(z⁽ˡ⁾); the output
// layer's activation is σ (one output), softmax (several) or none (raw scores).

import { m, mi, mo, mn, matrix } from "./mathml.js";
import { fmt } from "../canvas.js";

const DIGITS = 3;

const layerTag = (l) => m("mrow", mo("("), m("mn", String(l)), mo(")"));
const sup = (name, l) => m("msup", mi(name), layerTag(l));

// [v₁, v₂, …, 1]: the layer's input with the bias unit's constant 1 appended.
function withBiasUnit(values) {
  const row = m("mrow", mo("["));
  values.forEach((v) => row.append(mn(v, DIGITS), mo(",")));
  row.append(m("mn", "1"), mo("]"));
  return row;
}

function vectorOf(values) {
  const row = m("mrow", mo("["));
  values.forEach((v, i) => { if (i) row.append(mo(",")); row.append(mn(v, DIGITS)); });
  row.append(mo("]"));
  return row;
}

function apply(fn, arg) { return m("mrow", mi(fn), mo("("), arg, mo(")")); }

function step(...parts) {
  const math = m("math", ...parts);
  math.setAttribute("display", "block");
  const wrap = document.createElement("div");
  wrap.className = "math-scroll";
  wrap.append(math);
  return wrap;
}

function outputName(probe) {
  if (!probe.probabilities) return null;
  return probe.output.length === 1 ? "σ" : "softmax";
}

// The steps as block MathML elements, from the probe and the frame header's weights.
export function forwardSteps(probe, header, activation) {
  const hat = m("mover", mi("y"), mo("^"));
  hat.setAttribute("accent", "true");
  const steps = [step(sup("a", 0), mo("="), mi("x"), mo("="), vectorOf(probe.input))];
  const last = probe.layers.length - 1;
  probe.layers.forEach(({ z, a }, l) => {
    const input = l === 0 ? probe.input : probe.layers[l - 1].a;
    const Wb = [...header.weights[l], header.biases[l]];
    steps.push(step(sup("z", l + 1), mo("="), withBiasUnit(input), matrix(Wb, DIGITS), mo("="), vectorOf(z)));
    if (l < last) steps.push(step(sup("a", l + 1), mo("="), apply(activation, sup("z", l + 1)), mo("="), vectorOf(a)));
  });
  const name = outputName(probe);
  const out = name ? apply(name, sup("z", last + 1)) : sup("z", last + 1);
  const value = probe.output.length === 1 ? mn(probe.output[0], DIGITS) : vectorOf(probe.output);
  steps.push(step(hat, mo("="), out, mo("="), value));
  return steps;
}

// The panel: pending probe → shown once the frame at its epoch has arrived.
export function createForwardPass(el, t) {
  const point = el.querySelector('[data-role="forward-point"]');
  const stepsEl = el.querySelector('[data-role="forward-steps"]');
  const state = { pending: null, shown: null };
  return {
    setProbe(message) { state.pending = message; },
    // Draws the pending probe with `frameAt(epoch)`'s weights; false while that frame is missing.
    show(frameAt, activation) {
      const probe = state.pending;
      const frame = probe && frameAt(probe.epoch);
      if (!frame) return false;
      stepsEl.replaceChildren(...forwardSteps(probe, frame.header, activation));
      point.textContent = t("layers.forward_point", { x1: fmt(probe.x[0], 2), x2: fmt(probe.x[1], 2), epoch: probe.epoch });
      state.shown = { probe, header: frame.header };
      state.pending = null;
      return true;
    },
    get shown() { return state.shown; },
  };
}
