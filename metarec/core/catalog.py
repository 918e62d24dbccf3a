"""The toy catalog: loading and a schema check with clear errors.

The catalog is a CSV in ``assets/`` written for this project (generic names, no brands). Every
load validates it; a problem raises :class:`CatalogError` naming the rows and the rule broken.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .errors import MetarecError
from .safety import SMALL_PARTS_MIN_MONTHS, eligible_mask

CATEGORIES = (
    "building", "puzzles", "pretend_play", "arts_crafts", "vehicles", "dolls_figures", "plush",
    "stem_science", "music", "outdoor_sports", "board_card_games", "baby_toddler",
    "books_learning", "bath_water",
)
SKILLS = ("fine_motor", "gross_motor", "language", "logic", "creativity", "social", "stem",
          "sensory", "emotional")
COLUMNS = ("id", "name_en", "name_zh", "category", "min_age_months", "max_age_months", "price",
           "skills", "small_parts", "description_en", "description_zh", "icon")
MAX_AGE_MONTHS = 168  # 14 years: the oldest child the product serves
MIN_ELIGIBLE_PER_AGE = 30  # "real coverage in every band": toys a child of each age can be shown


class CatalogError(MetarecError, ValueError):
    """The catalog file is missing or breaks the schema."""


@dataclass(frozen=True)
class Catalog:
    """The validated catalog. Row order is the toy index used by every tensor in the library."""

    frame: pd.DataFrame
    sha256: str
    index: dict[str, int] = field(repr=False)

    @property
    def ids(self) -> list[str]:
        return self.frame["id"].tolist()

    def __len__(self) -> int:
        return len(self.frame)

    def name(self, i: int, lang: str = "en") -> str:
        return str(self.frame.iat[i, self.frame.columns.get_loc("name_zh" if lang == "zh" else "name_en")])

    def eligible(self, age_months: float) -> np.ndarray:
        """Indices of the toys safe and suitable for a child of ``age_months``."""
        f = self.frame
        mask = eligible_mask(f["min_age_months"].to_numpy(), f["max_age_months"].to_numpy(),
                             f["small_parts"].to_numpy(), age_months)
        return np.flatnonzero(mask)

    def skills_of(self, i: int) -> list[str]:
        return self.frame.at[i, "skills"].split(";")

    def to_records(self) -> list[dict]:
        """Plain dicts for JSON: the CLI contract's fields plus the rest of the row."""
        records = []
        for row in self.frame.itertuples(index=False):
            records.append({
                "id": row.id, "name": row.name_en, "name_zh": row.name_zh, "category": row.category,
                "min_age_months": int(row.min_age_months), "max_age_months": int(row.max_age_months),
                "small_parts": bool(row.small_parts), "price": float(row.price),
                "skills": row.skills.split(";"), "description": row.description_en,
                "description_zh": row.description_zh, "icon": row.icon,
            })
        return records


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate the catalog CSV (default: the shipped ``assets/catalog.csv``)."""
    path = Path(path or paths.CATALOG_CSV)
    if not path.exists():
        raise CatalogError(f"catalog file not found: {path}")
    raw = path.read_bytes()
    if not raw.strip():
        raise CatalogError(f"catalog file {path} is empty; expected a CSV with the header "
                           f"{','.join(COLUMNS)} and one row per toy")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogError(f"{path} is not a readable UTF-8 CSV: {exc}") from exc
    frame = _typed(frame, path)
    problems = validate(frame)
    if problems:
        shown = "\n  - ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise CatalogError(f"{path} breaks the catalog schema:\n  - {shown}{more}")
    frame = frame.reset_index(drop=True)
    return Catalog(frame=frame, sha256=hashlib.sha256(raw).hexdigest(),
                   index={toy_id: i for i, toy_id in enumerate(frame["id"])})


def _typed(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise CatalogError(f"{path} lacks column(s) {missing}; expected {list(COLUMNS)}")
    frame = frame[list(COLUMNS)].copy()
    for col, kind in (("min_age_months", int), ("max_age_months", int), ("price", float),
                      ("small_parts", int)):
        try:
            frame[col] = frame[col].map(kind)
        except ValueError as exc:
            bad = [v for v in frame[col] if not _parses(v, kind)][:3]
            raise CatalogError(f"{path}: column {col} must hold {kind.__name__} values, "
                               f"found {bad}") from exc
    for col in ("id", "name_en", "name_zh", "category", "skills", "description_en",
                "description_zh", "icon"):
        frame[col] = frame[col].str.strip()
    return frame


def _parses(value: str, kind: type) -> bool:
    try:
        kind(value)
        return True
    except ValueError:
        return False


def validate(frame: pd.DataFrame) -> list[str]:
    """Every schema problem of a typed catalog frame, as readable sentences (empty: valid)."""
    problems: list[str] = []

    def rows(mask) -> str:
        ids = frame.loc[mask, "id"].tolist()
        return ", ".join(map(str, ids[:8])) + (" ..." if len(ids) > 8 else "")

    if len(frame) == 0:
        return ["the catalog is empty: it has a header but no toys; add one row per toy"]
    for col in ("id", "name_en", "name_zh", "description_en", "description_zh", "icon"):
        empty = frame[col] == ""
        if empty.any():
            problems.append(f"empty {col} in rows {rows(empty) or list(frame.index[empty][:8])}")
    for col in ("id", "name_en"):
        dup = frame[col].duplicated(keep=False) & (frame[col] != "")
        if dup.any():
            problems.append(f"duplicate {col}: {sorted(set(frame.loc[dup, col]))[:8]}")
    bad_cat = ~frame["category"].isin(CATEGORIES)
    if bad_cat.any():
        problems.append(f"unknown category in toys {rows(bad_cat)}; allowed: {', '.join(CATEGORIES)}")
    bad_skill = frame["skills"].map(
        lambda s: not s or any(k not in SKILLS for k in s.split(";")))
    if bad_skill.any():
        problems.append(f"skills must be ';'-separated from {', '.join(SKILLS)}: toys {rows(bad_skill)}")
    lo, hi = frame["min_age_months"], frame["max_age_months"]
    bad_age = (lo < 0) | (hi > MAX_AGE_MONTHS) | (lo >= hi)
    if bad_age.any():
        problems.append(f"ages must satisfy 0 <= min_age_months < max_age_months <= {MAX_AGE_MONTHS}:"
                        f" toys {rows(bad_age)}")
    bad_flag = ~frame["small_parts"].isin([0, 1])
    if bad_flag.any():
        problems.append(f"small_parts must be 0 or 1: toys {rows(bad_flag)}")
    hazard = (frame["small_parts"] == 1) & (lo < SMALL_PARTS_MIN_MONTHS)
    if hazard.any():
        problems.append(f"toys with small parts must have min_age_months >= {SMALL_PARTS_MIN_MONTHS}"
                        f" (choking hazard): toys {rows(hazard)}")
    bad_price = ~np.isfinite(frame["price"]) | (frame["price"] <= 0)
    if bad_price.any():
        problems.append(f"price must be a positive number: toys {rows(bad_price)}")
    if problems:
        return problems
    for months in range(0, MAX_AGE_MONTHS + 1, 6):
        n = int(eligible_mask(lo.to_numpy(), hi.to_numpy(), frame["small_parts"].to_numpy(),
                              months).sum())
        if n < MIN_ELIGIBLE_PER_AGE:
            problems.append(f"only {n} toys suit a child of {months} months; every age needs at "
                            f"least {MIN_ELIGIBLE_PER_AGE}")
    return problems
