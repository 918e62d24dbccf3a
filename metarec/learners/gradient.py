"""Optimisation-based learners: a few SGD steps from a (meta-)learned initialisation.

One class serves four methods; they differ only in how the initial parameters were trained and
which parameters the inner loop may change:

- ``maml``: MAML, second-order (Finn, Abbeel & Levine, ICML 2017), adapts the whole scorer.
- ``fomaml``: first-order MAML (same paper, section 5.2; Nichol et al., 2018), adapts the whole scorer.
- ``melu``: MeLU (Lee et al., KDD 2019): local update of the decision layers only; the embedding
  layers are updated only globally, across families.
- ``finetune``: the same network trained on all training families *without* meta-learning, then
  fine-tuned on the support set: transfer learning, the honest non-meta baseline.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..episodes import Support
from ..features import ToyFeatures
from ..model import DECISION_KEYS, EMBEDDING_KEYS, logits
from .inner_loop import inner_loop

ALL_ADAPTABLE = EMBEDDING_KEYS + DECISION_KEYS


@dataclass(frozen=True)
class GradientMethod:
    """How a gradient learner is trained and adapted."""

    name: str
    title: str
    paper: str
    adapt_keys: tuple[str, ...]
    first_order: bool      # meta-training drops second-order terms
    meta: bool = True      # False: plain pretraining (no inner loop during training)


GRADIENT_METHODS = {m.name: m for m in (
    GradientMethod("maml", "MAML (second-order)", "Finn, Abbeel & Levine, ICML 2017",
                   ALL_ADAPTABLE, first_order=False),
    GradientMethod("fomaml", "MAML (first-order)", "Finn et al., ICML 2017; Nichol et al., 2018",
                   ALL_ADAPTABLE, first_order=True),
    GradientMethod("melu", "MeLU (decision layers adapt)", "Lee et al., KDD 2019",
                   DECISION_KEYS, first_order=False),
    GradientMethod("finetune", "Pretrained + fine-tuning (no meta-learning)",
                   "baseline: transfer learning", ALL_ADAPTABLE, first_order=True, meta=False),
)}


@dataclass(frozen=True)
class AdaptedState:
    params: dict
    age_months: float
    support_loss: float | None = None


class GradientLearner:
    """``adapt`` = ``steps`` SGD steps of size ``lr`` on the support loss from ``params``."""

    def __init__(self, method: GradientMethod, params: dict, feats: ToyFeatures, steps: int,
                 lr: float):
        self.method, self.feats = method, feats
        self.name, self.title, self.paper = method.name, method.title, method.paper
        device = feats.x.device
        self.params = {k: v.detach().to(device) for k, v in params.items()}
        self.steps, self.lr = int(steps), float(lr)

    def adapt(self, support: Support, trace: list | None = None, steps: int | None = None,
              lr: float | None = None) -> AdaptedState:
        """Adapt to one family; ``trace`` (a list) collects the parameters after every step."""
        device = self.feats.x.device
        items, labels = support.items.to(device), support.labels.to(device)
        age = torch.tensor(float(support.age_months), device=device)
        params = inner_loop(self.params, self.feats, age, items, labels,
                            torch.ones_like(labels), self.steps if steps is None else steps,
                            self.lr if lr is None else lr, self.method.adapt_keys, trace=trace)
        return AdaptedState({k: v.detach() for k, v in params.items()}, float(support.age_months))

    def score(self, state: AdaptedState, toys: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return logits(state.params, self.feats, state.age_months,
                          toys.to(self.feats.x.device))
