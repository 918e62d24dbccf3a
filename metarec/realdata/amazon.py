"""Amazon Toys: the methods, each trained only on what a protocol lets it see.

Every method is a batched scorer ``score(supports, candidates) -> [B, C]`` (``candidates`` None =
all items; see :mod:`metarec.realdata.ranking`). :data:`METHODS` maps a name to its builder; the
benchmarks (:mod:`metarec.realdata.amazon_s3rec`, :mod:`metarec.realdata.amazon_coldstart`) fill a
:class:`TrainingData` and call :func:`build_scorers`.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from ..core.episodes import LIKED, Support
from ..core.features import ToyFeatures
from ..core.text_embedding import pca
from ..learners import GRADIENT_METHODS
from ..learners.baselines import ContentKNN
from ..learners.gradient import GradientLearner
from ..training.toybox import TrainConfig
from . import classical
from .loaders import AmazonToys
from .loaders.cache import cached_text_embeddings
from .meta_train import batched_scorer, meta_train
from .progress import log
from .ranking import Scorer, val_metric
from .seqmodel import SeqConfig, train_seqmodel
from .settings import AmazonSettings
from .tasks import neutral_features, pad_tasks


# ------------------------------------------------------------------ item features
class ItemText:
    """MiniLM embeddings of the descriptors (cached outside the repo) and their PCA reduction.

    Arguments:
        data: the loaded data set.
        dim: principal directions kept (model input ``reduced`` and k-NN vectors ``unit``).
    """

    _memo: dict = {}

    @classmethod
    def of(cls, data: AmazonToys) -> "ItemText":
        """The embeddings of ``data``, computed once per loaded data set (one at a time)."""
        key = id(data)
        if key not in cls._memo:
            cls._memo = {key: cls(data)}
        return cls._memo[key]

    def __init__(self, data: AmazonToys, dim: int = 64):
        raw = cached_text_embeddings(data.texts)
        self.reduced = pca(raw, dim)
        # content vectors for k-NN: the top-64 principal directions of MiniLM, unit norm (6x fewer
        # flops than 384-d for ranking every item, which matters on 2 CPU cores)
        centred = raw - raw.mean(0, keepdims=True)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        z = (centred @ vt[:dim].T).astype(np.float32)
        self.unit = torch.from_numpy(z / (np.linalg.norm(z, axis=1, keepdims=True) + 1e-8))

    def toy_features(self, x: np.ndarray | None = None) -> ToyFeatures:
        """Features in the toy-world layout with neutral age fields (no age data exists).

        Arguments:
            x: the model input ``[n_items, d]``; default the 64-d PCA reduction.
        """
        return neutral_features(self.reduced if x is None else x, self.unit)


# ------------------------------------------------------------------ what training may see
@dataclass(frozen=True)
class TrainingData:
    """What a method may learn from under one protocol (never a test target).

    Arguments:
        data: the data set (item texts, catalogue size).
        train_seqs: per training user, the items training may see (oldest first).
        visible_seqs: every interaction known at test time (popularity counts them).
        val_supports: per validation user, the support of the validation item.
        val_targets: ``[V]`` validation items (early stopping).
        val_negs: ``[V, 99]`` their sampled negatives.
        settings: the run's settings.
        seed: the run's seed.
    """

    data: AmazonToys
    train_seqs: list[np.ndarray]
    visible_seqs: list[np.ndarray]
    val_supports: list[np.ndarray]
    val_targets: np.ndarray
    val_negs: np.ndarray
    settings: AmazonSettings
    seed: int

    def validate(self, score: Scorer) -> float:
        """Validation HR@10 + NDCG@10 of ``score`` on every validation user."""
        return val_metric(score, self.val_supports, self.val_targets, self.val_negs, self.seed)


# ------------------------------------------------------------------ the methods
def popularity_scorer(train_seqs: list[np.ndarray], n_items: int) -> Scorer:
    """Score = how often the item occurs in ``train_seqs`` (the same for every user)."""
    counts = torch.from_numpy(np.bincount(np.concatenate(train_seqs), minlength=n_items).astype(np.float32))

    def score(supports, candidates):
        return counts[candidates] if candidates is not None else counts.expand(len(supports), -1)
    return score


def knn_scorer(feats: ToyFeatures) -> Scorer:
    """The library's content k-NN: score = highest cosine to any support item.

    References:
        Dacrema, Cremonesi & Jannach, "Are We Really Making Much Progress?", RecSys 2019 (why a
        tuned neighbourhood baseline belongs in every table).
    """
    knn = ContentKNN(feats)
    all_items = torch.arange(len(feats))

    def score(supports, candidates):
        rows = []
        for j, s in enumerate(supports):
            state = knn.adapt(Support(0.0, torch.from_numpy(s), torch.full((len(s),), LIKED)))
            rows.append(knn.score(state, all_items if candidates is None else candidates[j]))
        return torch.stack(rows)
    return score


def build_popularity(t: TrainingData) -> tuple[Scorer, dict]:
    """Popularity over everything visible at test time (PopRec in the S3-Rec table)."""
    return popularity_scorer(t.visible_seqs, t.data.n_items), {}


def build_knn(t: TrainingData) -> tuple[Scorer, dict]:
    """Content k-NN on the descriptors' 64-d MiniLM principal directions (no training)."""
    return knn_scorer(ItemText.of(t.data).toy_features()), {}


def build_classical(name: str, t: TrainingData) -> tuple[Scorer, dict]:
    """A collaborative classical baseline (:mod:`metarec.realdata.classical`) fitted on the
    training sequences, its setting chosen on the validation items (one setting for every
    candidate set)."""
    return classical.choose(name, t.train_seqs, t.data.n_items, t.validate, log=log)


def build_seqmodel(t: TrainingData) -> tuple[Scorer, dict]:
    """``seqmodel`` (:mod:`metarec.realdata.seqmodel`), early-stopped on the validation items."""
    text = ItemText.of(t.data)
    cfg = SeqConfig(seed=t.seed, max_epochs=t.settings.seq_epochs)
    learner, info = train_seqmodel(t.train_seqs, t.data.n_items, text.reduced,
                                  lambda L: t.validate(L.score_batch), cfg, log)
    return learner.score_batch, info


def build_gradient(method_name: str, t: TrainingData) -> tuple[Scorer, dict]:
    """One of the library's gradient learners meta-trained on next-item tasks.

    A task is a training user cut at a random position: support = up to 20 items before it (liked)
    + 10 random items (not liked), query = the next item (liked) + 20 random items (not liked).
    Early stopping on HR@10 + NDCG@10 of a seeded sample of validation users.

    Arguments:
        method_name: a key of :data:`metarec.learners.GRADIENT_METHODS`.
        t: what training may see.

    Returns:
        (a :func:`~metarec.realdata.meta_train.batched_scorer`, the training log).

    References:
        Lee et al., "MeLU", KDD 2019; Finn et al., "MAML", ICML 2017 (FOMAML: its first-order form).
    """
    s, seed = t.settings, t.seed
    text = ItemText.of(t.data)
    n_items = len(text.unit)
    feats = text.toy_features(text.reduced[:, :32].copy())
    cfg = TrainConfig(seed=seed, max_iters=s.gradient_iters, eval_every=s.gradient_eval_every)
    users = [u for u, seq in enumerate(t.train_seqs) if len(seq) >= 2]
    vpick = np.random.default_rng([seed, 5]).permutation(len(t.val_targets))[:s.gradient_val_users]

    def sample_batch(rng, size):
        si, sl, qi, ql = [], [], [], []
        for u in rng.choice(users, size):
            h = t.train_seqs[u]
            cut = int(rng.integers(1, len(h)))
            sup = h[:cut][-20:]
            si.append(np.concatenate([sup, rng.integers(0, n_items, 10)]))
            sl.append([1.0] * len(sup) + [0.0] * 10)
            qi.append(np.concatenate([[h[cut]], rng.integers(0, n_items, 20)]))
            ql.append([1.0] + [0.0] * 20)
        return pad_tasks(si, sl, qi, ql)

    def validate(learner):
        return val_metric(batched_scorer(learner, n_items, seed=seed), [t.val_supports[j] for j in vpick],
                          t.val_targets[vpick], t.val_negs[vpick], seed)

    params, info = meta_train(method_name, feats, n_items, sample_batch, validate, cfg, log)
    learner = GradientLearner(GRADIENT_METHODS[method_name], params, feats, cfg.inner_steps, cfg.inner_lr)
    return batched_scorer(learner, n_items, seed=seed), info


# name -> builder(TrainingData) -> (scorer, training log); the CLI's default order
METHODS: dict[str, Callable[[TrainingData], tuple[Scorer, dict]]] = {
    "popularity": build_popularity,
    "knn": build_knn,
    "item-knn": partial(build_classical, "item-knn"),
    "ease": partial(build_classical, "ease"),
    "markov": partial(build_classical, "markov"),
    "seqmodel": build_seqmodel,
    "melu": partial(build_gradient, "melu"),
    "fomaml": partial(build_gradient, "fomaml"),
}
AMAZON_METHODS = tuple(METHODS)
# per-user adapted networks: ranking all 11,924 items for each user is slow on CPU
ADAPTED_PER_USER = frozenset(m for m in METHODS if m in GRADIENT_METHODS)


def build_scorers(methods, t: TrainingData) -> tuple[dict[str, Scorer], dict[str, dict]]:
    """Train every method in ``methods`` on ``t`` and return their scorers and training logs.

    Arguments:
        methods: names from :data:`METHODS`, in the order to train them.
        t: what training may see.

    Returns:
        (``{method: scorer}``, ``{method: log}``; each log has ``train_seconds``).
    """
    scorers, logs = {}, {}
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"unknown method {m!r}; choose from {', '.join(METHODS)}")
        t0 = time.perf_counter()
        scorers[m], logs[m] = METHODS[m](t)
        logs[m]["train_seconds"] = round(time.perf_counter() - t0, 1)
    return scorers, logs


def sample_users(data: AmazonToys, settings: AmazonSettings, seed: int) -> list[np.ndarray]:
    """The run's users' sequences: all of them, or a seeded sample of ``settings.users``."""
    if settings.users is None:
        return data.sequences
    pick = np.sort(np.random.default_rng([seed, 99]).permutation(len(data.sequences))[:settings.users])
    return [data.sequences[u] for u in pick]
