"""Matching Networks for one family, without full-context embeddings.

A candidate toy attends over the support toys with a softmax of scaled cosine similarities of
their embeddings; its probability of being liked is the attention mass on the liked support toys,
and its like-logit the log-odds of that probability. Unlike a prototypical network it compares a
toy with every support toy, not with a class mean.

References:
    Vinyals, Blundell, Lillicrap, Kavukcuoglu & Wierstra, "Matching Networks for One Shot
    Learning", NeurIPS 2016.

Example:
    >>> learner = MetricLearner(MATCHING, params, feats)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..core.episodes import Task
from ..core.model import embed
from .metric import MetricMethod, metric_task_loss


def _extra(cfg, seed):
    return {"match.log_scale": torch.tensor(1.5)}


def summarise(params, feats, items, labels, weights):
    return F.normalize(embed(params, feats.x[items]), dim=-1), labels, weights


def query_logits(params, feats, summary, items):
    support, labels, weights = summary
    query = F.normalize(embed(params, feats.x[items]), dim=-1)
    att = params["match.log_scale"].exp() * query @ support.T
    att = att.masked_fill(weights.unsqueeze(0) == 0, -1e9).softmax(-1)  # padding gets no attention
    p_like = (att * labels.unsqueeze(0)).sum(-1).clamp(1e-6, 1 - 1e-6)
    return torch.log(p_like) - torch.log1p(-p_like)


def matching_task_loss(params: dict, task: Task, *, feats):
    """Matching networks' episodic loss: summarise the support set, balanced BCE on the query set."""
    return metric_task_loss(params, task, feats=feats, method=MATCHING)


MATCHING = MetricMethod("matching", "Vinyals et al., NeurIPS 2016", _extra, summarise, query_logits,
                        matching_task_loss)
