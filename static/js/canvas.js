// Canvas helpers shared by every view: a backing store sized by devicePixelRatio,
// and one redraw per animation frame however many updates arrived (dirty flag + rAF).

// Sizes the backing store to the element's CSS size × devicePixelRatio and returns a
// context scaled so drawing code works in CSS pixels. Returns {ctx, width, height}.
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const width = Math.max(1, Math.round(rect.width));
  const height = Math.max(1, Math.round(rect.height));
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, width, height };
}

// draw() runs at most once per animation frame, only after invalidate() was called.
// stats counts draws and their main-thread cost, for bench/browser.py.
export function createRenderLoop(draw) {
  let dirty = false;
  let scheduled = false;
  const stats = { draws: 0, drawMs: [], framesDrawn: 0 }; // framesDrawn: counted by the page

  function frame() {
    scheduled = false;
    if (!dirty) return;
    dirty = false;
    const t0 = performance.now();
    draw();
    stats.draws++;
    if (stats.drawMs.length < 20000) stats.drawMs.push(performance.now() - t0);
  }

  return {
    stats,
    invalidate() {
      dirty = true;
      if (!scheduled) { scheduled = true; requestAnimationFrame(frame); }
    },
  };
}

// A draw that runs at most once per `minMs()` milliseconds; a call that comes too soon
// is caught up by one timer, so the newest state is always drawn in the end. For views
// that change slowly (the loss chart) or cost much (a 6×16 diagram).
export function throttle(draw, minMs) {
  let last = -Infinity;
  let timer = null;
  return function throttled() {
    const now = performance.now();
    const wait = last + minMs() - now;
    if (wait > 0) {
      timer ??= setTimeout(() => { timer = null; throttled(); }, wait);
      return;
    }
    last = now;
    draw();
  };
}

// Formats a number for labels: short, fixed-ish, with a real minus sign.
export function fmt(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  const abs = Math.abs(value);
  const text = abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(2) : value.toFixed(digits);
  return text.replace("-", "−");
}
