"""MAML (second- and first-order) and Meta-SGD: learn an initialisation that adapts well.

The meta-objective of one task is the query loss *after* the inner loop adapted the parameters on
the support set; meta-training differentiates through the inner SGD steps (second order), drops
those terms (first order), or also learns one step size per parameter (Meta-SGD).

References:
    Finn, Abbeel & Levine, "Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks",
    ICML 2017 (first order: section 5.2).
    Nichol, Achiam & Schulman, "On First-Order Meta-Learning Algorithms", 2018.
    Li, Zhou, Chen & Li, "Meta-SGD: Learning to Learn Quickly for Few-Shot Learning", 2017.

Example:
    >>> loss = MAML.bind(feats, steps=5, lr=0.5)          # loss(params, task)
    >>> meta_loss = vmap(loss, in_dims=(None, 0))(params, batch).mean()
"""
from __future__ import annotations

import torch

from ..core.episodes import Task
from ..core.model import DECISION_KEYS, EMBEDDING_KEYS
from .gradient import GradientMethod, step_sizes
from .inner_loop import InnerLoop, balanced_bce, inner_loop

ALL_ADAPTABLE = EMBEDDING_KEYS + DECISION_KEYS


def query_loss_after(params: dict, task: Task, feats, inner: InnerLoop, lr) -> torch.Tensor:
    """The query loss after ``inner.steps`` SGD steps of size ``lr`` on the support set."""
    fast = inner_loop(params, feats, task.age, task.s_items, task.s_labels, task.s_weights,
                      inner.steps, lr, inner.keys, inner.first_order)
    return balanced_bce(fast, feats, task.age, task.q_items, task.q_labels, task.q_weights)


def maml_task_loss(params: dict, task: Task, *, feats, inner: InnerLoop):
    """MAML's meta-objective for one task (first order when ``inner.first_order``)."""
    return query_loss_after(params, task, feats, inner, inner.lr)


def metasgd_task_loss(params: dict, task: Task, *, feats, inner: InnerLoop):
    """Meta-SGD's: the same, with the learned per-parameter step sizes."""
    return query_loss_after(params, task, feats, inner, step_sizes(params, inner.keys))


MAML = GradientMethod("maml", "Finn, Abbeel & Levine, ICML 2017", ALL_ADAPTABLE, maml_task_loss)
FOMAML = GradientMethod("fomaml", "Finn et al., ICML 2017; Nichol et al., 2018", ALL_ADAPTABLE,
                        maml_task_loss, first_order=True)
METASGD = GradientMethod("metasgd", "Li, Zhou, Chen & Li, 2017", ALL_ADAPTABLE, metasgd_task_loss,
                         learned_lr=True)
