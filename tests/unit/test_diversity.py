"""The MMR re-rank (Carbonell & Goldstein 1998) of the calibrated picks."""
import numpy as np

from metarec.core.episodes import evaluation_episodes
from metarec.serving.diversity import MMR_WEIGHT, diverse_order, mmr, taste_damping
from metarec.serving.recommend import Request, recommend

# three toys: two near-identical puzzles and a vehicle (unit content vectors)
VECTORS = np.array([[1.0, 0.0], [0.99, np.sqrt(1 - 0.99 ** 2)], [0.0, 1.0]])
RELEVANCE = np.array([0.60, 0.55, 0.45])
CATEGORIES = np.array([0, 0, 1])   # puzzles, puzzles, vehicles


def test_mmr_swaps_in_another_category():
    assert mmr(RELEVANCE, VECTORS, k=2, weight=0.0).tolist() == [0, 1]     # the plain ranking
    assert mmr(RELEVANCE, VECTORS, k=2, weight=MMR_WEIGHT).tolist() == [0, 2]
    assert mmr(RELEVANCE, VECTORS, k=3, weight=MMR_WEIGHT).tolist() == [0, 2, 1]  # all, reordered
    assert mmr(RELEVANCE, VECTORS, k=10, weight=0.5).shape == (3,)


def test_w_zero_is_the_plain_ranking():
    rng = np.random.default_rng(0)
    rel = rng.random(50)
    vec = rng.normal(size=(50, 8))
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    assert mmr(rel, vec, k=10, weight=0.0).tolist() == np.argsort(-rel)[:10].tolist()
    assert mmr(rel, vec, k=10, weight=0.3)[0] == np.argmax(rel)   # the best toy always leads


def test_liked_toys_of_one_category_let_it_dominate():
    candidates, content = np.array([0, 1, 2]), VECTORS
    # liked toys spread over categories (here: none of them puzzles): the vehicle is swapped in
    assert diverse_order(candidates, RELEVANCE, [2], content, CATEGORIES, 2).tolist() == [0, 2]
    # every liked toy a puzzle: puzzles are not held back
    assert diverse_order(candidates, RELEVANCE, [0, 1], content, CATEGORIES, 2).tolist() == [0, 1]
    assert taste_damping(np.array([0, 1]), np.array([])).tolist() == [1.0, 1.0]


def test_served_lists_cover_more_categories(engine):
    plain, diverse = [], []
    for ep in evaluation_episodes(engine.world.families("val")[:8], 3):
        req = Request(ep.support.age_months / 12,
                      tuple(engine.catalog.ids[i] for i in ep.support.liked.tolist()))
        a = recommend(engine, req).recommendations
        b = recommend(engine, Request(req.age_years, req.liked, diverse=False)).recommendations
        assert len(a) == len(b) == 10 and a[0].id == b[0].id   # same best toy, same size
        diverse.append(len({r.category for r in a}))
        plain.append(len({r.category for r in b}))
        scores = [r.score for r in b]
        assert scores == sorted(scores, reverse=True)          # diverse=False: the plain ranking
    assert np.mean(diverse) > np.mean(plain)
