// Custom data: with dataset "custom", a click on the output view adds a point of the
// selected class, a click on a point removes it; otherwise (and with the probe tool) a
// click asks the server for that point's forward pass. Pointer events, so fingers work.

import { msg } from "./protocol.js";

const FALLBACK = [[-3, -3, 0], [3, 3, 0], [-3, 3, 1], [3, -3, 1]];
const round = (v) => Math.round(v * 100) / 100;

export function createCustomData({ run, output, send, update }) {
  const tools = document.getElementById("custom-tools");
  let points = null;

  function tool() {
    return tools.querySelector('input[name="tool"]:checked')?.value ?? "probe";
  }

  // Switching to custom starts from the data on screen, so there is something to edit.
  function complete(partial) {
    if (partial.dataset !== "custom" || partial.points) return partial;
    const rows = run.data.task === "classification" ? [...run.data.train, ...run.data.test] : FALLBACK;
    return { ...partial, points: rows.slice(0, 2000).map(([a, b, l]) => [round(a), round(b), l]) };
  }

  function editPoints(hit) {
    const next = [...points];
    const row = hit.train >= 0 ? run.data.train[hit.train] : hit.test >= 0 ? run.data.test[hit.test] : null;
    if (row) {
      const i = next.findIndex(([a, b]) => Math.abs(a - row[0]) < 1e-9 && Math.abs(b - row[1]) < 1e-9);
      if (i >= 0) next.splice(i, 1);
    } else next.push([round(hit.x1), round(hit.x2), Number(tool())]);
    update({ points: next });
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
      points = config.dataset === "custom" ? config.points : null;
      tools.hidden = !points;
    },
    click(hit) {
      if (points && tool() !== "probe") editPoints(hit);
      else probe(hit);
    },
  };
}
