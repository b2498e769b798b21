"""The playground tells the learner where their run came back after the server stopped:
"Restored at epoch 1,240", in English and in Chinese, and goes on from there."""

from __future__ import annotations

import os
import re
import tempfile

import pytest

from tests.browser.conftest import DESKTOP, Watched
from tests.serve import ServerProcess, free_port

pytestmark = pytest.mark.browser


def test_after_a_crash_the_page_says_at_which_epoch_the_run_was_restored(browser):
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="nnlive-note-") as folder:
        store = os.path.join(folder, "runs.sqlite3")
        context = browser.new_context(viewport=DESKTOP, locale="en-US")
        try:
            with ServerProcess(port=port, NNLIVE_STORE_PATH=store) as first:
                w = Watched(context.new_page(), first.url).open("/?lang=en&autoplay=1")
                assert w.page.locator("#run-note").is_hidden()
                w.js("() => window.nnlive.client.send({type: 'speed', epochs_per_second: 0})")
                w.wait("() => window.nnlive.run.shown.header.epoch >= 1200", timeout=60_000)
                w.pause()  # paused: checkpointed at once, at this epoch
                epoch = w.js("() => window.nnlive.run.shown.header.epoch")
                w.page.wait_for_timeout(500)
                first.crash()
            with ServerProcess(port=port, NNLIVE_STORE_PATH=store):
                # the page reconnects by itself with its session's token
                w.wait("() => !document.getElementById('run-note').hidden", timeout=30_000)
                note = w.page.locator("#run-note").inner_text()
                assert f"Restored at epoch {epoch:,}" in note
                assert w.js("() => window.nnlive.run.shown.header.epoch") == epoch
                assert w.js("() => window.nnlive.run.state") == "paused"
                w.page.click('a[data-lang="zh"]')
                w.wait("() => document.documentElement.lang === 'zh-CN'")
                note = w.page.locator("#run-note").inner_text()
                assert f"已恢复到第 {epoch:,} 轮" in note
                w.page.click("#play")  # and it trains on from there
                w.wait(f"() => window.nnlive.run.shown.header.epoch > {epoch + 10}")
            lost = [e for e in w.errors if not re.search(r"WebSocket connection .* failed", e)]
            assert lost == [] and w.foreign == []  # only the reconnects while it was down
        finally:
            context.close()
