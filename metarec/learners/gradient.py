"""What every optimisation-based learner shares: a method record and the adapting learner.

A gradient method (MAML, first-order MAML, Meta-SGD, MeLU, Reptile, fine-tuning: one file each)
is a :class:`GradientMethod`: which parameters its inner loop adapts and its own task loss, the
objective its initialisation is trained with. At test time every one of them adapts the same way,
:class:`GradientLearner`: a few SGD steps on the family's support set from the trained start.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch

from ..core.episodes import Support
from ..core.features import ToyFeatures
from ..core.model import ModelConfig, init_params, logits
from .inner_loop import InnerLoop, balanced_bce, inner_loop


@dataclass(frozen=True)
class GradientMethod:
    """How a gradient learner is trained and adapted.

    Arguments:
        name: registry name (``--method``).
        paper: the paper it follows.
        adapt_keys: the parameters its inner loop changes.
        task_loss: ``task_loss(params, task, *, feats, inner) -> scalar``, vmap-able over tasks.
        first_order: meta-training drops second-order terms.
        meta: False for plain pretraining (the inner loop then runs at test time only).
        learned_lr: per-parameter inner step sizes are parameters too (Meta-SGD).
    """

    name: str
    paper: str
    adapt_keys: tuple[str, ...]
    task_loss: Callable
    first_order: bool = False
    meta: bool = True
    learned_lr: bool = False

    def init_params(self, cfg: ModelConfig, seed: int, inner_lr: float) -> dict:
        """Fresh parameters (plus log step sizes for Meta-SGD, starting at ``inner_lr``)."""
        params = init_params(cfg, seed)
        if self.learned_lr:
            params.update({f"lr.{k}": torch.full_like(params[k], math.log(inner_lr))
                           for k in self.adapt_keys})
        return params

    def bind(self, feats: ToyFeatures, steps: int, lr: float) -> Callable:
        """This method's ``task_loss(params, task)`` on ``feats`` with the given inner loop."""
        inner = InnerLoop(self.adapt_keys, steps if self.meta else 0, lr, self.first_order)
        return partial(self.task_loss, feats=feats, inner=inner)


def step_sizes(params: dict, keys) -> dict:
    """Meta-SGD's per-parameter step sizes, stored as logs in ``params["lr.<key>"]``."""
    return {k: params[f"lr.{k}"].exp() for k in keys}


@dataclass(frozen=True)
class AdaptedState:
    params: dict
    age_months: float
    support_loss: float | None = None


class GradientLearner:
    """``adapt`` = ``steps`` SGD steps of size ``lr`` on the support loss from ``params``.

    Arguments:
        method: the :class:`GradientMethod` (which parameters adapt, learned step sizes or not).
        params: the trained starting point.
        feats: the toys' features (on the device the learner runs on).
        steps, lr: the inner loop used at test time.

    Example:
        >>> learner = GradientLearner(MAML, params, feats, steps=5, lr=0.5)
        >>> scores = learner.score(learner.adapt(support), candidates)
    """

    def __init__(self, method: GradientMethod, params: dict, feats: ToyFeatures, steps: int,
                 lr: float):
        self.method, self.feats = method, feats
        self.name, self.paper = method.name, method.paper
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
            return step_sizes(self.params, self.method.adapt_keys)
        return self.lr

    def score(self, state: AdaptedState, toys: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return logits(state.params, self.feats, state.age_months,
                          toys.to(self.feats.x.device))
