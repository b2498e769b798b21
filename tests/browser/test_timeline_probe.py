"""Timeline scrubbing, "train from here", click-to-probe and custom data."""

from __future__ import annotations

import pytest

from tests.browser.conftest import changed

pytestmark = pytest.mark.browser


def scrub_to(page, index: int) -> None:
    page.js("""(i) => { const t = document.getElementById('timeline');
        t.value = String(i); t.dispatchEvent(new Event('input', {bubbles: true})); }""", index)


def test_scrubbing_back_shows_the_earlier_boundary(page):
    page.open("/?autoplay=1&seed=7&learning_rate=0.3")
    page.wait("() => window.nnlive.run.shown.header.epoch >= 60")
    page.pause()
    latest = page.repainted("output")
    scrub_to(page, 0)
    page.wait("() => window.nnlive.run.shown.header.epoch === 0")
    assert changed(latest, page.repainted("output")) > 200
    assert page.page.locator("#timeline-epoch").inner_text() == "epoch 0"
    assert page.page.locator("#train-here").is_enabled()


def test_train_from_here_continues_from_that_epoch(page):
    page.open("/?autoplay=1&seed=7")
    page.wait("() => window.nnlive.run.ring.length >= 8")
    page.pause()
    index = 4
    scrub_to(page, index)
    epoch = page.js("() => window.nnlive.run.shown.header.epoch")
    newest = page.frames[-1]["epoch"]
    assert epoch < newest
    generation = page.frames[-1]["generation"]
    page.page.click("#train-here")
    assert {"type": "restore", "epoch": epoch} in page.sent
    page.wait("([g, e]) => window.nnlive.run.generation > g"
              " && window.nnlive.run.shown.header.epoch > e + 5",
              [generation, epoch])
    branch = [f for f in page.frames if f["generation"] > generation]
    assert branch[0]["epoch"] <= epoch
    assert [f["epoch"] for f in branch] == sorted(f["epoch"] for f in branch)
    # the history on the page continues from the restored epoch without a gap
    epochs = page.js("() => { const h = window.nnlive.run.history;"
                     " return Array.from(h.epoch.slice(0, h.length)); }")
    assert epochs == list(range(len(epochs)))


def test_clicking_the_output_shows_the_forward_pass(page):
    page.open("/?autoplay=1&seed=7")
    page.pause()
    box = page.page.locator("#output").bounding_box()
    page.page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    page.page.locator("#probe math").first.wait_for()
    text = page.page.locator("#probe").inner_text()
    assert "Hidden layer 1" in text and "Output layer" in text
    probe = [m for m in page.messages if m["type"] == "probe"][-1]
    assert page.page.locator("#probe math").count() >= 4
    first_z = probe["layers"][0]["z"][0]
    assert f"{abs(first_z):.3f}" in text


def test_clicking_a_data_point_probes_it_with_its_label_and_loss(page):
    page.open("/?autoplay=1&seed=7")
    page.pause()
    x, y = page.js("""() => {
        const [x1, x2] = window.nnlive.run.data.train[0], sq = window.nnlive.output.square;
        const r = document.getElementById('output').getBoundingClientRect();
        return [r.left + sq.px(x1), r.top + sq.py(x2)];
    }""")
    page.page.mouse.click(x, y)
    page.page.locator(".probe-loss").wait_for()
    assert "Loss for its label" in page.page.locator(".probe-loss").inner_text()
    sent = [m for m in page.sent if m["type"] == "probe"][-1]
    assert "label" in sent


def test_custom_points_added_and_erased_in_their_modes(page):
    page.open("/?autoplay=1&seed=7&n_points=40")
    page.page.select_option('select[name="dataset"]', "custom")
    page.wait("() => window.nnlive.run.config.dataset === 'custom'")
    count = page.js("() => window.nnlive.run.config.points.length")
    assert count == 40
    page.page.check('input[name="tool"][value="1"]')
    assert page.page.locator("#custom-next").inner_text().startswith("The next click adds class 1.")
    x, y = page.js("""() => {
        const sq = window.nnlive.output.square;
        const r = document.getElementById('output').getBoundingClientRect();
        return [r.left + sq.px(5.5), r.top + sq.py(-5.5)];
    }""")
    page.page.mouse.click(x, y)
    page.wait("(n) => window.nnlive.run.config.points.length === n + 1", count)
    rows = page.js("() => [...window.nnlive.run.data.train, ...window.nnlive.run.data.test]")
    assert any(abs(a - 5.5) < 0.1 and abs(b + 5.5) < 0.1 and label == 1 for a, b, label in rows)
    assert "points=" in page.page.url and "dataset=custom" in page.page.url
    # a second click on the new point adds another (adding never erases by surprise)
    page.page.mouse.click(x, y)
    page.wait("(n) => window.nnlive.run.config.points.length === n + 2", count)
    # erase mode takes away the nearest point, one per click
    page.page.check('input[name="tool"][value="erase"]')
    page.page.mouse.click(x, y)
    page.wait("(n) => window.nnlive.run.config.points.length === n + 1", count)
    page.page.mouse.click(x, y)
    page.wait("(n) => window.nnlive.run.config.points.length === n", count)
    assert not any(abs(a - 5.5) < 0.1 and abs(b + 5.5) < 0.1
                   for a, b, _ in page.js("() => window.nnlive.run.config.points"))


def test_clear_then_draw_four_points_trains_on_them(page):
    page.open("/?autoplay=1&seed=7&n_points=40")
    page.page.select_option('select[name="dataset"]', "custom")
    page.wait("() => window.nnlive.run.config.dataset === 'custom'")
    page.page.click("#custom-clear")
    assert "0 points: add at least 4" in page.page.locator("#custom-next").inner_text()
    sent = len([m for m in page.sent if m["type"] == "update"])
    targets = [(-3, -3, "0"), (3, 3, "0"), (-3, 3, "1"), (3, -3, "1")]
    for i, (x1, x2, label) in enumerate(targets):
        page.page.check(f'input[name="tool"][value="{label}"]')
        x, y = page.js("([a, b]) => [window.nnlive.output.square.px(a),"
                       " window.nnlive.output.square.py(b)]", [x1, x2])
        page.page.locator("#output").click(position={"x": x, "y": y})  # scrolled into view
        if i < 3:  # too few for a run: kept on the page, nothing sent
            page.page.wait_for_timeout(150)
            assert len([m for m in page.sent if m["type"] == "update"]) == sent
    # 4 points leave 2 to train on: the batch size of 10 no longer fits, and the page
    # says so (never shrinks it silently); the new points wait for a batch size that fits
    error = page.page.locator('[data-error-for="batch_size"]')
    error.wait_for(state="visible")
    assert error.inner_text().startswith("Batch size must be a whole number from 1 to 2")
    assert "dataset=custom" in page.page.url and "batch_size=10" in page.page.url
    page.page.fill('input[name="batch_size"]', "2")
    page.page.locator('input[name="batch_size"]').blur()
    page.wait("() => window.nnlive.run.config.points.length === 4")
    assert sorted(page.js("() => window.nnlive.run.config.points")) == sorted(
        [[a, b, int(label)] for a, b, label in targets])
    assert page.js("() => window.nnlive.run.config.batch_size") == 2
    assert not error.is_visible()
    page.wait("() => window.nnlive.run.shown.header.epoch > 5")


def test_a_custom_permalink_restores_the_same_data(open_page):
    first = open_page().open("/?autoplay=1&seed=7&n_points=20")
    first.page.select_option('select[name="dataset"]', "custom")
    first.wait("() => window.nnlive.run.config.dataset === 'custom'")
    url = first.page.url
    data = first.js("() => window.nnlive.run.data")
    second = open_page().open(url[len(first.base_url):])
    assert second.js("() => window.nnlive.run.data") == data


def test_a_dropped_connection_resumes_the_same_run(page):
    page.open("/?autoplay=1&seed=7")
    page.wait("() => window.nnlive.run.history.length > 20")
    session = page.js("() => window.nnlive.client.session")
    epoch = page.js("() => window.nnlive.run.shown.header.epoch")
    page.js("() => window.nnlive.client.drop()")
    page.wait("() => document.getElementById('banner').hidden === false")
    page.wait("(e) => window.nnlive.run.shown.header.epoch > e + 10", epoch)
    hellos = [m for m in page.messages if m["type"] == "hello"]
    assert len(hellos) == 2 and hellos[1]["resumed"] is True and hellos[1]["session"] == session
    assert sum(1 for m in page.sent if m["type"] == "start") == 1
    first = page.js("() => window.nnlive.run.history.epoch[0]")
    assert first == 0  # the history from before the drop is still there
