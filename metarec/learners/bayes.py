"""Empirical-Bayes logistic regression: the strong classical reference on the simulated world.

Per family, a MAP (L2-regularised) logistic regression on the support set::

    logit P(like | t) = b + w . phi(t) + alpha * centrality(a, t) + beta * poplogit(a, t)

- ``phi(t)``: the toy's category one-hot (14) and its skills divided by sqrt(#skills) (9);
- ``centrality(a, t)``: 1 in the middle of the toy's age range, 0 at its ends;
- ``poplogit(a, t)``: the logit of the toy's smoothed like rate among *training* children of the
  same age year (:func:`metarec.learners.baselines.popularity_table`, shipped in the checkpoint);
- ``alpha, beta``: fixed offsets; the prior ``w ~ N(mu, diag(1 / lam))``, ``b ~ N(b0, 1 / lam_b)``.

The prior mean ``mu``, ``b0`` and the offsets come from ONE pooled logistic regression over every
training family (:func:`fit_prior`): the prior is learned across families, which makes this
meta-learning in the Bayesian sense; MAML itself can be read as hierarchical Bayes (Grant et al.,
ICLR 2018). The prior's precisions and the likelihood weights of disliked toys and implicit
negatives are chosen on the validation families (:mod:`metarec.training.bayes`). The per-family
fit is convex: a few Newton (IRLS) steps solve it exactly, in about a millisecond.

This model reads the same inputs the simulator's utility is built from (category, skills, age fit,
popularity): on this world it is the natural strong competitor (docs/world.md).

References:
    Robbins, "An Empirical Bayes Approach to Statistics", 1956; Efron & Morris, "Stein's
    Estimation Rule and Its Competitors: An Empirical Bayes Approach", JASA 1973.
    Grant, Finn, Levine, Darrell & Griffiths, "Recasting Gradient-Based Meta-Learning as
    Hierarchical Bayes", ICLR 2018.

Example:
    >>> prior = fit_prior(world.families("train"), feats, popularity)
    >>> learner = BayesLR(prior, feats, EB_SETTINGS)
    >>> scores = learner.score(learner.adapt(support), candidates)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..core.catalog import CATEGORIES, SKILLS
from ..core.episodes import DISLIKED, IMPLICIT, LIKED, Support
from ..core.features import ToyFeatures, pair_features

N_CAT, N_SKILL = len(CATEGORIES), len(SKILLS)


def toy_phi(feats: ToyFeatures) -> torch.Tensor:
    """``[n_toys, 23]`` float64: category one-hot and normalised skills (read from ``feats.x``)."""
    x = feats.x.double().cpu()
    skills = x[:, N_CAT:N_CAT + N_SKILL]
    return torch.cat([x[:, :N_CAT], skills / skills.sum(1, keepdim=True).clamp_min(1).sqrt()], 1)


def pop_logit(popularity) -> torch.Tensor:
    """``[years, n_toys]`` float64 logit of a like-rate table, clipped to [1e-3, 1 - 1e-3]."""
    p = np.clip(np.asarray(torch.as_tensor(popularity).cpu(), dtype=np.float64), 1e-3, 1 - 1e-3)
    return torch.from_numpy(np.log(p) - np.log1p(-p))


def offset_inputs(feats: ToyFeatures, poplogit: torch.Tensor, age: float, toys: torch.Tensor):
    """``[n, 2]`` float64: (centrality, pop-logit) of ``toys`` for a child of ``age`` months."""
    a = torch.tensor(float(age))
    central = pair_features(a, feats.min_age.cpu()[toys], feats.max_age.cpu()[toys])[:, 1].double()
    year = min(int(age // 12), poplogit.shape[0] - 1)
    return torch.stack([central, poplogit[year, toys]], 1)


@dataclass(frozen=True)
class Prior:
    """What is learned from the training families (26 numbers; stored in the checkpoint)."""

    mu: torch.Tensor   # [23] prior mean of the family weights
    b0: float          # pooled intercept (prior mean of the family intercept)
    alpha: float       # coefficient of centrality (a fixed offset)
    beta: float        # coefficient of pop-logit (a fixed offset)

    def to_dict(self) -> dict:
        return {"mu": self.mu.clone(), "b0": self.b0, "alpha": self.alpha, "beta": self.beta}


@dataclass(frozen=True)
class Settings:
    """The choices made on the validation families (:mod:`metarec.training.bayes`)."""

    lam_cat: float = 1.0      # prior precision of the category weights
    lam_skill: float = 1.0    # prior precision of the skill weights
    lam_b: float = 0.01       # prior precision of the intercept (around b0)
    w_implicit: float = 1.0   # weight of an implicit negative in the likelihood
    w_disliked: float = 1.0   # weight of a disliked toy
    off_scale: float = 1.0    # multiplies the pooled offsets (alpha, beta)
    newton_steps: int = 8

    def to_dict(self) -> dict:
        return asdict(self)


# What the validation search chose (mean nDCG@10 over 1/3/5 shots x 2 episode seeds: 0.7549;
# textbook settings, every negative weighted 1 and precision 1, give 0.713). Implicit negatives
# are random suitable toys, about a quarter of them liked: they carry almost no information.
EB_SETTINGS = Settings(lam_cat=0.2, lam_skill=0.45, lam_b=3.0, w_implicit=0.03, w_disliked=3.0,
                       off_scale=1.0)


def newton_map(X, y, c, off, mu, lam, iters: int = 8) -> torch.Tensor:
    """MAP of ``sum_i c_i loglik(y_i | X_i w + off_i) - 0.5 sum_j lam_j (w_j - mu_j)^2``.

    Arguments:
        X: ``[n, d]`` float64 design (the last column is the intercept).
        y, c, off: labels (0/1), example weights and fixed offsets, ``[n]``.
        mu, lam: prior mean and precision, ``[d]``.
        iters: Newton steps (the objective is concave: a few suffice).
    """
    w = mu.clone()
    for _ in range(iters):
        p = torch.sigmoid(X @ w + off)
        g = X.T @ (c * (y - p)) - lam * (w - mu)
        H = (X * (c * p * (1 - p)).unsqueeze(1)).T @ X + torch.diag(lam)
        w = w + torch.linalg.solve(H, g)
    return w


def fit_prior(families, feats: ToyFeatures, popularity, ridge: float = 1e-3,
              iters: int = 25) -> Prior:
    """ONE pooled logistic regression over every training family's age-suitable toys.

    Arguments:
        families: the training families (anything with ``eligible``, ``liked``, ``age_months``).
        feats: the toys' features.
        popularity: the training families' like-rate table by age year.
    """
    poplogit, phi = pop_logit(popularity), toy_phi(feats)
    Xs, ys = [], []
    for f in families:
        toys = torch.from_numpy(f.eligible)
        off = offset_inputs(feats, poplogit, f.age_months, toys)
        Xs.append(torch.cat([phi[toys], off, torch.ones(len(toys), 1, dtype=torch.float64)], 1))
        ys.append(torch.from_numpy(np.isin(f.eligible, f.liked).astype(np.float64)))
    X, y = torch.cat(Xs), torch.cat(ys)
    d = X.shape[1]
    w = newton_map(X, y, torch.ones_like(y), torch.zeros_like(y),
                   torch.zeros(d, dtype=torch.float64), torch.full((d,), ridge, dtype=torch.float64),
                   iters)
    return Prior(mu=w[:N_CAT + N_SKILL], b0=float(w[-1]), alpha=float(w[-3]), beta=float(w[-2]))


@dataclass(frozen=True)
class BayesState:
    w: torch.Tensor   # [24] the family's weights (23) and intercept
    age: float


class BayesLR:
    """The empirical-Bayes logistic regression as a :class:`~metarec.learners.base.Learner`.

    Arguments:
        prior: the pooled prior (:func:`fit_prior`).
        feats: the toys' features.
        popularity: the training families' like-rate table (``bundle["popularity"]``).
        settings: the validation-chosen precisions and weights.
    """

    name = "bayes"
    paper = "empirical Bayes (Robbins 1956; Efron & Morris 1973); Grant et al., ICLR 2018"

    def __init__(self, prior: Prior, feats: ToyFeatures, popularity,
                 settings: Settings = EB_SETTINGS):
        self.prior, self.feats, self.settings = prior, feats, settings
        self.poplogit, self.phi = pop_logit(popularity), toy_phi(feats)
        s = settings
        self.mu = torch.cat([prior.mu.double(), torch.tensor([prior.b0], dtype=torch.float64)])
        self.lam = torch.tensor([s.lam_cat] * N_CAT + [s.lam_skill] * N_SKILL + [s.lam_b],
                                dtype=torch.float64)
        self.offsets = torch.tensor([prior.alpha, prior.beta], dtype=torch.float64) * s.off_scale

    def _design(self, age: float, toys: torch.Tensor):
        off = offset_inputs(self.feats, self.poplogit, age, toys) @ self.offsets
        return torch.cat([self.phi[toys], torch.ones(len(toys), 1, dtype=torch.float64)], 1), off

    def adapt(self, support: Support) -> BayesState:
        toys, kind = support.items.cpu(), support.kind.cpu()
        X, off = self._design(support.age_months, toys)
        y = (kind == LIKED).double()
        c = torch.ones_like(y)
        c[kind == IMPLICIT] = self.settings.w_implicit
        c[kind == DISLIKED] = self.settings.w_disliked
        w = newton_map(X, y, c, off, self.mu, self.lam, self.settings.newton_steps)
        return BayesState(w, float(support.age_months))

    def score(self, state: BayesState, toys: torch.Tensor) -> torch.Tensor:
        X, off = self._design(state.age, toys.cpu())
        return (X @ state.w + off).float().to(self.feats.x.device)

    def to_spec(self) -> dict:
        """The checkpoint entry: the prior and the settings."""
        return {"prior": self.prior.to_dict(), "settings": self.settings.to_dict()}

    @classmethod
    def from_spec(cls, spec: dict, feats: ToyFeatures, popularity) -> "BayesLR":
        p = spec["prior"]
        prior = Prior(torch.as_tensor(p["mu"], dtype=torch.float64), float(p["b0"]),
                      float(p["alpha"]), float(p["beta"]))
        return cls(prior, feats, popularity, Settings(**spec["settings"]))
