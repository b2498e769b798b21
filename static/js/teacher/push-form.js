// The teacher's configuration form: its controls are named by config field (as the
// playground's), each with a lock box; a challenge adds its limits. read() gives the body
// of POST /api/classes/{code}/config; set() shows what the class runs now. Values go to
// the server as typed: it names what it refuses (static/js/errors.js says it again).

const OPTIONAL = new Set(["seed", "batch_size"]); // empty: the server chooses

export function createPushForm(form) {
  const controls = () => [...form.querySelectorAll("[name]")].filter((c) => c.name !== "features" && !c.closest(".challenge"));

  function value(control) {
    const text = control.value.trim();
    if (control.name === "hidden") {
      return text === "" ? [] : text.split(",").map((v) => (/^\s*\d+\s*$/.test(v) ? Number(v) : v.trim()));
    }
    if (control.type !== "number") return control.value;
    const n = Number(text);
    return text !== "" && Number.isFinite(n) ? n : text;
  }

  function read() {
    const config = {};
    for (const control of controls()) {
      if (OPTIONAL.has(control.name) && control.value.trim() === "") continue;
      config[control.name] = value(control);
    }
    config.features = [...form.querySelectorAll('input[name="features"]:checked')].map((c) => c.value);
    const lock = [...form.querySelectorAll("[data-lock]:checked")].map((c) => c.dataset.lock);
    const body = { config, lock };
    if (form.querySelector("#challenge-on").checked) {
      const limits = {};
      for (const name of ["max_neurons", "max_layers"]) {
        const text = form.querySelector(`[name="${name}"]`).value.trim();
        if (text !== "") limits[name] = Number.isFinite(Number(text)) ? Number(text) : text;
      }
      body.challenge = limits;
    } else {
      body.challenge = null;
    }
    return body;
  }

  // The class's configuration and locks, shown (the seed stays empty: a new push draws
  // a new one unless the teacher types it).
  function set(config, locks, challenge) {
    if (config) {
      for (const control of controls()) {
        if (control.name === "seed") continue;
        const v = config[control.name];
        if (v !== undefined && v !== null) control.value = Array.isArray(v) ? v.join(",") : String(v);
      }
      for (const box of form.querySelectorAll('input[name="features"]')) box.checked = config.features.includes(box.value);
    }
    for (const box of form.querySelectorAll("[data-lock]")) box.checked = locks.includes(box.dataset.lock);
    form.querySelector("#challenge-on").checked = Boolean(challenge);
    if (challenge) {
      form.querySelector('[name="max_neurons"]').value = challenge.max_neurons ?? "";
      form.querySelector('[name="max_layers"]').value = challenge.max_layers ?? "";
    }
  }

  return { read, set };
}
