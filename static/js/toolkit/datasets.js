// Custom points kept on the server by content hash (POST /api/dataset), so the address,
// the figures and the animations name them by a short id instead of carrying them.

export function createDatasetIds({ onId }) {
  const ids = new Map(); // JSON of the points → id
  let current = null; // the id of the points running now
  let asked = null;

  // Called with each resolved config: custom points get their id (asked once per set).
  async function follow(config) {
    if (config.dataset !== "custom") { current = null; return; }
    const key = JSON.stringify(config.points);
    if (ids.has(key)) { current = ids.get(key); onId(current); return; }
    current = null;
    asked = key;
    const response = await fetch("/api/dataset", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ points: config.points }),
    });
    if (!response.ok) return; // the address keeps the points themselves
    const { data } = await response.json();
    ids.set(key, data);
    if (asked === key) { current = data; onId(data); }
  }

  // A CSV upload answered with its id: remember it for those points.
  function known(points, id) { ids.set(JSON.stringify(points), id); }

  return { follow, known, get current() { return current; } };
}
