// Geometry of the network diagram: where each node and connection goes, and what
// lies under the pointer. Pure functions, so tests and the lessons can reuse them.

const LEFT = 44; // room for the feature names at 11 px (callers give more for larger text)
const RIGHT = 8;
const TOP = 8;
const GAP = 6;

// sizes = [inputs, ...hidden, outputs]. Returns {width, height, columns, biasNodes, edges};
// a node is {x, y, size, column, index}; an edge {layer, from, to, bias, x0, y0, x1, y1}.
export function layoutNetwork(sizes, width, showBias = false, left = LEFT) {
  const rows = Math.max(...sizes) + (showBias ? 1 : 0);
  const last = sizes.length - 1;
  const byHeight = 520 / rows - GAP;
  const byWidth = (width - left - RIGHT) / (sizes.length * 1.9);
  const size = Math.round(Math.max(12, Math.min(40, byHeight, byWidth)));
  const step = last > 0 ? (width - left - RIGHT - size) / last : 0;
  const columns = sizes.map((n, c) => Array.from({ length: n }, (_, i) => ({
    x: left + c * step, y: TOP + i * (size + GAP), size, column: c, index: i,
  })));
  const biasNodes = showBias ? sizes.slice(0, last).map((n, c) => ({
    cx: left + c * step + size / 2, cy: TOP + n * (size + GAP) + size / 2, r: Math.min(9, size / 2), column: c,
  })) : [];
  const edges = [];
  for (let c = 0; c < last; c++) {
    for (const to of columns[c + 1]) {
      for (const from of columns[c]) edges.push(edge(c, from.index, to, from.x + size, from.y + size / 2, false));
      const b = biasNodes[c];
      if (b) edges.push(edge(c, -1, to, b.cx + b.r, b.cy, true));
    }
  }
  return { width, height: TOP * 2 + rows * (size + GAP), size, columns, biasNodes, edges };
}

function edge(layer, from, toNode, x0, y0, bias) {
  return { layer, from, to: toNode.index, bias, x0, y0, x1: toNode.x, y1: toNode.y + toNode.size / 2 };
}

// {kind: "node", column, index} | {kind: "bias", column} | {kind: "edge", edge} | null.
export function hitTest(layout, x, y, maxPx = 4) {
  for (const column of layout.columns) {
    for (const n of column) {
      if (x >= n.x && x <= n.x + n.size && y >= n.y && y <= n.y + n.size) return { kind: "node", column: n.column, index: n.index };
    }
  }
  for (const b of layout.biasNodes) {
    if (Math.hypot(x - b.cx, y - b.cy) <= b.r) return { kind: "bias", column: b.column };
  }
  let best = null;
  let bestD = maxPx;
  for (const e of layout.edges) {
    const d = segmentDistance(x, y, e);
    if (d <= bestD) { bestD = d; best = e; }
  }
  return best ? { kind: "edge", edge: best } : null;
}

function segmentDistance(x, y, { x0, y0, x1, y1 }) {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
}

// The middle of a connection, in canvas CSS pixels (for tests and tours).
export function edgeMidpoint(layout, layer, from, to) {
  const e = layout.edges.find((d) => d.layer === layer && d.from === from && d.to === to);
  return e ? [(e.x0 + e.x1) / 2, (e.y0 + e.y1) / 2] : null;
}
