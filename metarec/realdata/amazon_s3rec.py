"""The S3-Rec leave-one-out benchmark on Amazon Toys: rank each user's last item against 99
sampled negatives (``s3rec``) or against every item (``s3rec-full``).

Protocol (:func:`metarec.realdata.protocols.leave_one_out`): last item = test target,
second-to-last = validation target (early stopping), everything earlier = what training sees; at
test time a method adapts on history + validation item.

References:
    Zhou et al., "S3-Rec: Self-Supervised Learning for Sequential Recommendation with Mutual
    Information Maximization", CIKM 2020 (the protocol and the published rows).
"""
from __future__ import annotations

import time

import numpy as np

from .amazon import ADAPTED_PER_USER, TrainingData, build_scorers, sample_users
from .loaders import AmazonToys, load_amazon_toys
from .progress import log
from .protocols import leave_one_out, sample_negatives
from .ranking import rank_targets, summarise
from .settings import AmazonSettings

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


def evaluate_s3rec(data: AmazonToys, variant: str, settings: AmazonSettings, seed: int,
                   methods) -> dict:
    """Train every method on the users' histories and rank their last items.

    Arguments:
        data: the loaded data set.
        variant: ``"99"`` (``results``: target + 99 sampled negatives, plus all-item rows in
            ``results_all_items``) or ``"all"`` (``results``: all items the user has not seen).
        settings: run sizes (users, training budgets, user samples).
        seed: seeds the user sample, the negatives (validation: ``seed + 1000``) and training.
        methods: names from :data:`metarec.realdata.amazon.METHODS`.

    Returns:
        The JSON answer: ``world``, ``protocol``, ``results`` (one row per method), ``published``,
        ``n_users``, ``n_items``, ``quick``, ``seed``, ``training``, ``seconds``, ...
    """
    t_start = time.perf_counter()
    seqs = sample_users(data, settings, seed)
    split = leave_one_out(seqs)
    for u in range(len(seqs)):   # nothing training may see holds a validation or test item
        assert not {int(split.val_target[u]), int(split.test_target[u])} & set(split.train[u].tolist())
    # the validation item is ranked against 99 negatives drawn with another seed
    val_negs = sample_negatives(seqs, data.n_items, seed=seed + 1000)
    test_negs = sample_negatives(seqs, data.n_items, seed=seed)
    training = TrainingData(data, train_seqs=split.train, visible_seqs=split.test_support,
                            val_supports=split.val_support, val_targets=split.val_target,
                            val_negs=val_negs, settings=settings, seed=seed)
    scorers, logs = build_scorers(methods, training)
    res99, resall = [], []
    for m, score in scorers.items():
        t0 = time.perf_counter()
        if variant == "99" or settings.log_sampled_on_full:
            res99.append(summarise(m, rank_targets(score, split.test_support, split.test_target,
                                                   test_negs, seed), candidates="target + 99 sampled negatives",
                                   eval_seconds=round(time.perf_counter() - t0, 1),
                                   train_seconds=logs[m]["train_seconds"]))
        t0 = time.perf_counter()
        users = np.arange(len(seqs))
        if m in ADAPTED_PER_USER:
            cap = settings.gradient_s3rec_users
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
           "n_users": len(seqs), "n_items": data.n_items, "quick": settings.is_quick, "seed": seed,
           "negatives_seed": seed, "validation_negatives_seed": seed + 1000,
           "training": logs, "seconds": round(time.perf_counter() - t_start, 1)}
    if variant == "99":
        out["results_all_items"] = resall
        out["published_all_items"] = PUBLISHED_ALL
    return out


def run_s3rec(data_dir, settings: AmazonSettings, seed: int, methods) -> dict:
    """The ``("amazon-toys", "s3rec")`` benchmark: target + 99 sampled negatives (and all items)."""
    return evaluate_s3rec(load_amazon_toys(data_dir), "99", settings, seed, methods)


def run_s3rec_full(data_dir, settings: AmazonSettings, seed: int, methods) -> dict:
    """The ``("amazon-toys", "s3rec-full")`` benchmark: the target against every unseen item."""
    return evaluate_s3rec(load_amazon_toys(data_dir), "all", settings, seed, methods)
