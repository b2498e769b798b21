"""Datasets kept by content hash: the same id for the same points, kept across a restart
on disk, and bounded: the least recently used go first."""

from app.dataset_store import DatasetStore


def _points(i: int) -> list:
    return [[i, 0, 0], [1, 1, 1], [2, 2, 0], [3, 3, 1]] * 10


def test_same_points_same_id_and_kept_on_disk(tmp_path):
    store = DatasetStore(str(tmp_path), 1_000_000)
    key = store.put(_points(1))
    assert store.put(_points(1)) == key and len(key) == 22
    assert store.put(_points(2)) != key
    reopened = DatasetStore(str(tmp_path), 1_000_000)
    assert reopened.get(key) == _points(1)
    assert reopened.get("../../etc/passwd") is None and reopened.get("x" * 22) is None


def test_the_store_is_bounded_and_evicts_the_least_recently_used(tmp_path):
    size = len(str(_points(0)).replace(" ", ""))
    store = DatasetStore(str(tmp_path), 3 * size + 10)
    keys = [store.put(_points(i)) for i in range(3)]
    assert store.get(keys[0]) is not None  # used: now the newest
    fourth = store.put(_points(3))
    assert store.get(keys[1]) is None  # the least recently used went
    assert store.get(keys[0]) is not None and store.get(fourth) is not None
    assert len(list(tmp_path.glob("*.json"))) == 3
    memory = DatasetStore(None, 2 * size + 10)
    first = memory.put(_points(0))
    memory.put(_points(1))
    memory.put(_points(2))
    assert memory.get(first) is None and len(memory.memory) == 2
