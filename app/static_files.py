"""``/static``: the pages' files, under a version computed from their content at start.

Pages link ``/static/v/<version>/js/main.js`` (the ``static`` template variable); module
imports are relative, so every module a page loads carries the same version. Those
answers may be cached for a year (``immutable``): any change to any file gives a new
version, and new pages link the new one. The plain ``/static/…`` address still works
(``i18n.js`` fetches translations by it) and is revalidated on every use (``no-cache``,
with Starlette's ETag and Last-Modified). No build step: the version is a hash of the
files, taken when the app is made.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

LONG = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def tree_version(directory: Path) -> str:
    """12 hex digits of a hash over every file's path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class VersionedStatic(StaticFiles):
    def __init__(self, directory: Path):
        super().__init__(directory=directory)
        self.version = tree_version(directory)
        self.prefix = f"/static/v/{self.version}"  # what templates put before a file's path

    async def get_response(self, path: str, scope: Scope) -> Response:
        parts = path.split("/", 2)
        if len(parts) == 3 and parts[0] == "v":
            response = await super().get_response(parts[2], scope)
            cache = LONG if parts[1] == self.version else REVALIDATE  # an older page's link
        else:
            response = await super().get_response(path, scope)
            cache = REVALIDATE
        if response.status_code in (200, 304):
            response.headers["cache-control"] = cache
        return response
