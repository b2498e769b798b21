// − and + above each hidden layer of the network diagram (as TensorFlow Playground has):
// HTML buttons placed over the diagram's columns, so they are real, focusable controls.
// When the layers are close together the buttons stack and the count hides.

import { nextHidden, refocus } from "./form.js";

const GROUP_WIDTH = 84; // − n + side by side

// onChange(nextHidden) with the new layer sizes.
export function createLayerButtons(root, { t, onChange }) {
  let hidden = [];
  let layout = null;
  let groups = [];

  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const next = nextHidden(hidden, button.dataset.action, Number(button.dataset.layer));
    if (next) onChange(next);
  });

  function build() {
    const focused = root.contains(document.activeElement) ? document.activeElement : null;
    const key = focused ? [focused.dataset.action, focused.dataset.layer] : null;
    groups = hidden.map((n, i) => group(i));
    root.replaceChildren(...groups);
    if (key) refocus(root, key);
  }

  function group(i) {
    const box = document.createElement("div");
    box.className = "layer-group";
    box.append(button("−", "remove-neuron", i, t("form.remove_neuron")),
      Object.assign(document.createElement("span"), { className: "layer-n" }),
      button("+", "add-neuron", i, t("form.add_neuron")));
    return box;
  }

  function button(text, action, layer, label) {
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: text });
    b.dataset.action = action;
    b.dataset.layer = String(layer);
    b.setAttribute("aria-label", `${label} ${layer + 1}`);
    b.title = b.getAttribute("aria-label");
    return b;
  }

  // Puts each group over its column; the strip is as tall as the groups need.
  function place() {
    if (!layout || groups.length !== layout.columns.length - 2) return;
    const xs = layout.columns.map((column) => column[0].x + column[0].size / 2);
    const step = xs.length > 1 ? xs[1] - xs[0] : Infinity;
    root.classList.toggle("compact", step < GROUP_WIDTH);
    groups.forEach((box, i) => {
      box.style.left = `${xs[i + 1]}px`;
      box.querySelector(".layer-n").textContent = String(hidden[i]);
    });
  }

  return {
    // The diagram's layout (column positions) and the layer sizes it shows.
    update(nextLayout, sizes) {
      if (nextLayout) layout = nextLayout;
      const rebuild = sizes.length !== hidden.length;
      hidden = [...sizes];
      if (rebuild) build();
      place();
    },
    relabel() { build(); place(); },
  };
}
