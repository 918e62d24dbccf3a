"""The scorer: a small network that scores (child, toy) pairs, written as a pure function.

Parameters live in a plain ``dict`` and are passed in on every call; nothing is stored in a module.
(``torch.func.functional_call`` would do the same on an ``nn.Module``, but it swaps the module's
parameters in place for the duration of a call, which is not safe when several families are served
from one shared model in different threads.) The layers follow MeLU (Lee et al., KDD 2019):
*embedding* layers turn toy features into a toy vector, *decision* layers combine it with the child
and the age fit into a like-logit; a per-toy bias holds what is popular regardless of family.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .features import CHILD_DIM, PAIR_DIM, ToyFeatures, child_features, pair_features

EMBEDDING_KEYS = ("toy1.weight", "toy1.bias", "toy2.weight", "toy2.bias")
DECISION_KEYS = ("dec1.weight", "dec1.bias", "out.weight", "out.bias")
ITEM_BIAS_KEYS = ("item_bias",)  # per-toy popularity; only Reptile adapts it (see learners/gradient.py)


@dataclass(frozen=True)
class ModelConfig:
    toy_dim: int
    n_items: int
    hidden: int = 64  # width of both hidden layers
    embed: int = 32   # toy embedding size (also what the embeddings page maps in 2-D)

    def to_dict(self) -> dict:
        return asdict(self)


def init_params(cfg: ModelConfig, seed: int = 0) -> dict[str, torch.Tensor]:
    """Fresh parameters with PyTorch's default ``nn.Linear`` initialisation, as a detached dict."""
    layers = {"toy1": (cfg.toy_dim, cfg.hidden), "toy2": (cfg.hidden, cfg.embed),
              "dec1": (cfg.embed + CHILD_DIM + PAIR_DIM, cfg.hidden), "out": (cfg.hidden, 1)}
    params = {}
    with torch.random.fork_rng():  # seeded, without disturbing the caller's random state
        torch.manual_seed(seed)
        for name, (n_in, n_out) in layers.items():
            layer = nn.Linear(n_in, n_out)
            params[f"{name}.weight"] = layer.weight.detach().clone()
            params[f"{name}.bias"] = layer.bias.detach().clone()
    params["item_bias"] = torch.zeros(cfg.n_items)
    return params


def embed(params: dict, toy_x: torch.Tensor) -> torch.Tensor:
    """Toy vectors ``[n, embed]`` from toy features (the embedding layers)."""
    h = F.relu(F.linear(toy_x, params["toy1.weight"], params["toy1.bias"]))
    return F.linear(h, params["toy2.weight"], params["toy2.bias"])


def decide(params: dict, toy_emb, child_x, pair_x, items) -> torch.Tensor:
    """Like-logits ``[n]`` from toy vectors, the child and the age fit (the decision layers)."""
    child = child_x.expand(toy_emb.shape[0], -1)
    h = F.relu(F.linear(torch.cat([toy_emb, child, pair_x], -1), params["dec1.weight"],
                        params["dec1.bias"]))
    return F.linear(h, params["out.weight"], params["out.bias"]).squeeze(-1) + params["item_bias"][items]


def logits(params: dict, feats: ToyFeatures, age_months, items: torch.Tensor) -> torch.Tensor:
    """Like-logits of toys ``items`` for a child of ``age_months`` under ``params``."""
    age = torch.as_tensor(age_months, dtype=torch.float32, device=feats.x.device)
    pair = pair_features(age, feats.min_age[items], feats.max_age[items])
    return decide(params, embed(params, feats.x[items]), child_features(age), pair, items)
