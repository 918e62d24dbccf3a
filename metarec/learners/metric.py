"""Metric-based learners: a meta-learned embedding plus a rule that compares toys with the support.

They adapt without gradient steps: ``adapt`` only embeds the support set and summarises it (a
prototype, the support embeddings themselves, ...); ``score`` compares candidate toys with that
summary. Each method is three pure functions (initial parameters, support summary, query logits),
so one episodic training loss serves them all. Like every learner here, each also learns a per-toy
bias (what is liked regardless of family) added to its logits; the family-specific part is the
method's own comparison rule.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch

from ..core.episodes import Support, Task
from ..core.features import ToyFeatures
from ..core.model import EMBEDDING_KEYS, ITEM_BIAS_KEYS, ModelConfig, embed, init_params
from .inner_loop import balanced_bce_logits


@dataclass(frozen=True)
class MetricMethod:
    """A metric-based method as three pure functions; see the module docstring."""

    name: str
    paper: str
    extra_params: Callable[[ModelConfig, int], dict]   # parameters beyond the toy encoder
    summarise: Callable    # (params, feats, items, labels, weights) -> summary (tuple of tensors)
    query_logits: Callable  # (params, feats, summary, items) -> like-logits
    task_loss: Callable     # (params, task, *, feats) -> the episodic loss, vmap-able

    def init(self, cfg: ModelConfig, seed: int = 0) -> dict:
        keep = EMBEDDING_KEYS + ITEM_BIAS_KEYS
        params = {k: v for k, v in init_params(cfg, seed).items() if k in keep}
        return {**params, **self.extra_params(cfg, seed)}

    def logits(self, params, feats, summary, items):
        return self.query_logits(params, feats, summary, items) + params["item_bias"][items]

    def bind(self, feats: ToyFeatures) -> Callable:
        """This method's ``task_loss(params, task)`` on ``feats``."""
        return partial(self.task_loss, feats=feats)


def metric_task_loss(params: dict, task: Task, *, feats, method: MetricMethod):
    """Episodic training loss (vmap-able): summarise the support, balanced BCE on the query."""
    summary = method.summarise(params, feats, task.s_items, task.s_labels, task.s_weights)
    return balanced_bce_logits(method.logits(params, feats, summary, task.q_items), task.q_labels,
                               task.q_weights)


def class_means(emb: torch.Tensor, labels, weights):
    """(mean embedding of liked toys, mean embedding of the others); ``weights`` masks padding."""
    pos, neg = labels * weights, (1.0 - labels) * weights
    return ((emb * pos.unsqueeze(-1)).sum(0) / pos.sum().clamp_min(1.0),
            (emb * neg.unsqueeze(-1)).sum(0) / neg.sum().clamp_min(1.0))


class MetricLearner:
    """The :class:`~metarec.learners.base.Learner` of a :class:`MetricMethod`."""

    def __init__(self, method: MetricMethod, params: dict, feats: ToyFeatures):
        self.method, self.feats = method, feats
        self.name, self.paper = method.name, method.paper
        self.params = {k: v.detach().to(feats.x.device) for k, v in params.items()}

    def adapt(self, support: Support):
        dev = self.feats.x.device
        labels = support.labels.to(dev)
        with torch.no_grad():
            return self.method.summarise(self.params, self.feats, support.items.to(dev), labels,
                                         torch.ones_like(labels))

    def score(self, state, toys: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.method.logits(self.params, self.feats, state, toys.to(self.feats.x.device))

    def embeddings(self) -> torch.Tensor:
        """Every toy's vector under the meta-learned encoder (for the embeddings map)."""
        with torch.no_grad():
            return embed(self.params, self.feats.x)
