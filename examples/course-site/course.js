// An example course page talking to embedded nnlive demos (see docs/embedding.md).
// nnlive's address comes from ?nnlive=… (default http://127.0.0.1:8000).

const params = new URLSearchParams(location.search);
const NNLIVE = new URL(params.get("nnlive") || "http://127.0.0.1:8000").origin;
const LANG = params.get("lang") === "zh" ? "zh" : "en";
const frames = new Map(); // iframe id → {iframe, readout, last}
window.course = { events: [] }; // everything received, for curious readers (and tests)

document.getElementById("nnlive-origin").textContent = NNLIVE;

for (const iframe of document.querySelectorAll("iframe[data-embed]")) {
  // parent_origin tells the embed where to send events, even if the referrer is hidden.
  iframe.src = `${NNLIVE}/embed?${iframe.dataset.embed}&lang=${LANG}&parent_origin=${encodeURIComponent(location.origin)}`;
  frames.set(iframe.id, { iframe, readout: document.querySelector(`[data-readout="${iframe.id}"]`), last: {} });
}

// Commands go to the embed's origin only; the embed obeys only its parent's origin.
function send(id, message) {
  frames.get(id).iframe.contentWindow.postMessage({ target: "nnlive", ...message }, NNLIVE);
}

for (const button of document.querySelectorAll("button[data-for]")) {
  button.addEventListener("click", () => {
    if (button.dataset.command) send(button.dataset.for, { type: button.dataset.command });
    else send(button.dataset.for, { type: "set_config", config: { hidden: [Number(button.dataset.setHidden)] } });
  });
}

function frameOf(source) {
  for (const [id, f] of frames) if (f.iframe.contentWindow === source) return [id, f];
  return [null, null];
}

const fmt = (x) => (typeof x === "number" ? x.toFixed(3) : "—");

window.addEventListener("message", (event) => {
  if (event.origin !== NNLIVE) return; // only nnlive may talk to this page
  const [id, f] = frameOf(event.source);
  const m = event.data;
  if (!f || !m || m.source !== "nnlive") return; // lti.frameResize is for Canvas; we use height
  window.course.events.push({ frame: id, ...m });
  if (m.type === "height") f.iframe.style.height = `${m.height}px`;
  else if (m.type === "epoch") f.last = m;
  else if (m.type === "status") f.state = m.state;
  else if (m.type === "error") { f.readout.textContent = `nnlive: ${m.message}`; f.readout.classList.add("error"); return; }
  f.readout.classList.remove("error");
  f.readout.textContent = `${f.state ?? "ready"} · epoch ${f.last.epoch ?? 0} · train loss ${fmt(f.last.train_loss)} · test loss ${fmt(f.last.test_loss)}`;
});
