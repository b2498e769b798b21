// The enlarged view of one neuron (or the output), opened by clicking it in the diagram,
// as an overlay over the page (nothing below moves). It follows the frame on screen, so
// it stays live while training. Esc, the Close button or a click outside close it, and
// focus goes back where it was.

import { createHeatmap } from "./heatmap.js";
import { fitCanvas, fmt } from "./canvas.js";

const $ = (id) => document.getElementById(id);

export function createZoom({ t }) {
  const heatmap = createHeatmap();
  const overlay = $("zoom");
  let target = null; // {column, index}
  let returnFocus = null;

  function close() {
    if (!target) return;
    target = null;
    overlay.hidden = true;
    returnFocus?.focus?.();
  }

  $("zoom-close").addEventListener("click", close);
  overlay.addEventListener("click", (event) => { if (event.target === overlay) close(); });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && target) { event.preventDefault(); close(); }
  });
  // Focus stays inside the dialog while it is open (its one control is Close).
  overlay.addEventListener("keydown", (event) => {
    if (event.key === "Tab") { event.preventDefault(); $("zoom-close").focus(); }
  });

  function neuronBytes(frame, column, index) {
    const meta = frame.header.neurons;
    if (!meta || column - 1 >= meta.layers.length) return null;
    const r = meta.shape[0];
    const n = meta.layers.slice(0, column - 1).reduce((a, b) => a + b, 0) + index;
    return { bytes: frame.neurons.subarray(n * r * r, (n + 1) * r * r), shape: [r, r], range: meta.ranges[n] };
  }

  return {
    open(node) {
      returnFocus = document.activeElement;
      target = node;
      overlay.hidden = false;
      $("zoom-close").focus();
    },
    close,
    get isOpen() { return target !== null; },
    draw(frame, task = "classification") {
      if (!target || !frame) return;
      const hidden = neuronBytes(frame, target.column, target.index);
      const pic = hidden ?? { bytes: frame.grid, shape: frame.header.grid.shape, range: frame.header.grid.range };
      const kind = !hidden && task === "regression" ? "regression" : "binary";
      const { ctx, width, height } = fitCanvas($("zoom-canvas"));
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(heatmap.paint(pic.bytes, pic.shape, { kind }), 0, 0, width, height);
      const name = hidden ? t("network.neuron", { l: target.column, i: target.index + 1 }) : t("network.output");
      const text = `${name} · ${t("network.range")} [${fmt(pic.range[0], 2)}, ${fmt(pic.range[1], 2)}]`;
      if ($("zoom-caption").textContent !== text) $("zoom-caption").textContent = text;
    },
  };
}
