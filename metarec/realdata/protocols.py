"""Evaluation protocols on real data: splits, sampled negatives and per-user metrics.

All metric values come from :mod:`metarec.core.metrics`; this module only decides *what* is ranked.

- S3-Rec leave-one-out (Amazon Toys): per user, last item = test target, second-to-last =
  validation target, everything earlier = history. Training sees only the history; validation
  adapts on the history and predicts the validation item; test adapts on history + validation item
  (as SASRec/S3-Rec do) and predicts the target. The target is ranked against 99 items the user
  never interacted with (uniform, seeded per user) or against all items the user has not seen.
- Cold-start users (Amazon Toys): 20 % of users held out entirely (seeded); support = first k
  items, query = the rest, ranked against every item outside the support.
- MovieLens-100K published cold-start protocol (RecBole-MetaRec): rank a test user's 10 query
  items; relevant = the 5 with the highest true rating; P@5, nDCG@5, MRR@5.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.metrics import hit_at_k, mrr_at_k, ndcg_at_k, precision_at_k, recall_at_k

N_NEGATIVES = 99
TARGET_KS = (1, 5, 10)


# ---------------------------------------------------------------- Amazon: S3-Rec leave-one-out
@dataclass(frozen=True)
class LeaveOneOut:
    """The S3-Rec split of every user's sequence (lists aligned by user)."""

    train: list[np.ndarray]         # per user: history = seq[:-2] (all that training may see)
    val_support: list[np.ndarray]   # = train
    val_target: np.ndarray          # seq[-2]
    test_support: list[np.ndarray]  # seq[:-1] (history + validation item)
    test_target: np.ndarray         # seq[-1]


def leave_one_out(sequences: list[np.ndarray]) -> LeaveOneOut:
    """Split each sequence (oldest first, at least 3 items) the S3-Rec way.

    Arguments:
        sequences: per user, item ids oldest first.

    Returns:
        history / validation / test parts (see :class:`LeaveOneOut`).

    References:
        Zhou et al., "S3-Rec", CIKM 2020; Kang & McAuley, "SASRec", ICDM 2018.
    """
    if any(len(s) < 3 for s in sequences):
        raise ValueError("leave-one-out needs at least 3 items per user")
    hist = [s[:-2] for s in sequences]
    return LeaveOneOut(hist, hist, np.array([s[-2] for s in sequences]),
                       [s[:-1] for s in sequences], np.array([s[-1] for s in sequences]))


def sample_negatives(sequences: list[np.ndarray], n_items: int, n: int = N_NEGATIVES,
                     seed: int = 0) -> np.ndarray:
    """``[n_users, n]`` distinct items each user never interacted with (anywhere in the sequence),
    uniform at random; user ``u``'s draw depends only on ``(seed, u)``."""
    out = np.empty((len(sequences), n), np.int64)
    for u, seq in enumerate(sequences):
        rng = np.random.default_rng([seed, u])
        seen = set(seq.tolist())
        picked: list[int] = []
        chosen = set()
        while len(picked) < n:
            for i in rng.integers(0, n_items, 2 * n).tolist():
                if i not in seen and i not in chosen:
                    chosen.add(i)
                    picked.append(i)
                    if len(picked) == n:
                        break
        out[u] = picked
    return out


def target_rank(target_score: float, other_scores: np.ndarray, rng: np.random.Generator) -> int:
    """1-based rank of the target among ``other_scores``; ties are broken uniformly at random."""
    better = int((other_scores > target_score).sum())
    ties = int((other_scores == target_score).sum())
    return 1 + better + (int(rng.integers(0, ties + 1)) if ties else 0)


def target_metrics(rank: int) -> dict[str, float]:
    """HR@1/5/10, NDCG@5/10 and MRR of a single target at ``rank`` (via :mod:`metarec.core.metrics`)."""
    ranked = [-1] * (rank - 1) + [0]   # the target (item 0 here) sits at ``rank``
    rel = {0}
    out = {f"hr@{k}": hit_at_k(ranked, rel, k) for k in TARGET_KS}
    out.update({f"ndcg@{k}": ndcg_at_k(ranked, rel, k) for k in (5, 10)})
    out["mrr"] = mrr_at_k(ranked, rel)
    return out


# ---------------------------------------------------------------- Amazon: cold-start users
def coldstart_users(n_users: int, frac: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train users, held-out users), a seeded permutation split."""
    perm = np.random.default_rng([seed, 20]).permutation(n_users)
    n_test = int(round(frac * n_users))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def coldstart_metrics(ranked: list[int], query: set[int], k: int = 10) -> dict[str, float]:
    """HR@k, NDCG@k and recall@k of a ranked list against a user's query items (binary gain)."""
    return {f"hr@{k}": hit_at_k(ranked, query, k), f"ndcg@{k}": ndcg_at_k(ranked, query, k),
            f"recall@{k}": recall_at_k(ranked, query, k)}


# ---------------------------------------------------------------- MovieLens: published protocol
ML_INTERVAL = (13, 100)
ML_QUERY = 10
ML_SIZES = (466, 58, 58)


def published_relevant(query_items: list[int], true_ratings: list[float], n: int = 5) -> set[int]:
    """The ``n`` query items with the highest true rating (ties: earlier in the query list first,
    which reproduces the published P@5 of a constant predictor exactly)."""
    order = np.argsort(-np.asarray(true_ratings, float), kind="stable")[:n]
    return {query_items[j] for j in order}


def published_metrics(query_items: list[int], scores, true_ratings: list[float]) -> dict[str, float]:
    """P@5, nDCG@5, MRR@5 of ranking ``query_items`` by ``scores`` (ties keep query order)."""
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    ranked = [query_items[j] for j in order]
    rel = published_relevant(query_items, true_ratings)
    return {"p@5": precision_at_k(ranked, rel, 5), "ndcg@5": ndcg_at_k(ranked, rel, 5),
            "mrr@5": mrr_at_k(ranked, rel, 5)}


def draw_ml_split(user_items: dict[int, list[int]], seed: int) -> dict[str, dict[int, dict[str, list[int]]]]:
    """A split drawn the published way: users with 13-100 ratings, 8:1:1 by user (466/58/58 on
    ml-100k), per user 10 random query items and the rest as support."""
    rng = np.random.default_rng(seed)
    lo, hi = ML_INTERVAL
    users = sorted(u for u, items in user_items.items() if lo <= len(items) <= hi)
    users = [users[j] for j in rng.permutation(len(users))]
    n_train = int(round(len(users) * 0.8))
    n_valid = (len(users) - n_train) // 2
    parts = {"train": users[:n_train], "valid": users[n_train:n_train + n_valid],
             "test": users[n_train + n_valid:]}
    out = {}
    for part, us in parts.items():
        out[part] = {}
        for u in us:
            items = list(user_items[u])
            perm = rng.permutation(len(items))
            out[part][u] = {"query_items": [items[j] for j in perm[:ML_QUERY]],
                            "support_items": [items[j] for j in perm[ML_QUERY:]]}
    return out
