// The height the embed would like at its frame's width: the plot as a square as wide as
// the frame, with the bar, the controls and any errors under it. An invisible element
// of that height is what the bridge reports as {type: "height"}, so a course page that
// sizes the frame to it gets a full-width square plot — and the layout in that frame is
// the stacked one this measures, so the size settles at once.

export function naturalHeight(root, sizer) {
  const part = (selector) => root.querySelector(selector);

  function measure() {
    const style = getComputedStyle(root);
    const pad = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    const gap = parseFloat(style.rowGap) || 0;
    const width = root.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const errors = part(".embed-errors")?.offsetHeight ?? 0;
    const side = part(".embed-side");
    const sideHeight = [...side.children].filter((el) => !el.hidden)
      .reduce((sum, el) => sum + el.scrollHeight, 0) + 6 * Math.max(0, side.children.length - 1);
    const height = Math.ceil(pad + (errors ? errors + gap : 0) + width + gap + sideHeight);
    if (sizer.style.height !== `${height}px`) sizer.style.height = `${height}px`;
  }

  new ResizeObserver(measure).observe(root);
  measure();
  return sizer;
}
