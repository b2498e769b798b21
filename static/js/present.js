// Presentation mode, for a projector: the page keeps only what a class looks at (the
// output view as large as the screen allows, the epoch and losses in big type, the
// chart with text of at least 18 px) and asks for full screen. A button toggles it;
// ?present=1 opens the page in it (browsers allow full screen only after a click, so
// then the layout comes first and the button gives full screen).

export const PRESENT_FONT_PX = 20; // chart and axis text in presentation mode (≥ 18)

// onChange(on) lets the page resize its text; returns {on, set(on)}.
export function createPresentation(button, { initial = false, onChange = () => {} } = {}) {
  let on = false;
  let fullscreen = false; // whether we asked for it (leaving it then leaves the mode)

  function set(next, { requestFullscreen = false } = {}) {
    on = next;
    document.body.classList.toggle("present", on);
    button?.setAttribute("aria-pressed", String(on));
    if (requestFullscreen && on && !document.fullscreenElement) {
      document.documentElement.requestFullscreen?.().then(() => { fullscreen = true; }, () => {});
    } else if (!on && document.fullscreenElement && fullscreen) {
      document.exitFullscreen?.().catch(() => {});
    }
    if (!on) fullscreen = false;
    onChange(on);
  }

  // The output's size follows the top bar's height (its numbers wrap on a narrow screen).
  const bar = document.querySelector(".topbar");
  if (bar) {
    new ResizeObserver(() => document.documentElement.style.setProperty("--top", `${Math.ceil(bar.getBoundingClientRect().height)}px`)).observe(bar);
  }
  button?.addEventListener("click", () => set(!on, { requestFullscreen: true }));
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement && fullscreen && on) set(false); // Esc left full screen
  });
  if (initial) set(true);
  return { get on() { return on; }, set };
}
