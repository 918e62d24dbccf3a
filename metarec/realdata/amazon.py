"""Amazon Toys benchmarks: S3-Rec leave-one-out (99 sampled negatives / all items) and cold-start users.

Every method is a batched scorer ``score(supports, candidates) -> [B, C]`` (``candidates`` None =
all items), built only from what the protocol lets training see.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import torch

from .loaders import AmazonToys
from .loaders.cache import cached_text_embeddings
from ..core.episodes import LIKED, Support
from ..core.features import ToyFeatures
from ..learners.baselines import ContentKNN
from ..core.metrics import mean_ci95
from ..core.text_embedding import pca
from .protocols import (coldstart_metrics, coldstart_users, leave_one_out, sample_negatives,
                        target_metrics, target_rank)
from .seqmodel import SeqConfig, train_metaemb

AMAZON_METHODS = ("popularity", "knn", "metaemb", "melu", "fomaml")
PUBLISHED_99 = [
    {"method": "PopRec", "hr@1": 0.0585, "hr@5": 0.1977, "ndcg@5": 0.1286, "hr@10": 0.3008, "ndcg@10": 0.1618, "mrr": 0.1430},
    {"method": "BERT4Rec", "hr@1": 0.1262, "hr@5": 0.3344, "ndcg@5": 0.2327, "hr@10": 0.4493, "ndcg@10": 0.2698, "mrr": 0.2338},
    {"method": "SASRec", "hr@1": 0.1878, "hr@5": 0.3682, "ndcg@5": 0.2820, "hr@10": 0.4663, "ndcg@10": 0.3136, "mrr": 0.2842},
    {"method": "S3-Rec", "hr@1": 0.2003, "hr@5": 0.4420, "ndcg@5": 0.3270, "hr@10": 0.5530, "ndcg@10": 0.3629, "mrr": 0.3202},
]
PUBLISHED_ALL = [{"method": "PopRec", "hr@10": 0.0113, "ndcg@10": 0.0061},
                 {"method": "SASRec", "hr@10": 0.0675, "ndcg@10": 0.0374},
                 {"method": "S3-Rec", "hr@10": 0.0700, "ndcg@10": 0.0376}]
PUBLISHED_SOURCE = "S3-Rec (Zhou et al., CIKM 2020), as quoted in the data folder's README"


def log(msg: str) -> None:
    print(f"[realdata] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ features and scorers
class ItemText:
    """MiniLM embeddings of the descriptors (cached outside the repo) and their PCA reduction."""

    _memo: dict = {}

    @classmethod
    def of(cls, data: AmazonToys) -> "ItemText":
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
        """Features in the toy-world layout with neutral age fields (no age data exists)."""
        n = len(self.unit)
        x = torch.from_numpy(self.reduced if x is None else x)
        return ToyFeatures(x, self.unit, torch.zeros(n, dtype=torch.long), torch.zeros(n),
                           torch.full((n,), 168.0))


def popularity_scorer(train_seqs: list[np.ndarray], n_items: int):
    counts = torch.from_numpy(np.bincount(np.concatenate(train_seqs), minlength=n_items).astype(np.float32))

    def score(supports, candidates):
        return counts[candidates] if candidates is not None else counts.expand(len(supports), -1)
    return score


def knn_scorer(feats: ToyFeatures):
    knn = ContentKNN(feats)
    all_items = torch.arange(len(feats))

    def score(supports, candidates):
        rows = []
        for j, s in enumerate(supports):
            state = knn.adapt(Support(0.0, torch.from_numpy(s), torch.full((len(s),), LIKED)))
            rows.append(knn.score(state, all_items if candidates is None else candidates[j]))
        return torch.stack(rows)
    return score


# ------------------------------------------------------------------ ranking the targets
def rank_targets(score, supports, targets, negatives=None, seed=0, batch=512) -> dict[str, list]:
    """Per-user metrics of each target ranked against its sampled ``negatives`` (``[U, 99]``) or,
    when None, against every item outside the user's support."""
    out: dict[str, list] = {}
    for start in range(0, len(targets), batch):
        sup = supports[start:start + batch]
        tgt = torch.from_numpy(np.asarray(targets[start:start + batch]))
        if negatives is not None:
            cands = torch.cat([tgt[:, None], torch.from_numpy(negatives[start:start + batch])], 1)
            s = score(sup, cands).float()
            t, others = s[:, 0], s[:, 1:]
        else:
            s = score(sup, None).float().clone()
            t = s[torch.arange(len(tgt)), tgt].clone()
            for j, h in enumerate(sup):
                s[j, torch.from_numpy(h)] = float("-inf")
            s[torch.arange(len(tgt)), tgt] = float("-inf")   # the target is not its own rival
            others = s
        for j in range(len(tgt)):
            rng = np.random.default_rng([seed, start + j, 7])
            r = target_rank(float(t[j]), others[j].numpy(), rng)
            for k, v in target_metrics(r).items():
                out.setdefault(k, []).append(v)
    return out


def summarise(method: str, per_user: dict[str, list], **extra) -> dict:
    row = {"method": method}
    for k, v in per_user.items():
        m, ci = mean_ci95(v)
        row[k], row[f"{k}_ci95"] = round(m, 4), round(ci, 4)
    row["n_users"] = len(next(iter(per_user.values())))
    row.update(extra)
    return row


def val_metric(score, supports, targets, negatives, seed) -> float:
    """Validation HR@10 + NDCG@10 on the validation items (never the test targets)."""
    m = rank_targets(score, supports, targets, negatives, seed=seed + 1)
    return float(np.mean(m["hr@10"]) + np.mean(m["ndcg@10"]))


def build_scorers(methods, train_seqs, val_supports, val_targets, val_negs, n_items, data,
                  quick, seed, visible_seqs=None) -> tuple[dict, dict]:
    """Train (on ``train_seqs`` only) and return ``{method: scorer}`` and training logs.
    ``visible_seqs``: every interaction known at test time (popularity counts them; default
    ``train_seqs``)."""
    scorers, logs = {}, {}
    for m in methods:
        t0 = time.perf_counter()
        text = ItemText.of(data) if m != "popularity" else None
        if m == "popularity":
            scorers[m] = popularity_scorer(train_seqs if visible_seqs is None else visible_seqs, n_items)
        elif m == "knn":
            scorers[m] = knn_scorer(text.toy_features())
        elif m == "metaemb":
            cfg = SeqConfig(seed=seed, max_epochs=4 if quick else 12)
            learner, logs[m] = train_metaemb(
                train_seqs, n_items, text.reduced,
                lambda L: val_metric(L.score_batch, val_supports, val_targets, val_negs, seed), cfg, log)
            scorers[m] = learner.score_batch
        elif m in ("melu", "fomaml", "maml", "finetune"):
            from .gradient import train_gradient_amazon
            scorers[m], logs[m] = train_gradient_amazon(m, train_seqs, text, val_supports,
                                                        val_targets, val_negs, quick, seed, log)
        else:
            raise ValueError(f"unknown method {m!r}; choose from {', '.join(AMAZON_METHODS)}")
        logs.setdefault(m, {})["train_seconds"] = round(time.perf_counter() - t0, 1)
    return scorers, logs


# ------------------------------------------------------------------ protocols
GRADIENT_ALL_ITEMS_USERS = {m: 2000 for m in ("melu", "fomaml", "maml", "finetune")}
QUICK_USERS = 3000  # users in a --quick run (a seeded sample)


def _subsample(data: AmazonToys, quick: bool, seed: int) -> list[np.ndarray]:
    if not quick:
        return data.sequences
    pick = np.sort(np.random.default_rng([seed, 99]).permutation(len(data.sequences))[:QUICK_USERS])
    return [data.sequences[u] for u in pick]


def evaluate_s3rec(data: AmazonToys, variant: str, quick: bool, seed: int, methods) -> dict:
    """``variant``: "99" (results: 99 negatives, plus all-items rows in ``results_all_items``) or
    "all" (results: all items)."""
    t_start = time.perf_counter()
    seqs = _subsample(data, quick, seed)
    split = leave_one_out(seqs)
    for u in range(len(seqs)):   # nothing training may see holds a validation or test item
        assert not {int(split.val_target[u]), int(split.test_target[u])} & set(split.train[u].tolist())
    # the validation item is ranked against 99 negatives drawn with another seed
    val_negs = sample_negatives(seqs, data.n_items, seed=seed + 1000)
    test_negs = sample_negatives(seqs, data.n_items, seed=seed)
    scorers, logs = build_scorers(methods, split.train, split.val_support, split.val_target,
                                  val_negs, data.n_items, data, quick, seed,
                                  visible_seqs=split.test_support)
    res99, resall = [], []
    for m, score in scorers.items():
        t0 = time.perf_counter()
        if variant == "99" or quick:
            res99.append(summarise(m, rank_targets(score, split.test_support, split.test_target,
                                                   test_negs, seed), candidates="target + 99 sampled negatives",
                                   eval_seconds=round(time.perf_counter() - t0, 1),
                                   train_seconds=logs[m]["train_seconds"]))
        t0 = time.perf_counter()
        users = np.arange(len(seqs))
        if m in GRADIENT_ALL_ITEMS_USERS:   # per-user adapted networks over 11,924 items: slow on CPU
            cap = GRADIENT_ALL_ITEMS_USERS[m] // (10 if quick else 1)
            users = np.sort(np.random.default_rng([seed, 31]).permutation(len(seqs))[:cap])
        resall.append(summarise(m, rank_targets(score, [split.test_support[u] for u in users],
                                                split.test_target[users], None, seed),
                                candidates="all items the user has not interacted with"
                                + ("" if len(users) == len(seqs) else f" (seeded sample of {len(users)} users)"),
                                eval_seconds=round(time.perf_counter() - t0, 1),
                                train_seconds=logs[m]["train_seconds"]))
        log(f"{m}: " + (f"99neg hr@10 {res99[-1]['hr@10']:.4f} " if res99 else "")
            + f"all hr@10 {resall[-1]['hr@10']:.4f}")
    out = {"world": "amazon-toys", "protocol": "s3rec" if variant == "99" else "s3rec-full",
           "results": res99 if variant == "99" else resall,
           "published": PUBLISHED_99 if variant == "99" else PUBLISHED_ALL,
           "published_source": PUBLISHED_SOURCE,
           "n_users": len(seqs), "n_items": data.n_items, "quick": quick, "seed": seed,
           "negatives_seed": seed, "validation_negatives_seed": seed + 1000,
           "training": logs, "seconds": round(time.perf_counter() - t_start, 1)}
    if variant == "99":
        out["results_all_items"] = resall
        out["published_all_items"] = PUBLISHED_ALL
    return out


def evaluate_coldstart(data: AmazonToys, quick: bool, seed: int, methods, shots=(1, 3, 5)) -> dict:
    t_start = time.perf_counter()
    seqs = _subsample(data, quick, seed)
    train_u, test_u = coldstart_users(len(seqs), 0.2, seed)
    # training users: everything but their last item; the last item validates (early stopping)
    train_seqs = [seqs[u][:-1] for u in train_u]
    val_support = train_seqs
    val_target = np.array([seqs[u][-1] for u in train_u])
    val_negs = sample_negatives([seqs[u] for u in train_u], data.n_items, seed=seed + 1000)
    scorers, logs = build_scorers(methods, train_seqs, val_support, val_target, val_negs,
                                  data.n_items, data, quick, seed,
                                  visible_seqs=[seqs[u] for u in train_u])
    rows = []
    for m, score in scorers.items():
        for k in shots:
            t0 = time.perf_counter()
            per: dict[str, list] = {}
            users = [u for u in test_u if len(seqs[u]) > k]
            if m in GRADIENT_ALL_ITEMS_USERS:   # slow on CPU: a seeded sample of the held-out users
                cap = GRADIENT_ALL_ITEMS_USERS[m] // (20 if quick else 2)
                keep = np.random.default_rng([seed, 32]).permutation(len(users))[:cap]
                users = [users[j] for j in np.sort(keep)]
            for start in range(0, len(users), 512):
                b = users[start:start + 512]
                sup = [seqs[u][:k] for u in b]
                s = score(sup, None).float().clone()
                for j, h in enumerate(sup):
                    s[j, torch.from_numpy(h)] = float("-inf")
                top = torch.topk(s, 10, dim=1).indices.tolist()
                for j, u in enumerate(b):
                    for key, v in coldstart_metrics(top[j], set(seqs[u][k:].tolist())).items():
                        per.setdefault(key, []).append(v)
            rows.append(summarise(m, per, shots=k, eval_seconds=round(time.perf_counter() - t0, 1),
                                  train_seconds=logs[m]["train_seconds"]))
            log(f"cold-start {m} k={k}: hr@10 {rows[-1]['hr@10']:.4f} ndcg@10 {rows[-1]['ndcg@10']:.4f}")
    return {"world": "amazon-toys", "protocol": "cold-start", "results": rows,
            "n_train_users": len(train_u), "n_test_users": len(test_u), "quick": quick,
            "seed": seed, "candidates": "all items outside the support", "training": logs,
            "seconds": round(time.perf_counter() - t_start, 1)}
