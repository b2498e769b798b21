"""``POST /api/dataset``: a teacher's data, read (``exports.csv_data``), validated as
custom points (``core.config``) and kept by content hash (``app.dataset_store``).

The query may say ``rescale=1`` (move and scale data that leave [−6, 6] into the
square; without it such data are refused) and ``seed=N`` (the run's seed, which a
``split`` column needs: the rows are ordered so that this seed's shuffle puts the train
rows first; without a seed the server chooses one). The answer is the config fields to
use — ``dataset``, ``points``, and with a split ``train_ratio`` and ``seed`` — and the
``data`` id for permalinks.
"""

from __future__ import annotations

import secrets

from app.training import ApiError, check_keys
from core.config import SEED_MAX, ConfigError, validate_config
from exports.csv_data import CsvError, arrange_split, parse_csv

QUERY = ("rescale", "seed")


def parse_upload(content, query: dict, store) -> dict:
    for name in query:
        if name not in QUERY:
            raise ApiError("invalid_field", f"{name} is not accepted here; allowed: "
                           f"{', '.join(QUERY)}.", name)
    rescale = _flag(query.get("rescale", "0"))
    seed = _seed(query.get("seed"))
    if isinstance(content, str):
        try:
            data = parse_csv(content, rescale)
        except CsvError as exc:
            raise ApiError("invalid_csv", str(exc), exc.field) from None
        points, split, rescaled = data.points, data.split, data.rescaled
    else:
        points = check_keys(content, ("points",)).get("points")
        split, rescaled = None, None
    fields = {"dataset": "custom", "points": points}
    if split is not None:
        try:
            fields["points"], fields["train_ratio"] = arrange_split(points, split, seed)
        except CsvError as exc:
            raise ApiError("invalid_csv", str(exc), exc.field) from None
        fields["seed"] = seed
    try:
        config = validate_config(fields, choose_seed=lambda: seed)
    except ConfigError as exc:
        raise ApiError(exc.to_dict()["code"], exc.message, exc.field) from None
    points = config.to_dict()["points"]
    return {"data": store.put(points), "config": {k: config.to_dict()[k] for k in fields},
            "n_points": config.n_points, "rescaled": rescaled}


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ApiError("invalid_field", f"rescale must be 0 or 1; got {text[:20]!r}.",
                       "rescale")
    return text == "1"


def _seed(text: str | None) -> int:
    if text is None:
        return secrets.randbelow(SEED_MAX + 1)
    if not (text.isascii() and text.isdigit() and int(text) <= SEED_MAX):
        raise ApiError("invalid_field", f"seed must be an integer from 0 to {SEED_MAX}; got "
                       f"{text[:20]!r}.", "seed")
    return int(text)
