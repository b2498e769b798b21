// A bounded ring of received frames for the timeline. When full it drops every other
// frame from the older two thirds, so the newest stretch stays dense while the whole
// run remains reachable.

export function createFrameRing(capacity = 240) {
  let frames = [];

  function thin() {
    const cut = Math.floor((frames.length * 2) / 3);
    frames = frames.slice(0, cut).filter((_, i) => i % 2 === 0).concat(frames.slice(cut));
  }

  return {
    get length() { return frames.length; },
    get newest() { return frames[frames.length - 1] ?? null; },
    at(i) { return frames[i] ?? null; },
    push(frame) {
      // A frame for an epoch we already hold (e.g. after a restore) replaces the later ones.
      while (frames.length && frames[frames.length - 1].header.epoch >= frame.header.epoch) frames.pop();
      if (frames.length >= capacity) thin();
      frames.push(frame);
    },
    truncateAfter(epoch) { while (frames.length && frames[frames.length - 1].header.epoch > epoch) frames.pop(); },
    clear() { frames = []; },
  };
}
