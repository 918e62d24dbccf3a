"""Every learner behind one interface (:class:`~metarec.learners.base.Learner`), by name."""
from __future__ import annotations

import torch

from .base import Learner
from .baselines import ContentKNN, PopularityByAge
from .gradient import GRADIENT_METHODS, GradientLearner
from .matching import MATCHING
from .metric import MetricLearner
from .protonet import PROTONET
from .relation import RELATION

METRIC_LEARNERS = {m.name: m for m in (PROTONET, MATCHING, RELATION)}

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
