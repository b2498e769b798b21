// The teacher's toolkit panel: figures (PNG at 2×, SVG), the training as a GIF (and the
// timeline as WebM where MediaRecorder exists), the NumPy or PyTorch script, the run as
// a file to save and open, and CSV data in and out. main.js gives it a few hooks; all
// the drawing and checking happens on the server (docs/protocol.md, "Exports").

import { msg } from "../protocol.js";
import { createDatasetIds } from "./datasets.js";
import { errorOf, exportQuery, fileName, saveBlob } from "./exports.js";

const FIGURE_SIZE = { output: 480, network: 480, loss: 600 }; // CSS pixels; PNG at 2×
const GIF_FRAMES = 40;
const WEBM_FRAME_MS = 80;

// hooks: {t, run, config() → the current config, send(message), update(fields),
// scrubTo(index | null), outputCanvas, rewriteUrl(), initialData: [points, id] | null}
export function createToolkit(root, hooks) {
  const { t, run, send } = hooks;
  const $ = (id) => root.querySelector(`#${id}`);
  const status = $("tk-status");
  const ids = createDatasetIds({ onId: () => hooks.rewriteUrl() });
  if (hooks.initialData) ids.known(...hooks.initialData);

  function say(text, error = false) {
    status.textContent = text;
    status.classList.toggle("error", error);
  }

  const epoch = () => run.shown?.header.epoch ?? 0;
  const label = (id) => $(id).textContent.trim();

  // Fetches an export and saves it; a refusal is shown with the server's words.
  async function download(id, url, name, init) {
    const what = label(id);
    say(t("toolkit.working", { what }));
    const response = await fetch(url, init);
    if (!response.ok) { say(t("toolkit.failed", { what, message: await errorOf(response) }), true); return; }
    saveBlob(await response.blob(), name);
    say(t("toolkit.done", { what }));
  }

  function figure(kind) {
    const view = $("tk-view").value;
    const config = hooks.config();
    const extra = { epochs: epoch(), view, size: FIGURE_SIZE[view], ...(kind === "png" ? { scale: 2 } : {}) };
    download(`tk-${kind}`, `/api/figure.${kind}?${exportQuery(config, ids.current, extra)}`,
      fileName(config, epoch(), `${view}.${kind}`));
  }

  function gif() {
    const config = hooks.config();
    const frames = Math.max(2, Math.min(GIF_FRAMES, epoch() + 1));
    download("tk-gif", `/api/animation.gif?${exportQuery(config, ids.current, { epochs: epoch(), frames })}`,
      fileName(config, epoch(), "gif"));
  }

  function script(framework) {
    const config = hooks.config();
    download(`tk-${framework}`, "/api/script", fileName(config, epoch(), `${framework}.py`), {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ config, epochs: epoch(), framework }),
    });
  }

  // The timeline's frames played into the output canvas and recorded as they are drawn.
  async function webm() {
    const what = label("tk-webm");
    say(t("toolkit.working", { what }));
    const recorder = new MediaRecorder(hooks.outputCanvas.captureStream(30), { mimeType: "video/webm" });
    const chunks = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start();
    for (let i = 0; i < run.ring.length; i++) {
      hooks.scrubTo(i);
      await new Promise((resolve) => setTimeout(resolve, WEBM_FRAME_MS));
    }
    recorder.stop();
    await stopped;
    hooks.scrubTo(null);
    saveBlob(new Blob(chunks, { type: "video/webm" }), fileName(hooks.config(), epoch(), "webm"));
    say(t("toolkit.done", { what }));
  }

  async function openRun(file) {
    let parsed;
    try {
      parsed = JSON.parse(await file.text());
    } catch (error) {
      say(t("toolkit.bad_file", { message: error.message }), true);
      return;
    }
    send(msg.load(parsed));
  }

  async function uploadCsv(file) {
    const what = label("tk-csv-label");
    const rescale = $("tk-rescale").checked ? 1 : 0;
    const response = await fetch(`/api/dataset?rescale=${rescale}&seed=${hooks.config().seed}`, {
      method: "POST", headers: { "content-type": "text/csv" }, body: await file.text(),
    });
    if (!response.ok) { say(t("toolkit.failed", { what, message: await errorOf(response) }), true); return; }
    const kept = await response.json();
    ids.known(kept.config.points, kept.data);
    hooks.update(kept.config);
    say(kept.rescaled
      ? t("toolkit.rescaled", { n: kept.n_points, factor: kept.rescaled.factor.toPrecision(3) })
      : t("toolkit.uploaded", { n: kept.n_points }));
  }

  // Server messages: the saved run, a file opened or refused, a new dataset's id.
  window.addEventListener("nnlive:message", ({ detail: m }) => {
    if (m.type === "run") {
      saveBlob(new Blob([JSON.stringify(m.run)], { type: "application/json" }), fileName(m.run.config, m.epoch, "run.json"));
      say(t("toolkit.saved", { epoch: m.epoch }));
    } else if (m.type === "status" && m.loaded) say(t("toolkit.loaded", { epoch: m.epoch }));
    else if (m.type === "error" && m.code === "invalid_run") say(m.message, true);
    else if (m.type === "dataset") ids.follow(m.config);
  });

  $("tk-png").addEventListener("click", () => figure("png"));
  $("tk-svg").addEventListener("click", () => figure("svg"));
  $("tk-gif").addEventListener("click", gif);
  $("tk-numpy").addEventListener("click", () => script("numpy"));
  $("tk-pytorch").addEventListener("click", () => script("pytorch"));
  $("tk-save").addEventListener("click", () => send(msg.save()));
  $("tk-download-csv").addEventListener("click", () => download("tk-download-csv",
    `/api/dataset.csv?${exportQuery(hooks.config(), ids.current)}`, fileName(hooks.config(), epoch(), "csv")));
  for (const [id, act] of [["tk-open", openRun], ["tk-csv", uploadCsv]]) {
    $(id).addEventListener("change", async (event) => {
      const file = event.target.files[0];
      event.target.value = ""; // the same file may be chosen again after a fix
      if (file) await act(file);
    });
  }
  const webmButton = $("tk-webm");
  webmButton.hidden = !(window.MediaRecorder && MediaRecorder.isTypeSupported?.("video/webm") && hooks.outputCanvas.captureStream);
  webmButton.addEventListener("click", webm);

  return { get dataId() { return ids.current; } };
}
