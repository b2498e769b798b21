// The enlarged view of one neuron (or the output), opened by clicking it in the diagram;
// it follows the frame on screen, so it stays live while training.

import { createHeatmap } from "./heatmap.js";
import { fitCanvas, fmt } from "./canvas.js";

const $ = (id) => document.getElementById(id);

export function createZoom({ t }) {
  const heatmap = createHeatmap();
  let target = null; // {column, index}
  $("zoom-close").addEventListener("click", () => { target = null; $("zoom").hidden = true; });

  function neuronBytes(frame, column, index) {
    const meta = frame.header.neurons;
    if (!meta || column - 1 >= meta.layers.length) return null;
    const r = meta.shape[0];
    const n = meta.layers.slice(0, column - 1).reduce((a, b) => a + b, 0) + index;
    return { bytes: frame.neurons.subarray(n * r * r, (n + 1) * r * r), shape: [r, r], range: meta.ranges[n] };
  }

  return {
    open(node) { target = node; $("zoom").hidden = false; },
    draw(frame) {
      if (!target || !frame) return;
      const hidden = neuronBytes(frame, target.column, target.index);
      const pic = hidden ?? { bytes: frame.grid, shape: frame.header.grid.shape, range: frame.header.grid.range };
      const { ctx, width, height } = fitCanvas($("zoom-canvas"));
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(heatmap.paint(pic.bytes, pic.shape), 0, 0, width, height);
      const name = hidden ? t("network.neuron", { l: target.column, i: target.index + 1 }) : t("network.output");
      $("zoom-caption").textContent = `${name} · ${t("network.range")} [${fmt(pic.range[0], 2)}, ${fmt(pic.range[1], 2)}]`;
    },
  };
}
