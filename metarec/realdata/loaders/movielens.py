"""MovieLens-100K (GroupLens): ratings, user and item attributes, and the published split.

``u.data`` (``user\\titem\\trating\\ttime``), ``u.user`` (``user|age|gender|occupation|zip``),
``u.item`` (latin-1, ``item|title|release date|video date|url|19 genre flags``), ``u.genre`` and
``u.occupation`` (vocabularies); ``published-split-seed2020.json`` (RecBole-MetaRec's split).
User and item ids are kept as in the files (1-based); arrays indexed by id have a dummy row 0.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...core import paths
from .errors import DataError

SUBDIR = "movielens-100k"
N_GENRES = 19
FORMATS = {
    "u.data": "tab-separated 'user item rating unix_time' (ratings 1-5)",
    "u.user": "'user|age|gender|occupation|zip'",
    "u.item": "latin-1 'item|title|release date|video date|url|19 genre flags (0/1)'",
    "u.genre": "'genre|index'",
    "u.occupation": "one occupation a line",
    "published-split-seed2020.json":
        '{"splits": {"train"|"valid"|"test": {user: {"support_items": [...], "query_items": [...]}}}}',
}


@dataclass(frozen=True)
class MovieLens:
    """The loaded data set: ratings and user / item attributes (ids as in the files, 1-based)."""

    ratings: pd.DataFrame        # user, item, rating, time
    users: pd.DataFrame          # index user id: age, gender, occupation, zip
    items: pd.DataFrame          # index item id: title, year, genres (list of 19 flags in columns g0..g18)
    genres: list[str]
    occupations: list[str]
    path: Path

    @property
    def n_users(self) -> int:
        return int(self.users.index.max())

    @property
    def n_items(self) -> int:
        return int(self.items.index.max())

    def rating_dict(self) -> dict[int, dict[int, float]]:
        """``{user: {item: rating}}``."""
        out: dict[int, dict[int, float]] = {}
        for u, i, r in self.ratings[["user", "item", "rating"]].itertuples(index=False):
            out.setdefault(int(u), {})[int(i)] = float(r)
        return out

    def item_features(self) -> np.ndarray:
        """``[n_items + 1, 21]``: 19 genre flags, scaled release year, unknown-year flag (row 0 unused)."""
        x = np.zeros((self.n_items + 1, N_GENRES + 2), np.float32)
        g = self.items[[f"g{j}" for j in range(N_GENRES)]].to_numpy(np.float32)
        year = self.items["year"].to_numpy(float)
        known = ~np.isnan(year)
        x[self.items.index, :N_GENRES] = g
        x[self.items.index, N_GENRES] = np.where(known, (np.nan_to_num(year, nan=1990) - 1990) / 10, 0)
        x[self.items.index, N_GENRES + 1] = (~known).astype(np.float32)
        return x

    def user_features(self) -> np.ndarray:
        """``[n_users + 1, 2 + n_occupations]``: scaled age, gender (1 = F), occupation one-hot."""
        occ = {o: j for j, o in enumerate(self.occupations)}
        x = np.zeros((self.n_users + 1, 2 + len(occ)), np.float32)
        u = self.users
        x[u.index, 0] = (u["age"].to_numpy(float) - 30) / 12
        x[u.index, 1] = (u["gender"] == "F").to_numpy(np.float32)
        x[u.index, 2 + u["occupation"].map(occ).to_numpy(int)] = 1
        return x


def _err(path: Path, what: str, exc: Exception | None = None):
    msg = f"{what} {path}; expected {FORMATS.get(path.name, 'the GroupLens ml-100k format')}"
    return DataError(msg + (f" ({type(exc).__name__}: {exc})" if exc else ""))


def _file(root: Path, name: str) -> Path:
    p = root / name
    if not p.is_file():
        raise _err(p, "missing data file")
    return p


def _year(date: str) -> float:
    m = re.search(r"(\d{4})\s*$", str(date))
    return float(m.group(1)) if m else np.nan


def load_movielens(data_dir: str | Path | None = None, max_ratings: int | None = None) -> MovieLens:
    """Load ``data_dir/movielens-100k`` (``max_ratings``: only the first lines of ``u.data``)."""
    root = paths.data_dir(data_dir) / SUBDIR
    p = _file(root, "u.data")
    try:
        ratings = pd.read_csv(p, sep="\t", header=None, names=["user", "item", "rating", "time"],
                              nrows=max_ratings, dtype="int64")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise _err(p, "malformed", e) from e
    if ratings.empty or ratings["rating"].min() < 1 or ratings["rating"].max() > 5:
        raise _err(p, "malformed (ratings outside 1-5 or no rows)")
    p = _file(root, "u.user")
    try:
        users = pd.read_csv(p, sep="|", header=None, names=["user", "age", "gender", "occupation", "zip"],
                            dtype={"user": "int64", "age": "int64", "gender": str, "occupation": str,
                                   "zip": str}).set_index("user")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise _err(p, "malformed", e) from e
    p = _file(root, "u.item")
    try:
        raw = pd.read_csv(p, sep="|", header=None, encoding="latin-1", dtype=str, keep_default_na=False)
        if raw.shape[1] != 5 + N_GENRES:
            raise ValueError(f"{raw.shape[1]} columns, want {5 + N_GENRES}")
        cols = {"title": raw[1].to_numpy(), "year": raw[2].map(_year).to_numpy()}
        cols.update({f"g{j}": raw[5 + j].astype("int64").to_numpy() for j in range(N_GENRES)})
        items = pd.DataFrame(cols, index=raw[0].astype("int64").to_numpy())
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise _err(p, "malformed", e) from e
    items.index.name = "item"
    p = _file(root, "u.genre")
    genres = [ln.split("|")[0] for ln in p.read_text(encoding="latin-1").splitlines() if ln.strip()]
    p = _file(root, "u.occupation")
    occupations = [ln.strip() for ln in p.read_text(encoding="latin-1").splitlines() if ln.strip()]
    if len(genres) != N_GENRES:
        raise _err(root / "u.genre", f"malformed ({len(genres)} genres, want {N_GENRES})")
    unknown = set(users["occupation"]) - set(occupations)
    if unknown:
        raise _err(root / "u.occupation", f"incomplete (missing {sorted(unknown)[:3]})")
    bad = ~ratings["user"].isin(users.index) | ~ratings["item"].isin(items.index)
    if bad.any():
        raise _err(root / "u.data", f"inconsistent ({int(bad.sum())} ratings of unknown users/items)")
    return MovieLens(ratings, users, items, genres, occupations, root)


def load_published_split(data_dir: str | Path | None = None) -> dict[str, dict[int, dict[str, list[int]]]]:
    """``{"train"|"valid"|"test": {user: {"support_items": [...], "query_items": [...]}}}``."""
    p = _file(paths.data_dir(data_dir) / SUBDIR, "published-split-seed2020.json")
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))["splits"]
        return {part: {int(u): {"support_items": [int(i) for i in t["support_items"]],
                                "query_items": [int(i) for i in t["query_items"]]}
                       for u, t in raw[part].items()} for part in ("train", "valid", "test")}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError,
            AttributeError) as e:
        raise _err(p, "malformed", e) from e
