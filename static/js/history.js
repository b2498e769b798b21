// The loss history, one column per quantity in typed arrays. Bounded: when full it keeps
// every other entry (and always the newest), so a long run still spans epoch 0 → now.

export const SERIES = ["train_loss", "test_loss", "train_error", "test_error", "penalty",
  "validation_loss", "validation_error"];

export function createHistory(capacity = 200000) {
  const epoch = new Float64Array(capacity);
  const cols = Object.fromEntries(SERIES.map((k) => [k, new Float64Array(capacity)]));
  let length = 0;

  function thin() {
    let j = 0;
    for (let i = 0; i < length; i++) {
      if (i % 2 === 0 || i === length - 1) {
        epoch[j] = epoch[i];
        for (const k of SERIES) cols[k][j] = cols[k][i];
        j++;
      }
    }
    length = j;
  }

  return {
    epoch, cols,
    get length() { return length; },
    push(entry) {
      if (length && entry.epoch < epoch[length - 1]) return; // already have it
      if (length && entry.epoch === epoch[length - 1]) length--; // measured again (a weight set by hand)
      if (length === capacity) thin();
      epoch[length] = entry.epoch;
      for (const k of SERIES) cols[k][length] = entry[k] ?? NaN; // null (non-finite) → gap
      length++;
    },
    // Forget entries after `e` (a restore branched from there).
    truncateAfter(e) { while (length && epoch[length - 1] > e) length--; },
    clear() { length = 0; },
    // Index of the last entry with epoch ≤ e, or -1.
    indexAt(e) {
      let lo = 0;
      let hi = length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (epoch[mid] <= e) { found = mid; lo = mid + 1; } else hi = mid - 1;
      }
      return found;
    },
    entry(i) {
      return { epoch: epoch[i], ...Object.fromEntries(SERIES.map((k) => [k, cols[k][i]])) };
    },
  };
}
