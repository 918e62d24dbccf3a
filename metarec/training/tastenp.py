"""Episodic training of the taste neural process (:mod:`metarec.learners.tastenp`).

The shared outer loop (:mod:`.outer_loop`) with this method's task loss, its own episodes (k
uniform in 1..10 liked toys; k // 2 disliked half the time, else 0..k // 2 + 1; every other
suitable toy as the query) and validation on the mean nDCG@10 at 1, 3 and 5 shots.

Example:
    >>> params, log = train_tastenp(world, feats, popularity, seed=0)
"""
from __future__ import annotations

from functools import partial

import numpy as np
import torch

from ..core.episodes import EpisodeSampler, Task, collate, evaluation_episodes, sample_episode
from ..evaluation.toybox import mean_ndcg
from ..learners.tastenp import NPConfig, TasteNP, init_params, make_tables, tastenp_task_loss
from .outer_loop import OuterLoop, outer_loop

CONFIG = NPConfig(hidden=32, rounds=2, loss="bce", taste_dim=4)   # chosen on validation
BUDGET = OuterLoop(meta_batch=64, outer_lr=3e-3, max_iters=3000, eval_every=250, patience=6,
                   lr_schedule="cosine")
VAL_SHOTS = (1, 3, 5)


class AllToysSampler(EpisodeSampler):
    """Training episodes whose query is every other suitable toy of the family."""

    def __init__(self, families, seed: int = 0):
        super().__init__(families, shots=tuple(range(1, 11)), seed=seed)

    def episode(self):
        family = self.families[self.rng.integers(len(self.families))]
        k = int(self.rng.choice(self.shots))
        d = k // 2 if self.rng.random() < 0.5 else int(self.rng.integers(0, k // 2 + 2))
        return sample_episode(family, k, self.rng, n_disliked=d)

    def batch(self, size: int) -> Task:
        return collate([self.episode() for _ in range(size)], query="all")


def train_tastenp(world, feats, popularity, seed: int = 0, config: NPConfig = CONFIG,
                  budget: OuterLoop = BUDGET, device=None, on_progress=None,
                  show_bar: bool = False) -> tuple[dict, dict]:
    """Meta-train TasteNP on the training families; early stopping on the validation families.

    Returns:
        (parameters, log) for the checkpoint and its manifest.
    """
    device = device or feats.x.device
    tables = make_tables(feats, popularity)
    sampler = AllToysSampler(world.families("train"), seed=seed)
    val = [evaluation_episodes(world.families("val"), k, seed=0) for k in VAL_SHOTS]

    def validate(p) -> float:
        learner = TasteNP(p, feats, popularity)
        return float(np.mean([mean_ndcg(learner, eps) for eps in val]))

    params, log = outer_loop("tastenp", init_params(config, len(feats), seed),
                             partial(tastenp_task_loss, tables=tables, loss=config.loss),
                             sampler.batch, validate, budget, torch.device(device),
                             on_progress, show_bar)
    log["config"] = config.to_dict()
    log["validation"] = "mean nDCG@10 over 1/3/5 shots (validation families, episode seed 0)"
    return params, log
