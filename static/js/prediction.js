// What the network predicts at one spot of the output view, in words, read from the
// frame's grid (for the keyboard cursor's live region): P(class 1), the likeliest of
// three classes, or the regression value.

import { gridAt } from "./heatmap.js";
import { fmt } from "./canvas.js";

export function predictionText(frame, [x1, x2], task, t) {
  const value = gridAt(frame, x1, x2);
  if (value === null) return "";
  if (task === "regression") return t("predict.value", { v: fmt(value, 2) });
  if (Array.isArray(value)) {
    const best = value.indexOf(Math.max(...value));
    return t("predict.class", { k: best, p: fmt(value[best], 2) });
  }
  return t("predict.p1", { p: fmt(value, 2) });
}
