"""The classroom: a teacher opens a class, learners join it with a short code, and the
teacher's wall shows every learner's run live (docs/classroom.md, docs/protocol.md).

- ``codes``: join codes, teacher keys and how keys are compared;
- ``records``: what a class is (its record) and what the wall shows of a learner (a tile);
- ``store``: where records and tiles live, in this process or in Redis for several workers;
- ``access``: who may look a class up (keys, and the attempts of each address);
- ``members``: one learner's membership: tiles from its frames, the teacher's commands;
- ``hub``: this worker's members, joining, and the loop that keeps them in step with the store;
- ``wall``: the teacher's answers, built from the tiles;
- ``routes``: the teacher's HTTP API and the wall's page.

A learner's session stays an ordinary session; the classroom holds a reference to it
and the session one to its membership (``session.member``), nothing more.
"""
