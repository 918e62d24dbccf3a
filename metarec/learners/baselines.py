"""Honest non-meta baselines behind the same interface as the meta-learners."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.catalog import MAX_AGE_MONTHS
from ..core.episodes import Support
from ..core.features import ToyFeatures

N_AGE_YEARS = MAX_AGE_MONTHS // 12 + 1


def popularity_table(families, n_toys: int, smoothing_years: float = 1.0) -> np.ndarray:
    """``[15, n_toys]`` like rate of each toy among training children of each age year.

    Rates are smoothed over neighbouring years (Gaussian, ``smoothing_years``) and shrunk towards
    the toy's overall rate, so rare (age, toy) pairs do not swing on one child.
    """
    likes = np.zeros((N_AGE_YEARS, n_toys))
    shown = np.zeros((N_AGE_YEARS, n_toys))
    for f in families:
        year = f.age_months // 12
        shown[year, f.eligible] += 1
        likes[year, f.liked] += 1
    years = np.arange(N_AGE_YEARS)
    kernel = np.exp(-0.5 * ((years[:, None] - years[None, :]) / smoothing_years) ** 2)
    likes, shown = kernel @ likes, kernel @ shown
    overall = likes.sum(0) / np.maximum(shown.sum(0), 1)
    return ((likes + 2.0 * overall) / (shown + 2.0)).astype(np.float32)


class PopularityByAge:
    """Rank by how often children of the same age liked the toy (ignores the family's likes)."""

    name, paper = "popularity", "baseline"

    def __init__(self, table: torch.Tensor):
        self.table = table

    def adapt(self, support: Support) -> int:
        return min(int(support.age_months // 12), self.table.shape[0] - 1)

    def score(self, state: int, toys: torch.Tensor) -> torch.Tensor:
        return self.table[state, toys.to(self.table.device)]


@dataclass(frozen=True)
class KNNState:
    liked: torch.Tensor      # [n_liked, d] content vectors
    disliked: torch.Tensor   # [n_disliked, d]


class ContentKNN:
    """Content-based nearest neighbours: a toy scores its cosine similarity to the closest liked
    toy, minus half that to the closest disliked one (Lops, de Gemmis & Semeraro, 2011)."""

    name, paper = "knn", "baseline: content-based filtering (Lops, de Gemmis & Semeraro, 2011)"

    def __init__(self, feats: ToyFeatures):
        self.feats = feats

    def adapt(self, support: Support) -> KNNState:
        c = self.feats.content
        return KNNState(c[support.liked.to(c.device)], c[support.disliked.to(c.device)])

    def score(self, state: KNNState, toys: torch.Tensor) -> torch.Tensor:
        c = self.feats.content[toys.to(self.feats.content.device)]
        score = torch.zeros(len(c), device=c.device)
        if len(state.liked):
            score = score + (c @ state.liked.T).max(1).values
        if len(state.disliked):
            score = score - 0.5 * (c @ state.disliked.T).max(1).values
        return score
