"""The inner loop shared by every gradient-based learner, as pure functions.

Parameters go in, adapted parameters come out; nothing is mutated. ``torch.func.grad`` makes the
loop differentiable for second-order MAML and ``torch.func.vmap`` batches it over tasks.

References:
    Finn, Abbeel & Levine, "Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks",
    ICML 2017.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.func import grad

from ..core.features import ToyFeatures
from ..core.model import logits


@dataclass(frozen=True)
class InnerLoop:
    """How a gradient learner adapts to one task.

    Arguments:
        keys: the parameters the inner loop may change (the rest stay as meta-learned).
        steps: SGD steps on the support loss.
        lr: the step size (Meta-SGD reads per-parameter step sizes from the parameters instead).
        first_order: drop the second-order terms (first-order MAML, Reptile).
    """

    keys: tuple[str, ...]
    steps: int
    lr: float
    first_order: bool = False


def balanced_bce_logits(scores: torch.Tensor, labels, weights) -> torch.Tensor:
    """Binary cross-entropy with liked and not-liked toys weighted equally (``weights`` masks padding)."""
    bce = F.binary_cross_entropy_with_logits(scores, labels, reduction="none")
    pos, neg = labels * weights, (1.0 - labels) * weights
    return (bce * pos).sum() / pos.sum().clamp_min(1.0) + (bce * neg).sum() / neg.sum().clamp_min(1.0)


def balanced_bce(params: dict, feats: ToyFeatures, age, items, labels, weights) -> torch.Tensor:
    """:func:`balanced_bce_logits` of the scorer's logits under ``params``."""
    return balanced_bce_logits(logits(params, feats, age, items), labels, weights)


def inner_loop(params: dict, feats: ToyFeatures, age, items, labels, weights,
               steps: int, lr, keys: Sequence[str], first_order: bool = False,
               loss=balanced_bce) -> dict:
    """The parameters after ``steps`` SGD steps on the support loss, adapting only ``keys``.

    Arguments:
        params: the starting parameters (a dict of tensors; not modified).
        feats, age, items, labels, weights: what ``loss`` reads (one task's support set).
        steps: number of SGD steps.
        lr: one step size, or a dict of per-parameter step sizes (Meta-SGD).
        keys: the parameters to adapt.
        first_order: drop the second-order terms (first-order MAML).
        loss: ``loss(params, feats, who, items, labels, weights)``, the support loss: the toy
            scorer's balanced BCE by default; the MovieLens MeLU passes a rating MSE.

    Example:
        >>> fast = inner_loop(params, feats, age, s_items, s_labels, s_w, 5, 0.5, DECISION_KEYS)
    """
    fast = {k: params[k] for k in keys}
    frozen = {k: v for k, v in params.items() if k not in fast}

    def loss_fn(f):
        return loss({**frozen, **f}, feats, age, items, labels, weights)

    g_fn = grad(loss_fn)
    for _ in range(steps):
        g = g_fn(fast)
        if first_order:
            g = {k: v.detach() for k, v in g.items()}
        fast = {k: fast[k] - (lr[k] if isinstance(lr, dict) else lr) * g[k] for k in fast}
    return {**frozen, **fast}
