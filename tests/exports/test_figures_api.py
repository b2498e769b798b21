"""GET /api/figure.png|svg and /api/animation.gif on a real server: decoded, measured,
checked against the run they draw; every refusal names its field."""

import io
import xml.etree.ElementTree as ET

import httpx
import numpy as np
import pytest
from PIL import Image

from core.config import validate_config
from core.trainer import Trainer
from exports.output_view import FONT, margins
from exports.palette import paint_grid
from exports.scene import scene_of
from tests.app.live import LiveServer

QUERY = "seed=7&n_points=80&hidden=3&epochs=30"


def _get(server, path: str, timeout: float = 60) -> httpx.Response:
    return httpx.get(server.url + path, timeout=timeout)


def _expected_scene():
    trainer = Trainer(validate_config({"seed": 7, "n_points": 80, "hidden": [3]}))
    trainer.train_epochs(30)
    return scene_of(trainer)


def test_png_has_the_asked_size_and_the_heatmap_colours_of_the_run(server):
    answer = _get(server, f"/api/figure.png?{QUERY}&size=300&scale=2")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(answer.content)).convert("RGB")).astype(int)
    m = margins(FONT)
    side = 300 - m["left"] - m["right"]
    assert image.shape == (2 * (side + m["top"] + m["bottom"]), 600, 3)
    colours = paint_grid(_expected_scene().grid, regression=False).astype(int)
    for row, col in ((5, 5), (25, 40), (45, 12)):  # cells away from the points: check
        x = 2 * (m["left"] + (col + 0.5) / 50 * side)
        y = 2 * (m["top"] + (row + 0.5) / 50 * side)
        patch = image[int(y) - 1 : int(y) + 2, int(x) - 1 : int(x) + 2].reshape(-1, 3)
        assert np.abs(patch - colours[row, col]).min(axis=0).max() <= 12


def test_svg_parses_and_holds_every_point(server):
    answer = _get(server, f"/api/figure.svg?{QUERY}")
    assert answer.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(answer.text)
    points = [e for e in root.iter() if "point" in e.get("class", "").split()]
    scene = _expected_scene()
    assert len(points) == len(scene.train) + len(scene.test)
    drawn = sorted((float(e.get("data-x1")), float(e.get("data-x2"))) for e in points)
    rows = sorted((float(f"{x:.6g}"), float(f"{y:.6g}"))
                  for x, y, _ in np.concatenate([scene.train, scene.test]))
    assert drawn == rows
    assert sum(1 for e in root.iter() if e.tag.endswith("image")) == 1  # the heatmap
    assert len([e for e in root.iter() if e.get("class") == "neuron-line"]) <= 3


@pytest.mark.parametrize("view", ["network", "loss"])
def test_other_views_draw_in_both_formats(server, view):
    png = _get(server, f"/api/figure.png?{QUERY}&view={view}&size=400&scale=1")
    assert Image.open(io.BytesIO(png.content)).size[0] == 400
    svg = ET.fromstring(_get(server, f"/api/figure.svg?{QUERY}&view={view}").text)
    kind = "weight" if view == "network" else "series"
    assert [e for e in svg.iter() if e.get("class") == kind]


def test_gif_has_the_asked_frames_each_captioned(server):
    answer = _get(server, "/api/animation.gif?seed=3&n_points=60&epochs=40&frames=5&size=200")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/gif"
    gif = Image.open(io.BytesIO(answer.content))
    assert gif.n_frames == 5 and gif.size[0] == 200 and gif.info["loop"] == 0
    first = np.asarray(gif.convert("RGB")).astype(int)
    gif.seek(4)
    last = np.asarray(gif.convert("RGB")).astype(int)
    assert np.abs(first - last).sum() > 0  # the boundary moved while it trained


def test_a_seeded_figure_is_kept_and_served_again(server):
    first = _get(server, f"/api/figure.png?{QUERY}&size=200")
    second = _get(server, f"/api/figure.png?{QUERY}&size=200")
    assert first.content == second.content and "max-age" in first.headers["cache-control"]
    unseeded = _get(server, "/api/figure.png?n_points=40&epochs=1&size=200")
    assert unseeded.headers["cache-control"] == "no-store"
    assert unseeded.headers["x-nnlive-seed"].isdigit()


@pytest.mark.parametrize("path, field", [
    ("/api/figure.png?epochs=1&view=map", "view"),
    ("/api/figure.png?epochs=1&size=99", "size"),
    ("/api/figure.png?epochs=1&size=1000&scale=3", "size"),
    ("/api/figure.png?epochs=1&scale=9", "scale"),
    ("/api/figure.png?view=output", "epochs"),
    ("/api/figure.svg?epochs=10001", "epochs"),
    ("/api/figure.svg?epochs=1&noise=90", "noise"),
    ("/api/figure.svg?epochs=1&colour=red", "colour"),
    ("/api/animation.gif?epochs=3&frames=5", "frames"),
    ("/api/animation.gif?epochs=300&frames=121", "frames"),
    ("/api/animation.gif?epochs=30&frames=5&size=2000", "size"),
    ("/api/figure.png?epochs=10000&n_points=2000&hidden=16,16,16,16,16,16&batch_size=1",
     "epochs"),
])
def test_refusals_name_the_field(server, path, field):
    answer = _get(server, path)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["field"] == field and len(error["message"]) > 20


def test_unknown_dataset_id_is_404(server):
    answer = _get(server, "/api/figure.png?epochs=1&data=AAAAAAAAAAAAAAAAAAAAAA")
    assert answer.status_code == 404 and answer.json()["error"]["field"] == "data"


def test_an_animation_past_its_time_limit_is_stopped(monkeypatch):
    monkeypatch.setattr("exports.animation.SECONDS_PER_MEGAPIXEL", 0.0)  # let it start
    with LiveServer(api_time_limit=0.3) as live:
        answer = _get(live, "/api/animation.gif?seed=1&epochs=119&frames=120&size=640")
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["code"] == "time_limit" and "frame" in error["message"]
        assert _get(live, "/healthz").status_code == 200
