// Fields the teacher locked with lock=: their controls are disabled, and a change to
// them (from the form or from the parent's set_config) is refused.

// The first locked field whose value `partial` would change, or null.
export function lockedChange(partial, current, lock) {
  for (const field of Object.keys(partial)) {
    if (lock.includes(field) && JSON.stringify(partial[field]) !== JSON.stringify(current?.[field])) return field;
  }
  return null;
}

// Disables the locked controls (again after the form rebuilt the hidden-layer editor).
export function disableLocked(form, lock) {
  if (!form) return;
  for (const control of form.elements) {
    if (!lock.includes(control.name)) continue;
    control.disabled = true;
    control.setAttribute("aria-disabled", "true");
  }
}
