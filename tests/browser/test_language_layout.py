"""中文 and English, the phone width, the embed view, and the screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def test_language_switch_relabels_the_page_and_keeps_the_run(page):
    page.open("/?autoplay=1&seed=7")
    assert page.page.locator("h1").inner_text().startswith("nnlive")
    session = page.js("() => window.nnlive.client.session")
    page.page.click('a[data-lang="zh"]')
    page.wait("() => document.documentElement.lang === 'zh-CN'")
    assert "神经网络" in page.page.locator("h1").inner_text()
    assert page.page.locator('label:has(select[name="dataset"])').inner_text().startswith("数据集")
    assert "lang=zh" in page.page.url
    assert page.js("() => window.nnlive.client.session") == session
    page.page.click('a[data-lang="en"]')
    page.wait("() => document.documentElement.lang === 'en'")
    assert "Dataset" in page.page.locator('label:has(select[name="dataset"])').inner_text()


def test_the_browser_language_picks_chinese(open_page):
    zh = open_page(locale="zh-CN").open("/?autoplay=1&seed=7")
    assert zh.js("() => document.documentElement.lang") == "zh-CN"
    assert zh.page.locator("#play").inner_text().endswith("运行")
    zh.page.wait_for_timeout(1500)
    zh.screenshot("playground-zh-1400x900.png")


def test_desktop_screenshot(open_page):
    desk = open_page(viewport=DESKTOP).open(
        "/?autoplay=1&seed=3&dataset=spiral&hidden=6,4&features=x1,x2,sin_x1,sin_x2&learning_rate=0.1")
    desk.wait("() => window.nnlive.run.shown.header.epoch > 150", timeout=30_000)
    assert desk.js("() => document.documentElement.scrollWidth") <= DESKTOP["width"]
    desk.screenshot("playground-1400x900.png")


def test_phone_width_has_no_horizontal_overflow(open_page):
    phone = open_page(viewport=PHONE, device_scale_factor=2, has_touch=True)
    phone.open("/?autoplay=1&seed=7")
    phone.wait("() => window.nnlive.run.shown.header.epoch > 30")
    assert phone.js("() => document.documentElement.scrollWidth") <= PHONE["width"]
    wide = phone.js("""() => [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.visually-hidden'))  // clipped to 1 px: for screen readers
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
        .map((e) => e.id || e.className || e.tagName)""")
    assert wide == []
    # the canvas backing store follows devicePixelRatio
    assert phone.js("() => document.getElementById('output').width") >= 2 * 300
    phone.screenshot("playground-390x844.png")


def test_the_embed_view_trains_and_pauses(page):
    page.open("/embed?seed=7&lang=zh")
    page.wait("() => window.nnlive.stats.draws > 2")
    page.page.click("#play")
    page.wait("() => document.getElementById('play').getAttribute('aria-pressed') === 'false'")
    assert page.js("() => window.nnlive.run.state") == "paused"
    assert page.page.locator("#play").inner_text() == "▶ 运行"
