"""MeLU on explicit ratings, on top of a fixed base model (``melu-bias``, ``melu-mf``; MovieLens-100K).

Follows MeLU (Lee, Im, Jang, Cho & Chung, "MeLU: Meta-Learned User Preference Estimator for
Cold-Start Recommendation", KDD 2019): each user is a task; the item is described by its
attributes (19 genre flags, release year) and the user by theirs (age, gender, occupation); both go
through *embedding* layers that are learned only globally, and *decision* layers turn the pair into
a rating. The local update (inner loop) adapts only the decision layers, by a few SGD steps on the
mean squared error of the user's support ratings; the global update (outer loop) backpropagates the
squared error on the query ratings through those steps (second-order, as MAML; Finn et al. 2017).

What differs from the paper, and why: the predicted rating is an *offset* model,
``r(u, i) = base(u, i) + f(u, i)`` with a fixed base: the regularised bias baseline ``mu + b_u +
b_i`` (Koren 2010, sec. 2.1; :class:`BiasBase`, ``b_u`` the user's mean support residual) or MF
with the user folded in on the support (:class:`metarec.realdata.mf.MFBase`). The output layer
starts at zero, so the untrained model *is* the base and the network only has to learn the rest.
Besides the decision layers, the local update also adapts a linear ``taste`` vector over the item
embedding. A training user's query ratings helped fit the base and a test user's never do, so
training query errors are measured against a base fitted without them (cross-fitting).

The outer loop is the library's (:func:`metarec.training.outer_loop.outer_loop`: Adam, validation,
early stopping), and so is the inner loop (:func:`~metarec.learners.inner_loop.inner_loop`, given
this scorer's squared error as its loss: :func:`inner_loop_mse`). :class:`RatingMetaLearner` has
the library's learner interface (``adapt(support) -> state``, ``score(state, items)``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import vmap

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


def item_embedding(params: dict, feats: RatingFeatures, items: torch.Tensor) -> torch.Tensor:
    """``[n, embed]``: the items' attributes through the (globally learned) item layers."""
    return F.linear(F.relu(F.linear(feats.item_x[items], params["item1.weight"], params["item1.bias"])),
                    params["item2.weight"], params["item2.bias"])


def user_embedding(params: dict, feats: RatingFeatures, user) -> torch.Tensor:
    """``[1, embed]``: the user's attributes through the (globally learned) user layer."""
    ux = feats.user_x.index_select(0, torch.as_tensor(user).long().reshape(1))
    return F.relu(F.linear(ux, params["user1.weight"], params["user1.bias"]))


def decide(params: dict, it: torch.Tensor, us: torch.Tensor) -> torch.Tensor:
    """``f(u, i)`` ``[n]``: the decision layers and the taste vector on the embeddings."""
    h = torch.cat([it, us.expand(it.shape[0], -1)], -1)
    h = F.relu(F.linear(h, params["dec1.weight"], params["dec1.bias"]))
    h = F.relu(F.linear(h, params["dec2.weight"], params["dec2.bias"]))
    return F.linear(h, params["out.weight"], params["out.bias"]).squeeze(-1) + it @ params["taste"]


def predict(params: dict, feats: RatingFeatures, user, items: torch.Tensor) -> torch.Tensor:
    """``mu + b_i + f(u, i)`` for ``items`` (``user``: an id, possibly a batched 0-d tensor)."""
    f = decide(params, item_embedding(params, feats, items), user_embedding(params, feats, user))
    return feats.mu + feats.item_bias[items] + f


def _weighted_mse(pred, ratings, weights) -> torch.Tensor:
    err = (pred - ratings) ** 2
    return (err * weights).sum() / weights.sum().clamp_min(1.0)


def mse(params: dict, feats: RatingFeatures, user, items, ratings, weights) -> torch.Tensor:
    """Mean squared rating error over the unpadded entries (``weights`` is 0 on padding)."""
    return _weighted_mse(predict(params, feats, user, items), ratings, weights)


def _embedded_mse(dec: dict, base, us, it, ratings, weights) -> torch.Tensor:
    """:func:`mse` with the embeddings given (``base`` = ``mu + b_i``), in the argument order of
    the library's inner-loop losses ``(params, feats, who, items, labels, weights)``."""
    return _weighted_mse(base + decide(dec, it, us), ratings, weights)


def inner_loop_mse(params: dict, feats: RatingFeatures, user, items, ratings, weights, steps: int,
                   lr: float, keys: Sequence[str] = DECISION_KEYS, first_order: bool = False) -> dict:
    """MeLU's local update: the library's :func:`~metarec.learners.inner_loop.inner_loop` (``steps``
    SGD steps, adapting only ``keys``, a subset of :data:`DECISION_KEYS`) on the support ratings'
    squared error. The embeddings do not change during the local update, so they are computed once
    (gradients still reach the embedding layers through them, for the global update)."""
    if set(keys) - set(DECISION_KEYS):
        raise ValueError(f"the local update adapts decision parameters only, not {set(keys) - set(DECISION_KEYS)}")
    it, us = item_embedding(params, feats, items), user_embedding(params, feats, user)
    base = feats.mu + feats.item_bias[items]
    dec = {k: params[k] for k in DECISION_KEYS}
    fast = inner_loop(dec, base, us, it, ratings, weights, steps, lr, keys, first_order, loss=_embedded_mse)
    return {**params, **fast}


def melu_bias_task_loss(params: dict, task: Task, *, feats, steps: int, lr: float,
                        first_order: bool = False):
    """Query MSE after the local update (MeLU's meta-objective on ratings), for one task whose
    ``age`` slot carries the user id (the attributes are looked up in ``feats``)."""
    fast = inner_loop_mse(params, feats, task.age, task.s_items, task.s_labels, task.s_weights,
                          steps, lr, DECISION_KEYS, first_order)
    return mse(fast, feats, task.age, task.q_items, task.q_labels, task.q_weights)


def adapt_and_score(params: dict, feats: RatingFeatures, batch: Task, steps: int, lr: float) -> torch.Tensor:
    """``[B, Q]`` predicted ratings of every task's query items after its local update, all tasks
    at once (``vmap``; the query ratings in ``batch`` are not read)."""
    params = {k: v.detach() for k, v in params.items()}

    def one(user, s_items, s_ratings, s_weights, q_items):
        fast = inner_loop_mse(params, feats, user, s_items, s_ratings, s_weights, steps, lr,
                              DECISION_KEYS, True)
        return predict(fast, feats, user, q_items)
    with torch.no_grad():
        return vmap(one)(batch.age, batch.s_items, batch.s_labels, batch.s_weights, batch.q_items)


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


def length_buckets(pool: dict[int, tuple[np.ndarray, int]], n: int) -> list[np.ndarray]:
    """The pool's users in ``n`` groups of (nearly) equal size by support length.

    A meta-batch draws its tasks from one group, chosen uniformly: every task is still a uniform
    draw from the pool (the groups are equally large), but a batch is padded only to the longest
    support of its group instead of to nearly the longest of all (90), which halves the cost of
    a step on MovieLens. ``n = 1``: plain uniform batches."""
    if n <= 1:
        return [np.asarray(sorted(pool), np.int64)]
    users = sorted(pool, key=lambda u: (len(pool[u][0]) - pool[u][1], u))
    return [g for g in np.array_split(np.asarray(users, np.int64), n) if len(g)]


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


class BiasBase:
    """``melu-bias``'s fixed part: ``mu + b_i`` of the user+item bias model and the user's mean
    support residual ``b_u``. A training task's query errors are measured against the
    leave-the-user-out item bias (:func:`leave_user_out_shift`).

    A *base* gives the learner ``mu``, ``item_bias`` and ``offsets(u, support, query, training)``:
    per-item offsets added to ``mu + b_i`` (subtracted from the ratings the network sees, added
    back to its predictions); :class:`metarec.realdata.mf.MFBase` is the other one."""

    def __init__(self, rows, R, item_bias, lam: float):
        self.R, self.item_bias = R, np.asarray(item_bias, float)
        self.mu = float(np.mean([r for *_, r in rows]))
        self.shift = leave_user_out_shift(rows, self.item_bias, lam, self.mu)
        self.info = {"base": "user-item-bias", "bias_lambda": lam}

    def offsets(self, u: int, s, q, training: bool) -> tuple[np.ndarray, np.ndarray]:
        s, q = np.asarray(s, np.int64), np.asarray(q, np.int64)
        b_u = float(np.mean([self.R[u][i] for i in s]) - self.mu - np.mean(self.item_bias[s])) if len(s) else 0.0
        off_q = np.full(len(q), b_u)
        if training:
            off_q -= [self.shift.get((u, int(i)), 0.0) for i in q]
        return np.full(len(s), b_u), off_q


def train_melu_bias(split, R, ml, base, settings: MeluBiasSettings, seed: int, log=None):
    """Meta-train ``melu-bias`` on one split, over a fixed ``base`` (:class:`BiasBase`, or
    :class:`metarec.realdata.mf.MFBase`).

    Tasks come from :func:`ml_task_pool`; early stopping on the validation users' nDCG@5; the test
    users' query ratings are never looked at here. ``settings.n_seeds`` > 1 trains that many
    members (seeds ``seed``, ``seed + 1``, ...), each early-stopped on the validation users, and
    scores with their mean: a variance reduction, since early stopping on 58 validation users picks
    partly on noise (see :class:`~metarec.realdata.settings.MeluBiasSettings`). ``max_iters = 0``
    is the ablation without meta-training (the local update from the untrained network).

    Arguments:
        split: ``{"train" | "valid" | "test": {user: {"support_items", "query_items"}}}``.
        R: ``{user: {item: rating}}``.
        ml: the data set (:class:`~metarec.realdata.loaders.MovieLens`: item and user attributes).
        base: the fixed part the network adds to (``mu``, ``item_bias``, ``offsets``, ``info``).
        settings: step sizes, budget, network size, members, batch grouping.
        seed: the first member's seed.
        log: receives a progress line at every validation.

    Returns:
        (``score(user, task) -> [n_query]`` predicted ratings, the training log: one entry per
        member, ``n_seeds``, ``seconds``, the step sizes and the base).

    References:
        Lee et al., "MeLU", KDD 2019; Finn et al., "MAML", ICML 2017; Koren, TKDD 2010 (the bias
        baseline).

    Example:
        >>> base = BiasBase(rows, R, item_bias, 10.0)
        >>> score, info = train_melu_bias(split, R, ml, base, MeluBiasSettings.quick(), seed=0)
        >>> score(user, split["test"][user])   # 10 scores, higher = ranked first
    """
    st = settings
    inner_lr, inner_steps, hidden, embed = st.inner_lr, st.inner_steps, st.hidden, st.embed
    feats = RatingFeatures(torch.from_numpy(ml.item_features()), torch.from_numpy(ml.user_features()),
                           base.mu, torch.as_tensor(base.item_bias, dtype=torch.float32))
    cfg = TrainConfig(seed=seed, outer_lr=st.outer_lr, inner_steps=inner_steps, inner_lr=inner_lr,
                      max_iters=st.max_iters, eval_every=st.eval_every, patience=st.patience,
                      hidden=hidden, embed=embed)
    pool = ml_task_pool(split, R, st.support_tasks)
    buckets = length_buckets(pool, st.length_buckets)

    def sample_batch(rng, size):
        us, si, sr, qi, qr = [], [], [], [], []
        group = buckets[rng.integers(len(buckets))] if len(buckets) > 1 else buckets[0]
        for u in rng.choice(group, size):
            items, n_q = pool[u]
            items = items[rng.permutation(len(items))]
            q, s = items[:n_q], items[n_q:]
            off_s, off_q = base.offsets(u, s, q, True)
            us.append(u); si.append(s); sr.append([R[u][i] for i in s] - off_s)
            qi.append(q); qr.append([R[u][i] for i in q] - off_q)
        return rating_batch(us, si, sr, qi, qr)

    def tasks(part: dict):
        """The users of ``part`` (``{user: task}``) as one padded :class:`Task` (support ratings
        minus the base's offsets; the query ratings are not put in) and the query offsets."""
        us, si, sr, qi, off = [], [], [], [], []
        for u, t in part.items():
            s = np.asarray(t["support_items"], np.int64)
            off_s, off_q = base.offsets(u, s, t["query_items"], False)
            us.append(u); si.append(s); sr.append([R[u][i] for i in s] - off_s)
            qi.append(t["query_items"]); off.append(off_q)
        return rating_batch(us, si, sr, qi, [[0.0] * len(q) for q in qi]), off

    valid_batch, valid_off = tasks(split["valid"])

    def member(member_seed):
        """One meta-training run (its own initialisation and task draws); early-stopped on the
        validation users."""
        curve = []

        def validate(p):
            pred = adapt_and_score(p, feats, valid_batch, inner_steps, inner_lr).numpy()
            nd, se = [], []
            for j, (u, t) in enumerate(split["valid"].items()):
                q = t["query_items"]
                s, true = pred[j, :len(q)] + valid_off[j], np.array([R[u][i] for i in q])
                nd.append(published_metrics(q, s, true)["ndcg@5"])
                se.append(float(np.mean((s - true) ** 2)))
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
        return best, {
            "seed": member_seed, "best_iter": info["best_iter"], "best_val_ndcg@5": info["best_val_ndcg"],
            "iters_run": info["iters_run"], "train_loss": info["train_loss"][1:],
            "val_curve_iter_ndcg5_mse": [[it, *c] for it, c in zip(info["iters"], curve)],
            "seconds": info["seconds"]}

    members = [member(seed + k) for k in range(st.n_seeds)]

    def ensemble(part: dict) -> list[np.ndarray]:   # the members' mean predicted rating
        batch, off = tasks(part)
        pred = np.mean([adapt_and_score(p, feats, batch, inner_steps, inner_lr).numpy()
                        for p, _ in members], axis=0)
        return [pred[j, :len(o)] + o for j, o in enumerate(off)]

    cache = {}   # every validation and test user scored at once
    for part in ("valid", "test"):
        for (u, t), pred in zip(split[part].items(), ensemble(split[part])):
            cache[u, tuple(t["query_items"])] = pred

    def score(u, t):
        key = (u, tuple(t["query_items"]))
        if key not in cache:
            cache[key] = ensemble({u: t})[0]
        return cache[key]

    return score, {**base.info, "members": [i for _, i in members], "n_seeds": st.n_seeds,
                   "seconds": round(sum(i["seconds"] for _, i in members), 1), "inner_lr": inner_lr,
                   "inner_steps": inner_steps, "outer_lr": st.outer_lr, "support_tasks": st.support_tasks,
                   "length_buckets": st.length_buckets}
