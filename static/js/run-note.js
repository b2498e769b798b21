// One line about where the learner's run is kept: "Restored at epoch 1,240" after the
// server brought it back from its store (hello.restored), and a note while the server
// cannot save it (status.saving === "failing"; docs/protocol.md). Text only.

export function createRunNote(el, { t, lang }) {
  let restored = null; // the epoch the run came back at, or null
  let failing = false;

  function render() {
    const lines = [];
    if (restored !== null) lines.push(t("store.restored", { epoch: restored.toLocaleString(lang()) }));
    if (failing) lines.push(t("store.not_saved"));
    el.textContent = lines.join(" ");
    el.hidden = lines.length === 0;
  }

  return {
    hello(m) { restored = m.restored ? m.restored.epoch : null; render(); },
    status(m) {
      if ((m.saving === "failing") === failing) return;
      failing = !failing;
      render();
    },
    relabel: render,
  };
}
