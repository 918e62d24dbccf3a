"""Watching a learner adapt: the inner loop step by step, for the adaptation page and teachers.

For one family's support set, :func:`adaptation_steps` runs the inner loop one SGD step at a time
from three starting points: the meta-learned initialisation (MAML), the same network pretrained
without meta-learning, and a random initialisation. After every step it records the support loss,
the top-10 list and, for a simulated family whose liked toys are known, nDCG@10 and Recall@10 on
the family's held-out liked toys (its query set).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from ..core.catalog import CATEGORIES
from ..serving.engine import Engine
from ..learners import GRADIENT_METHODS
from ..learners.gradient import GradientLearner
from ..core.metrics import ndcg_at_k, recall_at_k
from ..core.model import init_params

STARTS = ("maml", "fomaml", "finetune", "random")  # where the inner loop may start from


@dataclass(frozen=True)
class StepRecord:
    start: str                   # "maml", "fomaml", "finetune" or "random"
    step: int                    # 0 = before adapting
    support_loss: float
    top: list[int]               # top-10 toy indices after this step
    ndcg: float | None = None    # on the query set, when the family's likes are known
    recall: float | None = None


def starting_learner(engine: Engine, start: str) -> GradientLearner:
    """The gradient learner whose initial parameters the inner loop starts from."""
    if start == "random":
        base = engine.learners["maml"]
        params = init_params(engine.model_config, seed=12345)
        return GradientLearner(GRADIENT_METHODS["maml"], params, engine.feats, base.steps, base.lr)
    if start not in STARTS:
        raise KeyError(f"unknown starting point {start!r}; choose one of {STARTS}")
    return engine.learners[start]


def adaptation_steps(engine: Engine, start: str, support, candidates: np.ndarray,
                     relevant: np.ndarray | None = None, steps: int = 10,
                     lr: float | None = None, k: int = 10) -> Iterator[StepRecord]:
    """Yield a :class:`StepRecord` before adapting and after each inner step (lazily: live)."""
    learner = starting_learner(engine, start)
    cand = torch.from_numpy(np.asarray(candidates, dtype=np.int64))
    rel = set(relevant.tolist()) if relevant is not None else None
    for step, state in enumerate(learner.step_through(support, steps, lr)):
        scores = learner.score(state, cand).cpu()
        top = cand[torch.topk(scores, min(k, len(cand))).indices].tolist()
        yield StepRecord(start, step, state.support_loss, top,
                         ndcg_at_k(top, rel, k) if rel is not None else None,
                         recall_at_k(top, rel, k) if rel is not None else None)


def rank_changes(before: list[int], after: list[int]) -> dict[int, int | None]:
    """For every toy in ``after``: places it rose (positive) since ``before``; None if new."""
    pos = {toy: i for i, toy in enumerate(before)}
    return {toy: (pos[toy] - i if toy in pos else None) for i, toy in enumerate(after)}


def category_affinity(engine: Engine, learner, state, age_months: float) -> np.ndarray:
    """The adapted model's preference per category: mean score of the suitable toys in it,
    standardised over categories (NaN where no toy of the category suits the age)."""
    eligible = engine.catalog.eligible(age_months)
    scores = learner.score(state, torch.from_numpy(eligible)).cpu().numpy()
    cats = engine.feats.category.cpu().numpy()[eligible]
    out = np.full(len(CATEGORIES), np.nan)
    for c in range(len(CATEGORIES)):
        if (cats == c).any():
            out[c] = scores[cats == c].mean()
    return _standardise(out)


def true_affinity(family, catalog) -> np.ndarray:
    """A simulated family's hidden category taste, standardised over the categories it can see."""
    seen = np.isin(np.arange(len(CATEGORIES)),
                   catalog.frame["category"].map(CATEGORIES.index).to_numpy()[family.eligible])
    return _standardise(np.where(seen, family.category_taste, np.nan))


def _standardise(x: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(x)
    if ok.sum() < 2:
        return x
    return np.where(ok, (x - np.nanmean(x)) / (np.nanstd(x) + 1e-9), np.nan)
