"""Thumbnails are the frame's own bytes, picked, never computed again."""

import numpy as np

from core.config import validate_config
from core.grid import output_grid, to_uint8
from core.thumbnails import thin_history, thumbnail
from core.trainer import Trainer


def test_a_thumbnail_keeps_the_cell_under_each_centre_and_the_orientation():
    rows = np.arange(50, dtype=np.uint8)[:, None] * 2 + np.zeros((1, 50), dtype=np.uint8)
    cols = np.arange(50, dtype=np.uint8)[None, :] + np.zeros((50, 1), dtype=np.uint8)
    small, shape = thumbnail(rows.tobytes(), [50, 50], 25)
    assert shape == [25, 25]
    picked = np.frombuffer(small, np.uint8).reshape(25, 25)
    assert list(picked[:, 0]) == [2 * (2 * i + 1) for i in range(25)]  # row 0 stays on top
    small, _ = thumbnail(cols.tobytes(), [50, 50], 25)
    assert list(np.frombuffer(small, np.uint8).reshape(25, 25)[0]) == [2 * i + 1 for i in range(25)]


def test_a_three_class_thumbnail_keeps_every_class_byte_of_a_cell():
    config = validate_config({"dataset": "three_blobs", "seed": 2})
    trainer = Trainer(config)
    values, lo, hi = output_grid(trainer.network, config.features, 50)
    grid = to_uint8(values, lo, hi)
    small, shape = thumbnail(grid, list(values.shape), 25)
    assert shape == [25, 25, 3]
    full = np.frombuffer(grid, np.uint8).reshape(50, 50, 3)
    np.testing.assert_array_equal(np.frombuffer(small, np.uint8).reshape(25, 25, 3),
                                  full[1::2, 1::2])


def test_a_grid_no_larger_than_asked_comes_back_unchanged():
    grid = bytes(range(100))
    assert thumbnail(grid, [10, 10], 25) == (grid, [10, 10])


def test_a_thinned_history_keeps_the_ends_and_is_bounded():
    history = [{"epoch": e} for e in range(1001)]
    thin = thin_history(history, 100)
    assert len(thin) == 100 and thin[0]["epoch"] == 0 and thin[-1]["epoch"] == 1000
    epochs = [e["epoch"] for e in thin]
    assert epochs == sorted(set(epochs))
    assert thin_history(history[:50], 100) == history[:50]


def test_the_picked_cells_are_those_under_the_centres_whatever_the_sizes():
    for n in (50, 60, 64, 75, 100, 200):
        grid = np.arange(n * n, dtype=np.uint32).astype(np.uint8).reshape(n, n)
        centres = ((np.arange(25) + 0.5) * n / 25).astype(int)
        small, _ = thumbnail(grid.tobytes(), [n, n], 25)
        np.testing.assert_array_equal(np.frombuffer(small, np.uint8).reshape(25, 25),
                                      grid[centres][:, centres])
