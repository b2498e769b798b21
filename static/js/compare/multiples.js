// Small multiples: one card per variant with its live decision boundary (the page's
// heatmap and points modules), its progress, its validation loss (what the best is
// chosen on; the test set is for the one variant used, later), and "use this".
// Grids arrive with row 0 at x2 = +6 (core/grid.py), so painting copies bytes.

import { fitCanvas, fmt } from "../canvas.js";
import { createHeatmap } from "../heatmap.js";
import { drawPoints, plotSquare } from "../points.js";
import { formatValue } from "./values.js";

export function createMultiples(root, { t, onUse }) {
  let cards = [];
  let sweep = null; // {field, epochs, data: {train, test, task}}

  function card(value, index) {
    const el = document.createElement("figure");
    el.className = "variant";
    el.dataset.index = String(index);
    el.innerHTML = `<canvas class="variant-canvas" id="compare-variant-${index}"></canvas>
      <figcaption>
        <span class="variant-value"></span> <span class="variant-best"></span>
        <progress class="variant-progress" max="1" value="0"></progress>
        <span class="variant-numbers"></span>
        <button type="button" class="variant-use"></button>
      </figcaption>`;
    el.querySelector(".variant-use").addEventListener("click", () => onUse(index));
    const heatmap = createHeatmap();
    return { el, value, heatmap, grid: null, numbers: null, canvas: el.querySelector("canvas") };
  }

  function label(c) {
    const f = c.el.querySelector.bind(c.el);
    f(".variant-value").textContent = `${t(`compare.field.${sweep.field}`)} = ${formatValue(sweep.field, c.value)}`;
    f(".variant-use").textContent = t("compare.use");
    f(".variant-best").textContent = c.el.classList.contains("best") ? t("compare.best") : "";
    const n = c.numbers;
    const progress = f(".variant-progress");
    progress.max = sweep.epochs;
    progress.value = n?.epoch ?? 0;
    const state = n?.state === "diverged" ? ` · ${t("compare.diverged")}` : "";
    f(".variant-numbers").textContent = n
      ? `${t("stats.epoch")} ${n.epoch}/${sweep.epochs} · ${t("stats.validation_loss")} ${fmt(n.validation_loss)}${state}`
      : `${t("stats.epoch")} 0/${sweep.epochs}`;
  }

  function drawCard(c) {
    const { ctx, width, height } = fitCanvas(c.canvas);
    ctx.clearRect(0, 0, width, height);
    const square = plotSquare(width, height);
    if (c.grid) {
      const kind = sweep.data.task === "regression" ? "regression" : "binary";
      const image = c.heatmap.paint(c.grid.bytes, c.grid.shape, { kind });
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(image, square.x0, square.y0, square.size, square.size);
    }
    const range = c.grid?.range ?? [0, 1];
    drawPoints(ctx, sweep.data.train, square, { task: sweep.data.task, range, radius: 2.2 });
  }

  return {
    // A new sweep: one empty card per value.
    reset(field, values, epochs, data) {
      sweep = { field, epochs, data };
      cards = values.map(card);
      root.replaceChildren(...cards.map((c) => c.el));
      cards.forEach(label);
    },
    // A sweep frame: each variant's numbers and grid bytes.
    update(header, payload) {
      header.variants.forEach((v, i) => {
        const c = cards[i];
        if (!c) return;
        c.numbers = v;
        const g = v.grid;
        c.grid = { bytes: payload.subarray(g.offset, g.offset + g.length), shape: g.shape, range: g.range };
      });
    },
    numbers(variants) { variants.forEach((v, i) => { if (cards[i]) cards[i].numbers = { ...cards[i].numbers, ...v }; }); },
    setBest(best) { cards.forEach((c, i) => c.el.classList.toggle("best", i === best)); },
    draw() { if (!sweep) return; for (const c of cards) { label(c); drawCard(c); } },
    get length() { return cards.length; },
  };
}
