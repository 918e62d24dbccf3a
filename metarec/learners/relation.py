"""Relation Networks for one family.

Instead of a fixed distance, a learned *relation module* (a small MLP) scores how well a candidate
toy's embedding relates to each class summary of the support set (the mean embedding of liked toys,
and of the others); the like-logit is the difference of the two relation scores.

References:
    Sung, Yang, Zhang, Xiang, Torr & Hospedales, "Learning to Compare: Relation Network for
    Few-Shot Learning", CVPR 2018.

Example:
    >>> learner = MetricLearner(RELATION, params, feats)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..core.episodes import Task
from ..core.model import embed
from .metric import MetricMethod, class_means, metric_task_loss


def _extra(cfg, seed):
    with torch.random.fork_rng():
        torch.manual_seed(seed + 1)
        l1, l2 = nn.Linear(4 * cfg.embed, cfg.hidden), nn.Linear(cfg.hidden, 1)
    return {"rel1.weight": l1.weight.detach(), "rel1.bias": l1.bias.detach(),
            "rel2.weight": l2.weight.detach(), "rel2.bias": l2.bias.detach()}


def summarise(params, feats, items, labels, weights):
    return class_means(embed(params, feats.x[items]), labels, weights)


def _relation(params, emb, centre):
    pair = torch.cat([emb, centre.expand_as(emb), emb * centre, (emb - centre).abs()], -1)
    h = F.relu(F.linear(pair, params["rel1.weight"], params["rel1.bias"]))
    return F.linear(h, params["rel2.weight"], params["rel2.bias"]).squeeze(-1)


def query_logits(params, feats, summary, items):
    like, other = summary
    emb = embed(params, feats.x[items])
    return _relation(params, emb, like) - _relation(params, emb, other)


def relation_task_loss(params: dict, task: Task, *, feats):
    """Relation networks' episodic loss: summarise the support set, balanced BCE on the query set."""
    return metric_task_loss(params, task, feats=feats, method=RELATION)


RELATION = MetricMethod("relation", "Sung et al., CVPR 2018", _extra, summarise, query_logits,
                        relation_task_loss)
