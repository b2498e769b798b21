// A learner's page in a class (?class=CODE, docs/classroom.md). The learner's display name
// is asked once and kept for that class in this browser; the page's first socket joins
// the class with it (a lesson's other demos stay on their own); a line at the top of the
// page says the class, the name and what the teacher set, and the controls of locked
// fields are disabled. Nobody's name but the learner's own ever comes to this page.

import { limitsText } from "./challenge.js";

const CODE = new URLSearchParams(location.search).get("class");
const NAME_LENGTH = 24;
let given = false;

const storageKey = (code) => `nnlive.class.${code.toUpperCase()}.name`;

// A live-run controller's side of the class (live-run.js): query() gives the socket's
// address ("class=CODE&name=NAME", after asking the name if it is not known yet; null
// when the page is in no class, or another socket of the page joined already); take(m)
// shows the server's `class` messages and the class's refusals on the page's one class
// line and says whether the message was the class's (the page then hears nothing of it);
// relabel() after a language switch. t: the page's strings; form: its config form
// (locked controls disabled); anchor: the line goes after it.
export function createClassJoin({ t, form = null, anchor } = {}) {
  if (!CODE || !t) return { query: async () => null, take: () => false, relabel() {} };
  return {
    query: () => classQuery(t),
    take(m) {
      if (m.type === "class") { classLine({ t, form, anchor }).message(m); return true; }
      return m.type === "error" && classLine({ t, form, anchor }).refused(m);
    },
    relabel() { pageLine?.relabel(); },
  };
}

// One class line per page, made by the first controller that needs it.
let pageLine = null;
function classLine(options) {
  pageLine ??= createClassLine(options);
  return pageLine;
}

async function classQuery(t) {
  if (!CODE || given) return null;
  given = true;
  let name = null;
  try { name = localStorage.getItem(storageKey(CODE)); } catch { /* storage off: ask */ }
  if (!name) name = await askName(t);
  return new URLSearchParams({ class: CODE, name }).toString();
}

function askName(t) {
  const overlay = document.createElement("div");
  overlay.className = "class-join";
  overlay.innerHTML = `<form class="class-join-box" role="dialog" aria-modal="true" aria-labelledby="class-join-heading" novalidate>
    <h2 id="class-join-heading"></h2>
    <label for="class-join-name"></label>
    <input id="class-join-name" name="name" maxlength="${NAME_LENGTH}" autocomplete="nickname" required>
    <p class="hint"></p>
    <button type="submit" class="primary"></button></form>`;
  const form = overlay.querySelector("form");
  form.querySelector("h2").textContent = t("class.ask_heading", { code: CODE.toUpperCase() });
  form.querySelector("label").textContent = t("class.ask_name");
  form.querySelector(".hint").textContent = t("class.name_hint");
  form.querySelector("button").textContent = t("class.join");
  document.body.append(overlay);
  const input = form.querySelector("input");
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = input.value.trim().replace(/\s+/g, " ");
      if (!name) { input.focus(); return; }
      try { localStorage.setItem(storageKey(CODE), name); } catch { /* kept for this visit only */ }
      overlay.remove();
      resolve(name);
    });
  });
}

// The class line, shown at the top of the page (after `anchor`); form: the page's config form.
// message(m) takes the server's `class` messages; refused(m) takes an error and says
// whether it was the class's (a refused join).
function createClassLine({ t, form = null, anchor = document.body.firstElementChild }) {
  const line = document.createElement("p");
  line.className = "class-line";
  line.setAttribute("role", "status");
  line.hidden = true;
  anchor?.after(line);
  let last = null;
  let refusal = null;

  function show() {
    line.hidden = false;
    if (refusal) {
      line.textContent = t("class.refused", { code: CODE.toUpperCase(), reason: refusal.message });
      return;
    }
    if (!last) return;
    if (last.ended) { line.textContent = t("class.ended"); return; }
    const parts = [t("class.joined", { code: last.code, name: last.name })];
    if (last.locks.length) parts.push(t("class.locked", { fields: last.locks.map((f) => t(`form.${f}`)).join(t("error.list_sep")) }));
    if (last.challenge) {
      parts.push(t("class.challenge", { limits: limitsText(last.challenge, t) }));
    }
    line.textContent = parts.join(" · ");
  }

  return {
    message(m) {
      last = m;
      lockControls(form, m.ended ? [] : m.locks);
      show();
    },
    refused(m) {
      const ours = ["unknown_class", "too_many_attempts", "store_unavailable"].includes(m.code) ||
        (m.code === "invalid_field" && m.field === "name");
      if (!ours) return false;
      if (m.field === "name") { try { localStorage.removeItem(storageKey(CODE)); } catch { /* nothing kept */ } }
      refusal = m;
      show();
      return true;
    },
    relabel: show,
  };
}

// Controls of the locked fields are disabled; those the class disabled come back when
// unlocked (a control the page itself disabled, an embed's lock=, stays as it was).
function lockControls(form, locks) {
  if (!form) return;
  for (const control of form.elements) {
    const locked = locks.includes(control.name);
    if (locked && !control.disabled) {
      control.disabled = true;
      control.dataset.classLocked = "";
    } else if (!locked && control.dataset.classLocked !== undefined) {
      control.disabled = false;
      delete control.dataset.classLocked;
    }
  }
}
