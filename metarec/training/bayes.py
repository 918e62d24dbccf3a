"""Fitting the empirical-Bayes reference: its prior on the training families, its settings on the
validation families (never on the test families).

Example:
    >>> learner, log = train_bayes(world, feats, popularity)
"""
from __future__ import annotations

import time
from dataclasses import asdict, replace

import numpy as np

from ..core.episodes import evaluation_episodes
from ..evaluation.toybox import mean_ndcg
from ..learners.bayes import EB_SETTINGS, BayesLR, Settings, fit_prior

# The coordinate search's values per setting (the first value of each is where it starts).
GRID_COARSE = {
    "lam_cat": (0.3, 0.03, 0.1, 0.2, 0.5, 1.0, 2.0),
    "lam_skill": (1.0, 0.1, 0.3, 0.6, 2.0, 4.0),
    "w_implicit": (0.3, 0.1, 0.2, 0.5, 0.75, 1.0),
    "w_disliked": (1.0, 0.5, 2.0),
    "off_scale": (1.0, 0.7, 1.4, 2.0),
    "lam_b": (0.01, 0.1, 1.0),
}
GRID_FINE = {   # around the coarse optimum (which is put first)
    "lam_cat": (0.2, 0.1, 0.15, 0.3, 0.5),
    "lam_skill": (0.6, 0.3, 0.45, 1.0, 2.0),
    "w_implicit": (0.1, 0.0, 0.03, 0.05, 0.2, 0.3),
    "w_disliked": (2.0, 1.0, 3.0, 5.0),
    "off_scale": (1.0, 0.85, 1.2),
    "lam_b": (1.0, 0.3, 3.0, 10.0, 100.0),
}


def choose_settings(prior, feats, popularity, val_families, grid: dict, shots=(1, 3, 5),
                    seeds=(0, 1), passes: int = 3, start: Settings | None = None):
    """Coordinate search on the validation families: the mean nDCG@10 over ``shots`` x ``seeds``,
    one setting at a time, ``passes`` sweeps. Returns (best settings, its score, evaluations)."""
    episodes = [evaluation_episodes(val_families, k, seed=sd) for k in shots for sd in seeds]
    cache: dict[tuple, float] = {}

    def value(settings: Settings) -> float:
        key = tuple(sorted(asdict(settings).items()))
        if key not in cache:
            learner = BayesLR(prior, feats, popularity, settings)
            cache[key] = float(np.mean([mean_ndcg(learner, eps) for eps in episodes]))
        return cache[key]

    best = replace(start or Settings(), **{k: v[0] for k, v in grid.items()})
    for _ in range(passes):
        before = value(best)
        for name, values in grid.items():
            best = max((replace(best, **{name: v}) for v in values), key=value)
        if value(best) <= before:
            break
    return best, value(best), len(cache)


def train_bayes(world, feats, popularity, search: bool = True) -> tuple[BayesLR, dict]:
    """The pooled prior on the training families, then the settings by two coordinate searches on
    the validation families (coarse, then fine around the coarse optimum); a few minutes on one
    core. ``search=False`` keeps the settings that search chose before (``EB_SETTINGS``).
    Returns the learner and a log for the manifest."""
    t0 = time.perf_counter()
    prior = fit_prior(world.families("train"), feats, popularity)
    if not search:
        return BayesLR(prior, feats, popularity, EB_SETTINGS), {
            "settings": asdict(EB_SETTINGS), "best_val_ndcg": None, "search": False,
            "seconds": round(time.perf_counter() - t0, 1)}
    val = world.families("val")
    coarse, coarse_score, n1 = choose_settings(prior, feats, popularity, val, GRID_COARSE)
    fine_grid = {k: (getattr(coarse, k),) + tuple(v for v in vals if v != getattr(coarse, k))
                 for k, vals in GRID_FINE.items()}
    settings, score, n2 = choose_settings(prior, feats, popularity, val, fine_grid, start=coarse)
    return BayesLR(prior, feats, popularity, settings), {
        "prior": {"b0": round(prior.b0, 4), "alpha": round(prior.alpha, 4),
                  "beta": round(prior.beta, 4)},
        "settings": asdict(settings), "best_val_ndcg": round(score, 4),
        "validation": "mean nDCG@10 over 1/3/5 shots x episode seeds 0/1 of the validation families",
        "coarse": {"settings": asdict(coarse), "val": round(coarse_score, 4)},
        "settings_tried": n1 + n2, "seconds": round(time.perf_counter() - t0, 1)}
