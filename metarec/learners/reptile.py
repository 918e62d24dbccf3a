"""Reptile: move the initialisation towards the weights adapted on each family.

First-order by construction: the outer update is ``params - adapted`` averaged over the tasks,
where ``adapted`` ran the inner loop on *all* of the family's labelled toys. Written as a loss,
that is half the squared distance to the (constant) adapted weights, whose gradient is exactly
that difference. Reptile learns only what its inner loop adapts, so here the inner loop also
adapts the per-toy biases (otherwise they would stay at zero and Reptile could never learn what
is popular).

References:
    Nichol, Achiam & Schulman, "On First-Order Meta-Learning Algorithms", 2018.

Example:
    >>> loss = REPTILE.bind(feats, steps=5, lr=0.5)
"""
from __future__ import annotations

import torch

from ..core.episodes import Task
from ..core.model import ITEM_BIAS_KEYS
from .gradient import GradientMethod
from .inner_loop import InnerLoop, inner_loop
from .maml import ALL_ADAPTABLE


def all_labelled(task: Task) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(items, labels, weights) of the support and query sets together."""
    return (torch.cat([task.s_items, task.q_items]), torch.cat([task.s_labels, task.q_labels]),
            torch.cat([task.s_weights, task.q_weights]))


def reptile_task_loss(params: dict, task: Task, *, feats, inner: InnerLoop):
    """Half the squared distance from ``params`` to the weights adapted on the whole task."""
    items, labels, weights = all_labelled(task)
    fast = inner_loop(params, feats, task.age, items, labels, weights, inner.steps, inner.lr,
                      inner.keys, first_order=True)
    return 0.5 * sum(((params[k] - fast[k].detach()) ** 2).sum() for k in inner.keys)


REPTILE = GradientMethod("reptile", "Nichol, Achiam & Schulman, 2018",
                         ALL_ADAPTABLE + ITEM_BIAS_KEYS, reptile_task_loss, first_order=True)
