"""Biased matrix factorisation by alternating least squares, with fold-in of a new user.

The model is ``r(u, i) = mu + b_u + b_i + p_u . q_i`` (Koren, Bell & Volinsky 2009). It is trained
by ALS: with the item side fixed, each user's ``(p_u, b_u)`` is a ridge regression on their ratings;
with the user side fixed, each item's ``(q_i, b_i)`` is one on its ratings. One ``lam`` penalises
factors and biases alike, so rank 0 is exactly the user+item bias model (alternating regularised
means, :func:`metarec.realdata.movielens.bias_scores`).

A cold-start user is not a row of the trained user side: :func:`fold_in` solves their ``(p_u, b_u)``
by the same ridge regression on their support ratings, the item side fixed (the standard fold-in,
which is also ALS's user step). Ranking a user's query items needs only ``b_i + p_u . q_i``.

Example:
    >>> m = fit_als(rows, n_users, n_items, rank=10, lam=10.0, epochs=10)
    >>> b_u, p_u = fold_in(m, support_items, support_ratings)
    >>> m.item_bias[query] + m.item_factors[query] @ p_u
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MF:
    """The item side of a trained biased MF, and its regularisation (what fold-in needs).

    ``item_bias`` ``[n_items + 1]`` and ``item_factors`` ``[n_items + 1, rank]`` are indexed by item
    id (an item nobody rated has 0 for both); ``user_bias`` / ``user_factors`` the same for users
    (the training users; fold-in replaces them for a new user)."""

    mu: float
    item_bias: np.ndarray
    item_factors: np.ndarray
    user_bias: np.ndarray
    user_factors: np.ndarray
    lam: float

    @property
    def rank(self) -> int:
        return self.item_factors.shape[1]


def _ridge_by_group(groups: np.ndarray, others: np.ndarray, y: np.ndarray, n: int,
                    lam: float) -> np.ndarray:
    """``[n, d + 1]``: for every group ``g`` the ridge solution ``x`` of
    ``min sum_rows (y - [others, 1] . x)^2 + lam |x|^2`` over the rows of ``g`` (0 for groups
    without rows). ``groups`` must be sorted."""
    z = np.concatenate([others, np.ones((len(y), 1))], 1)
    d = z.shape[1]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(y)]
    gram = np.empty((len(starts), d, d))
    rhs = np.empty((len(starts), d))
    for j, (s, e) in enumerate(zip(starts, ends)):   # one small BLAS call per group
        zz = z[s:e]
        gram[j] = zz.T @ zz
        rhs[j] = zz.T @ y[s:e]
    gram += lam * np.eye(d)
    out = np.zeros((n, d))
    out[groups[starts]] = np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]
    return out


def fit_als(rows: Sequence[tuple[int, int, float]], n_users: int, n_items: int, rank: int,
            lam: float, epochs: int, seed: int = 0,
            on_epoch: Callable[[int, MF], None] | None = None) -> MF:
    """Train a biased MF by ALS on ``(user, item, rating)`` rows.

    Arguments:
        rows: the ratings the model may see.
        n_users, n_items: the largest ids (arrays have ``n + 1`` rows; ids as in the files).
        rank: the number of factors (0: the user+item bias model).
        lam: the ridge penalty of every user's and item's regression (factors and bias).
        epochs: ALS sweeps (each: every user, then every item).
        seed: the item factors' initialisation (normal, sd 0.1).
        on_epoch: ``on_epoch(epoch, model)`` after every sweep (to validate several epoch counts
            from one run).

    Returns:
        The model after ``epochs`` sweeps.

    References:
        Koren, Bell & Volinsky, "Matrix Factorization Techniques for Recommender Systems", IEEE
        Computer 2009; Zhou et al., "Large-Scale Parallel Collaborative Filtering for the Netflix
        Prize" (ALS), AAIM 2008.
    """
    arr = np.asarray(rows, float)
    u, i, r = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2]
    mu = float(r.mean())
    by_u, by_i = np.argsort(u, kind="stable"), np.argsort(i, kind="stable")
    rng = np.random.default_rng(seed)
    q = rng.normal(0, 0.1, (n_items + 1, rank))
    q[np.bincount(i, minlength=n_items + 1) == 0] = 0.0
    bi = np.zeros(n_items + 1)
    p, bu = np.zeros((n_users + 1, rank)), np.zeros(n_users + 1)
    model = MF(mu, bi, q, bu, p, float(lam))
    for epoch in range(1, epochs + 1):
        x = _ridge_by_group(u[by_u], q[i[by_u]], (r - mu - bi[i])[by_u], n_users + 1, lam)
        p, bu = x[:, :rank], x[:, rank]
        x = _ridge_by_group(i[by_i], p[u[by_i]], (r - mu - bu[u])[by_i], n_items + 1, lam)
        q, bi = x[:, :rank], x[:, rank]
        model = MF(mu, bi, q, bu, p, float(lam))
        if on_epoch is not None:
            on_epoch(epoch, model)
    return model


def fold_in(model: MF, items, ratings) -> tuple[float, np.ndarray]:
    """A new user's ``(b_u, p_u)``: the ridge regression of their ratings on the fixed item side.

    ``min sum_i (r_ui - mu - b_i - b_u - p_u . q_i)^2 + lam (|p_u|^2 + b_u^2)`` in closed form,
    ``x = (Z^T Z + lam I)^-1 Z^T y`` with ``Z = [q_i, 1]`` and ``y = r_ui - mu - b_i``.

    Arguments:
        model: a trained :class:`MF`.
        items: the user's support item ids.
        ratings: their ratings, aligned.
    """
    items = np.asarray(items, np.int64)
    z = np.concatenate([model.item_factors[items], np.ones((len(items), 1))], 1)
    y = np.asarray(ratings, float) - model.mu - model.item_bias[items]
    x = np.linalg.solve(z.T @ z + model.lam * np.eye(z.shape[1]), z.T @ y)
    return float(x[-1]), x[:-1]


def foldin_scores(model: MF, support_items, support_ratings, query_items) -> np.ndarray:
    """``b_i + p_u . q_i`` of ``query_items`` for a user folded in on their support (the user's
    ``mu + b_u`` is the same for every item and left out: it does not change the ranking)."""
    _, p_u = fold_in(model, support_items, support_ratings)
    q = np.asarray(query_items, np.int64)
    return model.item_bias[q] + model.item_factors[q] @ p_u


class MFBase:
    """MF fold-in as the fixed part a meta-learner adds to (``melu-mf``): ``mu + b_i`` of the MF
    model, and per user the fold-in part ``b_u + p_u . q_i`` as an offset (the interface of
    :class:`metarec.realdata.melu_bias.BiasBase`).

    A training task's user helped fit the item side, a test user never does; so training tasks
    take their offsets from a model fitted without their user (``folds`` groups of users,
    cross-fitting), and validation / test users from the model fitted on every row.

    Arguments:
        rows: ``(user, item, rating)`` the model may see.
        R: ``{user: {item: rating}}`` (only support ratings are read).
        n_users, n_items: the largest ids.
        rank, lam, epochs: the MF settings (chosen on validation for ``mf-foldin``).
        folds: user groups for the training tasks' models.
        seed: the fold assignment and the factors' initialisation.
    """

    def __init__(self, rows, R, n_users: int, n_items: int, rank: int, lam: float, epochs: int,
                 folds: int = 5, seed: int = 0):
        self.R = R
        self.full = fit_als(rows, n_users, n_items, rank, lam, epochs, seed)
        self.mu, self.item_bias = self.full.mu, self.full.item_bias
        users = np.unique([u for u, _, _ in rows])
        perm = np.random.default_rng([seed, folds]).permutation(len(users))
        self.fold = {int(users[j]): k % folds for k, j in enumerate(perm)}
        self.models = [fit_als([r for r in rows if self.fold[r[0]] != k], n_users, n_items, rank, lam,
                               epochs, seed) for k in range(folds)]
        self.info = {"base": "mf-foldin", "rank": rank, "lam": lam, "epochs": epochs, "folds": folds}

    def offsets(self, u: int, s, q, training: bool) -> tuple[np.ndarray, np.ndarray]:
        m = self.models[self.fold[u]] if training and u in self.fold else self.full
        s, q = np.asarray(s, np.int64), np.asarray(q, np.int64)
        b_u, p_u = fold_in(m, s, [self.R[u][i] for i in s])

        def off(items):
            return (m.mu + m.item_bias[items] + b_u + m.item_factors[items] @ p_u
                    - self.mu - self.item_bias[items])
        return off(s), off(q)
