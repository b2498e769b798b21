// The teacher's side of the class API (docs/protocol.md, "Classes"): every call sends the
// key as Authorization: Bearer KEY. A refusal becomes an Error with the server's `code`
// and `status`, so the page can say it in its own language.

export class ClassError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? (status === 0 ? "offline" : "http");
    this.field = body?.error?.field ?? null;
    this.allowed = body?.error?.allowed; // a refused value: what it takes, what came
    this.received = body?.error?.received;
  }
}

async function call(path, { key = null, method = "GET", body = undefined, as = "json" } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch {
    throw new ClassError(0, null);
  }
  if (!response.ok) throw new ClassError(response.status, await response.json().catch(() => null));
  if (response.status === 204) return null;
  return as === "bytes" ? response.arrayBuffer() : response.json();
}

// Opens a class: {code, key, join_url, teacher_url, title, expires}.
export function openClass(title) {
  return call("/api/classes", { method: "POST", body: title ? { title } : {} });
}

export function createClassApi(code, key) {
  const base = `/api/classes/${encodeURIComponent(code)}`;
  const post = (path, body = {}) => call(base + path, { key, method: "POST", body });
  return {
    wall: () => call(`${base}/wall`, { key }),
    push: (change) => post("/config", change),
    command: (action) => post(`/${action}`),
    spotlight: (learner) => post("/spotlight", { learner }),
    // The spotlit learner's newest frame (an ArrayBuffer), or null while there is none.
    spotlightFrame: () => call(`${base}/spotlight`, { key, as: "bytes" }),
    data: (learner) => call(`${base}/learners/${encodeURIComponent(learner)}/data`, { key }),
  };
}
