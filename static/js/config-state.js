// The configuration as the page sent it (the address shows it) and as the server runs
// it. Updates and resets are answered in order, so the oldest one waiting is the one a
// reply is about: a hot update taken merges into what runs, a refused one leaves the
// address, and new data refused only for its batch size waits to go again with the
// next batch size the learner gives (configuration.md: nothing is shrunk silently).

export function createConfigState(initial) {
  let sent = initial;
  let running = initial;
  const waiting = []; // partial configs of updates, null for resets
  let parked = null; // an update refused for batch_size alone

  const pending = () => Object.assign({ ...running }, ...waiting.filter(Boolean));

  return {
    get current() { return sent; },
    // The partial to send for `partial` (with a parked update joined to a batch size).
    update(partial) {
      let out = partial;
      if ("batch_size" in out && parked) { out = { ...parked, ...out }; parked = null; }
      sent = { ...sent, ...out };
      waiting.push(out);
      return out;
    },
    reset() { waiting.push(null); },
    // A dataset message: the server's resolved config (a new run).
    resolved(config) { sent = running = config; },
    // A status answering an update or a reset; `restarted` is its `reset` flag.
    answered(restarted) {
      const partial = waiting.shift();
      if (partial && !restarted) running = { ...running, ...partial }; // hot fields
    },
    // An invalid_config error: that update did not happen.
    refused(error) {
      const partial = waiting.shift();
      if (error.field === "batch_size" && partial && !("batch_size" in partial)) parked = partial;
      sent = pending();
    },
  };
}
