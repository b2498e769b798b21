"""The keyboard and screen readers, driven with real key presses: a skip link to the
output, a cursor on the output (arrows, Enter probes or draws), focus kept on − / +
when the layers are redrawn, Esc closes an enlarged neuron, Space plays or pauses
wherever focus is but a text field, and the speed and Play controls say what they do."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def focused(page) -> str:
    return page.js("() => { const e = document.activeElement;"
                   " return e.id || `${e.dataset.action}:${e.dataset.layer}`; }")


def test_the_skip_link_leads_to_the_output(page):
    page.open("/?seed=7")
    page.page.keyboard.press("Tab")
    link = page.page.locator(".skip-link")
    assert page.js("() => document.activeElement.className") == "skip-link"
    assert link.is_visible() and link.bounding_box()["y"] >= 0
    page.page.keyboard.press("Enter")
    assert focused(page) == "output"


def test_arrow_keys_move_a_cursor_and_enter_probes_there(page):
    page.open("/?seed=7")
    page.page.keyboard.press("Tab")
    page.page.keyboard.press("Enter")  # the skip link: focus on the output
    assert page.js("() => window.nnlive.output.cursor") == [0, 0]
    for key in ["ArrowRight", "ArrowRight", "ArrowUp", "Shift+ArrowDown"]:
        page.page.keyboard.press(key)
    assert page.js("() => window.nnlive.output.cursor") == [1, -1.5]
    said = page.page.locator("#output-cursor").inner_text()
    assert said.startswith("Cursor at x₁ = 1.0, x₂ = −1.5: P(class 1) = ")
    epoch = page.js("() => window.nnlive.run.shown.header.epoch")
    page.page.keyboard.press("Enter")
    page.page.locator("#probe math").first.wait_for()
    probe = [m for m in page.sent if m["type"] == "probe"][-1]
    assert probe["x"] == [1, -1.5]
    assert "x = (1.00, −1.50)" in page.page.locator(".probe-point").inner_text()
    # arrows moved the cursor, not the run (→ steps only outside the output)
    assert page.js("() => window.nnlive.run.shown.header.epoch") == epoch
    assert not [m for m in page.sent if m["type"] == "step"]


def test_drawing_custom_points_by_keyboard(page):
    page.open("/?seed=7&n_points=20")
    page.page.select_option('select[name="dataset"]', "custom")
    page.wait("() => window.nnlive.run.config.dataset === 'custom'")
    page.page.check('input[name="tool"][value="1"]')
    page.page.focus("#output")
    page.page.keyboard.press("Home")
    for _ in range(8):
        page.page.keyboard.press("ArrowLeft")
    page.page.keyboard.press("Enter")
    page.wait("() => window.nnlive.run.config.points.length === 21")
    assert [-4, 0, 1] in page.js("() => window.nnlive.run.config.points")


def test_focus_stays_on_the_plus_and_minus_after_the_layers_are_redrawn(page):
    page.open("/?seed=7&hidden=3")
    plus = page.page.locator('#config-form [data-action="add-neuron"][data-layer="0"]')
    plus.focus()
    page.page.keyboard.press("Enter")
    page.wait("() => window.nnlive.run.config.hidden[0] === 4")
    assert focused(page) == "add-neuron:0"
    page.page.keyboard.press("Enter")
    page.wait("() => window.nnlive.run.config.hidden[0] === 5")
    assert focused(page) == "add-neuron:0"
    # the layer count's own + keeps focus too, and so do the diagram's buttons
    page.page.locator('#config-form [data-action="add-layer"]').focus()
    page.page.keyboard.press("Enter")
    page.wait("() => window.nnlive.run.config.hidden.length === 2")
    assert focused(page) == "add-layer:undefined"
    minus = page.page.locator('#layer-buttons [data-action="remove-neuron"][data-layer="1"]')
    minus.focus()
    page.page.keyboard.press("Enter")
    page.wait("() => window.nnlive.run.config.hidden[1] === 4")
    assert page.js("() => document.activeElement.closest('#layer-buttons') !== null")
    assert focused(page) == "remove-neuron:1"


def test_space_plays_and_pauses_wherever_focus_is_but_a_text_field(page):
    page.open("/?seed=7")
    # the page starts paused: start, then back to epoch 0 paused (the first frame may
    # come between the two answers)
    page.wait("() => window.nnlive.run.state === 'paused'")
    page.settle()
    page.page.focus("#step")
    page.page.keyboard.press("Space")  # on Step: plays, does not step
    page.wait("() => window.nnlive.run.state === 'running'")
    page.page.keyboard.press("Space")
    page.wait("() => window.nnlive.run.state === 'paused'")
    assert not [m for m in page.sent if m["type"] == "step"]
    page.page.focus("#reset")
    page.page.keyboard.press("Space")
    page.wait("() => window.nnlive.run.state === 'running'")
    assert not [m for m in page.sent if m["type"] == "reset"]
    page.page.focus("#speed")
    page.page.keyboard.press("Space")
    page.wait("() => window.nnlive.run.state === 'paused'")
    page.settle()
    # in a text field Space types
    page.page.focus('input[name="learning_rate"]')
    page.page.keyboard.press("Space")
    page.page.wait_for_timeout(300)
    assert page.js("() => window.nnlive.run.state") == "paused"
    assert [m["type"] for m in page.sent].count("resume") == 2


def test_escape_closes_the_enlarged_neuron_and_focus_returns(page):
    page.open("/?seed=7")
    x, y = page.js("""() => {
        const n = window.nnlive.diagram.layout.columns[1][0];
        const r = document.getElementById('network').getBoundingClientRect();
        return [r.left + n.x + n.size / 2, r.top + n.y + n.size / 2];
    }""")
    page.page.focus("#step")
    chart = page.page.locator("#loss-chart").bounding_box()
    page.page.mouse.click(x, y)
    page.page.locator("#zoom").wait_for(state="visible")
    # an overlay: nothing on the page moved
    assert page.page.locator("#loss-chart").bounding_box() == chart
    assert focused(page) == "zoom-close"
    assert page.js("() => getComputedStyle(document.getElementById('zoom')).position") == "fixed"
    page.page.keyboard.press("Escape")
    page.page.locator("#zoom").wait_for(state="hidden")


def test_speed_and_play_tell_screen_readers_what_they_do(page):
    page.open("/?seed=7")
    speed = page.page.locator("#speed")
    assert speed.get_attribute("aria-valuetext") == "60 epochs/s"
    speed.focus()
    page.page.keyboard.press("ArrowRight")
    assert speed.get_attribute("aria-valuetext") == "120 epochs/s"
    for _ in range(50):  # the socket's sent frames are reported a moment later
        if {"type": "speed", "epochs_per_second": 120} in page.sent:
            break
        page.page.wait_for_timeout(100)
    assert {"type": "speed", "epochs_per_second": 120} in page.sent
    # the page starts paused once its opening messages (start, then back to epoch 0
    # paused) are answered; the first frame may come before the second answer
    page.wait("() => window.nnlive.run.state === 'paused'")
    play = page.page.get_by_role("button", name="Play", exact=True)
    assert play.get_attribute("aria-pressed") == "false"
    play.click()
    page.wait("() => document.getElementById('play').getAttribute('aria-pressed') === 'true'")
    # the same button, the same name, pressed
    assert page.page.get_by_role("button", name="Play", exact=True).count() == 1
    assert page.page.get_by_role("button", name="Play", pressed=True).count() == 1
