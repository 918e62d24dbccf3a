"""MeLU on explicit ratings, on top of a global user+item bias (``melu-bias``, MovieLens-100K).

Follows MeLU (Lee, Im, Jang, Cho & Chung, "MeLU: Meta-Learned User Preference Estimator for
Cold-Start Recommendation", KDD 2019): each user is a task; the item is described by its
attributes (19 genre flags, release year) and the user by theirs (age, gender, occupation); both go
through *embedding* layers that are learned only globally, and *decision* layers turn the pair into
a rating. The local update (inner loop) adapts only the decision layers, by a few SGD steps on the
mean squared error of the user's support ratings; the global update (outer loop) backpropagates the
squared error on the query ratings through those steps (second-order, as MAML; Finn et al. 2017).

What differs from the paper, and why: the predicted rating is an *offset* model,
``r(u, i) = mu + b_u + b_i + f(u, i)``. ``mu + b_i`` is the regularised bias baseline (Koren 2010,
sec. 2.1; fitted on what the learners may see, regularisation chosen on the validation users) and
stays fixed; ``b_u`` is the user's mean support residual. So the untrained model *is* the bias
baseline and the network ``f`` only has to learn the personal part. Besides the decision layers,
the local update also adapts a linear ``taste`` vector over the item embedding. Training query
errors are measured against a leave-the-user-out item bias (:func:`leave_user_out_shift`), since a
training user's query ratings helped fit ``b_i`` and a test user's never do.

The outer loop is the library's (:func:`metarec.training.outer_loop.outer_loop`: Adam, validation,
early stopping), and so is the inner loop (:func:`~metarec.learners.inner_loop.inner_loop`, given this
scorer's squared error as its loss: :func:`inner_loop_mse`). :class:`RatingMetaLearner` has the library's learner interface
(``adapt(support) -> state``, ``score(state, items)``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..core.episodes import Task
from ..learners.inner_loop import inner_loop
from ..training.outer_loop import outer_loop
from ..training.toybox import TrainConfig
from .protocols import published_metrics
from .settings import MeluBiasSettings
from .tasks import pad_tasks

ITEM_KEYS = ("item1.weight", "item1.bias", "item2.weight", "item2.bias")
USER_KEYS = ("user1.weight", "user1.bias")
DECISION_KEYS = ("dec1.weight", "dec1.bias", "dec2.weight", "dec2.bias", "out.weight", "out.bias",
                 "taste")


@dataclass(frozen=True)
class RatingFeatures:
    """Item attributes ``[n_items + 1, d_i]``, user attributes ``[n_users + 1, d_u]``, the global
    mean rating ``mu`` and the fixed per-item bias ``[n_items + 1]`` (ids as in the files)."""

    item_x: torch.Tensor
    user_x: torch.Tensor
    mu: float
    item_bias: torch.Tensor


@dataclass(frozen=True)
class RatingSupport:
    """What the learner adapts on: the user (for their attributes) and their support ratings,
    minus the user's own offset ``b_u``."""

    user: int
    items: torch.Tensor      # [n] item ids
    ratings: torch.Tensor    # [n] ratings - b_u


def init_params(item_dim: int, user_dim: int, hidden: int = 64, embed: int = 32,
                seed: int = 0) -> dict[str, torch.Tensor]:
    """Fresh parameters (PyTorch's ``nn.Linear`` initialisation); the output layer and the taste
    vector start at zero, so the untrained model is the bias baseline."""
    layers = {"item1": (item_dim, hidden), "item2": (hidden, embed), "user1": (user_dim, embed),
              "dec1": (2 * embed, hidden), "dec2": (hidden, hidden), "out": (hidden, 1)}
    params = {}
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for name, (n_in, n_out) in layers.items():
            layer = nn.Linear(n_in, n_out)
            params[f"{name}.weight"] = layer.weight.detach().clone()
            params[f"{name}.bias"] = layer.bias.detach().clone()
    params["out.weight"].zero_()
    params["out.bias"].zero_()
    params["taste"] = torch.zeros(embed)
    return params


def predict(params: dict, feats: RatingFeatures, user, items: torch.Tensor) -> torch.Tensor:
    """``mu + b_i + f(u, i)`` for ``items`` (``user``: an id, possibly a batched 0-d tensor)."""
    it = F.linear(F.relu(F.linear(feats.item_x[items], params["item1.weight"], params["item1.bias"])),
                  params["item2.weight"], params["item2.bias"])
    ux = feats.user_x.index_select(0, torch.as_tensor(user).long().reshape(1))
    us = F.relu(F.linear(ux, params["user1.weight"], params["user1.bias"]))
    h = torch.cat([it, us.expand(it.shape[0], -1)], -1)
    h = F.relu(F.linear(h, params["dec1.weight"], params["dec1.bias"]))
    h = F.relu(F.linear(h, params["dec2.weight"], params["dec2.bias"]))
    f = F.linear(h, params["out.weight"], params["out.bias"]).squeeze(-1) + it @ params["taste"]
    return feats.mu + feats.item_bias[items] + f


def mse(params: dict, feats: RatingFeatures, user, items, ratings, weights) -> torch.Tensor:
    """Mean squared rating error over the unpadded entries (``weights`` is 0 on padding)."""
    err = (predict(params, feats, user, items) - ratings) ** 2
    return (err * weights).sum() / weights.sum().clamp_min(1.0)


def inner_loop_mse(params: dict, feats: RatingFeatures, user, items, ratings, weights, steps: int,
                   lr: float, keys: Sequence[str] = DECISION_KEYS, first_order: bool = False) -> dict:
    """MeLU's local update: the library's :func:`~metarec.learners.inner_loop.inner_loop` (``steps``
    SGD steps, adapting only ``keys``) on the support ratings' squared error."""
    return inner_loop(params, feats, user, items, ratings, weights, steps, lr, keys, first_order, loss=mse)


def melu_bias_task_loss(params: dict, task: Task, *, feats, steps: int, lr: float,
                        first_order: bool = False):
    """Query MSE after the local update (MeLU's meta-objective on ratings), for one task whose
    ``age`` slot carries the user id (the attributes are looked up in ``feats``)."""
    fast = inner_loop_mse(params, feats, task.age, task.s_items, task.s_labels, task.s_weights,
                          steps, lr, DECISION_KEYS, first_order)
    return mse(fast, feats, task.age, task.q_items, task.q_labels, task.q_weights)


def rating_batch(users, s_items, s_ratings, q_items, q_ratings) -> Task:
    """A :class:`Task` of rating tasks (user id in the ``age`` slot; weights 0 on padding)."""
    b = pad_tasks(s_items, s_ratings, q_items, q_ratings)
    return b._replace(age=torch.as_tensor(np.asarray(users), dtype=torch.float32))


@dataclass(frozen=True)
class RatingState:
    """A user's adapted parameters (after the local update) and their id."""

    params: dict
    user: int


class RatingMetaLearner:
    """The library's learner interface for ``melu-bias``: ``adapt`` runs the local update on the
    support ratings, ``score`` predicts ratings (minus ``b_u``; higher = ranked first)."""

    name, title = "melu-bias", "MeLU on ratings over a user+item bias"
    paper = "Lee et al., KDD 2019 (MeLU); Koren 2010 (bias baseline)"

    def __init__(self, params: dict, feats: RatingFeatures, steps: int, lr: float):
        self.params = {k: v.detach() for k, v in params.items()}
        self.feats, self.steps, self.lr = feats, int(steps), float(lr)

    def adapt(self, support: RatingSupport) -> RatingState:
        w = torch.ones(len(support.items))
        p = inner_loop_mse(self.params, self.feats, support.user, support.items,
                           support.ratings.float(), w, self.steps, self.lr, DECISION_KEYS, True)
        return RatingState({k: v.detach() for k, v in p.items()}, support.user)

    def score(self, state: RatingState, items: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return predict(state.params, self.feats, state.user, items)


# ------------------------------------------------------------------ MovieLens-100K training
def ml_task_pool(split, R, support_tasks: bool) -> dict[int, tuple[np.ndarray, int]]:
    """What meta-training may draw tasks from: ``{user: (items, n_query)}``. Training users give all
    their ratings (10 random ones become the query, as in the protocol); with ``support_tasks`` the
    validation and test users give their *support* ratings only (a quarter of them, at least 2,
    become a pseudo-query). Query ratings of validation/test users are never in the pool."""
    pool = {u: (np.array(list(R[u]), np.int64), 10) for u in split["train"]}
    if support_tasks:
        for part in ("valid", "test"):
            for u, t in split[part].items():
                s = np.array(t["support_items"], np.int64)
                pool[u] = (s, max(2, len(s) // 4))
    return pool


def leave_user_out_shift(rows, item_bias, lam, mu) -> dict[tuple[int, int], float]:
    """``{(u, i): b_i - b_i^(-u)}``: how much user ``u``'s own rating moved item ``i``'s bias.

    ``b_i^(-u) = (S_i - e_ui) / (N_i - 1 + lam)`` with ``e_ui = r_ui - mu - b_u`` (the bias model's
    regularised mean without that one rating). A training task's query ratings are among the rows
    the biases were fitted on, a test user's query ratings are not; measuring the training query
    error against ``mu + b_i^(-u)`` makes the two alike (cross-fitting)."""
    u = np.array([a for a, _, _ in rows]); i = np.array([b for _, b, _ in rows])
    r = np.array([c for *_, c in rows], float)
    n = len(item_bias)
    bu = np.bincount(u, r - mu - item_bias[i]) / (np.bincount(u) + lam)
    e = r - mu - bu[u]
    S, N = np.bincount(i, e, n), np.bincount(i, minlength=n)
    full, loo = S[i] / (N[i] + lam), (S[i] - e) / (N[i] - 1 + lam)
    return {(int(a), int(b)): float(d) for a, b, d in zip(u, i, full - loo)}


def train_melu_bias(split, R, ml, rows, item_bias, bias_lambda, settings: MeluBiasSettings,
                    seed: int, log=None):
    """Meta-train ``melu-bias`` on one split.

    Tasks come from :func:`ml_task_pool`; early stopping on the validation users' nDCG@5; the test
    users' query ratings are never looked at here. ``settings.n_seeds`` > 1 trains that many
    members (seeds ``seed``, ``seed + 1``, ...), each early-stopped on the validation users, and
    scores with their mean: a variance reduction, since early stopping on 58 validation users picks
    partly on noise (see :class:`~metarec.realdata.settings.MeluBiasSettings`).

    Arguments:
        split: ``{"train" | "valid" | "test": {user: {"support_items", "query_items"}}}``.
        R: ``{user: {item: rating}}``.
        ml: the data set (:class:`~metarec.realdata.loaders.MovieLens`: item and user attributes).
        rows: the bias baseline's input, ``(user, item, rating)`` (training users' ratings + the
            support ratings of validation/test users).
        item_bias: ``[n_items + 1]`` the bias baseline's item biases (fixed).
        bias_lambda: its regularisation (for :func:`leave_user_out_shift`).
        settings: step sizes, budget, network size, members.
        seed: the first member's seed.
        log: receives a progress line at every validation.

    Returns:
        (``score(user, task) -> [n_query]`` predicted rating offsets, the training log: one entry
        per member, ``n_seeds``, ``seconds`` and the step sizes).

    References:
        Lee et al., "MeLU", KDD 2019; Finn et al., "MAML", ICML 2017; Koren, TKDD 2010 (the bias
        baseline).

    Example:
        >>> score, info = train_melu_bias(split, R, ml, rows, item_bias, 10.0,
        ...                               MeluBiasSettings.quick(), seed=0)
        >>> score(user, split["test"][user])   # 10 scores, higher = ranked first
    """
    st = settings
    inner_lr, inner_steps, hidden, embed = st.inner_lr, st.inner_steps, st.hidden, st.embed
    mu = float(np.mean([r for *_, r in rows]))
    feats = RatingFeatures(torch.from_numpy(ml.item_features()), torch.from_numpy(ml.user_features()),
                           mu, torch.as_tensor(item_bias, dtype=torch.float32))
    cfg = TrainConfig(seed=seed, outer_lr=st.outer_lr, inner_steps=inner_steps, inner_lr=inner_lr,
                      max_iters=st.max_iters, eval_every=st.eval_every, patience=st.patience,
                      hidden=hidden, embed=embed)
    pool = ml_task_pool(split, R, st.support_tasks)
    users = sorted(pool)
    shift = leave_user_out_shift(rows, item_bias, bias_lambda, mu)

    def user_offset(u, s):   # b_u: the user's mean support residual of mu + b_i
        return float(np.mean([R[u][i] for i in s]) - mu - np.mean(item_bias[s])) if len(s) else 0.0

    def sample_batch(rng, size):
        us, si, sr, qi, qr = [], [], [], [], []
        for u in rng.choice(users, size):
            items, n_q = pool[u]
            items = items[rng.permutation(len(items))]
            q, s = items[:n_q], items[n_q:]
            off = user_offset(u, s)
            us.append(u); si.append(s); sr.append([R[u][i] - off for i in s])
            qi.append(q); qr.append([R[u][i] - off + shift.get((u, int(i)), 0.0) for i in q])
        return rating_batch(us, si, sr, qi, qr)

    def support(u, t):
        s = t["support_items"]
        off = user_offset(u, s)
        return RatingSupport(u, torch.tensor(s), torch.tensor([R[u][i] - off for i in s]))

    def member(member_seed):
        """One meta-training run (its own initialisation and task draws); early-stopped on the
        validation users."""
        curve = []

        def validate(p):
            learner = RatingMetaLearner(p, feats, inner_steps, inner_lr)
            nd, se = [], []
            for u, t in split["valid"].items():
                q = t["query_items"]
                s = learner.score(learner.adapt(support(u, t)), torch.tensor(q)).numpy()
                true = np.array([R[u][i] for i in q])
                nd.append(published_metrics(q, s, true)["ndcg@5"])
                se.append(float(np.mean((s + user_offset(u, t["support_items"]) - true) ** 2)))
            curve.append((round(float(np.mean(nd)), 4), round(float(np.mean(se)), 4)))
            return curve[-1][0]

        rng = np.random.default_rng(member_seed)

        def progress(it, loss, val):
            if log and val is not None and loss is not None:
                log(f"melu-bias (seed {member_seed}) iter {it}: loss {loss:.4f} val {val:.4f}")

        params = init_params(feats.item_x.shape[1], feats.user_x.shape[1], hidden, embed, member_seed)
        task_loss = partial(melu_bias_task_loss, feats=feats, steps=inner_steps, lr=inner_lr)
        best, info = outer_loop("melu-bias", params, task_loss,
                                lambda size: sample_batch(rng, size), validate,
                                replace(cfg, seed=member_seed), torch.device("cpu"),
                                on_progress=progress, show_bar=False)
        return RatingMetaLearner(best, feats, inner_steps, inner_lr), {
            "seed": member_seed, "best_iter": info["best_iter"], "best_val_ndcg@5": info["best_val_ndcg"],
            "iters_run": info["iters_run"], "train_loss": info["train_loss"][1:],
            "val_curve_iter_ndcg5_mse": [[it, *c] for it, c in zip(info["iters"], curve)],
            "seconds": info["seconds"]}

    members = [member(seed + k) for k in range(st.n_seeds)]
    learners = [m for m, _ in members]

    def score(u, t):   # the members' mean predicted rating (offset), one adaptation each
        sup, q = support(u, t), torch.tensor(t["query_items"])
        return np.mean([lr.score(lr.adapt(sup), q).numpy() for lr in learners], axis=0)
    return score, {"members": [i for _, i in members], "n_seeds": st.n_seeds,
                   "seconds": round(sum(i["seconds"] for _, i in members), 1), "inner_lr": inner_lr,
                   "inner_steps": inner_steps, "outer_lr": st.outer_lr, "support_tasks": st.support_tasks}
