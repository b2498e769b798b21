// Custom data: with dataset "custom", the mode chosen under the output view says what a
// click (or Enter on the keyboard cursor) does — add a point of class 0, 1 or 2, erase
// the nearest point, or probe. "Clear" empties the drawing; until it has the 4 points
// a run needs, the points are kept here and shown, and nothing is sent. Any other
// dataset: a click probes.

import { msg } from "./protocol.js";
import { nearestPoint } from "./points.js";

const FALLBACK = [[-3, -3, 0], [3, 3, 0], [-3, 3, 1], [3, -3, 1]];
const MIN_ROWS = 4; // core/config.py: custom data has 4 – 2000 rows
const MAX_ROWS = 2000;
const ERASE_PX = 14;
const round = (v) => Math.round(v * 100) / 100;

export function createCustomData({ run, output, send, update, t, form }) {
  const tools = document.getElementById("custom-tools");
  const next = document.getElementById("custom-next");
  let points = null; // the rows drawn, while dataset is custom

  function tool() {
    return tools.querySelector('input[name="tool"]:checked')?.value ?? "probe";
  }

  function showMode() {
    const mode = tool();
    const count = points ? points.length : 0;
    const what = mode === "erase" ? t("custom.next_erase")
      : mode === "probe" ? t("custom.next_probe") : t("custom.next_add", { cls: t(`custom.class${mode}`) });
    const text = count < MIN_ROWS ? `${what} ${t("custom.too_few", { n: count, min: MIN_ROWS })}` : `${what} ${t("custom.count", { n: count })}`;
    if (next.textContent !== text) next.textContent = text;
    output.setOptions({ ghost: points && /^[012]$/.test(mode) ? Number(mode) : null });
  }

  tools.addEventListener("change", showMode);
  document.getElementById("custom-clear").addEventListener("click", () => setPoints([]));

  // Switching to custom starts from the data on screen (Clear starts from nothing).
  function complete(partial) {
    if (partial.dataset !== "custom" || partial.points) return partial;
    const rows = run.data.task === "classification" ? [...run.data.train, ...run.data.test] : FALLBACK;
    return { ...partial, points: rows.slice(0, MAX_ROWS).map(([a, b, l]) => [round(a), round(b), l]) };
  }

  // Enough points: the server trains on them; too few: shown here until there are.
  function setPoints(rows) {
    points = rows;
    form.clearError("points");
    if (rows.length >= MIN_ROWS) update({ points: rows });
    else output.setData({ train: rows, test: [], task: "classification" });
    showMode();
  }

  function edit(hit) {
    if (tool() === "erase") {
      const sq = output.square;
      const i = nearestPoint(points, sq, sq.px(hit.x1), sq.py(hit.x2), ERASE_PX);
      if (i >= 0) setPoints(points.filter((_, j) => j !== i));
    } else if (points.length < MAX_ROWS) setPoints([...points, [round(hit.x1), round(hit.x2), Number(tool())]]);
  }

  function probe(hit) {
    const row = hit.train >= 0 ? run.data.train[hit.train] : hit.test >= 0 ? run.data.test[hit.test] : null;
    const x = row ? [row[0], row[1]] : [hit.x1, hit.x2];
    output.setProbe(x);
    send(msg.probe(x, row ? row[2] : undefined));
  }

  return {
    complete,
    onDataset(config) {
      points = config.dataset === "custom" ? config.points.map((r) => [...r]) : null;
      tools.hidden = !points;
      showMode();
    },
    click(hit) {
      if (points && tool() !== "probe") edit(hit);
      else probe(hit);
    },
    relabel: showMode,
    get points() { return points; },
  };
}
