"""What a teacher takes away from a run: figures, animations, scripts, run files, CSV.

Depends on ``core`` only (never on ``app``): the server's routes call it in worker
threads, under the same limits as ``/api/train``.
"""
