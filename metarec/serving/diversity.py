"""Diversity: a maximal-marginal-relevance re-rank of the calibrated picks.

A list ranked by relevance alone repeats itself (the plain top 10 of the validation families spans
4.6 of the 14 categories on average). Maximal marginal relevance (Carbonell & Goldstein 1998) picks greedily the
toy that is both likely to be liked and unlike the toys already picked:

    next = argmax_i  (1 - w) * relevance_i  -  w * max_{j picked} sim(i, j)

where the relevance is the calibrated probability that the child likes the toy
(:mod:`metarec.serving.fit`) and ``sim`` is the catalog's content similarity (the cosine of
``engine.feats.content``: category, skills and description). ``w = 0`` is the plain ranking.

When the liked toys say otherwise, one category may still fill the list: the similarity between
two toys of a category is scaled by ``1 - share``, ``share`` being the fraction of the liked toys
in that category (all liked toys puzzles: puzzles are not held back at all; one of three: by two
thirds of the usual amount).

The weight :data:`MMR_WEIGHT` was chosen on the 300 validation families by
``experiments/mmr_weight.py`` (rule fixed before looking: the largest ``w`` of the grid whose mean
nDCG@10 cost for the served learner at 3 shots is at most 0.01; table in
``docs/experiments/mmr-weight.json``). For TasteNP, the learner the shipped checkpoint serves:

=====  =======  =====  ==================================
w      nDCG@10  cost   distinct categories in the top 10
=====  =======  =====  ==================================
0      0.7780   0      4.13
0.1    0.7774   0.001  4.53
0.15   0.7774   0.001  4.75
0.2    0.7720   0.006  4.95   <- chosen
0.25   0.7676   0.010  5.23
0.3    0.7616   0.016  5.49
=====  =======  =====  ==================================

Measured once afterwards on the 500 test families: nDCG@10 0.7830 -> 0.7819 (paired cost
0.0011 ± 0.0046), distinct categories 4.18 -> 5.01. (For MAML, served by the previous checkpoint,
the same rule chose 0.15.) The issue's complaint, five sets of 3 liked toys at 24 months: mean
pairwise overlap of the top 9 0.389 -> 0.367 (the five children's true top 9 overlap 0.133; with
MAML it was 0.567): the shared toys come from the learner itself (toys popular and central at 24
months rank high for most children), which a re-rank within one list barely changes. A new
checkpoint (another served learner) needs the script run again.

References:
    Carbonell & Goldstein, "The Use of MMR, Diversity-Based Reranking for Reordering Documents
    and Producing Summaries", SIGIR 1998.

Example:
    >>> picks = mmr(relevance, vectors, k=10, weight=MMR_WEIGHT)   # indices, in pick order
"""
from __future__ import annotations

import numpy as np

MMR_WEIGHT = 0.2   # chosen on the validation families (docs/experiments/mmr-weight.json)


def mmr(relevance: np.ndarray, vectors: np.ndarray, k: int, weight: float = MMR_WEIGHT,
        groups: np.ndarray | None = None, damping: np.ndarray | None = None) -> np.ndarray:
    """Greedy maximal-marginal-relevance selection (Carbonell & Goldstein 1998).

    Arguments:
        relevance: ``[n]`` how much each candidate is wanted (here: the calibrated probability).
        vectors: ``[n, d]`` unit vectors; the similarity of two candidates is their dot product
            (clipped at 0).
        k: how many to pick (at most ``n``).
        weight: ``w`` in ``(1 - w) * relevance - w * max similarity``; 0 keeps the relevance order.
        groups: ``[n]`` optional group of each candidate (its category), for ``damping``.
        damping: ``[n]`` optional factor on a candidate's similarity to picked toys *of its own
            group* (1: the usual penalty, 0: none); other pairs keep their similarity.

    Returns:
        ``[min(k, n)]`` candidate positions in the order picked. Ties go to the earlier position,
        so a caller that passes candidates in ranking order keeps that order among equals.

    Example:
        >>> v = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        >>> mmr(np.array([0.9, 0.8, 0.6]), v, k=2, weight=0.0).tolist()
        [0, 1]
        >>> mmr(np.array([0.9, 0.8, 0.6]), v, k=2, weight=0.3).tolist()
        [0, 2]
    """
    relevance = np.asarray(relevance, dtype=np.float64)
    n = len(relevance)
    k = min(int(k), n)
    if weight <= 0 or k <= 1:
        return np.argsort(-relevance, kind="stable")[:k]
    vectors = np.asarray(vectors, dtype=np.float64)
    damp = np.ones(n) if damping is None else np.asarray(damping, dtype=np.float64)
    groups = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups)
    closest = np.zeros(n)             # max (damped) similarity to the toys picked so far
    free = np.ones(n, dtype=bool)
    picked: list[int] = []
    for _ in range(k):
        gain = (1.0 - weight) * relevance - weight * closest
        gain[~free] = -np.inf
        j = int(np.argmax(gain))       # first maximum: the earlier position wins a tie
        picked.append(j)
        free[j] = False
        sim = np.clip(vectors @ vectors[j], 0.0, None)
        closest = np.maximum(closest, np.where(groups == groups[j], damp * sim, sim))
    return np.asarray(picked, dtype=np.int64)


def taste_damping(categories: np.ndarray, liked_categories: np.ndarray) -> np.ndarray:
    """``[n]`` ``1 - share`` of each candidate's category among the liked toys' categories (1 for
    every candidate when nothing is liked): the liked toys may let one category dominate.

    Example:
        >>> taste_damping(np.array([3, 5, 3]), np.array([3, 3, 7])).round(2).tolist()
        [0.33, 1.0, 0.33]
    """
    categories = np.asarray(categories)
    liked_categories = np.asarray(liked_categories)
    if not len(liked_categories):
        return np.ones(len(categories))
    share = (categories[:, None] == liked_categories[None, :]).mean(1)
    return 1.0 - share


def diverse_order(candidates: np.ndarray, relevance: np.ndarray, liked, content: np.ndarray,
                  categories: np.ndarray, k: int, weight: float = MMR_WEIGHT) -> np.ndarray:
    """The serving re-rank: candidates in relevance order (ties: catalog order), then :func:`mmr`
    on their content vectors, one category's penalty damped by the liked toys' share of it.

    Arguments:
        candidates: ``[n]`` catalog indices of the toys that may be shown.
        relevance: ``[n]`` their calibrated probabilities of being liked.
        liked: the family's liked toys (catalog indices).
        content: ``[n_toys, d]`` unit content vectors of the whole catalog.
        categories: ``[n_toys]`` the category of every catalog toy.
        k: how many to pick.
        weight: the MMR weight (0: the relevance order).

    Returns:
        ``[min(k, n)]`` positions into ``candidates``, in the order to show them.
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    ranked = np.lexsort((candidates, -np.asarray(relevance, dtype=np.float64)))
    toys = candidates[ranked]
    cats = np.asarray(categories)
    damping = taste_damping(cats[toys], cats[np.asarray(liked, dtype=np.int64)])
    return ranked[mmr(np.asarray(relevance)[ranked], content[toys], k, weight,
                      groups=cats[toys], damping=damping)]

