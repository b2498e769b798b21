"""Teachers' CSV files: errors that name the line and column, rescaling only when asked,
a split column kept through the seeded shuffle, and a round trip through the server."""

import httpx
import numpy as np
import pytest

from core.config import validate_config
from core.datasets import make_dataset
from exports.csv_data import CsvError, arrange_split, parse_csv, to_csv

GOOD = "x1,x2,label\n1,2,0\n-3,4,1\n0.5,-2,1\n0,0,0\n"


@pytest.mark.parametrize("text, where, words", [
    ("x1,x2,label\n1,2,0\n3,4,1\n5,1,1\n0,0,cat\n", (5, "label"), "expected 0, 1 or 2, got 'cat'"),
    ("1,2,0\n3,x,1\n5,1,1\n0,0,0\n", (2, "x2"), "expected a number, got 'x'"),
    ("1,2,0\n3,4,1\n5,1\n0,0,0\n", (3, None), "expected 3 values"),
    ("x1,x2,label\n1,2,0\n3,7,1\n5,1,1\n0,0,0\n", (3, "x2"), "outside the square"),
    ("x1,x2,label,split\n1,2,0,train\n3,4,1,dev\n5,1,1,test\n0,0,0,test\n", (3, "split"),
     "expected train or test"),
    ("x1,x2,y\n1,2,0.3\n3,4,1.2\n5,1,1\n0,0,0\n", (1, "y"), "regression"),
    ("x1,x2,colour\n1,2,0\n", (1, None), "unknown column"),
    ("1,2,0\n", (None, None), "4 to 2000"),
    ("1,nan,0\n3,4,1\n5,1,1\n0,0,0\n", (1, "x2"), "expected a number"),
])
def test_errors_name_the_line_and_column(text, where, words):
    with pytest.raises(CsvError) as caught:
        parse_csv(text)
    assert (caught.value.line, caught.value.column) == where
    assert words in str(caught.value)
    if where[0]:
        assert str(caught.value).startswith(f"line {where[0]}")


def test_a_good_file_with_or_without_a_header():
    with_header = parse_csv(GOOD)
    without = parse_csv("\ufeff" + GOOD.split("\n", 1)[1] + "\n\n")
    assert with_header.points == without.points == [[1, 2, 0], [-3, 4, 1], [0.5, -2, 1],
                                                    [0, 0, 0]]
    assert with_header.split is None and with_header.rescaled is None
    reordered = parse_csv("label,x2,x1\n0,2,1\n1,4,-3\n1,-2,0.5\n0,0,0\n")
    assert reordered.points == with_header.points


def test_rescaling_only_when_asked_keeps_the_shape():
    text = "x1,x2,label\n100,10,0\n110,10,1\n100,30,1\n105,20,0\n"
    with pytest.raises(CsvError):
        parse_csv(text)
    data = parse_csv(text, rescale=True)
    xy = np.array([p[:2] for p in data.points])
    assert np.abs(xy).max() == pytest.approx(6.0) and np.abs(xy).max() <= 6.0
    original = np.array([[100, 10], [110, 10], [100, 30], [105, 20]], dtype=float)
    ratios = (xy[1:] - xy[0]) / (original[1:] - original[0] + 1e-300)
    assert np.allclose(ratios[ratios != 0], data.rescaled["factor"])  # one factor, both axes
    assert data.points[1][2] == 1


@pytest.mark.parametrize("seed", [0, 7, 123456])
def test_a_split_column_becomes_the_runs_train_and_test_sets(seed):
    rng = np.random.default_rng(seed)
    rows = [[float(a), float(b), int(c)] for a, b, c in
            zip(rng.uniform(-6, 6, 50), rng.uniform(-6, 6, 50), rng.integers(0, 2, 50))]
    split = ["train" if i % 5 else "test" for i in range(50)]
    points, ratio = arrange_split(rows, split, seed)
    config = validate_config({"dataset": "custom", "points": points, "train_ratio": ratio,
                              "seed": seed})
    data = make_dataset(config)
    assert data.train.tolist() == [r for r, s in zip(rows, split) if s == "train"]
    assert data.test.tolist() == [r for r, s in zip(rows, split) if s == "test"]


def test_a_split_outside_the_train_ratio_range_is_refused():
    rows = [[0, 0, 0]] * 20
    with pytest.raises(CsvError, match="10 % to 90 %"):
        arrange_split(rows, ["train"] * 19 + ["test"], 1)


def test_download_and_upload_round_trip_keeps_the_split(server):
    query = "dataset=xor&n_points=60&train_ratio=70&validation_ratio=20&seed=9"
    answer = httpx.get(f"{server.url}/api/dataset.csv?{query}", timeout=30)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    text = answer.text
    assert text.startswith("x1,x2,label,split\n") and text.count("\n") == 61
    expected = make_dataset(validate_config({"dataset": "xor", "n_points": 60,
                                             "train_ratio": 70, "seed": 9}))
    up = httpx.post(f"{server.url}/api/dataset?seed=9", content=text,
                    headers={"content-type": "text/csv"}, timeout=30)
    assert up.status_code == 200, up.text
    kept = up.json()
    assert kept["config"]["train_ratio"] == 70 and kept["config"]["seed"] == 9
    config = validate_config(kept["config"])
    again = make_dataset(config)
    assert again.train.tolist() == expected.train.tolist()
    assert again.test.tolist() == expected.test.tolist()
    regression = httpx.get(f"{server.url}/api/dataset.csv?dataset=plane&n_points=20&seed=1")
    assert regression.text.startswith("x1,x2,y,split\n")


def test_upload_errors_and_limits(server):
    bad = httpx.post(f"{server.url}/api/dataset", content="1,2,0\n3,4,1\n5,1,1\n0,0,dog\n",
                     headers={"content-type": "text/csv"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "line 4, column label"
    assert bad.json()["error"]["message"] == "line 4, column label: expected 0, 1 or 2, got 'dog'."
    wrong_type = httpx.post(f"{server.url}/api/dataset", content=GOOD,
                            headers={"content-type": "text/plain"})
    assert wrong_type.status_code == 415
    flag = httpx.post(f"{server.url}/api/dataset?rescale=yes", content=GOOD,
                      headers={"content-type": "text/csv"})
    assert flag.status_code == 422 and flag.json()["error"]["field"] == "rescale"
    huge = "0,0,0\n" * (server.settings.max_body_bytes // 6 + 10)
    too_big = httpx.post(f"{server.url}/api/dataset", content=huge,
                         headers={"content-type": "text/csv"})
    assert too_big.status_code == 413


def test_a_permalink_to_2000_points_is_short_and_opens_the_page(server):
    rng = np.random.default_rng(3)
    rows = [[round(float(a), 4), round(float(b), 4), int(c)] for a, b, c in
            zip(rng.uniform(-6, 6, 2000), rng.uniform(-6, 6, 2000), rng.integers(0, 3, 2000))]
    up = httpx.post(f"{server.url}/api/dataset", json={"points": rows}, timeout=30)
    assert up.status_code == 200
    key = up.json()["data"]
    link = f"{server.url}/?dataset=custom&data={key}&seed=4&hidden=4,2&learning_rate=0.03"
    assert len(link) < 2000
    page = httpx.get(link, timeout=30)
    assert page.status_code == 200 and "2000" in page.text
    again = httpx.post(f"{server.url}/api/dataset", json={"points": rows}, timeout=30)
    assert again.json()["data"] == key  # the same points, the same id
    missing = httpx.get(f"{server.url}/?data=BBBBBBBBBBBBBBBBBBBBBB")
    assert missing.status_code == 200 and "data" in missing.text


def test_to_csv_writes_labels_as_integers():
    text = to_csv({"train": [[1.5, 2.0, 1.0]], "test": [[0.0, 0.0, 0.0]]}, regression=False)
    assert text == "x1,x2,label,split\n1.5,2.0,1,train\n0.0,0.0,0,test\n"
