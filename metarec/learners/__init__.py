"""Every learner behind one interface (:class:`~metarec.learners.base.Learner`), by name."""
from __future__ import annotations

import torch

from .base import Learner
from .baselines import ContentKNN, PopularityByAge
from .gradient import GRADIENT_METHODS, GradientLearner

DEFAULT_METHOD = "maml"


def build_learners(bundle: dict, feats) -> dict[str, Learner]:
    """Learners from a checkpoint bundle, on ``feats``' device, meta-learners first."""
    learners: dict[str, Learner] = {}
    for name, spec in bundle["models"].items():
        learners[name] = GradientLearner(GRADIENT_METHODS[name], spec["params"], feats, spec["steps"],
                                         spec["lr"])
    learners["knn"] = ContentKNN(feats)
    learners["popularity"] = PopularityByAge(torch.as_tensor(bundle["popularity"]).to(feats.x.device))
    return learners


__all__ = ["Learner", "build_learners", "DEFAULT_METHOD", "GRADIENT_METHODS"]
