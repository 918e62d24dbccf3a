"""Library support for the learning pages: adaptation traces, the embedding map, live training."""
import numpy as np
import pytest
import torch

from metarec.core.catalog import CATEGORIES
from metarec.teaching.adaptation import STARTS, adaptation_steps, category_affinity, rank_changes, starting_learner, true_affinity
from metarec.teaching.demo import random_family
from metarec.teaching.embedding_map import category_prototypes, child_prototype, toy_map
from metarec.core.episodes import make_support
from metarec.i18n import LANGS, method_title, strings
from metarec.reporting.toybox import toybox_table


@pytest.fixture(scope="module")
def family(engine):
    demo = random_family(engine, seed=4, shots=5)
    fam = demo.family
    liked = [engine.catalog.index[i] for i in demo.liked]
    support = make_support(fam.age_months, liked, [], fam.eligible)
    candidates = np.setdiff1d(fam.eligible, liked)
    relevant = np.intersect1d(candidates, fam.liked)
    return fam, support, candidates, relevant


@pytest.mark.parametrize("start", STARTS)
def test_one_record_per_step_and_support_loss_falls(engine, family, start):
    fam, support, candidates, relevant = family
    records = list(adaptation_steps(engine, start, support, candidates, relevant, steps=6))
    assert [r.step for r in records] == list(range(7))
    assert records[-1].support_loss < records[0].support_loss
    assert all(len(r.top) == 10 and set(r.top) <= set(candidates) for r in records)
    assert all(0 <= r.ndcg <= 1 and 0 <= r.recall <= 1 for r in records)


def test_meta_learned_start_beats_random_start(engine, family):
    fam, support, candidates, relevant = family
    last = {s: list(adaptation_steps(engine, s, support, candidates, relevant, steps=5))[-1]
            for s in ("maml", "random")}
    assert last["maml"].ndcg > last["random"].ndcg


def test_rank_changes():
    assert rank_changes([1, 2, 3], [3, 1, 9]) == {3: 2, 1: -1, 9: None}


def test_adapted_taste_recovers_the_hidden_favourites(engine):
    """Over 20 test families, after 5 shots the model prefers the hidden favourite categories."""
    learner = starting_learner(engine, "maml")
    corr, lift = [], []
    for fam in engine.world.families("test")[:20]:
        liked = np.random.default_rng(fam.id).choice(fam.liked, 5, replace=False)
        support = make_support(fam.age_months, liked, [], fam.eligible)
        model = category_affinity(engine, learner, learner.adapt(support), fam.age_months)
        truth = true_affinity(fam, engine.catalog)
        ok = ~np.isnan(model) & ~np.isnan(truth)
        corr.append(np.corrcoef(model[ok], truth[ok])[0, 1])
        fav = [CATEGORIES.index(c) for c in fam.favourites]
        lift.append(np.nanmean(model[fav]) - np.nanmean(model))
    assert np.mean(corr) > 0.2 and np.mean(lift) > 0.5, (np.mean(corr), np.mean(lift))


def test_embedding_map_places_prototypes(engine):
    tmap = toy_map(engine, "pca")
    assert tmap.xy.shape == (len(engine.catalog), 2) and np.isfinite(tmap.xy).all()
    slugs, xy = category_prototypes(engine, tmap)
    assert len(slugs) == 14 and xy.shape == (14, 2)
    liked = [0, 1, 2]
    star = child_prototype(tmap, liked)
    assert star.shape == (2,)
    # PCA is linear: the prototype's position is the mean of its toys' positions
    assert np.allclose(star, tmap.xy[liked].mean(0), atol=1e-4)
    assert child_prototype(tmap, []) is None


def test_every_learner_has_a_translated_title(engine):
    for name in engine.learners:
        for lang in LANGS:   # a learner's title lives only in the locale files
            assert f"method.{name}" in strings(lang), f"no [method] {name} in metarec/i18n/locales/{lang}.toml"
            assert method_title(name, lang).strip()


def test_toybox_table_bolds_the_best():
    rows = [{"method": "a", "shots": 1, "ndcg@10": 0.5, "ndcg@10_ci95": 0.01},
            {"method": "b", "shots": 1, "ndcg@10": 0.6, "ndcg@10_ci95": 0.02}]
    table = toybox_table(rows)
    assert "**0.600 ± 0.020**" in table and "| a | 0.500 ± 0.010 |" in table


def test_mini_meta_training_learns_and_leaves_the_shipped_model(engine):
    before = {k: v.clone() for k, v in engine.learners["maml"].params.items()}
    seen = []
    params, log = __import__("metarec.training.live", fromlist=["x"]).mini_meta_train(
        engine, iters=30, eval_every=10, meta_batch=8, n_families=60, n_val=15,
        on_progress=lambda it, loss, val: seen.append((it, val)))
    # the starting point is reported too (iteration 0, validation only), then every outer step
    assert [it for it, _ in seen] == list(range(0, 31))
    assert [it for it, v in seen if v is not None] == [0, 10, 20, 30]
    assert round(seen[0][1], 4) == log["val_ndcg@10"][0]
    assert log["val_ndcg@10"][-1] > log["val_ndcg@10"][0]
    for k, v in engine.learners["maml"].params.items():
        assert torch.equal(v, before[k])
