// The configuration form: every control is named after its config field, so reading
// and writing the form is a loop over names. Changes are reported as partial configs;
// server errors are shown next to the field they name, and leave once they no longer
// apply.

const MAX_LAYERS = 6;
const MAX_NEURONS = 16;

// onChange(partial) fires with {field: value} when the learner changes a control.
export function createConfigForm(form, { onChange, t = (k) => k }) {
  let hidden = [];
  const editor = form.querySelector("[data-hidden-editor]");

  function valueOf(control) {
    if (control.type === "number" || control.type === "range") {
      const text = control.value.trim();
      const n = Number(text);
      return text !== "" && Number.isFinite(n) ? n : text; // the server names what is wrong
    }
    return control.value;
  }

  function features() {
    return [...form.querySelectorAll('input[name="features"]:checked')].map((c) => c.value);
  }

  form.addEventListener("change", (event) => {
    const control = event.target;
    if (!control.name || control.name === "hidden" || control.dataset.local !== undefined) return;
    if (control.name === "features") onChange({ features: features() });
    else onChange({ [control.name]: valueOf(control) });
  });
  form.addEventListener("input", (event) => showValue(event.target));
  form.addEventListener("submit", (event) => event.preventDefault());

  function showValue(control) {
    const out = form.querySelector(`[data-value-for="${control.name}"]`);
    if (out) out.textContent = control.value;
  }

  // The hidden-layer editor: layer count and each layer's size with − / + buttons.
  editor?.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const next = nextHidden(hidden, button.dataset.action, Number(button.dataset.layer));
    if (!next) return;
    setHidden(next);
    onChange({ hidden: next });
  });

  // Rebuilding the editor must not lose the keyboard's place: the button that had focus
  // (same action, same layer) gets it back.
  function setHidden(layers) {
    hidden = [...layers];
    form.querySelector('input[name="hidden"]').value = hidden.join(",");
    if (!editor) return;
    const focused = editor.contains(document.activeElement) ? document.activeElement : null;
    const key = focused?.dataset.action ? [focused.dataset.action, focused.dataset.layer] : null;
    editor.querySelector("[data-layer-count]").textContent = t("form.layers_count", { n: hidden.length });
    editor.querySelector("[data-layers]").replaceChildren(...hidden.map((n, i) => layerControl(n, i)));
    if (key) refocus(editor, key);
  }

  function layerControl(n, i) {
    const box = document.createElement("div");
    box.className = "layer-size";
    box.append(
      button("−", "remove-neuron", i, t("form.remove_neuron")),
      Object.assign(document.createElement("span"), { textContent: String(n), className: "layer-n" }),
      button("+", "add-neuron", i, t("form.add_neuron")),
    );
    return box;
  }

  function button(text, action, layer, label) {
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: text, name: "hidden" });
    b.dataset.action = action;
    b.dataset.layer = String(layer);
    b.setAttribute("aria-label", `${label} ${layer + 1}`);
    b.title = b.getAttribute("aria-label");
    return b;
  }

  function errorOut(field) { return form.querySelector(`[data-error-for="${field}"]`); }

  function clearError(field) {
    const out = errorOut(field);
    if (out) { out.hidden = true; out.textContent = ""; }
    for (const c of form.querySelectorAll(`[name="${field}"]`)) c.removeAttribute("aria-invalid");
  }

  // What the form shows for `field`, comparable with a config value.
  function shown(field) {
    if (field === "features") return features();
    if (field === "hidden") return hidden;
    const control = form.querySelector(`[name="${field}"]`);
    return control ? valueOf(control) : undefined;
  }

  return {
    // Shows a resolved config in the controls.
    set(config) {
      for (const control of form.elements) {
        if (!control.name || !(control.name in config)) continue;
        const value = config[control.name];
        if (control.name === "features") control.checked = value.includes(control.value);
        else if (control.name === "hidden") continue;
        else if (control.tagName !== "BUTTON") { control.value = String(value); showValue(control); }
      }
      setHidden(config.hidden ?? []);
    },
    setHidden,
    get hidden() { return [...hidden]; },
    // Limits that follow the data, e.g. {batch_size: {max: 240}}.
    setLimits(limits) {
      for (const [field, attrs] of Object.entries(limits)) {
        const control = form.querySelector(`[name="${field}"]`);
        for (const [name, value] of Object.entries(attrs)) control?.setAttribute(name, String(value));
      }
    },
    showError(field, message) {
      const out = errorOut(field) ?? errorOut("_form");
      if (!out) return;
      out.textContent = message;
      out.hidden = false;
      for (const c of form.querySelectorAll(`[name="${field}"]`)) c.setAttribute("aria-invalid", "true");
    },
    clearError,
    // After the server accepted a change: an error whose field now shows the value in
    // effect no longer applies (e.g. "loss must be mse or mae" once the data is not
    // regression any more).
    // Returns the fields whose error left.
    pruneErrors(config) {
      const cleared = [];
      for (const out of form.querySelectorAll("[data-error-for]:not([hidden])")) {
        const field = out.dataset.errorFor;
        if (field === "_form" || !(field in config)) continue;
        if (JSON.stringify(shown(field)) === JSON.stringify(config[field])) { clearError(field); cleared.push(field); }
      }
      return cleared;
    },
    relabel() { setHidden(hidden); },
  };
}

// The layer sizes after an editor action, or null when it cannot apply.
export function nextHidden(hidden, action, layer) {
  const next = [...hidden];
  if (action === "add-layer" && next.length < MAX_LAYERS) next.push(next.at(-1) ?? 2);
  else if (action === "remove-layer" && next.length > 0) next.pop();
  else if (action === "add-neuron" && next[layer] < MAX_NEURONS) next[layer]++;
  else if (action === "remove-neuron" && next[layer] > 1) next[layer]--;
  else return null;
  return next;
}

// Focus the button of `root` with this [action, layer], or the nearest one left.
export function refocus(root, [action, layer]) {
  const selector = `button[data-action="${action}"]`;
  const same = root.querySelector(`${selector}[data-layer="${layer}"]`) ?? (layer === undefined ? root.querySelector(selector) : null);
  const fallback = [...root.querySelectorAll(selector)].at(-1);
  (same ?? fallback)?.focus();
}
