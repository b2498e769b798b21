// The wall's grid: one tile per learner — its output (the thumbnail the server took from
// the learner's own frame, and the training points), its name, epoch and loss — sorted
// by name or by loss, and sized so that the whole class fits the screen (a projector of
// 1024×768 holds 100 tiles). A tile is redrawn only when something it shows changed.

import { createHeatmap } from "../heatmap.js";
import { drawPoints, plotSquare } from "../points.js";
import { fmt, fitCanvas } from "../canvas.js";
import { taskOf } from "../schema.js";

const MIN_TILE = 48;   // px: below this the grid scrolls instead of shrinking
const MAX_TILE = 260;
const GAP = 8;
const TEXT = 34;       // px under each tile's picture: name and numbers
const MAX_POINTS = 150; // training points drawn on a tile (a sample of larger sets)
const SMALL_TILE = 80;  // px: below this a tile shows its loss without the epoch

// The loss that chooses between runs: validation where rows are held out, else test.
export function choiceLoss(learner) {
  const validation = learner.validation_loss;
  return validation === null || validation === undefined
    ? { key: "test", value: learner.test_loss } : { key: "validation", value: validation };
}

export function sortLearners(learners, by) {
  const byName = (a, b) => a.name.localeCompare(b.name) || a.session_prefix.localeCompare(b.session_prefix);
  if (by !== "loss") return [...learners].sort(byName);
  const loss = (l) => { const v = choiceLoss(l).value; return Number.isFinite(v) ? v : Infinity; };
  return [...learners].sort((a, b) => loss(a) - loss(b) || byName(a, b));
}

// onSpotlight(learner) when a tile is chosen; dataFor(learner) → rows {train, test} or null.
export function createTiles(list, { t, onSpotlight, dataFor }) {
  const tiles = new Map(); // session_prefix → tile
  const heatmap = createHeatmap();
  let sortBy = "name";
  let learners = [];
  let size = 120;

  function update(next) {
    learners = next;
    const seen = new Set();
    for (const learner of learners) {
      seen.add(learner.session_prefix);
      const tile = tiles.get(learner.session_prefix) ?? add(learner);
      tile.learner = learner;
      label(tile);
    }
    for (const [id, tile] of tiles) if (!seen.has(id)) { tile.item.remove(); tiles.delete(id); }
    order();
    fit();
    for (const tile of tiles.values()) draw(tile);
  }

  function add(learner) {
    const item = document.createElement("li");
    const button = Object.assign(document.createElement("button"), { type: "button", className: "tile" });
    const canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    const name = Object.assign(document.createElement("span"), { className: "tile-name" });
    const numbers = Object.assign(document.createElement("span"), { className: "tile-numbers" });
    button.append(canvas, name, numbers);
    button.addEventListener("click", () => onSpotlight(tiles.get(learner.session_prefix).learner, button));
    item.append(button);
    list.append(item);
    const tile = { item, button, canvas, name, numbers, drawn: "", points: { key: "", canvas: document.createElement("canvas") } };
    tiles.set(learner.session_prefix, tile);
    return tile;
  }

  function label(tile) {
    const l = tile.learner;
    const loss = choiceLoss(l);
    const state = l.attached ? l.state : "away";
    tile.button.dataset.state = state;
    tile.button.dataset.id = l.session_prefix;
    if (tile.name.textContent !== l.name) tile.name.textContent = l.name;
    // a small tile keeps the loss (what the class compares); its epoch is in its label
    const numbers = size < SMALL_TILE ? fmt(loss.value) : `${t("teacher.tile_epoch", { n: l.epoch })} · ${fmt(loss.value)}`;
    if (tile.numbers.textContent !== numbers) tile.numbers.textContent = numbers;
    tile.button.setAttribute("aria-label", t("teacher.tile_label", {
      name: l.name, state: t(`teacher.${state}`), epoch: l.epoch,
      loss_name: t(`teacher.loss_${loss.key}`), loss: fmt(loss.value),
    }));
  }

  // Tiles in the chosen order; the DOM is touched only when the order changed.
  function order() {
    const wanted = sortLearners(learners, sortBy).map((l) => tiles.get(l.session_prefix).item);
    const now = [...list.children];
    if (wanted.length === now.length && wanted.every((item, i) => item === now[i])) return;
    list.append(...wanted);
  }

  // The largest square tile with which every learner fits the space left on screen.
  function fit() {
    const width = list.clientWidth || window.innerWidth;
    const height = Math.max(200, window.innerHeight - list.getBoundingClientRect().top - GAP);
    const n = Math.max(1, tiles.size);
    let s = MAX_TILE;
    while (s > MIN_TILE) {
      const cols = Math.max(1, Math.floor((width + GAP) / (s + GAP)));
      if (Math.ceil(n / cols) * (s + TEXT + GAP) <= height) break;
      s -= 4;
    }
    if (s !== size) {
      size = s;
      list.style.setProperty("--tile", `${s}px`);
      list.classList.toggle("small", s < SMALL_TILE);
      for (const tile of tiles.values()) { tile.drawn = ""; label(tile); }
    }
  }

  function draw(tile) {
    const l = tile.learner;
    const rows = dataFor(l);
    const key = [l.generation, l.grid?.range, l.data, rows ? 1 : 0, size, l.grid?.bytes].join("|");
    if (key === tile.drawn) return;
    tile.drawn = key;
    const { ctx, width, height } = fitCanvas(tile.canvas);
    const square = plotSquare(width, height);
    ctx.clearRect(0, 0, width, height);
    if (!l.grid) { ctx.fillStyle = "#f4f4f2"; ctx.fillRect(0, 0, width, height); return; }
    const task = l.config ? taskOf(l.config) : "classification";
    const bytes = Uint8Array.from(atob(l.grid.bytes), (c) => c.charCodeAt(0));
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heatmap.paint(bytes, l.grid.shape, { kind: task === "regression" ? "regression" : "binary" }),
      square.x0, square.y0, square.size, square.size);
    if (rows) ctx.drawImage(pointsLayer(tile, rows, square, task, l.grid.range, width, height), 0, 0, width, height);
  }

  // A tile's points change only with its data and size: drawn once into a kept layer.
  function pointsLayer(tile, rows, square, task, range, width, height) {
    const dpr = window.devicePixelRatio || 1;
    const key = [tile.learner.data, width, height, dpr, task === "regression" ? range : ""].join();
    const layer = tile.points;
    if (layer.key === key) return layer.canvas;
    layer.key = key;
    layer.canvas.width = Math.round(width * dpr);
    layer.canvas.height = Math.round(height * dpr);
    const ctx = layer.canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const step = Math.max(1, Math.ceil(rows.train.length / MAX_POINTS));
    const sample = rows.train.filter((_, i) => i % step === 0);
    drawPoints(ctx, sample, square, { task, range, radius: Math.max(1.4, Math.min(3, square.size / 70)) });
    return layer.canvas;
  }

  window.addEventListener("resize", () => { fit(); for (const tile of tiles.values()) draw(tile); });

  return {
    update,
    setSort(by) { sortBy = by; order(); },
    relabel() { for (const tile of tiles.values()) label(tile); },
    get size() { return size; },
    get count() { return tiles.size; },
  };
}
