"""axe-core on every page, in both languages, with the findings read from the page.

The playground, the lessons index, the embed (with and without controls, light and
dark, with refused parameters, in presentation mode) and every lesson page (scrolled
through, so every demo has started and drawn its numbers) have no violation at all.
"""

from __future__ import annotations

import pytest

from app.routes.lessons import LESSONS
from tests.browser.axe import violations

pytestmark = pytest.mark.browser

PAGES = [
    "/?seed=7",
    "/?seed=7&dataset=three_blobs&validation_ratio=20",
    "/?seed=7&dataset=plane",
    "/?seed=7&present=1",
    "/?seed=7&reg_rate=abc",            # a refused value shown next to its field
    "/lessons",
    "/embed?seed=7",
    "/embed?preset=l1&controls=reg_rate,hidden,validation_ratio,dataset,features",
    "/embed?preset=l2&controls=reg_rate,regularization&lock=regularization&theme=dark",
    "/embed?controls=reg_rate&noise=99&autoplay=7",  # errors in the box and by the field
    "/embed?preset=three_neurons&present=1",
]


def scroll_through(page) -> None:
    """Scroll to the end and back, so content that loads when it comes near (the lesson
    demos) is there for the check."""
    height = page.evaluate("() => document.documentElement.scrollHeight")
    for y in range(0, height + 800, 800):
        page.evaluate("(y) => window.scrollTo(0, y)", y)
        page.wait_for_timeout(120)
    page.evaluate("() => window.scrollTo(0, 0)")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_axe_violations(open_page, path, lang):
    watched = open_page()
    page = watched.page
    page.goto(f"{watched.base_url}{path}&lang={lang}" if "?" in path
              else f"{watched.base_url}{path}?lang={lang}")
    if path.startswith("/?") or path.startswith("/embed"):
        watched.wait("() => window.nnlive && window.nnlive.run.framesReceived > 0")
    page.wait_for_timeout(300)
    found = violations(page)
    assert found == [], found


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("slug", [lesson["slug"] for lesson in LESSONS])
def test_lesson_pages_have_no_axe_violations(open_page, slug, lang):
    watched = open_page()
    page = watched.page
    page.goto(f"{watched.base_url}/lessons/{slug}?lang={lang}")
    watched.wait("() => window.nnliveLessons && window.nnliveLessons.ready")
    scroll_through(page)
    # the demos that ask the API (the sweep, the loss comparison) have drawn their answer
    watched.wait("() => window.nnliveLessons.demos.every((d) => !('result' in d.api)"
                 " || d.api.result !== null)", timeout=60_000)
    page.wait_for_timeout(500)
    found = violations(page)
    assert found == [], found


def test_the_focus_ring_and_legend_colours_have_contrast(page):
    """The focus ring (WCAG 1.4.11: 3:1 for a control's outline) and class colours used
    as text (4.5:1), computed from the styles the page really uses."""
    page.open("/?seed=7")
    ratios = page.js("""() => {
        const lum = (rgb) => { const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map((v) => {
            const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
            return (x + 0.05) / (y + 0.05); };
        document.getElementById('step').focus({ focusVisible: true });
        const ring = getComputedStyle(document.getElementById('step')).outlineColor;
        const probe = document.createElement('span');
        document.body.append(probe);
        const text = ['--class0', '--class1', '--class2'].map((v) => {
            probe.style.color = `var(${v})`;
            return ratio(getComputedStyle(probe).color, 'rgb(255, 255, 255)'); });
        return { ring: ratio(ring, 'rgb(255, 255, 255)'),
                 ringOnBg: ratio(ring, 'rgb(243, 244, 246)'), text };
    }""")
    assert ratios["ring"] >= 3 and ratios["ringOnBg"] >= 3
    assert min(ratios["text"]) >= 4.5, ratios
