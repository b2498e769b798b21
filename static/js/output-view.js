// The output view: decision heatmap, training points (filled), test points (outlined),
// first-layer neuron lines with their equations on hover, and clicks (probe, or add/
// erase custom points) reported to the caller — by pointer, or by keyboard: arrow keys
// move a cursor over the square and Enter acts there as a click would.

import { createHeatmap } from "./heatmap.js";
import { drawPoints, drawAxes, plotSquare, nearestPoint, drawMark, EXTENT } from "./points.js";
import { drawLines, lineAt } from "./lines.js";
import { fitCanvas } from "./canvas.js";
import { PALETTE } from "./palette.js";
import { lineTip } from "./line-tip.js";

const STEP = 0.5; // cursor step in data units (Shift: ×4)

function margins(fontPx) {
  return { left: Math.round(fontPx * 1.6 + 8), right: Math.round(fontPx * 0.6 + 2), top: Math.round(fontPx * 0.6 + 2), bottom: Math.round(fontPx + 8) };
}

// onClick({x1, x2, train: index|-1, test: index|-1}); onChange() asks for a redraw;
// onCursor([x1, x2] | null) reports the keyboard cursor (for a live region).
export function createOutputView(canvas, { tooltip = null, t = (k) => k, onClick = null, onChange = () => {}, onCursor = () => {} } = {}) {
  const heatmap = createHeatmap();
  const state = {
    data: { train: [], test: [], task: "classification" },
    frame: null,
    options: { showTest: true, discretize: false, showLines: true, fontPx: 10, ghost: null },
    hoverLine: -1,
    probe: null,
    cursor: null, // keyboard cursor [x1, x2]
    pointer: null, // mouse position [x1, x2] inside the square
  };
  let square = plotSquare(300, 300, margins(10));

  function draw() {
    const { ctx, width, height } = fitCanvas(canvas);
    square = plotSquare(width, height, margins(state.options.fontPx));
    const frame = state.frame;
    clearAround(ctx, width, height, !frame?.grid);
    if (frame?.grid) {
      const kind = state.data.task === "regression" ? "regression" : "binary";
      const img = heatmap.paint(frame.grid, frame.header.grid.shape, { kind, discretize: state.options.discretize });
      ctx.imageSmoothingEnabled = !state.options.discretize;
      ctx.drawImage(img, square.x0, square.y0, square.size, square.size);
    }
    drawAxes(ctx, square, { fontPx: state.options.fontPx });
    const lines = visibleLines();
    if (lines) drawLines(ctx, lines, square, state.hoverLine);
    ctx.drawImage(pointsLayer(width, height, frame?.header.grid?.range ?? [0, 1]), 0, 0, width, height);
    if (state.probe) drawCross(ctx, state.probe, "#111", 7);
    const ghostAt = state.cursor ?? state.pointer;
    if (ghostAt && state.options.ghost !== null) drawGhost(ctx, ghostAt);
    if (state.cursor) drawCursor(ctx, state.cursor);
  }

  // The heatmap covers the square, so only the margins need clearing (fewer pixels to
  // touch every frame on a large plot); without a heatmap the square gets its paper.
  function clearAround(ctx, width, height, paper) {
    const { x0, y0, size } = square;
    ctx.clearRect(0, 0, width, y0);
    ctx.clearRect(0, y0 + size, width, height - y0 - size);
    ctx.clearRect(0, y0, x0, size);
    ctx.clearRect(x0 + size, y0, width - x0 - size, size);
    if (paper) {
      ctx.fillStyle = PALETTE.axes.paper;
      ctx.fillRect(x0, y0, size, size);
    }
  }

  // The points change only with the data, the size or the options (and, for regression,
  // the colour range), so they are drawn once into a cached layer, not every frame.
  const layer = { canvas: document.createElement("canvas"), key: "" };
  function pointsLayer(width, height, range) {
    const dpr = window.devicePixelRatio || 1;
    const radius = pointRadius();
    const key = [width, height, dpr, radius, state.options.showTest, state.data.task === "regression" ? range : ""].join();
    if (key === layer.key && layer.data === state.data) return layer.canvas;
    layer.key = key;
    layer.data = state.data;
    layer.canvas.width = Math.round(width * dpr);
    layer.canvas.height = Math.round(height * dpr);
    const ctx = layer.canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = { task: state.data.task, range, radius };
    drawPoints(ctx, state.data.train, square, style);
    if (state.options.showTest) drawPoints(ctx, state.data.test, square, { ...style, outlined: true });
    return layer.canvas;
  }

  // Points grow a little on a large plot (a projector), never below the old 3.6 px.
  function pointRadius() { return Math.max(3.6, Math.min(7, square.size / 110)); }

  function drawCross(ctx, [x1, x2], color, r) {
    const x = square.px(x1);
    const y = square.py(x2);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x - r, y); ctx.lineTo(x + r, y);
    ctx.moveTo(x, y - r); ctx.lineTo(x, y + r);
    ctx.stroke();
  }

  // The keyboard cursor: a ring with a white halo, visible on any background.
  function drawCursor(ctx, at) {
    const x = square.px(at[0]);
    const y = square.py(at[1]);
    for (const [color, width] of [["#fff", 4], ["#111", 2]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.arc(x, y, 10, 0, 2 * Math.PI);
      ctx.stroke();
    }
    drawCross(ctx, at, "#111", 5);
  }

  // What the next click adds (a custom point of that class), faint, where it would go.
  function drawGhost(ctx, at) {
    ctx.globalAlpha = 0.55;
    drawMark(ctx, square.px(at[0]), square.py(at[1]), pointRadius() + 1.5, state.options.ghost);
    ctx.globalAlpha = 1;
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
    const inside = square.inside(px, py);
    const lines = visibleLines();
    const index = lines && inside ? lineAt(lines, square.dataX(px), square.dataY(py), square) : -1;
    if (index !== state.hoverLine) { state.hoverLine = index; onChange(); }
    state.pointer = inside ? [square.dataX(px), square.dataY(py)] : null;
    if (state.options.ghost !== null) onChange();
    showLineTip(index, lines, px, py);
  }

  function showLineTip(index, lines, px, py) {
    if (!tooltip) return;
    if (index < 0) { tooltip.hidden = true; return; }
    tooltip.replaceChildren(...lineTip(lines[index], index, t));
    tooltip.hidden = false;
    tooltip.style.left = `${Math.max(0, Math.min(px + 12, canvas.clientWidth - 220))}px`;
    tooltip.style.top = `${py + 12}px`;
  }

  function hitAt(x1, x2) {
    const px = square.px(x1);
    const py = square.py(x2);
    return {
      x1, x2,
      train: nearestPoint(state.data.train, square, px, py),
      test: state.options.showTest ? nearestPoint(state.data.test, square, px, py) : -1,
    };
  }

  // A click is a press and release close together (so a finger drag does not count).
  let down = null;
  canvas.addEventListener("pointerdown", (event) => { down = localPoint(event); });
  canvas.addEventListener("pointerup", (event) => {
    const [px, py] = localPoint(event);
    if (!down || Math.hypot(px - down[0], py - down[1]) > 8 || !square.inside(px, py)) { down = null; return; }
    down = null;
    onClick?.(hitAt(square.dataX(px), square.dataY(py)));
  });
  canvas.addEventListener("pointermove", onMove);
  canvas.addEventListener("pointerleave", () => {
    if (tooltip) tooltip.hidden = true;
    state.pointer = null;
    if (state.hoverLine !== -1) state.hoverLine = -1;
    onChange();
  });

  // Keyboard: the cursor appears when focus comes by keyboard, arrows move it, Enter acts.
  canvas.addEventListener("focus", () => {
    if (!canvas.matches(":focus-visible") || state.cursor) return;
    moveCursor(state.probe ?? [0, 0]);
  });
  canvas.addEventListener("blur", () => { state.cursor = null; onCursor(null); onChange(); });
  canvas.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? STEP * 4 : STEP;
    const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[event.key];
    if (move) {
      event.preventDefault();
      const at = state.cursor ?? [0, 0];
      moveCursor([at[0] + move[0], at[1] + move[1]]);
    } else if (event.key === "Home") {
      event.preventDefault();
      moveCursor([0, 0]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const at = state.cursor ?? [0, 0];
      if (!state.cursor) moveCursor(at);
      onClick?.(hitAt(at[0], at[1]));
    }
  });

  function moveCursor([x1, x2]) {
    const clamp = (v) => Math.round(Math.max(-EXTENT, Math.min(EXTENT, v)) * 100) / 100;
    state.cursor = [clamp(x1), clamp(x2)];
    onCursor(state.cursor);
    onChange();
  }

  return {
    draw,
    setData(data) { state.data = data; onChange(); },
    setFrame(frame) { state.frame = frame; }, // the caller redraws
    setOptions(options) { Object.assign(state.options, options); onChange(); },
    setProbe(point) { state.probe = point; onChange(); },
    get square() { return square; },
    get cursor() { return state.cursor; },
  };
}
