// The output view: decision heatmap, training points (filled), test points (outlined),
// first-layer neuron lines with their equations on hover, and pointer clicks
// (probe, or add/remove custom points) reported to the caller.

import { createHeatmap } from "./heatmap.js";
import { drawPoints, drawAxes, plotSquare, nearestPoint } from "./points.js";
import { drawLines, lineAt, slopeForm } from "./lines.js";
import { fitCanvas, fmt } from "./canvas.js";

const MARGIN = { left: 24, right: 6, top: 6, bottom: 18 };

// onClick({x1, x2, train: index|-1, test: index|-1}); onChange() asks for a redraw.
export function createOutputView(canvas, { tooltip = null, t = (k) => k, onClick = null, onChange = () => {} } = {}) {
  const heatmap = createHeatmap();
  const state = {
    data: { train: [], test: [], task: "classification" },
    frame: null,
    options: { showTest: true, discretize: false, showLines: true },
    hoverLine: -1,
    probe: null,
  };
  let square = plotSquare(300, 300, MARGIN);

  function draw() {
    const { ctx, width, height } = fitCanvas(canvas);
    square = plotSquare(width, height, MARGIN);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "#f4f4f2";
    ctx.fillRect(square.x0, square.y0, square.size, square.size);
    const frame = state.frame;
    if (frame?.grid) {
      const kind = state.data.task === "regression" ? "regression" : "binary";
      const img = heatmap.paint(frame.grid, frame.header.grid.shape, { kind, discretize: state.options.discretize });
      ctx.imageSmoothingEnabled = !state.options.discretize;
      ctx.drawImage(img, square.x0, square.y0, square.size, square.size);
    }
    drawAxes(ctx, square);
    const lines = visibleLines();
    if (lines) drawLines(ctx, lines, square, state.hoverLine);
    ctx.drawImage(pointsLayer(width, height, frame?.header.grid?.range ?? [0, 1]), 0, 0, width, height);
    if (state.probe) drawProbeMark(ctx, state.probe);
  }

  // The points change only with the data, the size or the options (and, for regression,
  // the colour range), so they are drawn once into a cached layer, not every frame.
  const layer = { canvas: document.createElement("canvas"), key: "" };
  function pointsLayer(width, height, range) {
    const dpr = window.devicePixelRatio || 1;
    const key = [width, height, dpr, state.options.showTest, state.data.task === "regression" ? range : ""].join();
    if (key === layer.key && layer.data === state.data) return layer.canvas;
    layer.key = key;
    layer.data = state.data;
    layer.canvas.width = Math.round(width * dpr);
    layer.canvas.height = Math.round(height * dpr);
    const ctx = layer.canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = { task: state.data.task, range };
    drawPoints(ctx, state.data.train, square, style);
    if (state.options.showTest) drawPoints(ctx, state.data.test, square, { ...style, outlined: true });
    return layer.canvas;
  }

  function drawProbeMark(ctx, [x1, x2]) {
    const x = square.px(x1);
    const y = square.py(x2);
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x - 7, y); ctx.lineTo(x + 7, y);
    ctx.moveTo(x, y - 7); ctx.lineTo(x, y + 7);
    ctx.stroke();
  }

  function visibleLines() {
    return state.options.showLines ? state.frame?.header.lines ?? null : null;
  }

  function localPoint(event) {
    const rect = canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  function onMove(event) {
    const [px, py] = localPoint(event);
    const lines = visibleLines();
    const index = lines && square.inside(px, py) ? lineAt(lines, square.dataX(px), square.dataY(py), square) : -1;
    if (index !== state.hoverLine) { state.hoverLine = index; onChange(); }
    showLineTip(index, lines, px, py);
  }

  function showLineTip(index, lines, px, py) {
    if (!tooltip) return;
    if (index < 0) { tooltip.hidden = true; return; }
    const form = slopeForm(lines[index]);
    const { w1, w2, b } = lines[index];
    const eq = `${fmt(w1, 2)}·x₁ + ${fmt(w2, 2)}·x₂ + ${fmt(b, 2)} = 0`;
    const slope = !form ? "" : form.vertical !== undefined
      ? `x₁ = ${fmt(form.vertical, 2)}` : `k = ${fmt(form.k, 2)}, b = ${fmt(form.c, 2)}`;
    tooltip.textContent = `${t("lines.neuron")} ${index + 1}: ${eq}\n${t("lines.slope")} ${slope}`;
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(px + 12, canvas.clientWidth - 180)}px`;
    tooltip.style.top = `${py + 12}px`;
  }

  // A click is a press and release close together (so a finger drag does not count).
  let down = null;
  canvas.addEventListener("pointerdown", (event) => { down = localPoint(event); });
  canvas.addEventListener("pointerup", (event) => {
    const [px, py] = localPoint(event);
    if (!down || Math.hypot(px - down[0], py - down[1]) > 8 || !square.inside(px, py)) { down = null; return; }
    down = null;
    onClick?.({
      x1: square.dataX(px), x2: square.dataY(py),
      train: nearestPoint(state.data.train, square, px, py),
      test: state.options.showTest ? nearestPoint(state.data.test, square, px, py) : -1,
    });
  });
  canvas.addEventListener("pointermove", onMove);
  canvas.addEventListener("pointerleave", () => {
    if (tooltip) tooltip.hidden = true;
    if (state.hoverLine !== -1) { state.hoverLine = -1; onChange(); }
  });

  return {
    draw,
    setData(data) { state.data = data; onChange(); },
    setFrame(frame) { state.frame = frame; }, // the caller redraws
    setOptions(options) { Object.assign(state.options, options); onChange(); },
    setProbe(point) { state.probe = point; onChange(); },
    get square() { return square; },
  };
}
