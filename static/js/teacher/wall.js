// The teacher's wall (/teach/CODE#key=KEY): wires the modules. Without a code, the page
// that opens a class. The key is read from the address's fragment (never sent in an
// address), kept for this tab, and removed from the address bar so the projector does
// not show it.

import { createI18n } from "../i18n.js";
import { fmt } from "../canvas.js";
import { describeError } from "../errors.js";
import { taskOf } from "../schema.js";
import { createClassApi, openClass } from "./api.js";
import { createTiles } from "./tiles.js";
import { createSpotlight } from "./spotlight.js";
import { createPushForm } from "./push-form.js";
import { limitsText } from "../challenge.js";

const $ = (id) => document.getElementById(id);
const page = JSON.parse($("page-data").textContent);
const schema = JSON.parse($("schema-data").textContent);
const i18n = createI18n(page.lang, page.strings);
const t = i18n.t;
const REFRESH_MS = 333; // the wall asks three times a second (the contract: at least twice)

function banner(text) {
  const el = $("banner");
  el.hidden = !text;
  el.textContent = text ?? "";
}

function refusal(error) {
  const known = { forbidden: "teacher.forbidden", unknown_class: "teacher.unknown", too_many_attempts: "teacher.too_many", offline: "teacher.offline" };
  return known[error.code] ? t(known[error.code]) : describeError(error, { t, schema });
}

for (const link of document.querySelectorAll("[data-lang]")) {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    await i18n.load(link.dataset.lang);
    document.title = t("teacher.page_title");
    relabel();
  });
}
let relabel = () => {};

if (page.code) startWall(page.code);
else startOpening();

// --- opening a class ---------------------------------------------------------------
function startOpening() {
  $("open-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const opened = await openClass($("class-title").value.trim());
      location.assign(opened.teacher_url);
    } catch (error) {
      $("open-error").hidden = false;
      $("open-error").textContent = refusal(error);
    }
  });
}

// --- the wall ----------------------------------------------------------------------
function teacherKey(code) {
  const stored = `nnlive.teacher.${code}`;
  const fromAddress = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromAddress) {
    sessionStorage.setItem(stored, fromAddress);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return fromAddress ?? sessionStorage.getItem(stored);
}

function startWall(code) {
  const key = teacherKey(code);
  const joinUrl = `${location.origin}/?class=${code}`;
  $("join-url").textContent = `${location.host}/?class=${code}`;
  if (!key) { banner(t("teacher.no_key")); return; }
  const api = createClassApi(code, key);
  const rows = new Map(); // data key → Promise of {train, test, validation}
  const shown = new Map(); // data key → rows, once they came
  const form = createPushForm($("push-form"));
  let last = null;
  let ended = false;

  function rowsOf(learnerId, dataKey) {
    if (!rows.has(dataKey)) {
      rows.set(dataKey, api.data(learnerId).then((r) => { shown.set(dataKey, r); tiles.update(last?.learners ?? []); return r; },
        () => { rows.delete(dataKey); return null; }));
    }
    return rows.get(dataKey);
  }

  function dataFor(learner) {
    if (!learner.data) return null;
    if (!shown.has(learner.data)) { rowsOf(learner.session_prefix, learner.data); return null; }
    return shown.get(learner.data);
  }

  const tiles = createTiles($("tiles"), { t, dataFor, onSpotlight: (learner, button) => spotlight.open(learner, button) });
  const spotlight = createSpotlight({ t, api, rowsOf: (id, dataKey) => rowsOf(id, dataKey) });

  function render(wall) {
    last = wall;
    for (const [state, n] of Object.entries(wall.counts)) {
      const el = $(`count-${state}`);
      if (el && el.textContent !== String(n)) el.textContent = String(n);
    }
    tiles.update(wall.learners);
    const empty = wall.learners.length === 0;
    $("empty").hidden = !empty;
    if (empty) $("empty").textContent = t("teacher.empty", { url: joinUrl, code });
    showLocks(wall.locks);
    showBoard(wall);
    if ($("push-panel").hidden) form.set(wall.config, wall.locks, wall.challenge);
  }

  function showLocks(locks) {
    const names = locks.map((f) => t(`form.${f}`)).join(t("error.list_sep"));
    $("locks").textContent = locks.length ? t("teacher.locked_now", { fields: names }) : t("teacher.no_locks");
  }

  function showBoard(wall) {
    const board = wall.leaderboard;
    $("leaderboard").hidden = !board;
    if (!board) return;
    $("board-limits").textContent = t("teacher.limits", { limits: limitsText(wall.challenge, t) });
    const names = new Map(wall.learners.map((l) => [l.session_prefix, l.name]));
    const items = board.filter((row) => names.has(row.id)).map((row) => {
      const li = document.createElement("li");
      li.className = row.rank === null ? "outside" : "";
      const place = row.rank === null ? "–" : `${row.rank}.`;
      const outside = row.rank === null ? ` (${t("teacher.breaks")})` : "";
      li.textContent = `${place} ${names.get(row.id)} · ${fmt(row.loss)}${outside}`;
      return li;
    });
    $("board").replaceChildren(...items);
  }

  let failing = false; // the last look failed: its banner goes when one works again
  async function poll() {
    if (ended) return;
    try {
      render(await api.wall());
      if (spotlight.id !== null) await spotlight.refresh();
      if (failing) banner(null);
      failing = false;
    } catch (error) {
      banner(refusal(error));
      failing = true;
      if (error.status === 404 || error.status === 403) { ended = true; return; }
    }
    setTimeout(poll, REFRESH_MS);
  }

  async function act(work, done) {
    try {
      await work();
      if (done) banner(done);
    } catch (error) {
      banner(refusal(error));
    }
  }

  $("play-all").addEventListener("click", () => act(() => api.command("resume")));
  $("pause-all").addEventListener("click", () => act(() => api.command("pause")));
  $("reset-all").addEventListener("click", () => act(() => api.command("reset")));
  $("sort").addEventListener("change", (e) => tiles.setSort(e.target.value));
  $("end-class").addEventListener("click", () => {
    if (!confirm(t("teacher.end_confirm"))) return;
    act(async () => { await api.command("end"); ended = true; }, t("teacher.ended"));
  });
  $("copy-link").addEventListener("click", () => act(
    () => navigator.clipboard.writeText(`${location.origin}/teach/${code}#key=${key}`), t("teacher.copied")));
  $("end-challenge").addEventListener("click", () => act(() => api.push({ challenge: null })));

  function showPanel(open) {
    $("push-panel").hidden = !open;
    $("push-open").setAttribute("aria-expanded", String(open));
    if (open) $("push-dataset").focus();
  }
  $("push-open").addEventListener("click", () => showPanel($("push-panel").hidden));
  $("push-cancel").addEventListener("click", () => showPanel(false));
  $("unlock-all").addEventListener("click", () => act(() => api.push({ lock: [] })));
  $("push-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("push-error");
    try {
      await api.push(form.read());
      error.hidden = true;
      showPanel(false);
      banner(t("teacher.pushed"));
    } catch (refused) {
      error.hidden = false;
      error.textContent = refusal(refused);
    }
  });

  relabel = () => {
    tiles.relabel();
    if (last) render(last);
    spotlight.redraw();
  };
  poll();
  // A handle for the browser tests (read-only use).
  window.nnlive = { tiles, spotlight, get wall() { return last; }, taskOf };
}
