// One live training run over the WebSocket, shared by the playground (main.js), the
// embed (embed.js) and the lesson demos (lessons/live.js): the session (protocol.js),
// what the page knows about the run (run.js), the configuration as sent and as it runs
// (config-state.js), and one rule for starting:
//
//   A `hello` that finds the run this controller started (our session, `resumed: true`,
//   or `restored: {epoch}` when the server brought it back from its store after a
//   restart) needs nothing: the server kept it. Any other `hello` (the first one, or a
//   new session after the server forgot ours) is answered with `start` and the
//   configuration as last sent, then `restore 0` unless autoplay (back to epoch 0,
//   paused: Play starts it), then the speed if one was chosen.
//
// Pages show things through hooks; the controller never draws.

import { connect, msg } from "./protocol.js";
import { createRun } from "./run.js";
import { createConfigState } from "./config-state.js";
import { createClassJoin } from "./class-join.js";

// hooks: {message(m, {fresh}) every JSON message, after the controller has taken what it
//         needs (`fresh`: a dataset message that starts a new run); frame(frame) a frame
//         of this run that is not stale; sweepFrame(frame); close(willRetry)}.
// options: {autoplay: start running (else paused at epoch 0), speed: epochs/s to ask for
//           (null: the server's default), deferred: connect only on open(),
//           classroom: {t, form, anchor} to join the class of the page's ?class=CODE
//           (class-join.js: the first controller of the page to connect joins it)}.
export function createLiveRun(initialConfig, hooks = {}, { autoplay = true, speed = null, deferred = false, classroom = null } = {}) {
  const run = createRun();
  const config = createConfigState(initialConfig);
  const classJoin = createClassJoin(classroom ?? {});
  let startedOn = null; // the session our last start went to
  let epochsPerSecond = speed;

  function hello(m) {
    if ((m.resumed || m.restored) && m.session === startedOn) return;
    startedOn = m.session;
    client.send(msg.start(config.current));
    if (!autoplay) client.send(msg.restore(0));
    if (epochsPerSecond !== null) client.send(msg.speed(epochsPerSecond));
  }

  // What the controller takes from each message; returns what the page's hook is told.
  function take(m) {
    if (m.type === "hello") hello(m);
    else if (m.type === "dataset") {
      config.resolved(m.config);
      return { fresh: run.setDataset(m) };
    } else if (m.type === "status") {
      run.state = m.state;
      if (m.reset !== undefined) config.answered(m.reset); // the answer to an update or a reset
    } else if (m.type === "error" && m.code === "invalid_config" && m.field && !m.field.startsWith("vary")) {
      config.refused(m); // that update did not happen (a sweep's values are not the run's)
    }
    return { fresh: false };
  }

  const client = connect("/ws/train", {
    onMessage(m) {
      const info = take(m);
      if (!classJoin.take(m)) hooks.message?.(m, info);
    },
    onFrame(frame) {
      if (frame.header.kind === "sweep") hooks.sweepFrame?.(frame);
      else if (run.addFrame(frame)) hooks.frame?.(frame);
    },
    onClose: (retry) => hooks.close?.(retry),
  }, { deferred: true });
  // The socket's address waits for the class's name, when the page is in a class.
  let opening = null;
  const open = () => { opening ??= classJoin.query().then((query) => client.open(query)); };
  if (!deferred) open();

  const send = (m) => client.send(m);
  return {
    run, config, client, send,
    open,
    relabel: classJoin.relabel, // the class line, after a language switch
    get session() { return client.session; },
    play: () => send(msg.resume()),
    pause: () => send(msg.pause()),
    toggle: () => send(run.state === "running" ? msg.pause() : msg.resume()),
    step: (epochs = 1) => send(msg.step(epochs)),
    reset() { config.reset(); send(msg.reset()); },
    // Sends the change (joined to a parked one, config-state.js) and returns what went.
    update(partial) {
      const sent = config.update(partial);
      send(msg.update(sent));
      return sent;
    },
    speed(eps) { epochsPerSecond = eps; send(msg.speed(eps)); },
    restore: (epoch) => send(msg.restore(epoch)),
    probe: (x, label) => send(msg.probe(x, label)),
    setWeight: (change) => send(msg.setWeight(change)),
    sweep: (vary, epochs) => send(msg.sweep(vary, epochs)),
    stopSweep: () => send(msg.sweepStop()),
  };
}
