"""Ranking metrics, in one place, each tested against hand-computed cases (intervals over them:
:mod:`metarec.core.stats`).

Conventions (fixed here so protocol differences cannot creep in): ranks start at 1, the nDCG
discount is ``1 / log2(rank + 1)`` with binary gain, and everything is truncated at ``k``.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Sequence


def dcg_at_k(ranked: Sequence, relevant: Collection, k: int) -> float:
    return sum(1.0 / math.log2(r + 1) for r, item in enumerate(ranked[:k], start=1) if item in relevant)


def ndcg_at_k(ranked: Sequence, relevant: Collection, k: int = 10) -> float:
    """nDCG@k with binary gain; the ideal ranks ``min(k, |relevant|)`` hits first."""
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(relevant)) + 1))
    return dcg_at_k(ranked, relevant, k) / ideal if ideal else 0.0


def recall_at_k(ranked: Sequence, relevant: Collection, k: int = 10) -> float:
    """Hits in the top ``k`` over ``min(k, |relevant|)`` (so a perfect list scores 1; Liang et al., 2018)."""
    if not relevant:
        return 0.0
    return sum(item in relevant for item in ranked[:k]) / min(k, len(relevant))


def hit_at_k(ranked: Sequence, relevant: Collection, k: int = 10) -> float:
    """1 if any relevant item is in the top ``k``, else 0 (HR@k)."""
    return float(any(item in relevant for item in ranked[:k]))


def precision_at_k(ranked: Sequence, relevant: Collection, k: int = 5) -> float:
    return sum(item in relevant for item in ranked[:k]) / k


def mrr_at_k(ranked: Sequence, relevant: Collection, k: int | None = None) -> float:
    """1 / rank of the first relevant item within the top ``k`` (all when ``k`` is None), else 0."""
    for r, item in enumerate(ranked[:k] if k else ranked, start=1):
        if item in relevant:
            return 1.0 / r
    return 0.0
