"""A small meta-training run from random weights, for watching learning-to-learn happen live.

Second-order MAML (Finn et al., 2017) on a small simulated world, a few hundred outer steps on the
CPU. It trains a fresh copy of the parameters and returns them: the shipped model is never touched.
"""
from __future__ import annotations

from dataclasses import replace

from ..serving.engine import Engine
from .toybox import TrainConfig, fit, training_problem
from ..world import ToyWorld, WorldConfig


def mini_meta_train(engine: Engine, iters: int = 300, eval_every: int = 20, meta_batch: int = 16,
                    method: str = "maml", seed: int = 0, n_families: int = 400, n_val: int = 40,
                    on_progress=None) -> tuple[dict, dict]:
    """Meta-train ``method`` from random weights; ``on_progress(it, loss, val_ndcg)`` streams it.

    Returns the trained parameters and the log (curves, best iteration); nothing is saved.
    """
    world_cfg = replace(WorldConfig(**engine.manifest.get("config", {}).get("world", {})),
                        n_train=n_families, n_val=n_val, n_test=1)
    cfg = TrainConfig(seed=seed, max_iters=iters, eval_every=eval_every, meta_batch=meta_batch,
                      patience=iters, world=world_cfg)
    params, task_loss, settings = training_problem(method, engine.model_config, engine.feats, cfg)
    return fit(method, params, task_loss, settings, engine.feats, ToyWorld(engine.catalog, world_cfg),
               cfg, engine.device, on_progress=on_progress, show_bar=False)
