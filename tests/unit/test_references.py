"""The two reference rows of the toy world: the empirical-Bayes regression and the oracle; and the
shipped views of the checkpoint (shots curve, demo families) against a recomputation."""
import numpy as np
import pytest
import torch

from metarec.core.episodes import LIKED, IMPLICIT, Support, evaluation_episodes
from metarec.core.features import synthetic_toy_features
from metarec.evaluation.shots_curve import nested_episodes, per_family_scores
from metarec.evaluation.toybox import evaluate_world
from metarec.learners.bayes import N_CAT, N_SKILL, BayesLR, Prior, Settings, fit_prior, toy_phi
from metarec.world.oracle import Oracle


class HandMadeFamily:
    def __init__(self, id, age, eligible, liked):
        self.id, self.age_months, self.eligible, self.liked = id, age, eligible, liked


@pytest.fixture(scope="module")
def hand_made():
    """Families whose likes follow one known logistic model (the same weights for everyone)."""
    rng = np.random.default_rng(7)
    feats = synthetic_toy_features(300, seed=1)
    popularity = torch.from_numpy(rng.uniform(0.05, 0.6, size=(15, 300)).astype(np.float32))
    mu = torch.from_numpy(rng.normal(0, 1.0, N_CAT + N_SKILL))
    b0, alpha, beta = -0.5, 0.8, 1.0
    phi = toy_phi(feats)
    poplogit = torch.logit(popularity.double())
    families = []
    for i in range(1500):
        age = int(rng.integers(0, 169))
        eligible = np.flatnonzero((feats.min_age.numpy() <= age) & (age <= feats.max_age.numpy()))
        central = 1 - np.abs(2 * (age - feats.min_age.numpy()[eligible])
                             / np.maximum(feats.max_age.numpy()[eligible] - feats.min_age.numpy()[eligible], 1) - 1)
        z = (phi[eligible] @ mu).numpy() + b0 + alpha * central + beta * poplogit[min(age // 12, 14), eligible].numpy()
        liked = eligible[rng.random(len(eligible)) < 1 / (1 + np.exp(-z))]
        families.append(HandMadeFamily(i, age, eligible, liked))
    return feats, popularity, families, mu, b0, alpha, beta


def test_empirical_bayes_recovers_a_known_prior(hand_made):
    feats, popularity, families, mu, b0, alpha, beta = hand_made
    prior = fit_prior(families, feats, popularity)
    # category weights and the intercept are only identified together (one-hot + intercept)
    assert torch.allclose(prior.mu[:N_CAT] + prior.b0, mu[:N_CAT] + b0, atol=0.25)
    assert torch.allclose(prior.mu[N_CAT:], mu[N_CAT:], atol=0.25)
    assert prior.alpha == pytest.approx(alpha, abs=0.2) and prior.beta == pytest.approx(beta, abs=0.15)


def test_the_prior_strength_moves_a_family_between_prior_and_data(hand_made):
    feats, popularity, _, mu, b0, *_ = hand_made
    prior = Prior(mu.double(), b0, 0.0, 0.0)
    toys = torch.arange(40)
    support = Support(48.0, toys, torch.where(toys < 20, LIKED, IMPLICIT))
    strong = BayesLR(prior, feats, popularity, Settings(lam_cat=1e6, lam_skill=1e6, lam_b=1e6))
    w = strong.adapt(support).w
    assert torch.allclose(w[:-1], mu.double(), atol=1e-3)      # a very strong prior: the prior
    weak = BayesLR(prior, feats, popularity, Settings(lam_cat=1e-3, lam_skill=1e-3, lam_b=1e-3))
    scores = weak.score(weak.adapt(support), toys)
    assert scores[:20].mean() > scores[20:].mean() + 1.0        # a weak one: the family's own data


def test_the_oracle_is_above_every_learner(engine):
    families = engine.world.families("test")[:60]
    rows = evaluate_world({**engine.learners, "oracle": Oracle(engine.world)}, families, (1, 5))
    for k in (1, 5):
        at_k = {r["method"]: r["ndcg@10"] for r in rows if r["shots"] == k}
        oracle = at_k.pop("oracle")
        assert oracle > max(at_k.values()) + 0.1, (k, oracle, at_k)


def test_the_oracle_refuses_a_family_it_cannot_see(engine):
    support = Support(48.0, torch.tensor([1, 2]), torch.tensor([LIKED, IMPLICIT]))
    with pytest.raises(ValueError):
        Oracle(engine.world).adapt(support)
    ep = evaluation_episodes(engine.world.families("test")[:1], 3)[0]
    assert ep.support.family_id == engine.world.families("test")[0].id


def test_nested_supports_share_one_query(engine):
    family = engine.world.families("test")[0]
    eps = nested_episodes(family)
    assert [e.shots for e in eps] == [1, 3, 5, 10]
    for small, big in zip(eps, eps[1:]):
        assert set(small.support.liked.tolist()) <= set(big.support.liked.tolist())
        assert np.array_equal(small.candidates, big.candidates)
        assert np.array_equal(small.relevant, big.relevant)
    assert not set(eps[-1].support.liked.tolist()) & set(eps[-1].candidates.tolist())


def test_the_shipped_shots_curve_matches_a_recomputation(engine):
    curve = engine.curves["shots_curve"]
    families = [engine.world.family(i) for i in curve["families"][:4]]
    for name in ("popularity", "bayes", engine.default_method):
        again = per_family_scores(engine.learners[name], families, curve["shots"], curve["seed"])
        for k in curve["shots"]:
            shipped = curve["per_family"][name][str(k)][:4]
            assert np.allclose(again[k], shipped, atol=1e-4), (name, k)


def test_the_demo_families_follow_the_validation_rule(engine):
    demo = engine.curves["demo"]
    q25, q50, q75 = demo["validation_quartiles"]
    gains = [f["gain"] for f in demo["families"]]
    assert gains and all(q25 - 1e-4 <= g <= q75 + 1e-4 for g in gains)   # 4-decimal rounding
    distance = [abs(g - q50) for g in gains]   # closest to the median first (gains are rounded)
    assert all(a <= b + 2e-4 for a, b in zip(distance, distance[1:]))   # q50 is rounded too
    assert demo["method"] == engine.default_method
