"""The cold-start-users benchmark on Amazon Toys: users never seen in training, given their first
``k`` items (k = 1, 3, 5), and the top 10 of every other item scored against the rest.

Protocol (:func:`metarec.realdata.protocols.coldstart_users`): 20 % of the users are held out
entirely (seeded); the training users' last items validate (early stopping).
"""
from __future__ import annotations

import time

import numpy as np

from .amazon import ADAPTED_PER_USER, TrainingData, build_scorers, sample_users
from .loaders import AmazonToys, load_amazon_toys
from .progress import log
from .protocols import coldstart_users, sample_negatives
from .ranking import rank_queries, summarise
from .settings import AmazonSettings


def evaluate_coldstart(data: AmazonToys, settings: AmazonSettings, seed: int, methods) -> dict:
    """Train on the training users, then rank all items for the held-out users at each shot count.

    Arguments:
        data: the loaded data set.
        settings: run sizes; ``settings.shots`` are the support sizes.
        seed: seeds the user sample, the held-out users, the negatives and training.
        methods: names from :data:`metarec.realdata.amazon.METHODS`.

    Returns:
        The JSON answer: ``results`` (one row per method and shot count, HR@10 / NDCG@10 /
        recall@10), ``n_train_users``, ``n_test_users``, ``quick``, ``seed``, ``training``, ...
    """
    t_start = time.perf_counter()
    seqs = sample_users(data, settings, seed)
    train_u, test_u = coldstart_users(len(seqs), 0.2, seed)
    # training users: everything but their last item; the last item validates (early stopping)
    train_seqs = [seqs[u][:-1] for u in train_u]
    val_target = np.array([seqs[u][-1] for u in train_u])
    val_negs = sample_negatives([seqs[u] for u in train_u], data.n_items, seed=seed + 1000)
    training = TrainingData(data, train_seqs=train_seqs, visible_seqs=[seqs[u] for u in train_u],
                            val_supports=train_seqs, val_targets=val_target, val_negs=val_negs,
                            settings=settings, seed=seed)
    scorers, logs = build_scorers(methods, training)
    rows = []
    for m, score in scorers.items():
        for k in settings.shots:
            t0 = time.perf_counter()
            users = [u for u in test_u if len(seqs[u]) > k]
            if m in ADAPTED_PER_USER:   # slow on CPU: a seeded sample of the held-out users
                keep = np.random.default_rng([seed, 32]).permutation(len(users))[:settings.gradient_coldstart_users]
                users = [users[j] for j in np.sort(keep)]
            per = rank_queries(score, [seqs[u][:k] for u in users],
                               [set(seqs[u][k:].tolist()) for u in users])
            rows.append(summarise(m, per, shots=k, eval_seconds=round(time.perf_counter() - t0, 1),
                                  train_seconds=logs[m]["train_seconds"]))
            log(f"cold-start {m} k={k}: hr@10 {rows[-1]['hr@10']:.4f} ndcg@10 {rows[-1]['ndcg@10']:.4f}")
    return {"world": "amazon-toys", "protocol": "cold-start", "results": rows,
            "n_train_users": len(train_u), "n_test_users": len(test_u), "quick": settings.is_quick,
            "seed": seed, "candidates": "all items outside the support", "training": logs,
            "seconds": round(time.perf_counter() - t_start, 1)}


def run_coldstart(data_dir, settings: AmazonSettings, seed: int, methods) -> dict:
    """The ``("amazon-toys", "cold-start")`` benchmark."""
    return evaluate_coldstart(load_amazon_toys(data_dir), settings, seed, methods)
