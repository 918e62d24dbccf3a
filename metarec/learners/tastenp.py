"""TasteNP: a neural process that reads a family's support set and writes down the child's taste.

Adapting is one forward pass, no gradient step (an *amortised posterior*, as in neural processes
and TaNP). The encoder is a DeepSets that is equivariant over categories and skills:

1. every support toy becomes a vector ``e_i = MLP(kind, age fit, popularity)``
   (kind: liked / disliked / implicit);
2. the vectors are summed per category (``E_c``) and, weighted by the toy's normalised skills, per
   skill (``F_s``): the network's evidence about each category and skill;
3. ONE shared MLP turns each category's evidence (with how many toys of that category suit the
   child, a summary of the evidence on the other categories, the numbers of liked / disliked /
   implicit toys and the age) into the child's taste for that category ``z_c`` (4 numbers);
   another does the same for each skill;
4. a second reading scores the support toys with that taste and reads the evidence again with
   each toy's score attached, correcting the taste (one learned step of iterative amortised
   inference);
5. a toy's like-logit: ``z_cat(t) + z_skills . skills(t)`` plus a learned age-fit / popularity term
   and a per-toy bias, and a small decoder of the 4-number taste with that base.

Trained episodically on the training families (a fresh episode per task, every other suitable
toy of the family as the query; :mod:`metarec.training.tastenp`), it can learn the world's
non-Gaussian prior (two favourite categories with a large boost; implicit negatives that are
often liked) that a Gaussian-prior regression cannot express.

References:
    Garnelo, Rosenbaum, Maddison, Ramalho, Saxton, Shanahan, Teh, Rezende & Eslami, "Conditional
    Neural Processes", ICML 2018; Garnelo et al., "Neural Processes", 2018.
    Lin, Li, Yang, Wang & Zhang, "Task-adaptive Neural Process for User Cold-Start
    Recommendation" (TaNP), WWW 2021.
    Zaheer, Kottur, Ravanbakhsh, Poczos, Salakhutdinov & Smola, "Deep Sets", NeurIPS 2017.
    Marino, Yue & Mandt, "Iterative Amortized Inference", ICML 2018.

Example:
    >>> learner = TasteNP(params, feats, popularity)
    >>> scores = learner.score(learner.adapt(support), candidates)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..core.catalog import CATEGORIES, SKILLS
from ..core.episodes import DISLIKED, IMPLICIT, LIKED, Support, Task
from ..core.features import ToyFeatures, child_features, pair_features

N_CAT, N_SKILL = len(CATEGORIES), len(SKILLS)
SMALL_PARTS_COL = N_CAT + N_SKILL + 3   # the small-parts flag in ToyFeatures.x (features.py)


@dataclass(frozen=True)
class Tables:
    """What the network reads about the toys and the training families."""

    cat: torch.Tensor       # [n] category index
    cat_oh: torch.Tensor    # [n, 14]
    snorm: torch.Tensor     # [n, 9] skills / sqrt(#skills)
    min_age: torch.Tensor   # [n]
    max_age: torch.Tensor   # [n]
    small: torch.Tensor     # [n] small parts (0/1)
    poplogit: torch.Tensor  # [15, n] logit of the training families' like rate by age year


def make_tables(feats: ToyFeatures, popularity) -> Tables:
    """``popularity``: the training families' like-rate table (``bundle["popularity"]``)."""
    x = feats.x.float()
    sk = x[:, N_CAT:N_CAT + N_SKILL]
    p = torch.as_tensor(popularity, dtype=torch.float32, device=x.device).clamp(1e-3, 1 - 1e-3)
    return Tables(feats.category.long(), x[:, :N_CAT].contiguous(),
                  sk / sk.sum(1, keepdim=True).clamp_min(1).sqrt(), feats.min_age.float(),
                  feats.max_age.float(), x[:, SMALL_PARTS_COL].contiguous(), torch.logit(p))


@dataclass(frozen=True)
class NPConfig:
    hidden: int = 32        # width of every MLP and of the evidence vectors
    rounds: int = 2         # 1: read the support once; 2: plus one refinement step
    loss: str = "bce"       # "bce" over all other suitable toys, or "softmax" (listwise)
    taste_dim: int = 4      # numbers per category / skill; > 1 adds a decoder MLP

    def to_dict(self) -> dict:
        return asdict(self)


ITEM_IN = 3 + 3 + 1          # kind one-hot, pair features, pop-logit
CTX_C = 4 + 3                # category context + kind counts in the category
GLOBAL = 3 + 7               # kind counts, child features


def _layers(cfg: NPConfig) -> dict[str, tuple[int, ...]]:
    h, m = cfg.hidden, cfg.taste_dim
    layers = {"item": (ITEM_IN, h, h), "pool": (h + CTX_C, h, h),
              "zc": (h + CTX_C + GLOBAL + h, h, m), "zs": (h + 1 + GLOBAL + h, h, m),
              "base": (3 + 1 + 7, h, 1)}
    if cfg.rounds > 1:
        layers.update({"item2": (ITEM_IN + 2, h, h), "pool2": (h + CTX_C, h, h),
                       "zc2": (2 * h + CTX_C + GLOBAL + h + m, h, m),
                       "zs2": (2 * h + 1 + GLOBAL + h + m, h, m)})
    if m > 1:
        layers["dec"] = (m + 1, h, 1)
    return layers


def init_params(cfg: NPConfig, n_toys: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """Fresh parameters (PyTorch's default ``nn.Linear`` initialisation) as a detached dict."""
    params = {}
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for name, dims in _layers(cfg).items():
            for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
                lin = nn.Linear(a, b)
                params[f"{name}.{i}.weight"] = lin.weight.detach().clone()
                params[f"{name}.{i}.bias"] = lin.bias.detach().clone()
    params["item_bias"] = torch.zeros(n_toys)
    return params


def _mlp(p, name, x):
    i = 0
    while f"{name}.{i}.weight" in p:
        if i:
            x = F.relu(x)
        x = F.linear(x, p[f"{name}.{i}.weight"], p[f"{name}.{i}.bias"])
        i += 1
    return x


def _poplogit(T: Tables, age):
    year = torch.clamp(torch.div(age, 12, rounding_mode="floor"), max=T.poplogit.shape[0] - 1).long()
    return T.poplogit[year]


def _context(T: Tables, age, pl_all):
    """Per-category context ``[14, 4]`` and per-skill context ``[9, 1]`` of the toys that suit the
    child (the safety rule: in the age range, no small parts under 36 months)."""
    elig = ((T.min_age <= age) & (age <= T.max_age)).float() * (1 - T.small * (age < 36).float())
    n_c = elig @ T.cat_oh
    mean_pl = (elig * pl_all) @ T.cat_oh / n_c.clamp_min(1)
    ctx_c = torch.stack([n_c / 10, (n_c >= 3).float(), (n_c > 0).float(), mean_pl], -1)
    ctx_s = ((elig @ T.snorm) / elig.sum().clamp_min(1)).unsqueeze(-1)
    return ctx_c, ctx_s


def taste(p: dict, T: Tables, age, s_items, s_kind, s_w):
    """The family's taste ``(z_cat [14, m], z_skill [9, m])`` from its (padded) support set."""
    cats = torch.arange(N_CAT, device=s_items.device)
    cat_oh = (T.cat[s_items].unsqueeze(-1) == cats).float() * s_w.unsqueeze(-1)
    sn = T.snorm[s_items] * s_w.unsqueeze(-1)
    kind = torch.stack([s_kind == LIKED, s_kind == DISLIKED, s_kind == IMPLICIT], -1).float()
    kind = kind * s_w.unsqueeze(-1)
    pl_all = _poplogit(T, age)
    pair = pair_features(age, T.min_age[s_items], T.max_age[s_items])
    u = torch.cat([kind, pair, pl_all[s_items].unsqueeze(-1)], -1)
    ctx_c, ctx_s = _context(T, age, pl_all)
    ctx_c = torch.cat([ctx_c, cat_oh.T @ kind], -1)
    g = torch.cat([kind.sum(0) / 10, child_features(age)], -1)

    def read(item_net, pool_net, zc_net, zs_net, u, extra_c=(), extra_s=()):
        e = _mlp(p, item_net, u) * s_w.unsqueeze(-1)
        E, Fs = cat_oh.T @ e, sn.T @ e
        present = ctx_c[:, 2:3]
        P = (_mlp(p, pool_net, torch.cat([E, ctx_c], -1)) * present).sum(0) / present.sum().clamp_min(1)
        ins_c = [E, ctx_c, g.expand(N_CAT, -1), P.expand(N_CAT, -1), *extra_c]
        ins_s = [Fs, ctx_s, g.expand(N_SKILL, -1), P.expand(N_SKILL, -1), *extra_s]
        return (_mlp(p, zc_net, torch.cat(ins_c, -1)), _mlp(p, zs_net, torch.cat(ins_s, -1)), E, Fs)

    z_cat, z_sk, E, Fs = read("item", "pool", "zc", "zs", u)
    if "item2.0.weight" in p:   # refinement: re-read the support with each toy's current score
        s_logit = logits(p, T, age, (z_cat, z_sk), s_items)
        u2 = torch.cat([u, s_logit.unsqueeze(-1), torch.sigmoid(s_logit).unsqueeze(-1)], -1)
        dz_c, dz_s, _, _ = read("item2", "pool2", "zc2", "zs2", u2, (E, z_cat), (Fs, z_sk))
        z_cat, z_sk = z_cat + dz_c, z_sk + dz_s
    return z_cat, z_sk


def logits(p: dict, T: Tables, age, z, items):
    """Like-logits of toys ``items`` for the family whose taste is ``z = (z_cat, z_skill)``."""
    z_cat, z_sk = z
    pl = _poplogit(T, age)[items]
    pair = pair_features(age, T.min_age[items], T.max_age[items])
    child = child_features(age).expand(items.shape[0], -1)
    base = _mlp(p, "base", torch.cat([pair, pl.unsqueeze(-1), child], -1)).squeeze(-1)
    base = base + p["item_bias"][items]
    t = z_cat[T.cat[items]] + T.snorm[items] @ z_sk
    out = t[:, 0] + base
    if "dec.0.weight" in p:
        out = out + _mlp(p, "dec", torch.cat([t, base.unsqueeze(-1)], -1)).squeeze(-1)
    return out


def tastenp_task_loss(params: dict, task: Task, *, tables: Tables, loss: str = "bce"):
    """The episodic loss of one task: encode the support, score the query (every other suitable
    toy, labelled liked or not), binary cross-entropy (or a listwise softmax)."""
    z = taste(params, tables, task.age, task.s_items, task.s_kind, task.s_weights)
    s = logits(params, tables, task.age, z, task.q_items)
    if loss == "softmax":
        logp = torch.log_softmax(s.masked_fill(task.q_weights == 0, -1e9), -1)
        pos = task.q_labels * task.q_weights
        return -(logp * pos).sum() / pos.sum().clamp_min(1)
    bce = F.binary_cross_entropy_with_logits(s, task.q_labels, reduction="none")
    return (bce * task.q_weights).sum() / task.q_weights.sum().clamp_min(1)


@dataclass(frozen=True)
class NPState:
    z_cat: torch.Tensor
    z_skill: torch.Tensor
    age: float


class TasteNP:
    """The taste neural process as a :class:`~metarec.learners.base.Learner`.

    Arguments:
        params: the trained parameters.
        feats: the toys' features.
        popularity: the training families' like-rate table (``bundle["popularity"]``).
    """

    name = "tastenp"
    paper = "Garnelo et al., ICML 2018; Lin et al. (TaNP), WWW 2021; Zaheer et al., NeurIPS 2017"

    def __init__(self, params: dict, feats: ToyFeatures, popularity):
        device = feats.x.device
        self.params = {k: v.detach().float().to(device) for k, v in params.items()}
        self.tables = make_tables(feats, popularity)
        self.device = device

    def adapt(self, support: Support) -> NPState:
        items, kind = support.items.long().to(self.device), support.kind.long().to(self.device)
        age = torch.tensor(float(support.age_months), device=self.device)
        with torch.no_grad():
            z_cat, z_sk = taste(self.params, self.tables, age, items, kind,
                                torch.ones(len(items), device=self.device))
        return NPState(z_cat, z_sk, float(support.age_months))

    def score(self, state: NPState, toys: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            age = torch.tensor(state.age, device=self.device)
            return logits(self.params, self.tables, age, (state.z_cat, state.z_skill),
                          toys.long().to(self.device))
