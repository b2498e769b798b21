"""The live-session system behind ``/ws/train``: a learner's run, trained on the server
and streamed to their socket as frames.

- ``run.py``: a run and its run state (``RunState``), apart from any socket;
- ``pacing.py``: one socket's frames: when the next is due, what history it carries;
- ``outbox.py``: what one socket has yet to send (texts, and one frame slot);
- ``frames.py``: a frame from a run's state now (layout: docs/protocol.md);
- ``session.py``: a session: a token, its run, the socket attached, its live sweep;
- ``handlers.py``: the client's messages, one function per ``type``;
- ``sweeps.py``: a session's live sweep, its frames and its share of training;
- ``scheduler.py``: one loop that trains every session in slices and sends due frames;
- ``turns.py``: turns by client address when the server cannot serve everyone;
- ``sessions.py``: the manager on ``app.state``: creates, finds, caps and frees sessions;
- ``snapshots.py``: a run's kept snapshots for "train from here";
- ``store.py``: where sessions are kept for other workers (Redis);
- ``closing.py``: sockets closed in the background.
"""
