// Text around the canvases: the live numbers in the top bar, the test-set accuracy and
// confusion matrix, the diagram tooltip, the loss chart readout, the probe panel, the
// keyboard cursor's live region and the banner. Text only changes when it differs.

import { fmt } from "./canvas.js";
import { renderProbe, clearProbe } from "./probe-panel.js";
import { FEATURE_LABELS } from "./features.js";

const $ = (id) => document.getElementById(id);

function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }

const percent = (v) => (v === null || v === undefined || Number.isNaN(v) ? "—" : `${fmt(v * 100, 1)}%`);

export function createReadouts({ t }) {
  let lastProbe = null;
  let hiddenCount = 0;
  let confusionKey = "";

  function nodeName(column, index, columns) {
    if (column === 0) return t("network.input");
    if (column === columns - 1) return t("network.output_neuron", { i: index + 1 });
    return t("network.neuron", { l: column, i: index + 1 });
  }

  // "w = 0.52 (input 1 → layer 1, neuron 2)" for a connection of the diagram.
  function edgeText(e, value, columns) {
    const from = e.bias ? t("network.bias_unit") : e.layer === 0 ? `${t("network.input")} ${e.from + 1}` : nodeName(e.layer, e.from, columns);
    return `${e.bias ? "b" : "w"} = ${fmt(value, 3)}  (${from} → ${nodeName(e.layer + 1, e.to, columns)})`;
  }

  // The test set's confusion matrix as a table: rows true class, columns predicted.
  function confusion(counts) {
    const key = JSON.stringify(counts) + t("metrics.true");
    if (key === confusionKey) return;
    confusionKey = key;
    const table = $("confusion");
    if (!table) return;
    const k = counts?.length ?? 0;
    const th = (text, scope) => Object.assign(document.createElement("th"), { textContent: text, scope });
    const head = document.createElement("tr");
    head.append(th(`${t("metrics.true")} ╲ ${t("metrics.predicted")}`, "col"));
    for (let j = 0; j < k; j++) head.append(th(t("metrics.class", { k: j }), "col"));
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren(...(counts ?? []).map((row, i) => {
      const tr = document.createElement("tr");
      tr.append(th(t("metrics.class", { k: i }), "row"));
      row.forEach((n, j) => tr.append(Object.assign(document.createElement("td"), { textContent: String(n), className: i === j ? "hit" : n ? "miss" : "" })));
      return tr;
    }));
  }

  return {
    numbers(frame) {
      const h = frame?.header;
      setText($("epoch"), h ? String(h.epoch) : "0");
      setText($("train-loss"), fmt(h?.train_loss));
      setText($("validation-loss"), fmt(h?.validation_loss));
      setText($("test-loss"), fmt(h?.test_loss));
      setText($("test-error"), percent(h?.test_error));
      const accuracy = h?.test_error === null || h?.test_error === undefined ? null : 1 - h.test_error;
      setText($("accuracy"), percent(accuracy));
      setText($("metrics-accuracy"), percent(accuracy));
      setText($("metrics-error"), percent(h?.test_error));
      setText($("penalty"), fmt(h?.penalty));
      if (h?.confusion) confusion(h.confusion);
    },

    network(hit, x, y, layout) {
      const tip = $("network-tip");
      if (!hit) { tip.hidden = true; return; }
      const columns = layout.columns.length;
      let text;
      if (hit.kind === "edge") text = `${edgeText(hit.edge, hit.value, columns)} · ${t("network.click_to_edit")}`;
      else if (hit.kind === "node" && hit.column === 0) text = `${t("network.input")}: ${FEATURE_LABELS[hit.feature] ?? hit.feature}`;
      else if (hit.kind === "node") text = `${nodeName(hit.column, hit.index, columns)}: b = ${fmt(hit.value, 3)} · ${t("network.click_to_enlarge")}`;
      else text = t("network.bias_explain");
      setText(tip, text);
      tip.hidden = false;
      tip.style.left = `${Math.max(0, Math.min(x + 12, tip.parentElement.clientWidth - 220))}px`;
      tip.style.top = `${y + 14}px`;
    },

    // The weight editor's title for a clicked connection.
    edge(hit, layout) { return edgeText(hit.edge, hit.value, layout.columns.length); },

    chart(entry) {
      const out = $("chart-readout");
      if (!entry) { setText(out, ""); return; }
      const err = Number.isFinite(entry.test_error) ? ` · ${t("stats.test_error")} ${fmt(entry.test_error * 100, 1)}%` : "";
      const val = Number.isFinite(entry.validation_loss) ? ` · ${t("stats.validation_loss")} ${fmt(entry.validation_loss)}` : "";
      setText(out, `${t("timeline.epoch", { n: entry.epoch })} · ${t("stats.train_loss")} ${fmt(entry.train_loss)}${val} · ` +
        `${t("stats.test_loss")} ${fmt(entry.test_loss)} · λ·R(w) ${fmt(entry.penalty)}${err}`);
    },

    // The keyboard cursor on the output view, said by the live region.
    cursor(at, prediction) {
      setText($("output-cursor"), at ? t("output.cursor", { x1: fmt(at[0], 1), x2: fmt(at[1], 1), p: prediction }) : "");
    },

    probe(result, hidden) {
      lastProbe = result;
      hiddenCount = hidden;
      renderProbe($("probe"), result, { t, hiddenCount });
    },

    // A reset or new data: the old point's numbers no longer hold.
    clearProbe() {
      lastProbe = null;
      clearProbe($("probe"), t);
    },

    banner(text) {
      const el = $("banner");
      el.hidden = !text;
      setText(el, text ?? "");
    },

    relabel() {
      confusionKey = "";
      if (lastProbe) renderProbe($("probe"), lastProbe, { t, hiddenCount });
      else clearProbe($("probe"), t);
    },
  };
}
