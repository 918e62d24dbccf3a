import numpy as np

from metarec.world import ToyWorld, WorldConfig

SMALL = WorldConfig(n_train=60, n_val=20, n_test=20)


def test_same_seed_same_families(catalog):
    a, b = ToyWorld(catalog, SMALL), ToyWorld(catalog, SMALL)
    for fa, fb in zip(a.families("test"), b.families("test")):
        assert fa.age_months == fb.age_months
        assert np.array_equal(fa.liked, fb.liked) and np.array_equal(fa.disliked, fb.disliked)
    other = ToyWorld(catalog, WorldConfig(seed=7, n_train=60, n_val=20, n_test=20))
    assert [f.age_months for f in other.families("test")] != [f.age_months for f in a.families("test")]


def test_a_family_does_not_depend_on_the_order_asked(catalog):
    w = ToyWorld(catalog, SMALL)
    direct = w.family(85)
    listed = w.families("test")[5]
    assert listed.id == 85 and np.array_equal(direct.liked, listed.liked)


def test_splits_are_disjoint_and_sized(catalog):
    w = ToyWorld(catalog, SMALL)
    ids = {s: {f.id for f in w.families(s)} for s in ("train", "val", "test")}
    assert [len(ids[s]) for s in ("train", "val", "test")] == [60, 20, 20]
    assert not (ids["train"] & ids["val"]) and not (ids["train"] & ids["test"]) and not (ids["val"] & ids["test"])
    assert all(f.split == "test" for f in w.families("test"))


def test_likes_are_safe_and_follow_the_hidden_taste(catalog):
    w = ToyWorld(catalog, WorldConfig(n_train=200, n_val=1, n_test=1))
    fav_share, base_share = [], []
    for f in w.families("train"):
        assert set(f.liked) <= set(f.eligible) and set(f.disliked) <= set(f.eligible)
        assert not set(f.liked) & set(f.disliked)
        cats = catalog.frame["category"].to_numpy()
        fav = np.isin(cats, f.favourites)
        fav_share.append(fav[f.liked].mean())
        base_share.append(fav[f.eligible].mean())
    # favourite categories are liked far more often than their share of suitable toys
    assert np.mean(fav_share) > 1.8 * np.mean(base_share)


def test_age_override(catalog):
    f = ToyWorld(catalog, SMALL).family(3, age_months=24)
    assert f.age_months == 24 and set(f.eligible) == set(catalog.eligible(24))
