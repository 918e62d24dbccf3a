"""Prototypical Networks for one family.

A family's *prototype* is the mean embedding of the toys it likes; a second prototype is the mean
of the toys it did not pick (dislikes and implicit negatives). A toy's like-logit is the two-class
log-odds of the prototypical softmax over squared Euclidean distances:
``scale * (d(toy, other) - d(toy, like))``, with a learned ``scale``. Adapting is computing the two
prototypes: no gradient step at test time.

References:
    Snell, Swersky & Zemel, "Prototypical Networks for Few-shot Learning", NeurIPS 2017.

Example:
    >>> loss = PROTONET.bind(feats)                  # loss(params, task), vmap-able
    >>> learner = MetricLearner(PROTONET, params, feats)
"""
from __future__ import annotations

import torch

from ..core.episodes import Task
from ..core.model import embed
from .metric import MetricMethod, class_means, metric_task_loss


def _extra(cfg, seed):
    return {"proto.log_scale": torch.tensor(-1.0)}


def summarise(params, feats, items, labels, weights):
    return class_means(embed(params, feats.x[items]), labels, weights)


def query_logits(params, feats, summary, items):
    like, other = summary
    emb = embed(params, feats.x[items])
    return params["proto.log_scale"].exp() * (((emb - other) ** 2).sum(-1) - ((emb - like) ** 2).sum(-1))


def protonet_task_loss(params: dict, task: Task, *, feats):
    """Prototypical networks' episodic loss: summarise the support set, balanced BCE on the query set."""
    return metric_task_loss(params, task, feats=feats, method=PROTONET)


PROTONET = MetricMethod("protonet", "Snell, Swersky & Zemel, NeurIPS 2017", _extra, summarise, query_logits,
                        protonet_task_loss)
