"""MeLU: local update of the decision layers only, global update of everything.

The scorer's *embedding* layers (toy features -> toy vector) are shared by every family and
updated only across families (the global update); the *decision* layers (toy vector, child, age
fit -> like-logit) are what each family's inner loop adapts (the local update). The
meta-objective is MAML's, restricted to those layers.

References:
    Lee, Im, Jang, Cho & Chung, "MeLU: Meta-Learned User Preference Estimator for Cold-Start
    Recommendation", KDD 2019.

Example:
    >>> loss = MELU.bind(feats, steps=5, lr=0.5)
"""
from __future__ import annotations

from ..core.episodes import Task
from ..core.model import DECISION_KEYS
from .gradient import GradientMethod
from .inner_loop import InnerLoop
from .maml import maml_task_loss


def melu_task_loss(params: dict, task: Task, *, feats, inner: InnerLoop):
    """The query loss after the local update of the decision layers (``inner.keys``); its
    gradient is the global update of every layer, the embedding layers included."""
    return maml_task_loss(params, task, feats=feats, inner=inner)


MELU = GradientMethod("melu", "Lee et al., KDD 2019", DECISION_KEYS, melu_task_loss)
