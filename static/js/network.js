// The network diagram on one canvas: input features (their own small maps), hidden
// neurons as live thumbnails of their activation, output neurons, connections coloured
// by sign and thick by |w|, optional bias units. Hover reports a weight or bias; a
// click on a neuron reports which one (the caller enlarges it), a click on a connection
// which weight or bias it carries (the caller lets the learner edit it).

import { createHeatmap, createNeuronAtlas } from "./heatmap.js";
import { CLASS_COLORS, PALETTE, neuronColor } from "./palette.js";
import { fitCanvas, throttle } from "./canvas.js";
import { featureMaps, FEATURE_LABELS } from "./features.js";
import { layoutNetwork, hitTest } from "./network-layout.js";

// class colours at 80 % over white; the bias's lighter
const { positive: POSITIVE, negative: NEGATIVE, positiveLight: POSITIVE_LIGHT, negativeLight: NEGATIVE_LIGHT } = PALETTE.edges;
const BIG_NET_EDGES = 400;
const BIG_NET_MS = 66;

// onHover(hit | null, x, y), onNeuronClick({column, index}) and onEdgeClick(hit, x, y)
// (hit as onHover's, with the weight's value) let the caller show text or an editor.
export function createNetworkDiagram(canvas, { onHover = () => {}, onNeuronClick = () => {}, onEdgeClick = () => {}, onLayout = () => {} } = {}) {
  const atlas = createNeuronAtlas();
  const output = createHeatmap();
  const state = { features: ["x1", "x2"], frame: null, task: "classification", showBias: false, fontPx: 11 };
  let layout = null;

  // A big network (a 6×16 one has ~1,300 connections, ~20 ms to stroke on a software
  // canvas) is redrawn at most every BIG_NET_MS, a small one every frame.
  const interval = () => (layout && layout.edges.length > BIG_NET_EDGES ? BIG_NET_MS : 0);
  const draw = throttle(drawNow, interval);

  function drawNow() {
    const header = state.frame?.header;
    if (!header?.weights) return;
    const sizes = [header.weights[0].length, ...header.weights.map((w) => w[0].length)];
    const width = canvas.parentElement.clientWidth || 300;
    const before = layout;
    layout = layoutNetwork(sizes, width, state.showBias, Math.max(44, Math.round(state.fontPx * 3.4)));
    if (canvas.style.height !== `${layout.height}px`) canvas.style.height = `${layout.height}px`;
    if (!sameLayout(before, layout)) onLayout(layout);
    const { ctx } = fitCanvas(canvas);
    ctx.clearRect(0, 0, layout.width, layout.height);
    drawConnections(ctx, header);
    drawNodes(ctx, header);
  }

  // One opaque stroke per connection: simple opaque lines stay on the rasterizer's fast
  // path (one big multi-segment path with alpha was several times slower for 6×16).
  function drawConnections(ctx, header) {
    let maxAbs = 1;
    for (const w of header.weights) for (const row of w) for (const v of row) maxAbs = Math.max(maxAbs, Math.abs(v ?? 0));
    for (const edge of layout.edges) {
      const v = (edge.bias ? header.biases[edge.layer][edge.to] : header.weights[edge.layer][edge.from][edge.to]) ?? 0;
      ctx.strokeStyle = v >= 0 ? (edge.bias ? POSITIVE_LIGHT : POSITIVE) : (edge.bias ? NEGATIVE_LIGHT : NEGATIVE);
      ctx.lineWidth = 0.5 + 5 * Math.min(1, Math.abs(v) / maxAbs);
      ctx.beginPath();
      ctx.moveTo(edge.x0, edge.y0);
      ctx.lineTo(edge.x1, edge.y1);
      ctx.stroke();
    }
  }

  function drawNodes(ctx, header) {
    const frame = state.frame;
    const inputs = featureMaps(state.features);
    const neurons = frame.neurons && header.neurons;
    const counts = neurons ? header.neurons.layers : [];
    const total = counts.reduce((a, b) => a + b, 0);
    const thumbs = neurons ? atlas.paint(frame.neurons, header.neurons.shape[0], total) : null;
    const outImg = frame.grid && header.grid.shape.length === 2
      ? output.paint(frame.grid, header.grid.shape, { kind: state.task === "regression" ? "regression" : "binary" })
      : null;
    ctx.imageSmoothingEnabled = true;
    let offset = 0;
    layout.columns.forEach((column, c) => {
      column.forEach((node, i) => {
        if (c === 0) drawInput(ctx, node, inputs[i], state.features[i]);
        else if (c === layout.columns.length - 1) drawOutput(ctx, node, outImg, i);
        else drawImageNode(ctx, node, thumbs, header.neurons?.shape[0], offset + i, c === 1 ? neuronColor(i) : "#555");
      });
      if (c > 0 && c < layout.columns.length - 1) offset += column.length;
    });
    for (const node of layout.biasNodes) drawBias(ctx, node);
  }

  function drawInput(ctx, node, map, name) {
    if (map) ctx.drawImage(map, node.x, node.y, node.size, node.size);
    ctx.strokeStyle = "#555";
    ctx.lineWidth = 1;
    ctx.strokeRect(node.x + 0.5, node.y + 0.5, node.size - 1, node.size - 1);
    ctx.fillStyle = "#222";
    ctx.font = `${state.fontPx}px system-ui, sans-serif`;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(FEATURE_LABELS[name] ?? name, node.x - 4, node.y + node.size / 2);
  }

  function drawImageNode(ctx, node, atlasCanvas, r, index, outline) {
    if (atlasCanvas && r) ctx.drawImage(atlasCanvas, index * r, 0, r, r, node.x, node.y, node.size, node.size);
    else { ctx.fillStyle = "#ddd"; ctx.fillRect(node.x, node.y, node.size, node.size); }
    ctx.strokeStyle = outline;
    ctx.lineWidth = 2;
    ctx.strokeRect(node.x + 1, node.y + 1, node.size - 2, node.size - 2);
  }

  function drawOutput(ctx, node, outImg, i) {
    if (outImg) ctx.drawImage(outImg, node.x, node.y, node.size, node.size);
    else { ctx.fillStyle = CLASS_COLORS[i % CLASS_COLORS.length]; ctx.fillRect(node.x, node.y, node.size, node.size); }
    ctx.strokeStyle = "#222";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(node.x + 0.75, node.y + 0.75, node.size - 1.5, node.size - 1.5);
  }

  function drawBias(ctx, node) {
    ctx.fillStyle = "#fff";
    ctx.strokeStyle = "#555";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.arc(node.cx, node.cy, node.r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = "#222";
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("1", node.cx, node.cy + 0.5);
  }

  function pointer(event) {
    const rect = canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  canvas.addEventListener("pointermove", (event) => {
    const [x, y] = pointer(event);
    onHover(layout && state.frame ? describe(hitTest(layout, x, y)) : null, x, y);
  });
  canvas.addEventListener("pointerleave", () => onHover(null, 0, 0));
  canvas.addEventListener("click", (event) => {
    const [x, y] = pointer(event);
    const hit = layout && state.frame && hitTest(layout, x, y);
    if (hit?.kind === "node" && hit.column > 0) onNeuronClick({ column: hit.column, index: hit.index });
    else if (hit?.kind === "edge") onEdgeClick(describe(hit), x, y);
  });

  // Adds the live value (weight, bias) to a hit from the layout.
  function describe(hit) {
    if (!hit) return null;
    const { weights, biases } = state.frame.header;
    if (hit.kind === "edge") {
      const e = hit.edge;
      return { ...hit, value: e.bias ? biases[e.layer][e.to] : weights[e.layer][e.from][e.to] };
    }
    if (hit.kind === "node" && hit.column > 0) return { ...hit, value: biases[hit.column - 1][hit.index] };
    return { ...hit, feature: state.features[hit.index] };
  }

  return {
    draw,
    setFrame(frame) { state.frame = frame; },
    setFeatures(features, task) { state.features = features; state.task = task; },
    setShowBias(show) { state.showBias = show; },
    setFontPx(px) { state.fontPx = px; },
    get layout() { return layout; },
  };
}

// Whether two layouts put every node in the same place (the layer buttons follow them).
function sameLayout(a, b) {
  if (!a || a.width !== b.width || a.columns.length !== b.columns.length) return false;
  return a.columns.every((column, c) => column.length === b.columns[c].length && column[0]?.x === b.columns[c][0]?.x && column[0]?.size === b.columns[c][0]?.size);
}
