// A small dialog over the network diagram to set one weight or bias by hand (as in
// TensorFlow Playground). main.js pauses training first; the server checks the value
// (set_weight in docs/protocol.md) and the drawing follows from the next frame.

import { fmt } from "./canvas.js";

// onSubmit({layer, from, to, value}) sends it; describe(edge) names the connection.
export function createWeightEditor(form, { onSubmit, describe }) {
  const input = form.elements.value;
  const error = form.querySelector("[data-error-for='value']");
  let target = null;
  let returnFocus = null;

  function close() {
    if (form.hidden) return;
    form.hidden = true;
    target = null;
    returnFocus?.focus?.();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = Number(input.value.trim());
    if (!target) return;
    const from = target.bias ? "bias" : target.from;
    onSubmit({ layer: target.layer, from, to: target.to, value: input.value.trim() !== "" && Number.isFinite(value) ? value : input.value });
  });
  form.querySelector("[data-action='cancel']").addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(); }
  });

  return {
    // hit: the diagram's edge hit with its value; (x, y) where it was clicked.
    open(hit, x, y) {
      target = hit.edge;
      returnFocus = document.activeElement;
      form.querySelector(".weight-editor-title").textContent = describe(hit);
      input.value = fmt(hit.value, 4).replace("−", "-");
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      form.hidden = false;
      const parent = form.parentElement;
      form.style.left = `${Math.max(0, Math.min(x - 20, parent.clientWidth - form.offsetWidth))}px`;
      form.style.top = `${Math.max(0, y + 12)}px`;
      input.focus();
      input.select();
    },
    showError(text) {
      error.textContent = text;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
    },
    // The server took the value: the editor's job is done.
    done() { close(); },
    close,
    get open_() { return !form.hidden; },
  };
}
