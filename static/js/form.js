// The configuration form: every control is named after its config field, so reading
// and writing the form is a loop over names. Changes are reported as partial configs;
// server errors are shown next to the field they name.

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

  form.addEventListener("change", (event) => {
    const control = event.target;
    if (!control.name || control.name === "hidden") return;
    if (control.name === "features") {
      const features = [...form.querySelectorAll('input[name="features"]:checked')].map((c) => c.value);
      onChange({ features });
    } else onChange({ [control.name]: valueOf(control) });
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
    const next = [...hidden];
    const i = Number(button.dataset.layer);
    const action = button.dataset.action;
    if (action === "add-layer" && next.length < MAX_LAYERS) next.push(next.at(-1) ?? 2);
    else if (action === "remove-layer" && next.length > 0) next.pop();
    else if (action === "add-neuron" && next[i] < MAX_NEURONS) next[i]++;
    else if (action === "remove-neuron" && next[i] > 1) next[i]--;
    else return;
    setHidden(next);
    onChange({ hidden: next });
  });

  function setHidden(layers) {
    hidden = [...layers];
    form.querySelector('input[name="hidden"]').value = hidden.join(",");
    if (!editor) return;
    const count = editor.querySelector("[data-layer-count]");
    count.textContent = t("form.layers_count", { n: hidden.length });
    const list = editor.querySelector("[data-layers]");
    list.replaceChildren(...hidden.map((n, i) => layerControl(n, i)));
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
    b.setAttribute("aria-label", `${label} (${layer + 1})`);
    b.title = b.getAttribute("aria-label");
    return b;
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
    showError(field, message) {
      const out = form.querySelector(`[data-error-for="${field}"]`) ?? form.querySelector("[data-error-for='_form']");
      if (!out) return;
      out.textContent = message;
      out.hidden = false;
      form.querySelector(`[name="${field}"]`)?.setAttribute("aria-invalid", "true");
    },
    clearError(field) {
      const out = form.querySelector(`[data-error-for="${field}"]`);
      if (out) { out.hidden = true; out.textContent = ""; }
      form.querySelector(`[name="${field}"]`)?.removeAttribute("aria-invalid");
    },
    relabel() { setHidden(hidden); },
  };
}
