"""Ranking with a batched scorer, and per-user metrics (no data set in here).

A *scorer* is ``score(supports, candidates) -> [B, C]``: ``supports`` is a list of ``B`` item-id
arrays (each user's support, oldest first), ``candidates`` a ``[B, C]`` long tensor of item ids, or
None for every item (``C = n_items``). Every Amazon method is one (:mod:`metarec.realdata.amazon`).

Two ways to rank, as the protocols say (:mod:`metarec.realdata.protocols`):

- a single target against sampled negatives or against all items (:func:`rank_targets`,
  S3-Rec leave-one-out);
- the top ``k`` of all items outside the support against a set of query items
  (:func:`rank_queries`, cold-start users).

Sampled metrics are inflated next to all-item ones and can reorder methods, so every row says
which candidates it ranked.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from ..core.stats import mean_ci
from .protocols import coldstart_metrics, target_metrics, target_rank

Scorer = Callable[[Sequence[np.ndarray], "torch.Tensor | None"], torch.Tensor]


def exclude_seen(scores: torch.Tensor, supports: Sequence[np.ndarray]) -> torch.Tensor:
    """Set each user's support items to ``-inf`` in ``scores`` ``[B, n_items]`` (in place).

    Arguments:
        scores: all-item scores, one row per user.
        supports: the ``B`` users' support item ids.

    Returns:
        ``scores``, so that a support item never outranks an unseen one.
    """
    for j, h in enumerate(supports):
        scores[j, torch.from_numpy(h)] = float("-inf")
    return scores


def rank_targets(score: Scorer, supports, targets, negatives=None, seed: int = 0,
                 batch: int = 512) -> dict[str, list]:
    """Rank each user's one target item and return per-user HR@1/5/10, NDCG@5/10 and MRR.

    Ties are broken uniformly at random, seeded per user (:func:`~.protocols.target_rank`).

    Arguments:
        score: a batched scorer (see the module docstring).
        supports: per user, the item ids the scorer adapts on.
        targets: ``[U]`` the target item of each user.
        negatives: ``[U, n]`` sampled items to rank the target against; None: against every item
            outside the user's support (the target is never its own rival).
        seed: seeds the tie-breaking.
        batch: users scored at once (bounds memory for all-item ranking).

    Returns:
        ``{metric: [value per user]}`` in the order of ``targets``.

    References:
        Kang & McAuley, "Self-Attentive Sequential Recommendation" (SASRec), ICDM 2018, and Zhou et
        al., "S3-Rec", CIKM 2020: the target-vs-99-negatives protocol.

    Example:
        >>> m = rank_targets(model.score_batch, split.test_support, split.test_target, test_negs)
        >>> float(np.mean(m["hr@10"]))
    """
    out: dict[str, list] = {}
    for start in range(0, len(targets), batch):
        sup = supports[start:start + batch]
        tgt = torch.from_numpy(np.asarray(targets[start:start + batch]))
        if negatives is not None:
            cands = torch.cat([tgt[:, None], torch.from_numpy(negatives[start:start + batch])], 1)
            s = score(sup, cands).float()
            t, others = s[:, 0], s[:, 1:]
        else:
            s = score(sup, None).float().clone()
            t = s[torch.arange(len(tgt)), tgt].clone()   # before masking: a re-bought item keeps its score
            others = exclude_seen(s, sup)
            s[torch.arange(len(tgt)), tgt] = float("-inf")   # the target is not its own rival
        for j in range(len(tgt)):
            rng = np.random.default_rng([seed, start + j, 7])
            r = target_rank(float(t[j]), others[j].numpy(), rng)
            for k, v in target_metrics(r).items():
                out.setdefault(k, []).append(v)
    return out


def rank_queries(score: Scorer, supports, queries, k: int = 10, batch: int = 512) -> dict[str, list]:
    """Rank every item outside each user's support and score the top ``k`` against their queries.

    Arguments:
        score: a batched scorer (see the module docstring).
        supports: per user, the item ids the scorer adapts on (excluded from the ranking).
        queries: per user, the set of item ids that count as hits.
        k: the cut-off.
        batch: users scored at once.

    Returns:
        ``{"hr@k" | "ndcg@k" | "recall@k": [value per user]}``
        (:func:`~.protocols.coldstart_metrics`).
    """
    out: dict[str, list] = {}
    for start in range(0, len(supports), batch):
        sup = supports[start:start + batch]
        s = exclude_seen(score(sup, None).float().clone(), sup)
        top = torch.topk(s, k, dim=1).indices.tolist()
        for j in range(len(sup)):
            for key, v in coldstart_metrics(top[j], queries[start + j], k).items():
                out.setdefault(key, []).append(v)
    return out


def summarise(method: str, per_user: dict[str, list], **extra) -> dict:
    """One results row: each metric's mean and 95 % interval half-width over users.

    Arguments:
        method: the row's method name.
        per_user: ``{metric: [value per user]}`` (from :func:`rank_targets` / :func:`rank_queries`).
        **extra: more fields for the row (candidates, shots, timings, ...).

    Returns:
        ``{"method", metric, metric + "_ci95", ..., "n_users", **extra}``, rounded to 4 decimals.
    """
    row = {"method": method}
    for k, v in per_user.items():
        m, ci = mean_ci(v)
        row[k], row[f"{k}_ci95"] = round(m, 4), round(ci, 4)
    row["n_users"] = len(next(iter(per_user.values())))
    row.update(extra)
    return row


def val_metric(score: Scorer, supports, targets, negatives, seed: int) -> float:
    """Validation HR@10 + NDCG@10 on the validation items (never the test targets).

    The early-stopping criterion of every Amazon learner; ties are broken with ``seed + 1``, so
    validation and test never share a draw.

    Arguments:
        score: a batched scorer.
        supports: per validation user, the history before the validation item.
        targets: ``[U]`` validation items.
        negatives: ``[U, 99]`` validation negatives.
        seed: the run's seed.

    Returns:
        mean HR@10 + mean NDCG@10 (higher is better).
    """
    m = rank_targets(score, supports, targets, negatives, seed=seed + 1)
    return float(np.mean(m["hr@10"]) + np.mean(m["ndcg@10"]))
