"""The library's gradient meta-learners (MeLU, FOMAML, MAML, fine-tuning) on real-data tasks.

The scorer, inner loop, loss and learner are the toy world's (:mod:`metarec.core.model`,
:func:`~metarec.learners.inner_loop.inner_loop`, :func:`~metarec.learners.inner_loop.balanced_bce`,
:class:`~metarec.learners.gradient.GradientLearner`); only the tasks differ, and a data set brings
them as ``sample_batch`` and ``validate`` (:mod:`metarec.realdata.amazon`,
:mod:`metarec.realdata.movielens`). The per-item bias is learned globally (it carries popularity),
the embedding layers read the item's text / attribute features, and each user's support set drives
the inner loop. There is no user age on either data set, so the child-age input is a constant
(:data:`metarec.realdata.tasks.NEUTRAL_AGE`).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.func import vmap

from ..core.episodes import Task
from ..core.features import ToyFeatures
from ..core.model import ModelConfig, logits
from ..learners import GRADIENT_METHODS
from ..learners.gradient import GradientLearner
from ..learners.inner_loop import inner_loop
from ..training.outer_loop import outer_loop
from ..training.toybox import TrainConfig, training_problem
from .ranking import Scorer
from .tasks import pad_tasks


def meta_train(method_name: str, feats: ToyFeatures, n_items: int,
               sample_batch: Callable[[np.random.Generator, int], Task],
               validate: Callable[[GradientLearner], float], cfg: TrainConfig,
               log: Callable[[str], None] | None = None) -> tuple[dict, dict]:
    """Meta-train one of the library's gradient learners on real-data tasks.

    Runs the library's outer loop (:func:`metarec.training.outer_loop.outer_loop`: Adam, validation
    every ``cfg.eval_every`` steps, early stopping) on the method's own task loss.

    Arguments:
        method_name: a key of :data:`metarec.learners.GRADIENT_METHODS` (``"melu"``, ``"fomaml"``, ...).
        feats: the items' features (:func:`metarec.realdata.tasks.neutral_features`).
        n_items: catalogue size (the per-item bias has this many entries).
        sample_batch: ``sample_batch(rng, size) -> Task``, a meta-batch of training tasks.
        validate: ``validate(learner) -> float`` on validation users, higher is better.
        cfg: the outer loop's budget and the inner loop's steps / step size.
        log: receives a progress line at every validation.

    Returns:
        (the best parameters on validation, a log: ``best_iter``, ``best_val``, ``iters_run``,
        ``val_curve`` as ``(iteration, value)`` pairs, ``seconds``).

    References:
        Finn, Abbeel & Levine, "Model-Agnostic Meta-Learning", ICML 2017; Lee et al., "MeLU:
        Meta-Learned User Preference Estimator for Cold-Start Recommendation", KDD 2019.
    """
    model_cfg = ModelConfig(feats.dim, n_items, cfg.hidden, cfg.embed)
    params, task_loss, settings = training_problem(method_name, model_cfg, feats, cfg)
    method = GRADIENT_METHODS[method_name]
    rng = np.random.default_rng(cfg.seed)

    def progress(it, loss, val):
        if log and val is not None and loss is not None:
            log(f"{method_name} iter {it}: loss {loss:.4f} val {val:.4f}")

    best, info = outer_loop(
        method_name, params, task_loss, lambda size: sample_batch(rng, size),
        lambda p: validate(GradientLearner(method, p, feats, settings["steps"], settings["lr"])),
        cfg, feats.x.device, on_progress=progress, show_bar=False)
    return best, {"best_iter": info["best_iter"], "best_val": info["best_val_ndcg"],
                  "iters_run": info["iters_run"],
                  "val_curve": list(zip(info["iters"], info["val_ndcg@10"])),
                  "seconds": info["seconds"]}


def batched_scorer(learner: GradientLearner, n_items: int, n_implicit: int = 10,
                   max_support: int = 20, seed: int = 0) -> Scorer:
    """A batched scorer that adapts ``learner`` to every user of a batch at once.

    ``vmap`` over users of the learner's inner loop. Implicit feedback has no dislikes, so a user's
    support is their ``max_support`` most recent items as liked plus ``n_implicit`` random items as
    not liked (seeded by the support itself, so a user always gets the same ones).

    Arguments:
        learner: a trained gradient learner.
        n_items: catalogue size (candidates None = every item).
        n_implicit: random negatives added to each support.
        max_support: most recent support items kept.
        seed: seeds the random negatives.

    Returns:
        ``score(supports, candidates) -> [B, C]`` (see :mod:`metarec.realdata.ranking`).
    """
    method, feats = learner.method, learner.feats

    def adapt_one(age, items, labels, w):
        return inner_loop(learner.params, feats, age, items, labels, w, learner.steps, learner.lr,
                          method.adapt_keys)

    adapt = vmap(adapt_one)
    score_one = vmap(lambda p, age, c: logits(p, feats, age, c), in_dims=(0, 0, 0))

    def score(supports, candidates):
        s_items, s_labels = [], []
        for s in supports:
            s = s[-max_support:]
            rng = np.random.default_rng([seed, len(s), int(s[-1])])
            neg = rng.integers(0, n_items, n_implicit)
            s_items.append(np.concatenate([s, neg])); s_labels.append([1.0] * len(s) + [0.0] * n_implicit)
        b = pad_tasks(s_items, s_labels, [[0]] * len(supports), [[0.0]] * len(supports))
        with torch.no_grad():
            fast = adapt(b.age, b.s_items, b.s_labels, b.s_weights)
            if candidates is None:
                candidates = torch.arange(n_items).expand(len(supports), -1)
            out = []
            for j in range(0, len(supports), 16):   # bound memory for all-item ranking
                sl = slice(j, j + 16)
                out.append(score_one({k: v[sl] for k, v in fast.items()}, b.age[sl], candidates[sl]))
            return torch.cat(out)
    return score
