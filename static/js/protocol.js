// The one client-side module for the wire protocol (DESIGN.md, docs/protocol.md).
// Message builders, the binary frame decoder, and a small reconnecting client.

export const PROTOCOL_VERSION = 1;

// Client → server messages, one builder per type.
export const msg = {
  start: (config) => ({ type: "start", config }),
  update: (config) => ({ type: "update", config }),
  pause: () => ({ type: "pause" }),
  resume: () => ({ type: "resume" }),
  step: (epochs = 1) => ({ type: "step", epochs }),
  reset: () => ({ type: "reset" }),
  probe: (x, label) => (label === undefined || label === null
    ? { type: "probe", x } : { type: "probe", x, label }),
  speed: (epochsPerSecond) => ({ type: "speed", epochs_per_second: epochsPerSecond }),
  restore: (epoch) => ({ type: "restore", epoch }),
  setWeight: ({ layer, from, to, value }) => ({ type: "set_weight", layer, from, to, value }),
  sweep: (vary, epochs) => ({ type: "sweep", vary, epochs }),
  sweepStop: () => ({ type: "sweep_stop" }),
  save: () => ({ type: "save" }),
  load: (run) => ({ type: "load", run }),
};

const utf8 = new TextDecoder("utf-8");

// A frame: [uint32 LE header length][UTF-8 JSON header][grid bytes][neuron bytes].
// Byte offsets in the header count from the first byte after the JSON header.
export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 4) throw new Error(`frame too short: ${buffer.byteLength} bytes`);
  const headerLength = view.getUint32(0, true);
  const bodyStart = 4 + headerLength;
  if (bodyStart > buffer.byteLength) {
    throw new Error(`frame header says ${headerLength} bytes but only ${buffer.byteLength - 4} came`);
  }
  const header = JSON.parse(utf8.decode(new Uint8Array(buffer, 4, headerLength)));
  const body = new Uint8Array(buffer, bodyStart);
  return { header, grid: section(body, header.grid, 0), neurons: section(body, header.neurons, null) };
}

// The bytes a header section points at; sections without offset/length follow in order.
function section(body, meta, defaultOffset) {
  if (!meta) return null;
  const length = meta.length ?? meta.shape.reduce((a, b) => a * b, 1) *
    (meta.layers ? meta.layers.reduce((a, b) => a + b, 0) : 1);
  const offset = meta.offset ?? defaultOffset ?? 0;
  if (offset + length > body.length) {
    throw new Error(`frame section [${offset}, ${offset + length}) exceeds body of ${body.length} bytes`);
  }
  return body.subarray(offset, offset + length);
}

// A WebSocket client that decodes frames, keeps the session token and reconnects
// to the same session (within the server's grace period) after a drop.
// handlers: {onMessage(msg), onFrame(frame), onOpen(), onClose(willRetry)}.
// deferred: connect only when open(query) is called (messages sent before then wait);
// query: more of the socket's address, such as a class to join ("class=CODE&name=NAME").
export function connect(path, handlers, { maxRetries = 20, deferred = false, query = null } = {}) {
  let socket = null;
  let session = null;
  let retries = 0;
  let closedByUs = false;
  let extra = query;
  const outbox = [];

  function url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const params = new URLSearchParams(extra ?? "");
    if (session) params.set("session", session);
    const text = params.toString();
    return `${scheme}//${location.host}${path}${text ? `?${text}` : ""}`;
  }

  function open() {
    socket = new WebSocket(url());
    socket.binaryType = "arraybuffer";
    socket.onopen = () => { retries = 0; handlers.onOpen?.(); };
    socket.onmessage = (event) => receive(event.data);
    socket.onclose = (event) => {
      // 4001: this session was taken over by another tab, which now owns it.
      // 4002: the server freed it after a long silence; reconnecting would only hold a place.
      // 4003: the class it asked to join refused it (the error message said why).
      const final = event.code === 4001 || event.code === 4002 || event.code === 4003;
      const retry = !closedByUs && !final && retries < maxRetries;
      handlers.onClose?.(retry);
      if (retry) setTimeout(open, Math.min(500 * 2 ** retries++, 5000));
    };
  }

  function receive(data) {
    if (typeof data !== "string") { handlers.onFrame?.(decodeFrame(data)); return; }
    const message = JSON.parse(data);
    if (message.type === "hello") {
      session = message.session;
      while (outbox.length) socket.send(outbox.shift());
    }
    handlers.onMessage?.(message);
  }

  if (!deferred) open();
  return {
    open(query = extra) { extra = query; if (!socket) open(); },
    send(message) {
      const text = JSON.stringify(message);
      if (socket?.readyState === WebSocket.OPEN && session) socket.send(text);
      else outbox.push(text);
    },
    get session() { return session; },
    close() { closedByUs = true; socket?.close(); },
    // Drops the connection as a bad network would (the client then reconnects).
    drop() { socket?.close(4000, "dropped by the page"); },
  };
}
