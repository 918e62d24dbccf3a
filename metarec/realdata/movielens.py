"""MovieLens-100K: the methods of the published cold-start protocol, trained on one split.

Training may use every rating of the training users and the *support* ratings of validation and
test users (they are given at test time); query ratings of validation/test users never reach
training. Settings (shrinkage, regularisation, step sizes) are chosen on the validation users.

A method is a builder in :data:`METHODS`: ``build(ctx) -> score`` with ``score(user, task) ->
[10]`` scores of the task's query items (higher = ranked first). The benchmark
(:mod:`metarec.realdata.movielens_published`) calls :func:`evaluate_split` once per split.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import torch
from torch.func import vmap

from ..core.episodes import DISLIKED, LIKED, Support
from ..core.features import ToyFeatures
from ..core.model import logits
from ..learners import GRADIENT_METHODS
from ..learners.gradient import GradientLearner
from ..learners.inner_loop import inner_loop
from ..training.toybox import TrainConfig
from .loaders import MovieLens
from .melu_bias import BiasBase, train_melu_bias
from .meta_train import meta_train
from .mf import MFBase, fit_als, foldin_scores
from .progress import log
from .protocols import published_metrics
from .settings import MovieLensSettings
from .tasks import NEUTRAL_AGE, neutral_features, pad_tasks

BIAS_GRID = (1.0, 3.0, 10.0, 30.0)              # user+item bias: regularisation lambda
ITEM_MEAN_GRID = (0.0, 1.0, 3.0, 10.0, 30.0)    # item mean: shrinkage towards the global mean

RatingScorer = Callable[[int, dict], np.ndarray]


# ------------------------------------------------------------------ simple baselines
def train_ratings(split, R) -> list[tuple[int, int, float]]:
    """``(user, item, rating)`` rows the learners may see on ``split``: every rating of the
    training users and the support ratings of the validation and test users."""
    rows = [(u, i, r) for u in split["train"] for i, r in R[u].items()]
    for part in ("valid", "test"):
        rows += [(u, i, R[u][i]) for u, t in split[part].items() for i in t["support_items"]]
    return rows


def item_mean_scores(rows, n_items: int, shrink: float) -> np.ndarray:
    """``[n_items + 1]`` mean rating per item, shrunk towards the global mean by ``shrink`` ratings."""
    mu = np.mean([r for _, _, r in rows])
    s, n = np.zeros(n_items + 1), np.zeros(n_items + 1)
    for _, i, r in rows:
        s[i] += r
        n[i] += 1
    return np.where(n + shrink > 0, (s + shrink * mu) / np.maximum(n + shrink, 1e-9), mu)


def bias_scores(rows, n_users: int, n_items: int, lam: float, iters: int = 10) -> np.ndarray:
    """``[n_items + 1]`` item biases of ``r = mu + b_u + b_i`` (alternating regularised means).

    References:
        Koren, "Factor in the Neighbors: Scalable and Accurate Collaborative Filtering", TKDD 2010,
        sec. 2.1.
    """
    u = np.array([a for a, _, _ in rows]); i = np.array([b for _, b, _ in rows])
    r = np.array([c for _, _, c in rows], float)
    mu = r.mean()
    bu, bi = np.zeros(n_users + 1), np.zeros(n_items + 1)
    for _ in range(iters):
        bi = np.bincount(i, r - mu - bu[u], n_items + 1) / (np.bincount(i, minlength=n_items + 1) + lam)
        bu = np.bincount(u, r - mu - bi[i], n_users + 1) / (np.bincount(u, minlength=n_users + 1) + lam)
    return bi


# ------------------------------------------------------------------ the library's gradient learners
def ml_features(ml: MovieLens) -> ToyFeatures:
    """Item attributes (genres, release year) in the toy-world layout, neutral age fields."""
    x = ml.item_features()
    unit = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-8)
    return neutral_features(x, unit.astype(np.float32))


def rating_support(u: int, items, R) -> Support:
    """A user's support set: rating >= 4 liked, below disliked."""
    items = np.asarray(items, np.int64)
    kind = np.array([LIKED if R[u][i] >= 4 else DISLIKED for i in items])
    return Support(NEUTRAL_AGE, torch.from_numpy(items), torch.from_numpy(kind))


def train_gradient(method_name: str, split, R, ml: MovieLens, settings: MovieLensSettings,
                   seed: int) -> tuple[RatingScorer, dict]:
    """Meta-train one of the library's gradient learners on MovieLens tasks.

    Tasks come from the training users (10 random query ratings, the rest support, as in the
    protocol); label = rating >= 4; early stopping on the validation users' nDCG@5.

    Arguments:
        method_name: a key of :data:`metarec.learners.GRADIENT_METHODS`.
        split: ``{"train" | "valid" | "test": {user: {"support_items", "query_items"}}}``.
        R: ``{user: {item: rating}}``.
        ml: the data set (item attributes).
        settings: the training budget (``gradient_iters``, ``gradient_eval_every``).
        seed: seeds initialisation and task draws.

    Returns:
        (``score(user, task)``, the training log).

    References:
        Lee et al., "MeLU", KDD 2019; Finn et al., "MAML", ICML 2017.
    """
    feats = ml_features(ml)
    n_items = feats.x.shape[0]
    cfg = TrainConfig(seed=seed, max_iters=settings.gradient_iters, eval_every=settings.gradient_eval_every)
    train = {u: list(R[u]) for u in split["train"]}
    users = sorted(train)

    def sample_batch(rng, size):
        si, sl, qi, ql = [], [], [], []
        for u in rng.choice(users, size):
            items = np.array(train[u])[rng.permutation(len(train[u]))]
            q, s = items[:10], items[10:]
            si.append(s); sl.append([float(R[u][i] >= 4) for i in s])
            qi.append(q); ql.append([float(R[u][i] >= 4) for i in q])
        return pad_tasks(si, sl, qi, ql)

    def part_batch(part: dict):   # a part's users as one padded Task (support labels: rating >= 4)
        si = [t["support_items"] for t in part.values()]
        sl = [[float(R[u][i] >= 4) for i in t["support_items"]] for u, t in part.items()]
        qi = [t["query_items"] for t in part.values()]
        return pad_tasks(si, sl, qi, [[0.0] * len(q) for q in qi])

    batches = {p: part_batch(split[p]) for p in ("valid", "test")}

    def predictions(learner, part):
        pred = adapt_and_score_all(learner, batches[part]).numpy()
        return {u: pred[j, :len(t["query_items"])] for j, (u, t) in enumerate(split[part].items())}

    def run(learner, part):
        pred = predictions(learner, part)
        return float(np.mean([published_metrics(t["query_items"], pred[u], [R[u][i] for i in t["query_items"]])["ndcg@5"]
                              for u, t in split[part].items()]))

    params, info = meta_train(method_name, feats, n_items, sample_batch, lambda L: run(L, "valid"), cfg, log)
    learner = GradientLearner(GRADIENT_METHODS[method_name], params, feats, cfg.inner_steps, cfg.inner_lr)
    cache = {(u, tuple(split[p][u]["query_items"])): v for p in batches for u, v in predictions(learner, p).items()}

    def score(u, t):
        key = (u, tuple(t["query_items"]))
        if key not in cache:
            cache[key] = learner.score(learner.adapt(rating_support(u, t["support_items"], R)),
                                       torch.tensor(t["query_items"])).numpy()
        return cache[key]
    return score, info


def adapt_and_score_all(learner: GradientLearner, batch) -> torch.Tensor:
    """``[B, Q]``: ``learner.adapt`` then ``learner.score`` for every task of a padded batch at
    once (``vmap`` over users; the padding has weight 0 in the support loss)."""
    lr, keys = learner.step_sizes(), learner.method.adapt_keys

    def one(age, items, labels, weights, query):
        fast = inner_loop(learner.params, learner.feats, age, items, labels, weights, learner.steps, lr, keys)
        return logits(fast, learner.feats, age, query)
    with torch.no_grad():
        return vmap(one)(batch.age, batch.s_items, batch.s_labels, batch.s_weights, batch.q_items)


# ------------------------------------------------------------------ one split
@dataclass
class SplitContext:
    """One split, what its learners may see, and the settings chosen on its validation users.

    Arguments:
        split: ``{"train" | "valid" | "test": {user: {"support_items", "query_items"}}}``.
        R: ``{user: {item: rating}}``.
        ml: the data set.
        settings: the run's settings.
        seed: the run's seed.
        logs: ``{method: [one entry per split]}``, appended to (the JSON's
            ``settings_chosen_on_valid``).
    """

    split: dict
    R: dict
    ml: MovieLens
    settings: MovieLensSettings
    seed: int
    logs: dict
    rows: list = field(init=False)          # what the learners may see (:func:`train_ratings`)
    mf_rows: list = field(init=False)       # the training users' ratings (MF's item side)
    chosen: dict = field(default_factory=dict)   # {method: value chosen on validation}

    def __post_init__(self):
        self.rows = train_ratings(self.split, self.R)
        train = set(self.split["train"])
        self.mf_rows = [r for r in self.rows if r[0] in train]   # MF: no held-out user in training

    def run(self, score: RatingScorer, part: str) -> dict[str, list]:
        """Per-user P@5 / nDCG@5 / MRR@5 of ``score`` on the users of ``part``."""
        per: dict[str, list] = {}
        for u, t in self.split[part].items():
            q = t["query_items"]
            for k, v in published_metrics(q, score(u, t), [self.R[u][i] for i in q]).items():
                per.setdefault(k, []).append(v)
        return per

    def choose(self, name: str, grid, make: Callable[[float], RatingScorer]) -> RatingScorer:
        """``make(g)`` for the ``g`` in ``grid`` with the best validation nDCG@5 (logged)."""
        vals = {g: float(np.mean(self.run(make(g), "valid")["ndcg@5"])) for g in grid}
        best = self.chosen[name] = max(vals, key=vals.get)
        self.logs.setdefault(name, []).append(
            {"chosen": best, "valid_ndcg@5": {str(k): round(v, 4) for k, v in vals.items()}})
        return make(best)

    def bias_model(self, lam: float) -> RatingScorer:
        """The user+item bias model's item biases with regularisation ``lam``, as a scorer."""
        s = bias_scores(self.rows, self.ml.n_users, self.ml.n_items, lam)
        return lambda u, t: s[t["query_items"]]

    def bias_lambda(self) -> float:
        """The bias model's regularisation chosen on validation (chosen here if not yet)."""
        if "user-item-bias" not in self.chosen:
            self.choose("user-item-bias", BIAS_GRID, self.bias_model)
        return self.chosen["user-item-bias"]

    def mf_setting(self) -> tuple[int, float, int]:
        """``(rank, lam, epochs)`` of ``mf-foldin`` chosen on validation (chosen here if not yet)."""
        if "mf-foldin" not in self.chosen:
            build_mf_foldin(self)
        return self.chosen["mf-foldin"]

    def support_ratings(self, u: int, t: dict) -> list[float]:
        return [self.R[u][i] for i in t["support_items"]]


def build_constant(ctx: SplitContext) -> RatingScorer:
    """Every query item the same score: the ranking is the listed query order."""
    return lambda u, t: np.zeros(len(t["query_items"]))


def build_random(ctx: SplitContext) -> RatingScorer:
    """Random scores, seeded per user."""
    return lambda u, t: np.random.default_rng([ctx.seed, u]).random(len(t["query_items"]))


def build_popularity(ctx: SplitContext) -> RatingScorer:
    """How many visible ratings the item has."""
    cnt = np.bincount([i for _, i, _ in ctx.rows], minlength=ctx.ml.n_items + 1)
    return lambda u, t: cnt[t["query_items"]].astype(float)


def build_item_mean(ctx: SplitContext) -> RatingScorer:
    """Shrunk item mean rating, shrinkage chosen on validation from :data:`ITEM_MEAN_GRID`."""
    def make(g):
        s = item_mean_scores(ctx.rows, ctx.ml.n_items, g)
        return lambda u, t: s[t["query_items"]]
    return ctx.choose("item-mean", ITEM_MEAN_GRID, make)


def build_user_item_bias(ctx: SplitContext) -> RatingScorer:
    """The user+item bias model (Koren 2010), lambda chosen on validation from :data:`BIAS_GRID`."""
    return ctx.choose("user-item-bias", BIAS_GRID, ctx.bias_model)


def build_gradient(method_name: str, ctx: SplitContext) -> RatingScorer:
    """One of the library's gradient learners (:func:`train_gradient`), its log appended."""
    score, info = train_gradient(method_name, ctx.split, ctx.R, ctx.ml, ctx.settings, ctx.seed)
    ctx.logs.setdefault(method_name, []).append(info)
    return score


def build_mf_foldin(ctx: SplitContext) -> RatingScorer:
    """Biased MF by ALS (:mod:`metarec.realdata.mf`), a new user folded in on their support
    ratings; rank, regularisation and ALS epochs chosen on the validation users (nDCG@5 of their
    query ratings) from the grid in :class:`~metarec.realdata.settings.MFSettings`."""
    st = ctx.settings.mf
    models = {}
    for rank, lam in ((r, lam) for r in st.ranks for lam in st.lams):
        def keep(epoch, m, rank=rank, lam=lam):
            if epoch in st.epochs:
                models[rank, lam, epoch] = m
        fit_als(ctx.mf_rows, ctx.ml.n_users, ctx.ml.n_items, rank, lam, max(st.epochs), ctx.seed, keep)

    def make(key):
        m = models[key]
        return lambda u, t: foldin_scores(m, t["support_items"], ctx.support_ratings(u, t), t["query_items"])
    return ctx.choose("mf-foldin", list(models), make)


def _melu(ctx: SplitContext, name: str, base, trained: bool) -> RatingScorer:
    settings = ctx.settings.melu_bias if trained else replace(ctx.settings.melu_bias, max_iters=0)
    score, info = train_melu_bias(ctx.split, ctx.R, ctx.ml, base, settings, ctx.seed, log)
    ctx.logs.setdefault(name, []).append(info)
    return score


def bias_base(ctx: SplitContext) -> BiasBase:
    """The user+item bias model chosen on validation, as the fixed part of ``melu-bias``."""
    lam = ctx.bias_lambda()
    return BiasBase(ctx.rows, ctx.R, bias_scores(ctx.rows, ctx.ml.n_users, ctx.ml.n_items, lam), lam)


def mf_base(ctx: SplitContext) -> MFBase:
    """``mf-foldin``'s model (settings chosen on validation), as the fixed part of ``melu-mf``."""
    rank, lam, epochs = ctx.mf_setting()
    return MFBase(ctx.mf_rows, ctx.R, ctx.ml.n_users, ctx.ml.n_items, rank, lam, epochs,
                  ctx.settings.mf.base_folds, ctx.seed)


def build_melu_bias(ctx: SplitContext) -> RatingScorer:
    """``melu-bias`` (:mod:`metarec.realdata.melu_bias`) on top of the bias model chosen on
    validation."""
    return _melu(ctx, "melu-bias", bias_base(ctx), trained=True)


def build_melu_bias_untrained(ctx: SplitContext) -> RatingScorer:
    """The ablation of ``melu-bias``: the same members and base, 0 meta-training steps (the local
    update at test time from the untrained network)."""
    return _melu(ctx, "melu-bias-untrained", bias_base(ctx), trained=False)


def build_melu_mf(ctx: SplitContext) -> RatingScorer:
    """``melu-mf``: ``melu-bias``'s network over MF fold-in (settings of ``mf-foldin``) instead of
    the bias model (:class:`metarec.realdata.mf.MFBase`)."""
    return _melu(ctx, "melu-mf", mf_base(ctx), trained=True)


def build_melu_mf_untrained(ctx: SplitContext) -> RatingScorer:
    """The ablation of ``melu-mf``: 0 meta-training steps."""
    return _melu(ctx, "melu-mf-untrained", mf_base(ctx), trained=False)


# name -> builder(SplitContext) -> score(user, task); the CLI's default order
METHODS: dict[str, Callable[[SplitContext], RatingScorer]] = {
    "constant": build_constant,
    "random": build_random,
    "popularity": build_popularity,
    "item-mean": build_item_mean,
    "user-item-bias": build_user_item_bias,
    "mf-foldin": build_mf_foldin,
    "melu": partial(build_gradient, "melu"),
    "fomaml": partial(build_gradient, "fomaml"),
    "melu-bias": build_melu_bias,
    "melu-bias-untrained": build_melu_bias_untrained,
    "melu-mf": build_melu_mf,
    "melu-mf-untrained": build_melu_mf_untrained,
}
ML_METHODS = tuple(METHODS)
# the run without --methods: one meta-trained MeLU on ratings and its ablation fit the budget (well
# under an hour on one core); melu-mf, not melu-bias, because its held-out validation nDCG@5 was
# higher (experiments/melu_base_crossfit.py); melu-bias and melu-bias-untrained run when named
DEFAULT_METHODS = tuple(m for m in ML_METHODS if m not in ("melu-bias", "melu-bias-untrained"))
# an ablation -> the meta-trained method it strips of meta-training
ABLATIONS = {"melu-bias-untrained": "melu-bias", "melu-mf-untrained": "melu-mf"}


def evaluate_split(split, R, ml: MovieLens, methods, seed: int, settings: MovieLensSettings,
                   logs: dict) -> tuple[dict[str, dict[str, list]], dict[str, float]]:
    """Train every method on one split and score its test users.

    Arguments:
        split: ``{"train" | "valid" | "test": {user: {"support_items", "query_items"}}}``.
        R: ``{user: {item: rating}}``.
        ml: the data set.
        methods: names from :data:`METHODS`, in the order to train them.
        seed: the run's seed.
        settings: the run's settings.
        logs: ``{method: [entries]}``, appended to.

    Returns:
        (``{method: {metric: [value per test user]}}``, ``{method: mean validation nDCG@5}``; the
        latter is where choices between methods are made, never on the test users).
    """
    ctx = SplitContext(split, R, ml, settings, seed, logs)
    scorers = {}
    for m in methods:
        if m not in METHODS:
            raise ValueError(m)
        scorers[m] = METHODS[m](ctx)
    valid = {m: float(np.mean(ctx.run(f, "valid")["ndcg@5"])) for m, f in scorers.items()}
    return {m: ctx.run(f, "test") for m, f in scorers.items()}, valid
