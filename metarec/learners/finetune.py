"""Pretrained + fine-tuning: the honest non-meta baseline (transfer learning).

The same network is trained on every labelled toy of the training families with no inner loop
(plain multi-task pretraining), then fine-tuned on a new family's support set with the same
inner loop the meta-learners use; its step size is chosen on the validation families.

References:
    Chen, Liu, Kira, Wang & Huang, "A Closer Look at Few-shot Classification", ICLR 2019 (a
    plainly pretrained network, fine-tuned on the support set, is a strong few-shot baseline).

Example:
    >>> loss = FINETUNE.bind(feats, steps=5, lr=0.5)      # ignores the inner loop
"""
from __future__ import annotations

from ..core.episodes import Task
from .gradient import GradientMethod
from .inner_loop import InnerLoop, balanced_bce
from .maml import ALL_ADAPTABLE
from .reptile import all_labelled


def pretrain_task_loss(params: dict, task: Task, *, feats, inner: InnerLoop):
    """The scorer's balanced BCE on all of the family's labelled toys (no adaptation)."""
    items, labels, weights = all_labelled(task)
    return balanced_bce(params, feats, task.age, items, labels, weights)


FINETUNE = GradientMethod("finetune", "baseline: transfer learning", ALL_ADAPTABLE,
                          pretrain_task_loss, first_order=True, meta=False)
