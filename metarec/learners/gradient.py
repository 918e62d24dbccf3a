"""Optimisation-based learners: a few SGD steps from a (meta-)learned initialisation.

One class serves four methods; they differ only in how the initial parameters were trained and
which parameters the inner loop may change:

- ``maml``: MAML, second-order (Finn, Abbeel & Levine, ICML 2017), adapts the whole scorer.
- ``fomaml``: first-order MAML (same paper, section 5.2; Nichol et al., 2018), adapts the whole scorer.
- ``melu``: MeLU (Lee et al., KDD 2019): local update of the decision layers only; the embedding
  layers are updated only globally, across families.
- ``finetune``: the same network trained on all training families *without* meta-learning, then
  fine-tuned on the support set: transfer learning, the honest non-meta baseline.
- ``reptile``: Reptile (Nichol, Achiam & Schulman, 2018): the outer update moves the initialisation
  towards the weights adapted on each family's data; first-order by construction. Reptile learns
  only what its inner loop adapts, so here the inner loop also adapts the per-toy biases (otherwise
  they would stay at zero and Reptile could never learn what is popular).
- ``metasgd``: Meta-SGD (Li et al., 2017): MAML whose per-parameter inner step sizes are learned too.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..episodes import Support
from ..features import ToyFeatures
from ..model import DECISION_KEYS, EMBEDDING_KEYS, ITEM_BIAS_KEYS, logits
from .inner_loop import balanced_bce, inner_loop

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
    learned_lr: bool = False  # Meta-SGD: per-parameter step sizes are meta-learned too
    outer: str = "maml"    # "maml": backprop the query loss; "reptile": move towards adapted weights


GRADIENT_METHODS = {m.name: m for m in (
    GradientMethod("maml", "MAML (second-order)", "Finn, Abbeel & Levine, ICML 2017",
                   ALL_ADAPTABLE, first_order=False),
    GradientMethod("fomaml", "MAML (first-order)", "Finn et al., ICML 2017; Nichol et al., 2018",
                   ALL_ADAPTABLE, first_order=True),
    GradientMethod("melu", "MeLU (decision layers adapt)", "Lee et al., KDD 2019",
                   DECISION_KEYS, first_order=False),
    GradientMethod("finetune", "Pretrained + fine-tuning (no meta-learning)",
                   "baseline: transfer learning", ALL_ADAPTABLE, first_order=True, meta=False),
    GradientMethod("reptile", "Reptile", "Nichol, Achiam & Schulman, 2018",
                   ALL_ADAPTABLE + ITEM_BIAS_KEYS, first_order=True, outer="reptile"),
    GradientMethod("metasgd", "Meta-SGD (learned step sizes)", "Li, Zhou, Chen & Li, 2017",
                   ALL_ADAPTABLE, first_order=False, learned_lr=True),
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

    def adapt(self, support: Support) -> AdaptedState:
        """Adapt to one family: ``steps`` SGD steps on its support set."""
        *_, state = self.step_through(support, with_loss=False)
        return state

    def step_through(self, support: Support, steps: int | None = None, lr: float | None = None,
                     with_loss: bool = True):
        """Yield the state before any step and after each inner step, one at a time (live curves);
        each carries its support loss unless ``with_loss`` is False."""
        device = self.feats.x.device
        items, labels = support.items.to(device), support.labels.to(device)
        age = torch.tensor(float(support.age_months), device=device)
        weights = torch.ones_like(labels)
        params, lr = self.params, self.step_sizes() if lr is None else lr
        for step in range((self.steps if steps is None else steps) + 1):
            if step:
                params = inner_loop(params, self.feats, age, items, labels, weights, 1, lr,
                                    self.method.adapt_keys)
                params = {k: v.detach() for k, v in params.items()}
            loss = None
            if with_loss:
                with torch.no_grad():
                    loss = float(balanced_bce(params, self.feats, age, items, labels, weights))
            yield AdaptedState(params, float(support.age_months), loss)

    def step_sizes(self):
        """The inner step size: one number, or per parameter for Meta-SGD."""
        if self.method.learned_lr:
            return {k: self.params[f"lr.{k}"].exp() for k in self.method.adapt_keys}
        return self.lr

    def score(self, state: AdaptedState, toys: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return logits(state.params, self.feats, state.age_months,
                          toys.to(self.feats.x.device))
