"""Intervals and paired comparisons: the one place every "A beats B" in the project comes from.

A claim that A beats B is a *paired* difference on the same families / users / splits, with its
95% interval; an ordering is claimed only where that interval excludes 0. Intervals use Student's
t (for 5 splits t = 2.78, not 1.96; for 500 families the two agree to 0.3%).

Example:
    >>> d = paired([0.7, 0.8, 0.9], [0.6, 0.8, 0.7])
    >>> d.mean, d.verdict                      # (0.1, "level"): 3 pairs are too few to tell

Formatting ("0.712 ± 0.016") is :mod:`metarec.reporting.verdicts`'s job.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

LEVEL = 0.95
ABOVE, LEVEL_WITH, BELOW = "above", "level", "below"   # verdicts


@lru_cache(maxsize=256)
def t_quantile(df: int, level: float = LEVEL) -> float:
    """The two-sided Student's t quantile for ``df`` degrees of freedom (1.96 as df grows)."""
    from scipy.stats import t  # scipy comes with scikit-learn; imported here only for its ppf
    return float(t.ppf(0.5 + level / 2, df))


def mean_ci(values: Sequence[float], level: float = LEVEL) -> tuple[float, float]:
    """Mean and the half-width of its Student's t confidence interval (NaN below two values).

    Arguments:
        values: independent observations (one per family, user or split).
        level: the interval's coverage.

    Returns:
        (mean, half-width): the interval is ``mean ± half-width``.
    """
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return (float(v.mean()) if len(v) else float("nan"), float("nan"))
    return float(v.mean()), t_quantile(len(v) - 1, level) * float(v.std(ddof=1)) / math.sqrt(len(v))


@dataclass(frozen=True)
class Paired:
    """The paired difference A - B over the same units, with its interval.

    ``verdict`` is "above" (A is better: the whole interval is above 0), "below", or "level"
    (the interval contains 0: no ordering is claimed).
    """

    mean: float
    half: float
    n: int
    better: int   # units where A > B
    worse: int    # units where A < B

    @property
    def low(self) -> float:
        return self.mean - self.half

    @property
    def high(self) -> float:
        return self.mean + self.half

    @property
    def verdict(self) -> str:
        return verdict(self.mean, self.half)

    def to_json(self, digits: int = 4) -> dict:
        return {"mean": round(self.mean, digits), "ci95": round(self.half, digits), "n": self.n,
                "better": self.better, "worse": self.worse, "verdict": self.verdict}


def verdict(diff: float, half: float | None) -> str:
    """Where A stands against B, from the difference ``A - B`` and its interval's half-width.

    Arguments:
        diff: the difference of means, A minus B (paired, or of two independent means).
        half: the half-width of its 95% interval; None or NaN when unknown (nothing is decided).

    Returns:
        ``"above"`` when the whole interval ``diff ± half`` lies above 0, ``"below"`` when it lies
        below, else ``"level"`` (within the noise; an interval that touches 0 is level).

    Example:
        >>> verdict(0.010, 0.009), verdict(0.010, 0.010), verdict(-0.03, 0.02)
        ('above', 'level', 'below')
    """
    if half is None or not math.isfinite(half) or not math.isfinite(diff):
        return LEVEL_WITH
    if diff - half > 0:
        return ABOVE
    if diff + half < 0:
        return BELOW
    return LEVEL_WITH


def paired(a: Sequence[float], b: Sequence[float], level: float = LEVEL) -> Paired:
    """The paired difference ``a - b`` (same units, same order) with its t-interval.

    Arguments:
        a, b: one value per unit (family, user or split) for each method.

    Example:
        >>> paired(ndcg_learner, ndcg_bayes).verdict   # "above" only if the interval excludes 0
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need the same units: {a.shape} vs {b.shape}")
    d = a - b
    mean, half = mean_ci(d, level)
    return Paired(mean, half, len(d), int((d > 0).sum()), int((d < 0).sum()))
