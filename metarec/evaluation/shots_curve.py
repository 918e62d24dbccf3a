"""The shots curve: does a learner rank better with more liked toys, on the same query?

Protocol (nested supports, fixed query). For each family, one seeded draw fixes a pool of up to
10 liked toys and 5 disliked toys (the liked pool leaves at least 2 liked toys out), and 10
implicit negatives among the other suitable toys (toys the family never mentioned: some of them
it secretly likes, as with any implicit feedback). The *query* is every suitable toy outside the
two pools; the relevant toys are the liked ones among it, the same for every k. The k-shot
support holds the first k toys of the liked pool, the first k // 2 of the disliked pool and the
same implicit negatives, so 1 ⊂ 3 ⊂ 5 ⊂ 10 and a change along the curve is learning, not a
shrinking target (the leaderboard's protocol removes the shown liked toys from the target).

The curve is deterministic for a checkpoint: :func:`shots_curve` runs when the checkpoint is
trained and its result ships beside it (:data:`metarec.core.paths.SHOTS_CURVE`), so the page
draws it at once.
"""
from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np
import torch

from ..core.episodes import DISLIKED, IMPLICIT, LIKED, N_IMPLICIT, Episode, Family, Support
from ..core.metrics import ndcg_at_k
from ..core.stats import mean_ci, paired
from .toybox import K, rank_episode

CURVE_SHOTS = (1, 3, 5, 10)
POOL = 10          # liked toys set aside for the supports (disliked: POOL // 2), whatever k is asked
MIN_HELD_OUT = 2   # liked toys always left in the query


def nested_episodes(family: Family, shots: Iterable[int] = CURVE_SHOTS,
                    seed: int = 0) -> list[Episode]:
    """One episode per k, with nested supports and one fixed query (see the module docstring).

    Arguments:
        family: a family with ``liked``, ``disliked``, ``eligible``, ``age_months`` and ``id``.
        shots: the numbers of liked toys shown, increasing.
        seed: with the family's id, fixes the draw.

    Example:
        >>> [len(e.support.liked) for e in nested_episodes(family)]   # [1, 3, 5, 10]
    """
    shots = tuple(shots)
    if max(shots) > POOL:
        raise ValueError(f"the nested protocol shows at most {POOL} liked toys, not {max(shots)}")
    rng = np.random.default_rng([seed, int(family.id), 4242])
    n_pool = max(0, min(POOL, len(family.liked) - MIN_HELD_OUT))
    liked_pool = rng.permutation(family.liked)[:n_pool]
    disliked_pool = rng.permutation(family.disliked)[: POOL // 2]
    query = np.setdiff1d(family.eligible, np.concatenate([liked_pool, disliked_pool]))
    relevant = np.intersect1d(query, family.liked)
    implicit = rng.choice(query, size=min(N_IMPLICIT, len(query)), replace=False)
    episodes = []
    for k in shots:
        liked, disliked = liked_pool[:k], disliked_pool[: k // 2]
        items = np.concatenate([liked, disliked, implicit]).astype(np.int64)
        kind = np.concatenate([np.full(len(liked), LIKED), np.full(len(disliked), DISLIKED),
                               np.full(len(implicit), IMPLICIT)])
        support = Support(float(family.age_months), torch.from_numpy(items), torch.from_numpy(kind),
                          int(family.id))
        episodes.append(Episode(int(family.id), int(k), support, query, relevant,
                                np.zeros(0, np.int64), np.zeros(0, np.float32)))
    return episodes


def per_family_scores(learner, families: list[Family], shots: Iterable[int] = CURVE_SHOTS,
                      seed: int = 0) -> dict[int, list[float]]:
    """``{k: [nDCG@10 of each family]}`` for one learner on the nested episodes."""
    shots = tuple(shots)
    out: dict[int, list[float]] = {k: [] for k in shots}
    for family in families:
        for ep in nested_episodes(family, shots, seed):
            relevant = set(ep.relevant.tolist())
            out[ep.shots].append(ndcg_at_k(rank_episode(learner, ep, K), relevant, K))
    return out


def shots_curve(learners: dict, families: list[Family], shots: Iterable[int] = CURVE_SHOTS,
                seed: int = 0, reference: str | None = None, keep_families: int = 20,
                progress=None) -> dict:
    """Every learner's nDCG@10 at each k on the nested protocol, with paired differences.

    Arguments:
        learners: ``{name: learner}``.
        families: the families to average over (the test families for the shipped curve).
        reference: a learner name; every other learner gets its paired difference against it
            at each k (same families), with a 95% t-interval.
        keep_families: per-family values kept for the first this many families, so a test can
            recompute a few and compare.

    Returns:
        A JSON-able dict: ``rows`` (method, shots, ndcg@10, ndcg@10_ci95, n_families),
        ``paired`` (method, shots, mean, ci95, verdict against ``reference``) and
        ``per_family`` ({method: {k: [values of the first families]}}).
    """
    shots = tuple(shots)
    t0 = time.perf_counter()
    scores = {}
    for name, learner in learners.items():
        scores[name] = per_family_scores(learner, families, shots, seed)
        if progress:
            progress(name)
    rows, pairs = [], []
    for name, by_k in scores.items():
        for k in shots:
            mean, half = mean_ci(by_k[k])
            rows.append({"method": name, "shots": k, "ndcg@10": round(mean, 4),
                         "ndcg@10_ci95": round(half, 4), "n_families": len(by_k[k])})
            if reference and name != reference and reference in scores:
                pairs.append({"method": name, "shots": k, "against": reference,
                              **paired(by_k[k], scores[reference][k]).to_json()})
    return {"protocol": __doc__.split("Protocol (nested supports, fixed query). ")[1]
            .split("\n\n")[0].replace("\n", " "), "shots": list(shots), "seed": seed,
            "families": [int(f.id) for f in families], "rows": rows, "paired": pairs,
            "per_family": {name: {str(k): [round(v, 4) for v in by_k[k][:keep_families]]
                                  for k in shots} for name, by_k in scores.items()},
            "seconds": round(time.perf_counter() - t0, 1)}
