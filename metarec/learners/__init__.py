"""Every learner behind one interface (:class:`~metarec.learners.base.Learner`), by name.

One file per algorithm: :mod:`.maml` (MAML, first-order MAML, Meta-SGD), :mod:`.melu`,
:mod:`.reptile`, :mod:`.finetune` (the non-meta transfer baseline), :mod:`.protonet`,
:mod:`.matching`, :mod:`.relation`, :mod:`.tastenp` (a neural process), :mod:`.bayes` (the
empirical-Bayes regression, the strong classical reference), :mod:`.baselines` (popularity by
age, content k-NN). The oracle ceiling lives with the simulator (:mod:`metarec.world.oracle`).
"""
from __future__ import annotations

import torch

from .base import Learner
from .baselines import ContentKNN, PopularityByAge
from .bayes import BayesLR
from .finetune import FINETUNE
from .gradient import GradientLearner, GradientMethod
from .matching import MATCHING
from .maml import FOMAML, MAML, METASGD
from .melu import MELU
from .metric import MetricLearner, MetricMethod
from .protonet import PROTONET
from .relation import RELATION
from .reptile import REPTILE
from .tastenp import TasteNP

GRADIENT_METHODS: dict[str, GradientMethod] = {
    m.name: m for m in (MAML, FOMAML, MELU, FINETUNE, REPTILE, METASGD)}
METRIC_LEARNERS: dict[str, MetricMethod] = {m.name: m for m in (PROTONET, MATCHING, RELATION)}

DEFAULT_METHOD = "maml"   # served when a checkpoint does not name its validation-chosen learner


def make_learner(name: str, spec: dict, feats, popularity=None) -> Learner:
    """A trained learner from its checkpoint entry.

    Arguments:
        name: the method's registry name.
        spec: its checkpoint entry (``params`` and adaptation settings; the prior for ``bayes``).
        feats: the toys' features (the learner runs on their device).
        popularity: the training families' like-rate table (``bundle["popularity"]``), read by
            the learners that use it as an input (``bayes``, ``tastenp``).
    """
    if name in GRADIENT_METHODS:
        return GradientLearner(GRADIENT_METHODS[name], spec["params"], feats, spec["steps"], spec["lr"])
    if name in METRIC_LEARNERS:
        return MetricLearner(METRIC_LEARNERS[name], spec["params"], feats)
    if name == "tastenp":
        return TasteNP(spec["params"], feats, popularity)
    if name == "bayes":
        return BayesLR.from_spec(spec, feats, popularity)
    raise KeyError(f"no learner called {name!r}")


def build_learners(bundle: dict, feats) -> dict[str, Learner]:
    """Learners from a checkpoint bundle, on ``feats``' device, in the bundle's order."""
    popularity = bundle["popularity"]
    learners: dict[str, Learner] = {name: make_learner(name, spec, feats, popularity)
                                    for name, spec in bundle["models"].items()}
    learners["knn"] = ContentKNN(feats)
    learners["popularity"] = PopularityByAge(torch.as_tensor(bundle["popularity"]).to(feats.x.device))
    return learners


__all__ = ["Learner", "build_learners", "make_learner", "DEFAULT_METHOD", "GRADIENT_METHODS",
           "METRIC_LEARNERS"]
