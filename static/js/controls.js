// Run controls: play/pause, step, reset, speed, the keyboard (space, →), the timeline
// scrubber with "train from here", and the view toggles. Each action goes through
// `actions`, so main.js decides what it sends.

export const SPEEDS = [1, 3, 10, 30, 60, 120, 300, 1000, 3000, 10000, 0]; // 0 = fastest
export const DEFAULT_SPEED = 60;

const $ = (id) => document.getElementById(id);

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
    $("speed-value").textContent = eps === 0 ? t("controls.fastest") : t("controls.eps", { n: eps });
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
  document.addEventListener("keydown", (event) => onKey(event, actions));
  return { relabel: showSpeed };
}

// Space and → act on the page unless a control that uses those keys has focus.
function onKey(event, actions) {
  const tag = event.target.tagName;
  if (["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(tag) || event.target.isContentEditable) return;
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === " ") { event.preventDefault(); actions.togglePlay(); }
  else if (event.key === "ArrowRight") { event.preventDefault(); actions.step(); }
}

// Reflects the run's state in the controls: play label, timeline range and position.
export function showRunState({ state, ringLength, scrub, shownEpoch }, t) {
  const play = $("play");
  const running = state === "running";
  const label = running ? t("controls.pause") : t("controls.play");
  if (play.textContent !== label) play.textContent = label;
  play.setAttribute("aria-pressed", String(running));
  play.disabled = state === "diverged";
  const timeline = $("timeline");
  timeline.max = String(Math.max(0, ringLength - 1));
  if (scrub === null) timeline.value = timeline.max;
  $("timeline-epoch").textContent = shownEpoch === null ? "" : t("timeline.epoch", { n: shownEpoch });
  $("train-here").disabled = scrub === null;
}
