// The configuration ⇄ the query string, so the address bar is always a permalink.
// Lists are comma-separated (hidden=4,2); custom points are JSON rows ([[x1,x2,label],…]),
// as core/config.py's Config.to_query writes them — or, when `extra.data` names them as
// kept on the server (POST /api/dataset), by that short id alone.

export function configToQuery(config, extra = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    if (key === "points") {
      if (config.dataset === "custom" && !extra.data) params.set(key, JSON.stringify(value.map((r) => r.map(round))));
    } else params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
  return params.toString();
}

function round(v) { return Math.round(v * 100) / 100; }

// Replaces the address (no new history entry) with this configuration.
export function writeUrl(config, extra = {}) {
  const query = configToQuery(config, extra);
  history.replaceState(null, "", `${location.pathname}?${query}`);
}
