"""Amazon "Toys and Games" (2014, 5-core) as preprocessed by S3-Rec: sequences, id maps, item text.

Files (see the data folder's README): ``sequences.txt`` (``USER_ID ITEM_ID ...`` oldest first),
``datamaps.json`` (``{"id2user": {...}, "id2item": {ITEM_ID: ASIN}}``) and ``item_text.txt``
(``ASIN descriptor words``). Items are re-indexed ``0..n_items-1`` in increasing ``ITEM_ID`` order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...core import paths
from .errors import DataError

SUBDIR = "amazon-toys"
SEQ_FORMAT = "one user a line: 'USER_ID ITEM_ID ITEM_ID ...' (whole numbers, oldest item first)"
MAP_FORMAT = 'JSON {"id2user": {USER_ID: reviewer id}, "id2item": {ITEM_ID: ASIN}}'
TEXT_FORMAT = "one item a line: 'ASIN descriptor words'"


@dataclass(frozen=True)
class AmazonToys:
    """The loaded data set: one item-index sequence per user and the items' ids and descriptors."""

    users: list[str]                # USER_ID of each sequence
    sequences: list[np.ndarray]     # item indices (0-based), oldest first
    item_ids: list[str]             # ITEM_ID of each item index
    asins: list[str]
    texts: list[str]                # descriptor words ("" when missing)
    path: Path

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_interactions(self) -> int:
        return int(sum(len(s) for s in self.sequences))


def _need(path: Path, fmt: str) -> Path:
    if not path.is_file():
        raise DataError(f"missing data file {path} (expected {fmt}); pass --data-dir or set "
                        "METAREC_DATA_DIR to the folder holding amazon-toys/ and movielens-100k/")
    return path


def _read_lines(path: Path, fmt: str) -> list[str]:
    try:
        return _need(path, fmt).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"cannot read {path} ({e}); expected {fmt}") from e


def load_amazon_toys(data_dir: str | Path | None = None, max_users: int | None = None,
                     min_len: int = 3) -> AmazonToys:
    """Load the data set from ``data_dir/amazon-toys`` (``max_users``: only the first lines)."""
    root = paths.data_dir(data_dir) / SUBDIR
    seq_path, map_path, text_path = root / "sequences.txt", root / "datamaps.json", root / "item_text.txt"
    _need(seq_path, SEQ_FORMAT), _need(map_path, MAP_FORMAT), _need(text_path, TEXT_FORMAT)
    try:
        maps = json.loads(map_path.read_text(encoding="utf-8"))
        id2item = {str(k): str(v) for k, v in maps["id2item"].items()}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
        raise DataError(f"malformed {map_path} ({type(e).__name__}: {e}); expected {MAP_FORMAT}") from e
    try:
        item_ids = sorted(id2item, key=int)
    except ValueError as e:
        raise DataError(f"malformed {map_path}: ITEM_IDs must be whole numbers ({e})") from e
    index = {iid: i for i, iid in enumerate(item_ids)}
    users, sequences = [], []
    for n, line in enumerate(_read_lines(seq_path, SEQ_FORMAT), start=1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            seq = np.array([index[p] for p in parts[1:]], dtype=np.int64)
        except KeyError as e:
            raise DataError(f"malformed {seq_path} line {n}: item {e} is not in {map_path.name}; "
                            f"expected {SEQ_FORMAT}") from e
        if len(seq) < min_len or not parts[0].isdigit():
            raise DataError(f"malformed {seq_path} line {n}: {line[:60]!r}; expected {SEQ_FORMAT} "
                            f"with at least {min_len} items")
        users.append(parts[0])
        sequences.append(seq)
        if max_users is not None and len(users) >= max_users:
            break
    if not sequences:
        raise DataError(f"{seq_path} holds no sequences; expected {SEQ_FORMAT}")
    text_of = {}
    for n, line in enumerate(_read_lines(text_path, TEXT_FORMAT), start=1):
        if line.strip():
            asin, _, words = line.strip().partition(" ")
            text_of[asin] = words.strip()
    asins = [id2item[i] for i in item_ids]
    covered = sum(a in text_of for a in asins)
    if covered < 0.5 * len(asins):
        raise DataError(f"{text_path} describes only {covered} of {len(asins)} items; expected "
                        f"{TEXT_FORMAT} for the ASINs of {map_path.name}")
    return AmazonToys(users, sequences, item_ids, asins, [text_of.get(a, "") for a in asins], root)
