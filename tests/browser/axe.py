"""axe-core, read from the file scripts/ensure-axe.sh installs, evaluated in a page.

The pages' CSP (script-src 'self') forbids inline scripts, so the test does not add a
<script>: it evaluates the library's text through the DevTools protocol (what
``page.evaluate`` does), which a page's CSP does not govern. The page is unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"


@lru_cache(maxsize=1)
def axe_source() -> str:
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run `make test` (scripts/ensure-axe.sh "
                                "installs axe-core from npm)")
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """axe's violations on the page as it is now: [{id, help, targets}], WCAG 2.x A/AA
    and best-practice rules (axe's defaults)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => ({ id: v.id, help: v.help,
            targets: v.nodes.map((n) => n.target.join(' ')) }));
    }""")
