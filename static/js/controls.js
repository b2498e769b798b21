// Run controls: play/pause, step, reset, speed, the keyboard (Space, →), the timeline
// scrubber with "train from here", and the view toggles. Each action goes through
// `actions`, so main.js decides what it sends.

export const SPEEDS = [1, 3, 10, 30, 60, 120, 300, 1000, 3000, 10000, 0]; // 0 = fastest
export const DEFAULT_SPEED = 60;

const $ = (id) => document.getElementById(id);

// Whether the reader asked for less motion: then nothing starts moving by itself.
export function prefersReducedMotion() {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

// actions: {togglePlay, step, reset, speed(eps), scrub(index), trainHere(), toggle(name, on), smoothing(v)}
export function wireControls(actions, t) {
  $("play").addEventListener("click", actions.togglePlay);
  $("step").addEventListener("click", actions.step);
  $("reset").addEventListener("click", actions.reset);
  const speed = $("speed");
  speed.max = String(SPEEDS.length - 1);
  speed.value = String(SPEEDS.indexOf(DEFAULT_SPEED));
  const showSpeed = () => {
    const eps = SPEEDS[Number(speed.value)];
    const text = eps === 0 ? t("controls.fastest") : t("controls.eps", { n: eps });
    $("speed-value").textContent = text;
    speed.setAttribute("aria-valuetext", text); // "60 epochs/s", not "4"
    return eps;
  };
  showSpeed();
  speed.addEventListener("input", () => actions.speed(showSpeed()));
  $("timeline").addEventListener("input", (event) => actions.scrub(Number(event.target.value)));
  $("train-here").addEventListener("click", actions.trainHere);
  for (const box of document.querySelectorAll("input[data-toggle]")) {
    box.addEventListener("change", () => actions.toggle(box.dataset.toggle, box.checked));
  }
  $("smoothing").addEventListener("input", (event) => actions.smoothing(Number(event.target.value)));
  wireKeys(actions);
  return { relabel: showSpeed };
}

// Space plays or pauses wherever focus is, except where Space types or toggles (text
// fields, menus, check boxes, radio buttons): on a button it does not press the button
// (after Step, Space still means play/pause). → trains one epoch where arrows do not
// already move something.
export function wireKeys(actions) {
  let swallowKeyUp = false;
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const el = event.target;
    if (event.key === " " && !usesSpace(el)) {
      event.preventDefault();
      swallowKeyUp = el.tagName === "BUTTON";
      if (!event.repeat) actions.togglePlay();
    } else if (event.key === "ArrowRight" && !usesArrows(el)) {
      event.preventDefault();
      actions.step();
    }
  });
  // A button is pressed by Space on key-up; that press was a play/pause.
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && swallowKeyUp) { event.preventDefault(); swallowKeyUp = false; }
  }, true);
}

const TEXT_TYPES = new Set(["text", "number", "search", "email", "url", "tel", "password"]);

function usesSpace(el) {
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && (TEXT_TYPES.has(el.type) || el.type === "checkbox" || el.type === "radio");
}

function usesArrows(el) {
  if (usesSpace(el)) return true;
  return (el.tagName === "INPUT" && el.type === "range") || el.getAttribute?.("role") === "application";
}

// Reflects the run's state in the controls: play toggle, timeline range and position.
export function showRunState({ state, ringLength, scrub, shownEpoch }, t) {
  showPlay(state, t);
  const timeline = $("timeline");
  timeline.max = String(Math.max(0, ringLength - 1));
  if (scrub === null) timeline.value = timeline.max;
  $("timeline-epoch").textContent = shownEpoch === null ? "" : t("timeline.epoch", { n: shownEpoch });
  $("train-here").disabled = scrub === null;
}

// The play toggle keeps its name; aria-pressed and the icon say whether it runs.
export function showPlay(state, t) {
  const play = $("play");
  const running = state === "running";
  const pressed = String(running);
  if (play.getAttribute("aria-pressed") !== pressed) {
    play.setAttribute("aria-pressed", pressed);
    play.querySelector(".play-icon").textContent = running ? "❚❚" : "▶";
  }
  const title = t(running ? "controls.pause_title" : "controls.play_title");
  if (play.title !== title) play.title = title;
  play.disabled = state === "diverged";
}
