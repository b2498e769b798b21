// The heatmap's colour scale under the output view: a strip with the colours the
// heatmap uses, its two ends, and what the colour means — P(class 1) for two classes,
// the predicted value for regression (the grid's own range), the likeliest class for
// three.

import { DIVERGING, SEQUENTIAL, CLASS_COLORS, lutCss } from "./palette.js";
import { fitCanvas, fmt } from "./canvas.js";

export function createColorScale(figure, { t }) {
  const strip = figure.querySelector("canvas");
  const lo = figure.querySelector(".color-scale-lo");
  const hi = figure.querySelector(".color-scale-hi");
  const name = figure.querySelector(".color-scale-name");
  let key = "";
  let width = 0; // the strip's CSS width, watched (reading it while drawing would force a layout)
  let last = null; // the newest update's arguments, painted again when the width changes
  new ResizeObserver(([entry]) => {
    width = Math.round(entry.contentRect.width);
    if (last) update(last);
  }).observe(strip);

  function paint(fill) {
    const { ctx, width, height } = fitCanvas(strip);
    for (let x = 0; x < width; x++) {
      ctx.fillStyle = fill(x / Math.max(1, width - 1));
      ctx.fillRect(x, 0, 1, height);
    }
  }

  function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

  // task: "classification" | "regression"; range: the grid's [lo, hi]; classes: K.
  function update({ task, range, classes }) {
    last = { task, range, classes };
    const next = [task, range?.[0], range?.[1], classes, width, t("scale.value")].join();
    if (next === key || !width) return;
    key = next;
    if (task === "regression") {
      paint((u) => lutCss(SEQUENTIAL, u));
      setText(lo, fmt(range?.[0], 2));
      setText(hi, fmt(range?.[1], 2));
      setText(name, t("scale.value"));
    } else if (classes > 2) {
      paint((u) => CLASS_COLORS[Math.min(classes - 1, Math.floor(u * classes))]);
      setText(lo, t("metrics.class", { k: 0 }));
      setText(hi, t("metrics.class", { k: classes - 1 }));
      setText(name, t("scale.classes"));
    } else {
      paint((u) => lutCss(DIVERGING, u));
      setText(lo, "0");
      setText(hi, "1");
      setText(name, t("scale.p1"));
    }
  }

  return { update };
}
