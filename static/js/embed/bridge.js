// The conversation with the page that frames the embed (docs/embedding.md).
// Events go out as {source: "nnlive", type, …} to the parent's origin only; commands
// come in as {target: "nnlive", type, …} and are obeyed only from the window that frames
// us (event.source === window.parent), on an allowed origin: another window on an
// allowed site (an opener, a sibling frame) is ignored.

export const SOURCE = "nnlive";
export const COMMANDS = ["play", "pause", "reset", "set_config"];
const EPOCH_INTERVAL_MS = 250; // at most four epoch summaries a second

// "https://a.org/x?y" → "https://a.org"; null for anything that is not http(s).
export function originOf(url) {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
}

// The parent's origin: parent_origin= (the server checked it), else the referrer's
// origin when it may frame us, else the one embed origin when exactly one is set.
// When both parent_origin and the referrer are known they must agree: a frame that
// navigated itself here from another site (the referrer) is not the course page.
export function findParentOrigin({ parentOrigin, origins }, referrer) {
  const fromReferrer = originOf(referrer);
  if (parentOrigin) return !fromReferrer || fromReferrer === parentOrigin ? parentOrigin : null;
  if (fromReferrer && (origins.length === 0 || origins.includes(fromReferrer))) return fromReferrer;
  return origins.length === 1 ? origins[0] : null;
}

// Whether a message from `origin` may command us: one of the embed origins when the
// server names some, else only the parent's own origin (never an unknown one).
export function commandAllowed(origin, { origins, parent }) {
  if (origins.length > 0) return origins.includes(origin);
  return parent !== null && origin === parent;
}

// options: {origins, parentOrigin, onCommand(command)}; returns {post, epoch, watchHeight}.
export function createBridge({ origins, parentOrigin, onCommand }) {
  const framed = window.parent !== window;
  const parent = framed ? findParentOrigin({ parentOrigin, origins }, document.referrer) : null;
  // With no known origin, events (public numbers) go to any parent only when any site
  // may embed us; with a list of embed origins they are not sent at all.
  const target = parent ?? (origins.length === 0 ? "*" : null);

  function send(message) {
    if (framed && target !== null) window.parent.postMessage(message, target);
  }
  const post = (type, data = {}) => send({ source: SOURCE, type, ...data });

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data !== "object" || data.target !== SOURCE) return;
    if (!framed || event.source !== window.parent) return; // only the framing page commands
    if (!commandAllowed(event.origin, { origins, parent })) return; // ignored, silently
    if (!COMMANDS.includes(data.type)) {
      post("error", { code: "unknown_command", message: `type must be one of ${COMMANDS.join(", ")}; got ${JSON.stringify(data.type)}.` });
      return;
    }
    onCommand(data);
  });

  return { post, epoch: throttledEpoch(post), watchHeight: (root) => watchHeight(root, send), parent, target };
}

// The newest summary at most every EPOCH_INTERVAL_MS; the last one is never lost.
function throttledEpoch(post) {
  let last = -Infinity;
  let pending = null;
  let timer = 0;
  function flush() {
    timer = 0;
    if (!pending) return;
    last = performance.now();
    post("epoch", pending);
    pending = null;
  }
  return (summary) => {
    pending = summary;
    const wait = last + EPOCH_INTERVAL_MS - performance.now();
    if (wait <= 0) flush();
    else if (!timer) timer = setTimeout(flush, wait);
  };
}

// The content's height, sent as {type: "height"} and Canvas LMS's lti.frameResize.
function watchHeight(root, send) {
  let sent = 0;
  const observer = new ResizeObserver(() => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (Math.abs(height - sent) < 2) return;
    sent = height;
    send({ source: SOURCE, type: "height", height });
    send({ subject: "lti.frameResize", height });
  });
  observer.observe(root);
}
