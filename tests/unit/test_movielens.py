"""MovieLens-100K: MF fold-in on hand-made ratings, no leakage of the test users' query ratings into
any learner, and the shape of the JSON's paired block (20 splits, t-intervals, labels)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from metarec.core.paths import data_dir
from metarec.core.stats import mean_ci
from metarec.realdata.mf import MF, MFBase, fit_als, fold_in, foldin_scores
from metarec.realdata.movielens import bias_scores
from metarec.realdata.movielens_published import best_meta_learner, goal, paired_comparisons

HAVE_DATA = (data_dir() / "movielens-100k" / "u.data").is_file()
needs_data = pytest.mark.skipif(not HAVE_DATA, reason="real data not present")


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _planted(n_users=300, n_items=60, rank=2, seed=0):
    """Every user rates every item: r = 3.5 + b_u + b_i + p_u . q_i (no noise); ids from 1."""
    rng = np.random.default_rng(seed)
    q, p = rng.normal(0, 1, (n_items + 1, rank)), rng.normal(0, 1, (n_users + 1, rank))
    bi, bu = rng.normal(0, 0.5, n_items + 1), rng.normal(0, 0.3, n_users + 1)
    r = 3.5 + bu[:, None] + bi[None, :] + p @ q.T
    rows = [(u, i, float(r[u, i])) for u in range(1, n_users + 1) for i in range(1, n_items + 1)]
    return rows, q, bi


# ------------------------------------------------------------------ MF fold-in, by hand
def test_fold_in_recovers_a_planted_low_rank_user():
    rows, q, bi = _planted()
    model = fit_als(rows, 300, 60, rank=2, lam=0.1, epochs=100)
    rng = np.random.default_rng(1)
    p_new, b_new = np.array([1.5, -0.8]), 0.4               # a user who is not in training
    truth = 3.5 + b_new + bi + q @ p_new
    support = rng.permutation(np.arange(1, 61))[:15]
    b_u, p_u = fold_in(model, support, truth[support])
    query = np.setdiff1d(np.arange(1, 61), support)
    pred = model.mu + model.item_bias[query] + b_u + model.item_factors[query] @ p_u
    assert np.abs(pred - truth[query]).max() < 0.1         # 15 ratings pin down 3 unknowns (ridge: ~)
    assert np.corrcoef(pred, truth[query])[0, 1] > 0.9999
    s = foldin_scores(model, support, truth[support], query)
    assert np.allclose(s - pred, s[0] - pred[0])             # the same scores up to the user's offset
    top = np.argsort(-truth[query])[:10]
    assert set(np.argsort(-s)[:10]) == set(top)              # the same top 10 of the 45 held-out items
    # a user in training: fold-in on their own ratings is ALS's user step (nearly their factors)
    own = [r for r in rows if r[0] == 7]
    b7, p7 = fold_in(model, [i for _, i, _ in own], [r for *_, r in own])
    assert np.allclose(p7, model.user_factors[7], atol=0.05) and abs(b7 - model.user_bias[7]) < 0.05


def test_fold_in_is_the_closed_form_ridge_solution():
    rng = np.random.default_rng(0)
    n_items, rank, lam = 30, 3, 2.5
    model = MF(3.6, rng.normal(0, 0.5, n_items + 1), rng.normal(0, 1, (n_items + 1, rank)),
               np.zeros(5), np.zeros((5, rank)), lam)
    items = np.array([3, 7, 8, 20, 21, 29])
    ratings = np.array([5.0, 3.0, 4.0, 1.0, 2.0, 4.0])
    b_u, p_u = fold_in(model, items, ratings)
    # min |Z x - y|^2 + lam |x|^2  ==  least squares on [Z; sqrt(lam) I] x = [y; 0]
    z = np.c_[model.item_factors[items], np.ones(len(items))]
    y = ratings - model.mu - model.item_bias[items]
    x = np.linalg.lstsq(np.r_[z, np.sqrt(lam) * np.eye(rank + 1)], np.r_[y, np.zeros(rank + 1)], rcond=None)[0]
    assert np.allclose(np.r_[p_u, b_u], x)
    # and the gradient of the ridge objective is 0 there
    assert np.allclose(z.T @ (z @ x - y) + lam * x, 0, atol=1e-10)


def test_rank_zero_als_is_the_bias_model():
    rng = np.random.default_rng(0)
    rows = [(int(u), int(i), float(rng.integers(1, 6))) for u, i in zip(rng.integers(1, 40, 500), rng.integers(1, 25, 500))]
    model = fit_als(rows, 40, 25, rank=0, lam=3.0, epochs=200)
    assert np.allclose(model.item_bias, bias_scores(rows, 40, 25, 3.0, iters=200), atol=1e-8)


def test_mf_base_cross_fits_training_users_and_folds_in_held_out_users():
    rows, _, _ = _planted(n_users=40, n_items=20)
    R = {}
    for u, i, r in rows:
        R.setdefault(u, {})[i] = r
    base = MFBase([r for r in rows if r[0] <= 30], R, 40, 20, rank=2, lam=0.1, epochs=10, folds=3)
    s, q = np.arange(1, 11), np.arange(11, 21)
    off_s, off_q = base.offsets(35, s, q, training=False)           # held out: the full model
    b_u, p_u = fold_in(base.full, s, [R[35][i] for i in s])
    assert np.allclose(off_q, b_u + base.full.item_factors[q] @ p_u)
    m = base.models[base.fold[5]]                                     # a training user: not in its model
    assert not np.allclose(m.item_factors, base.full.item_factors)
    off_s, off_q = base.offsets(5, s, q, training=True)
    b_u, p_u = fold_in(m, s, [R[5][i] for i in s])
    assert np.allclose(off_q, m.mu + m.item_bias[q] + b_u + m.item_factors[q] @ p_u - base.mu - base.item_bias[q])


# ------------------------------------------------------------------ no leakage
@needs_data
@pytest.mark.realdata
@pytest.mark.slow
def test_test_users_query_ratings_never_reach_any_learner(one_thread):
    """Every learner trained with the test users' query ratings set to NaN gives exactly the same
    choices and the same scores for every validation and test user (a NaN that reached training
    would also make them NaN)."""
    from dataclasses import replace

    from metarec.realdata.loaders import load_movielens, load_published_split
    from metarec.realdata.movielens import METHODS, SplitContext
    from metarec.realdata.settings import MeluBiasSettings, MovieLensSettings
    ml = load_movielens()
    R = ml.rating_dict()
    split = load_published_split()
    masked = {u: dict(r) for u, r in R.items()}
    for u, t in split["test"].items():
        for i in t["query_items"]:
            masked[u][i] = float("nan")
    settings = replace(MovieLensSettings.quick(), melu_bias=MeluBiasSettings(max_iters=4, eval_every=2, n_seeds=2,
                                                                           length_buckets=4))
    methods = ["item-mean", "user-item-bias", "mf-foldin", "melu-bias", "melu-bias-untrained", "melu-mf"]
    out = []
    for ratings in (R, masked):
        logs = {}
        ctx = SplitContext(split, ratings, ml, settings, 0, logs)
        scores = {m: METHODS[m](ctx) for m in methods}
        out.append((ctx.chosen, {m: np.array([f(u, t) for part in ("valid", "test") for u, t in split[part].items()])
                                 for m, f in scores.items()}, logs))
    (chosen, scores, logs), (chosen_m, scores_m, logs_m) = out
    assert chosen == chosen_m and set(chosen) == {"item-mean", "user-item-bias", "mf-foldin"}
    for m in methods:
        assert np.isfinite(scores_m[m]).all(), m
        assert np.array_equal(scores[m], scores_m[m]), m
    for m in ("melu-bias", "melu-mf"):
        assert [x["train_loss"] for x in logs[m][0]["members"]] == [x["train_loss"] for x in logs_m[m][0]["members"]]
    assert all(x["iters_run"] == 0 for x in logs["melu-bias-untrained"][0]["members"])
    held = {(u, i) for part in ("valid", "test") for u, t in split[part].items() for i in t["query_items"]}
    ctx = SplitContext(split, R, ml, settings, 0, {})
    assert not held & {(u, i) for u, i, _ in ctx.rows} and not held & {(u, i) for u, i, _ in ctx.mf_rows}
    assert {u for u, _, _ in ctx.mf_rows} == set(split["train"])   # MF: no held-out user in training


# ------------------------------------------------------------------ the paired block
def _fake(values: dict[str, float], n_users: int = 6, n_splits: int = 20, seed: int = 0):
    """per_split with a method's users at its value plus noise shared by the methods (pairing)."""
    rng = np.random.default_rng(seed)
    out = {}
    for s in ["published"] + [f"seed{k}" for k in range(1, n_splits + 1)]:
        shared = rng.normal(0, 0.05, n_users)
        out[s] = {m: {k: list(v + shared + rng.normal(0, 0.002, n_users)) for k in ("p@5", "ndcg@5", "mrr@5")}
                  for m, v in values.items()}
    return out


def test_goal_block_by_hand():
    values = {"user-item-bias": 0.63, "item-mean": 0.62, "mf-foldin": 0.65, "melu-mf": 0.65,
              "melu-mf-untrained": 0.64, "melu-bias": 0.60}
    per_split = _fake(values)
    methods = list(values)
    rows = paired_comparisons(per_split, methods)
    assert {(r["method"], r["baseline"]) for r in rows if r["kind"] == "ablation"} == {("melu-mf", "melu-mf-untrained")}
    assert not [r for r in rows if r["baseline"] in ("melu-bias", "melu-mf")]   # learners are not baselines
    valid = {s: {m: values[m] + (0.1 if m == "melu-bias" else 0) for m in methods} for s in per_split}
    best = best_meta_learner(valid, methods)
    assert best["method"] == "melu-bias"                     # chosen on validation, not on test
    assert "melu-mf-untrained" not in best["valid_ndcg@5"]   # not meta-trained: never "the best meta-learner"
    g = goal(rows, {"method": "melu-mf"})
    by = {a["baseline"]: a for a in g["against"]}
    assert g["n_splits"] == 20 and by["user-item-bias"]["verdict"] == by["item-mean"]["verdict"] == "above"
    assert by["mf-foldin"]["verdict"] != "above" and g["met"] is False   # level with MF: the goal is missed
    assert list(by) == ["user-item-bias", "item-mean", "mf-foldin"]
    d = [np.mean(per_split[s]["melu-mf"]["ndcg@5"]) - np.mean(per_split[s]["mf-foldin"]["ndcg@5"])
         for s in per_split if s != "published"]
    mean, half = mean_ci(d)
    assert by["mf-foldin"]["diff"] == pytest.approx(mean, abs=1e-4) and by["mf-foldin"]["ci95"] == pytest.approx(half, abs=1e-4)
    assert g["met"] == all(a["verdict"] == "above" for a in g["against"])
    assert g["ablation"]["baseline"] == "melu-mf-untrained"


@needs_data
@pytest.mark.realdata
@pytest.mark.slow
def test_quick_run_pairs_over_20_splits_with_t_intervals(one_thread):
    """``--quick`` runs the published split and the same 20 extra splits (short training): every row
    is labelled, the paired block carries the best meta-learner against the three strong baselines
    and its ablation over 20 splits, with t-intervals of the per-split differences."""
    import json

    from metarec.realdata import evaluate_real
    from metarec.realdata.labels import LABELS
    methods = ["item-mean", "user-item-bias", "mf-foldin", "melu-bias", "melu-bias-untrained"]
    d = json.loads(json.dumps(evaluate_real("movielens-100k", quick=True, methods=methods)))
    assert d["quick"] and d["n_splits"] == 20 and d["extra_split_seeds"] == list(range(1, 21))
    for r in d["results"]:
        assert (r["meta_trained"], r["adapts"]) == LABELS[r["method"]]
        assert r["adapts"] in ("gradient", "encoder", "none")
        assert r["n_splits"] == 20 and len(r["ndcg@5_per_split"]) == 20
    assert [r["meta_trained"] for r in d["results"]] == [False, False, False, True, False]
    assert d["best_meta_learner"]["method"] == "melu-bias"       # the only meta-trained one here
    g = d["goal"]
    assert g["method"] == "melu-bias" and g["n_splits"] == 20
    assert [a["baseline"] for a in g["against"]] == ["user-item-bias", "item-mean", "mf-foldin"]
    assert g["ablation"]["baseline"] == "melu-bias-untrained"
    per = {r["method"]: r for r in d["results"]}
    pairs = {(p["method"], p["baseline"]): p for p in d["paired"] if p["metric"] == "ndcg@5"}
    for b in ("user-item-bias", "item-mean", "mf-foldin", "melu-bias-untrained"):
        p = pairs["melu-bias", b]
        assert p["n_splits"] == 20 and p["splits_above"] + p["splits_below"] <= 20
        diffs = np.subtract(per["melu-bias"]["ndcg@5_per_split"], per[b]["ndcg@5_per_split"])
        mean, half = mean_ci(diffs)                         # t with 19 degrees of freedom
        assert p["splits_diff"] == pytest.approx(mean, abs=2e-4)
        assert p["splits_diff_ci95"] == pytest.approx(half, abs=2e-4) and half > 0
        assert p["splits_verdict"] in ("above", "level", "below")
    assert "published_diff_ci95_users" in pairs["melu-bias", "mf-foldin"]
