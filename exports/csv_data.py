"""Datasets as CSV: read a teacher's file (every error naming its line and column), and
write a run's data.

A file is ``x1,x2,label`` rows (labels 0, 1 or 2), with an optional header line and an
optional ``split`` column (``train`` or ``test``). The configuration's custom data are
classification only (DESIGN.md: labels 0/1 or 0/1/2), so a regression file
(``x1,x2,y``) is refused with a sentence saying so. Coordinates outside [−6, 6] are
refused, or, when the user asks for it, the data are moved and scaled (one factor for
both axes, so shapes are kept) to fit the square. A split is kept by ordering the rows
so that the run's seeded shuffle puts the train rows first (``arrange_split``).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from core.config import COORD_LIMIT, MAX_CUSTOM_ROWS, MIN_CUSTOM_ROWS, n_train_for
from core.datasets import data_rng

COLUMNS = ("x1", "x2", "label")
SPLITS = ("train", "test")
TRAIN_RATIO_RANGE = (10, 90)


class CsvError(ValueError):
    """``line`` (1-based, or None for the whole file), ``column`` (or None), a sentence."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        where = ", ".join(p for p in (f"line {line}" if line else "",
                                      f"column {column}" if column else "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.line, self.column = line, column
        self.field = f"line {line}, column {column}" if column else (
            f"line {line}" if line else "file")


@dataclass
class CsvData:
    points: list[list]          # [x1, x2, label] in the file's order
    split: list[str] | None     # "train"/"test" per row, when the file has the column
    rescaled: dict | None       # {"centre": [c1, c2], "factor": f} when moved and scaled


def parse_csv(text: str, rescale: bool = False) -> CsvData:
    lines = [(i + 1, line) for i, line in enumerate(text.lstrip("\ufeff").splitlines())
             if line.strip()]
    if not lines:
        raise CsvError("the file is empty; expected rows x1,x2,label.")
    columns, rows = _columns(lines)
    if not MIN_CUSTOM_ROWS <= len(rows) <= MAX_CUSTOM_ROWS:
        raise CsvError(f"the file has {len(rows)} data rows; {MIN_CUSTOM_ROWS} to "
                       f"{MAX_CUSTOM_ROWS} are accepted.")
    points, split = [], [] if "split" in columns else None
    for number, fields in rows:
        if len(fields) != len(columns):
            raise CsvError(f"expected {len(columns)} values ({', '.join(columns)}), got "
                           f"{len(fields)}.", number)
        values = dict(zip(columns, (f.strip() for f in fields)))
        points.append([_coordinate(values, "x1", number), _coordinate(values, "x2", number),
                       _label(values["label"], number)])
        if split is not None:
            split.append(_split(values["split"], number))
    return _fit(points, [n for n, _ in rows], split, rescale)


def _fit(points: list[list], lines: list[int], split, rescale: bool) -> CsvData:
    """Refuse the first coordinate outside [−6, 6], or rescale all when asked to."""
    for line, point in zip(lines, points):
        for column, value in zip(("x1", "x2"), point):
            if abs(value) > COORD_LIMIT and not rescale:
                raise CsvError(f"{value:g} is outside the square [−6, 6]; choose "
                               "\"rescale\" to move and scale the data into it, or edit "
                               "the file.", line, column)
    if all(abs(v) <= COORD_LIMIT for p in points for v in p[:2]):
        return CsvData(points, split, None)
    moved, how = _rescale(points)
    return CsvData(moved, split, how)


def _columns(lines) -> tuple[tuple[str, ...], list]:
    rows = [(n, next(csv.reader([line]))) for n, line in lines]
    first = [f.strip().lower() for f in rows[0][1]]
    if _is_number(first[0]):  # no header: x1,x2,label or x1,x2,label,split
        return (COLUMNS + ("split",) if len(first) == 4 else COLUMNS), rows
    if "y" in first and "label" not in first:
        raise CsvError("a regression file (x1,x2,y) cannot be custom data: custom data are "
                       "classes 0, 1 or 2 (DESIGN.md); use a label column.", rows[0][0], "y")
    for name in first:
        if name not in COLUMNS + ("split",):
            raise CsvError(f"unknown column {name!r}; the columns are x1, x2, label and "
                           "optionally split.", rows[0][0])
    missing = [c for c in COLUMNS if c not in first]
    if missing or len(set(first)) != len(first):
        raise CsvError(f"the header must name x1, x2 and label once each (and optionally "
                       f"split); got {','.join(first)}.", rows[0][0])
    return tuple(first), rows[1:]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _coordinate(values: dict, column: str, line: int) -> float:
    text = values[column]
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise CsvError(f"expected a number, got {text!r}.", line, column)
    return value


def _label(text: str, line: int) -> int:
    if text not in ("0", "1", "2", "0.0", "1.0", "2.0"):
        raise CsvError(f"expected 0, 1 or 2, got {text!r}.", line, "label")
    return int(float(text))


def _split(text: str, line: int) -> str:
    if text.lower() not in SPLITS:
        raise CsvError(f"expected train or test, got {text!r}.", line, "split")
    return text.lower()


def _rescale(points: list[list]) -> tuple[list[list], dict]:
    """Centre the data's bounding box on 0 and scale both axes by one factor so the
    farthest coordinate lands on ±6."""
    xy = np.array([p[:2] for p in points])
    centre = (xy.max(axis=0) + xy.min(axis=0)) / 2
    half = float(np.abs(xy - centre).max()) or 1.0
    factor = COORD_LIMIT / half
    moved = np.clip((xy - centre) * factor, -COORD_LIMIT, COORD_LIMIT)  # rounding only
    rows = [[float(a), float(b), p[2]] for (a, b), p in zip(moved, points)]
    return rows, {"centre": centre.tolist(), "factor": factor}


def arrange_split(points: list[list], split: list[str], seed: int) -> tuple[list[list], float]:
    """The rows ordered so that the seeded shuffle (``core.datasets.make_dataset``) puts
    the train rows first, and the train_ratio that makes exactly them the training set."""
    train = [p for p, s in zip(points, split) if s == "train"]
    test = [p for p, s in zip(points, split) if s == "test"]
    n, k = len(points), len(train)
    ratio = 100 * k / n
    lo, hi = TRAIN_RATIO_RANGE
    if not (lo <= ratio <= hi and n_train_for(n, ratio) == k):
        raise CsvError(f"{k} of {n} rows are train ({ratio:.1f} %); a split must put "
                       f"{lo} % to {hi} % of the rows in train (train_ratio).", column="split")
    order = data_rng(seed).permutation(n)  # shuffled[i] = points[order[i]]
    arranged: list = [None] * n
    for i, row in enumerate(train + test):
        arranged[order[i]] = row
    return arranged, ratio


def to_csv(rows: dict, regression: bool) -> str:
    """``Dataset.as_rows()`` as CSV with a header and a split column (validation rows
    are training rows held out, so they are ``train`` here)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["x1", "x2", "y" if regression else "label", "split"])
    for part, split in (("train", "train"), ("validation", "train"), ("test", "test")):
        for x1, x2, label in rows.get(part, []):
            writer.writerow([repr(float(x1)), repr(float(x2)),
                             repr(float(label)) if regression else int(label), split])
    return out.getvalue()
