"""MovieLens-100K loader, attributes and the published split file."""
from __future__ import annotations


import pytest

from metarec.realdata.loaders import DataError, load_movielens, load_published_split
from metarec.core.paths import data_dir
from tests.support import copy_data_folder

REAL = data_dir() / "movielens-100k"
pytestmark = [pytest.mark.realdata, pytest.mark.skipif(not (REAL / "u.data").is_file(), reason="real data not present")]


def test_loads_and_features():
    ml = load_movielens(max_ratings=1000)
    assert len(ml.ratings) == 1000 and ml.ratings["rating"].between(1, 5).all()
    assert ml.n_users == 943 and ml.n_items == 1682 and len(ml.genres) == 19
    assert ml.items.loc[1, "title"] == "Toy Story (1995)" and ml.items.loc[1, "year"] == 1995
    x = ml.item_features()
    assert x.shape == (1683, 21) and x[1, :19].tolist()[3:6] == [1, 1, 1]  # Animation|Children's|Comedy
    u = ml.user_features()
    assert u.shape == (944, 2 + len(ml.occupations)) and u[2, 1] == 1  # user 2 is F
    assert u[1:, 2:].sum(1).min() == 1                                  # one occupation each


def test_published_split():
    s = load_published_split()
    assert [len(s[p]) for p in ("train", "valid", "test")] == [466, 58, 58]
    users = [set(s[p]) for p in s]
    assert not (users[0] & users[1]) and not (users[0] & users[2]) and not (users[1] & users[2])
    assert all(len(t["query_items"]) == 10 and 3 <= len(t["support_items"]) <= 90
               for part in s.values() for t in part.values())


def test_missing_and_malformed(tmp_path):
    root = copy_data_folder(REAL, tmp_path / "movielens-100k")
    (root / "u.user").unlink()
    with pytest.raises(DataError, match=r"u\.user.*user\|age\|gender"):
        load_movielens(tmp_path)
    root2 = copy_data_folder(REAL, tmp_path / "b" / "movielens-100k")
    (root2 / "u.data").write_text("1\t2\tgood\t3\n")
    with pytest.raises(DataError, match=r"u\.data"):
        load_movielens(tmp_path / "b")
    (root2 / "published-split-seed2020.json").write_text('{"splits": {}}')
    with pytest.raises(DataError, match="published-split"):
        load_published_split(tmp_path / "b")
