// Text around the canvases: the live numbers in the top bar, the diagram tooltip, the
// loss chart readout, the probe panel and the banner. Text only changes when it differs.

import { fmt } from "./canvas.js";
import { renderProbe } from "./probe-panel.js";
import { FEATURE_LABELS } from "./features.js";

const $ = (id) => document.getElementById(id);

function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

export function createReadouts({ t }) {
  let lastProbe = null;
  let hiddenCount = 0;

  function nodeName(column, index, columns) {
    if (column === 0) return t("network.input");
    if (column === columns - 1) return t("network.output_neuron", { i: index + 1 });
    return t("network.neuron", { l: column, i: index + 1 });
  }

  return {
    numbers(frame) {
      const h = frame?.header;
      setText($("epoch"), h ? String(h.epoch) : "0");
      setText($("train-loss"), fmt(h?.train_loss));
      setText($("test-loss"), fmt(h?.test_loss));
      setText($("test-error"), h?.test_error === null || h?.test_error === undefined ? "—" : `${fmt(h.test_error * 100, 1)}%`);
      setText($("penalty"), fmt(h?.penalty));
    },

    network(hit, x, y, layout) {
      const tip = $("network-tip");
      if (!hit) { tip.hidden = true; return; }
      const columns = layout.columns.length;
      let text;
      if (hit.kind === "edge") {
        const e = hit.edge;
        const from = e.bias ? t("network.bias_unit") : e.layer === 0 ? t("network.input") + ` ${e.from + 1}` : nodeName(e.layer, e.from, columns);
        text = `${e.bias ? "b" : "w"} = ${fmt(hit.value, 3)}  (${from} → ${nodeName(e.layer + 1, e.to, columns)})`;
      } else if (hit.kind === "node" && hit.column === 0) text = `${t("network.input")}: ${FEATURE_LABELS[hit.feature] ?? hit.feature}`;
      else if (hit.kind === "node") text = `${nodeName(hit.column, hit.index, columns)}: b = ${fmt(hit.value, 3)} · ${t("network.click_to_enlarge")}`;
      else text = t("network.bias_explain");
      tip.textContent = text;
      tip.hidden = false;
      tip.style.left = `${Math.max(0, Math.min(x + 12, tip.parentElement.clientWidth - 220))}px`;
      tip.style.top = `${y + 14}px`;
    },

    chart(entry) {
      const out = $("chart-readout");
      if (!entry) { setText(out, ""); return; }
      const err = Number.isFinite(entry.test_error) ? ` · ${t("stats.test_error")} ${fmt(entry.test_error * 100, 1)}%` : "";
      setText(out, `${t("timeline.epoch", { n: entry.epoch })} · ${t("stats.train_loss")} ${fmt(entry.train_loss)} · ` +
        `${t("stats.test_loss")} ${fmt(entry.test_loss)} · λ·R(w) ${fmt(entry.penalty)}${err}`);
    },

    probe(result, hidden) {
      lastProbe = result;
      hiddenCount = hidden;
      renderProbe($("probe"), result, { t, hiddenCount });
    },

    banner(text) {
      const el = $("banner");
      el.hidden = !text;
      setText(el, text ?? "");
    },

    relabel() { if (lastProbe) renderProbe($("probe"), lastProbe, { t, hiddenCount }); },
  };
}
