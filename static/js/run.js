// What the page knows about the run: resolved config, data, loss history, the ring of
// frames for the timeline, the generation (older frames are ignored), and which frame
// is on screen (the newest, or one picked on the timeline).

import { createHistory } from "./history.js";
import { createFrameRing } from "./frames.js";
import { taskOf } from "./schema.js";

export function createRun() {
  const history = createHistory();
  const ring = createFrameRing();
  const run = {
    config: null,
    data: { train: [], test: [], task: "classification" },
    history,
    ring,
    generation: -1,
    state: "paused",
    scrub: null, // index into the ring, or null when following the newest frame
    framesReceived: 0,

    // A new run clears history and frames; the same run sent again (a resumed
    // session) keeps them. Returns whether it is a new run.
    setDataset(message) {
      const same = run.config && JSON.stringify(run.config) === JSON.stringify(message.config);
      run.config = message.config;
      run.data = { train: message.train, test: message.test, task: taskOf(message.config) };
      if (same) return false;
      history.clear();
      ring.clear();
      run.scrub = null;
      return true;
    },

    // Returns false for a stale frame (older generation).
    addFrame(frame) {
      const { generation, epoch, history: entries = [] } = frame.header;
      if (generation < run.generation) return false;
      if (generation > run.generation) {
        history.truncateAfter(epoch);
        ring.truncateAfter(epoch);
        run.generation = generation;
      }
      for (const entry of entries) history.push(entry);
      if (!entries.length) history.push(frame.header);
      ring.push(frame);
      run.state = frame.header.state ?? run.state;
      run.framesReceived++;
      return true;
    },

    get shown() {
      return run.scrub === null ? ring.newest : ring.at(Math.min(run.scrub, ring.length - 1));
    },
  };
  return run;
}
