import numpy as np
import pandas as pd
import pytest

from metarec.core import paths
from metarec.core.catalog import CATEGORIES, MAX_AGE_MONTHS, CatalogError, load_catalog
from metarec.core.text_embedding import load_catalog_embeddings


def test_shipped_catalog_is_valid_and_rich():
    cat = load_catalog()
    f = cat.frame
    assert len(cat) >= 300
    assert f["category"].nunique() >= 12 and set(f["category"]) <= set(CATEGORIES)
    assert not f["id"].duplicated().any() and not f["name_en"].duplicated().any()
    assert (f.loc[f["small_parts"] == 1, "min_age_months"] >= 36).all()
    for months in range(0, MAX_AGE_MONTHS + 1, 12):
        eligible = cat.eligible(months)
        assert len(eligible) >= 30, months
        assert f.loc[eligible, "category"].nunique() >= 6, months


def test_embeddings_belong_to_catalog():
    cat = load_catalog()
    emb = load_catalog_embeddings(cat)
    assert emb.shape[0] == len(cat) and np.isfinite(emb).all()


def _write(tmp_path, frame):
    path = tmp_path / "catalog.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("mutate, message", [
    (lambda f: f.drop(columns=["icon"]), "lacks column"),
    (lambda f: f.assign(category=["spaceships"] + list(f["category"][1:])), "unknown category"),
    (lambda f: f.assign(id=["bld-01"] * len(f)), "duplicate id"),
    (lambda f: f.assign(min_age_months=["x"] + list(f["min_age_months"][1:])), "must hold int"),
    (lambda f: f.assign(skills=["juggling"] + list(f["skills"][1:])), "skills must be"),
    (lambda f: f.assign(max_age_months=[200] + list(f["max_age_months"][1:])), "0 <= min_age_months"),
    (lambda f: f.head(0), "empty"),
    (lambda f: f[f["min_age_months"] != "0"], "suit a child of 0 months"),
])
def test_schema_errors_are_clear(tmp_path, mutate, message):
    frame = pd.read_csv(paths.CATALOG_CSV, dtype=str, keep_default_na=False)
    with pytest.raises(CatalogError, match=message):
        load_catalog(_write(tmp_path, mutate(frame)))


def test_small_parts_under_three_is_rejected(tmp_path):
    frame = pd.read_csv(paths.CATALOG_CSV, dtype=str, keep_default_na=False)
    first = frame.index[frame["small_parts"] == "0"][0]
    frame.loc[first, ["small_parts", "min_age_months"]] = ["1", "12"]
    with pytest.raises(CatalogError, match="choking hazard"):
        load_catalog(_write(tmp_path, frame))


def test_missing_catalog(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nope.csv")
