// The server's exports as the page asks for them: a query for the current run (its
// config, a custom dataset by its kept id), and files saved from a response or a blob.

import { configToQuery } from "../url.js";

// The config as an export query: custom points travel as their `data` id (a URL could
// not carry 2,000 of them), everything else as on the page's own address.
export function exportQuery(config, dataId, extra = {}) {
  const fields = { ...config };
  if (config.dataset === "custom") delete fields.points;
  const query = configToQuery(fields, config.dataset === "custom" ? { data: dataId } : {});
  const more = new URLSearchParams(Object.entries(extra).map(([k, v]) => [k, String(v)]));
  return `${query}&${more}`;
}

// A refusal's message ({error: {message}}), or the HTTP status when there is none.
export async function errorOf(response) {
  try {
    return (await response.json()).error?.message ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

// Saves a blob under `name` through a temporary link (nothing leaves the page).
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The file name for this run: nnlive_<dataset>_<seed>_e<epoch>.<ext>
export function fileName(config, epoch, ext) {
  return `nnlive_${config.dataset}_${config.seed}_e${epoch}.${ext}`;
}
