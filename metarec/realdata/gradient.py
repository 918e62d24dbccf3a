"""The library's gradient meta-learners (MeLU, FOMAML, MAML, fine-tuning) trained on real data.

The scorer, inner loop, loss and learner are the toy world's (:mod:`metarec.core.model`,
:func:`~metarec.learners.inner_loop.inner_loop`, :func:`~metarec.learners.inner_loop.balanced_bce`,
:class:`~metarec.learners.gradient.GradientLearner`); only the tasks differ. The per-item bias is
learned globally (it carries popularity), the embedding layers read the item's text / attribute
features, and each user's support set drives the inner loop. There is no user age on either data
set, so the scorer's child-age input is a constant (``NEUTRAL_AGE``).
"""
from __future__ import annotations


import numpy as np
import torch
from torch.func import vmap

from ..core.episodes import DISLIKED, LIKED, Task
from ..core.features import ToyFeatures
from ..learners import GRADIENT_METHODS
from ..learners.gradient import GradientLearner
from ..learners.inner_loop import inner_loop
from ..core.model import ModelConfig, logits
from ..training.outer_loop import outer_loop
from ..training.toybox import TrainConfig, training_problem

NEUTRAL_AGE = 60.0


def pad_tasks(s_items, s_labels, q_items, q_labels) -> Task:
    """A :class:`Task` from ragged per-task lists (weights 0 on padding)."""
    def pad(rows, dtype):
        width = max(len(r) for r in rows)
        out, mask = torch.zeros(len(rows), width, dtype=dtype), torch.zeros(len(rows), width)
        for j, r in enumerate(rows):
            out[j, :len(r)] = torch.as_tensor(np.asarray(r), dtype=dtype)
            mask[j, :len(r)] = 1.0
        return out, mask
    si, sw = pad(s_items, torch.long)
    sl, _ = pad(s_labels, torch.float32)
    qi, qw = pad(q_items, torch.long)
    ql, _ = pad(q_labels, torch.float32)
    return Task(torch.full((len(s_items),), NEUTRAL_AGE), si, sl, sw, qi, ql, qw)


def meta_train(method_name: str, feats: ToyFeatures, n_items: int, sample_batch, validate,
               cfg: TrainConfig, log=None) -> tuple[dict, dict]:
    """The library's outer loop (:func:`metarec.training.outer_loop.outer_loop`) on real-data tasks.

    ``sample_batch(rng, size) -> Task``; ``validate(learner) -> float`` on validation tasks.
    """
    model_cfg = ModelConfig(feats.dim, n_items, cfg.hidden, cfg.embed)
    params, task_loss, settings = training_problem(method_name, model_cfg, feats, cfg)
    method = GRADIENT_METHODS[method_name]
    rng = np.random.default_rng(cfg.seed)

    def progress(it, loss, val):
        if log and val is not None and loss is not None:
            log(f"{method_name} iter {it}: loss {loss:.4f} val {val:.4f}")

    best, info = outer_loop(
        method_name, params, task_loss, lambda size: sample_batch(rng, size),
        lambda p: validate(GradientLearner(method, p, feats, settings["steps"], settings["lr"])),
        cfg, feats.x.device, on_progress=progress, show_bar=False)
    return best, {"best_iter": info["best_iter"], "best_val": info["best_val_ndcg"],
                  "iters_run": info["iters_run"],
                  "val_curve": list(zip(info["iters"], info["val_ndcg@10"])),
                  "seconds": info["seconds"]}


# ------------------------------------------------------------------ batched adapt-and-score
def batched_scorer(learner: GradientLearner, n_items: int, n_implicit: int = 10, max_support: int = 20,
                   seed: int = 0):
    """``score(supports, candidates)``: ``vmap`` over users of the learner's inner loop (support =
    the user's most recent ``max_support`` items as liked + ``n_implicit`` random other items)."""
    method, feats = learner.method, learner.feats

    def adapt_one(age, items, labels, w):
        return inner_loop(learner.params, feats, age, items, labels, w, learner.steps, learner.lr,
                          method.adapt_keys)

    adapt = vmap(adapt_one)
    score_one = vmap(lambda p, age, c: logits(p, feats, age, c), in_dims=(0, 0, 0))

    def score(supports, candidates):
        s_items, s_labels = [], []
        for s in supports:
            s = s[-max_support:]
            rng = np.random.default_rng([seed, len(s), int(s[-1])])
            neg = rng.integers(0, n_items, n_implicit)
            s_items.append(np.concatenate([s, neg])); s_labels.append([1.0] * len(s) + [0.0] * n_implicit)
        b = pad_tasks(s_items, s_labels, [[0]] * len(supports), [[0.0]] * len(supports))
        with torch.no_grad():
            fast = adapt(b.age, b.s_items, b.s_labels, b.s_weights)
            if candidates is None:
                candidates = torch.arange(n_items).expand(len(supports), -1)
            out = []
            for j in range(0, len(supports), 16):   # bound memory for all-item ranking
                sl = slice(j, j + 16)
                out.append(score_one({k: v[sl] for k, v in fast.items()}, b.age[sl], candidates[sl]))
            return torch.cat(out)
    return score


# ------------------------------------------------------------------ Amazon Toys
def train_gradient_amazon(method_name, train_seqs, text, val_supports, val_targets, val_negs,
                          quick, seed, log):
    from .amazon import val_metric
    n_items = len(text.unit)
    feats = text.toy_features(text.reduced[:, :32].copy())
    cfg = TrainConfig(seed=seed, max_iters=150 if quick else 3000, eval_every=50 if quick else 200)
    users = [u for u, s in enumerate(train_seqs) if len(s) >= 2]
    vpick = np.random.default_rng([seed, 5]).permutation(len(val_targets))[:500 if quick else 2000]

    def sample_batch(rng, size):
        si, sl, qi, ql = [], [], [], []
        for u in rng.choice(users, size):
            h = train_seqs[u]
            t = int(rng.integers(1, len(h)))
            sup = h[:t][-20:]
            si.append(np.concatenate([sup, rng.integers(0, n_items, 10)]))
            sl.append([1.0] * len(sup) + [0.0] * 10)
            qi.append(np.concatenate([[h[t]], rng.integers(0, n_items, 20)]))
            ql.append([1.0] + [0.0] * 20)
        return pad_tasks(si, sl, qi, ql)

    def validate(learner):
        return val_metric(batched_scorer(learner, n_items, seed=seed), [val_supports[j] for j in vpick],
                          val_targets[vpick], val_negs[vpick], seed)

    params, info = meta_train(method_name, feats, n_items, sample_batch, validate, cfg, log)
    learner = GradientLearner(GRADIENT_METHODS[method_name], params, feats, cfg.inner_steps, cfg.inner_lr)
    return batched_scorer(learner, n_items, seed=seed), info


# ------------------------------------------------------------------ MovieLens-100K
def ml_features(ml) -> ToyFeatures:
    x = ml.item_features()
    unit = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-8)
    n = len(x)
    return ToyFeatures(torch.from_numpy(x), torch.from_numpy(unit.astype(np.float32)),
                       torch.zeros(n, dtype=torch.long), torch.zeros(n), torch.full((n,), 168.0))


def _support(u, items, R):
    items = np.asarray(items, np.int64)
    kind = np.array([LIKED if R[u][i] >= 4 else DISLIKED for i in items])
    from ..core.episodes import Support
    return Support(NEUTRAL_AGE, torch.from_numpy(items), torch.from_numpy(kind))


def train_gradient_movielens(method_name, split, R, ml, quick, seed, log):
    """Tasks from training users (10 random query ratings, the rest support, as in the protocol);
    label = rating >= 4; early stopping on the validation users' nDCG@5."""
    from .protocols import published_metrics
    feats = ml_features(ml)
    n_items = feats.x.shape[0]
    cfg = TrainConfig(seed=seed, max_iters=100 if quick else 300, eval_every=25 if quick else 50)
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

    def run(learner, part):
        vals = []
        for u, t in split[part].items():
            state = learner.adapt(_support(u, t["support_items"], R))
            s = learner.score(state, torch.tensor(t["query_items"]))
            vals.append(published_metrics(t["query_items"], s.numpy(), [R[u][i] for i in t["query_items"]])["ndcg@5"])
        return float(np.mean(vals))

    params, info = meta_train(method_name, feats, n_items, sample_batch, lambda L: run(L, "valid"), cfg, log)
    learner = GradientLearner(GRADIENT_METHODS[method_name], params, feats, cfg.inner_steps, cfg.inner_lr)

    def score(u, t):
        return learner.score(learner.adapt(_support(u, t["support_items"], R)),
                             torch.tensor(t["query_items"])).numpy()
    return score, info
