"""Every learner behind one interface (:class:`~metarec.learners.base.Learner`), by name.

One file per algorithm: :mod:`.maml` (MAML, first-order MAML, Meta-SGD), :mod:`.melu`,
:mod:`.reptile`, :mod:`.finetune` (the non-meta transfer baseline), :mod:`.protonet`,
:mod:`.matching`, :mod:`.relation`, :mod:`.baselines` (popularity by age, content k-NN).
"""
from __future__ import annotations

import torch

from .base import Learner
from .baselines import ContentKNN, PopularityByAge
from .finetune import FINETUNE
from .gradient import GradientLearner, GradientMethod
from .matching import MATCHING
from .maml import FOMAML, MAML, METASGD
from .melu import MELU
from .metric import MetricLearner, MetricMethod
from .protonet import PROTONET
from .relation import RELATION
from .reptile import REPTILE

GRADIENT_METHODS: dict[str, GradientMethod] = {
    m.name: m for m in (MAML, FOMAML, MELU, FINETUNE, REPTILE, METASGD)}
METRIC_LEARNERS: dict[str, MetricMethod] = {m.name: m for m in (PROTONET, MATCHING, RELATION)}

DEFAULT_METHOD = "maml"


def make_learner(name: str, spec: dict, feats) -> Learner:
    """A trained learner from its checkpoint entry (``params`` plus its adaptation settings)."""
    if name in GRADIENT_METHODS:
        return GradientLearner(GRADIENT_METHODS[name], spec["params"], feats, spec["steps"], spec["lr"])
    if name in METRIC_LEARNERS:
        return MetricLearner(METRIC_LEARNERS[name], spec["params"], feats)
    raise KeyError(f"no learner called {name!r}")


def build_learners(bundle: dict, feats) -> dict[str, Learner]:
    """Learners from a checkpoint bundle, on ``feats``' device, meta-learners first."""
    learners: dict[str, Learner] = {name: make_learner(name, spec, feats)
                                    for name, spec in bundle["models"].items()}
    learners["knn"] = ContentKNN(feats)
    learners["popularity"] = PopularityByAge(torch.as_tensor(bundle["popularity"]).to(feats.x.device))
    return learners


__all__ = ["Learner", "build_learners", "make_learner", "DEFAULT_METHOD", "GRADIENT_METHODS",
           "METRIC_LEARNERS"]
