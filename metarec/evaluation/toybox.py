"""Evaluation on the simulated toy world: every learner on the same fixed test episodes.

Protocol: for each test family and each number of shots k, one episode (seeded by family and k):
the support set holds k liked toys, k // 2 disliked toys and implicit negatives; the learner ranks
every *other* toy that suits the child's age; the relevant toys are the family's other liked toys.
Reported: nDCG@10, Recall@10, HR@10, each a mean over families with a 95% t-interval; and each
learner's paired difference against the empirical-Bayes reference on the same families.
"""
from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np
import torch

from ..core.episodes import SHOTS, Episode, evaluation_episodes
from ..core.metrics import hit_at_k, ndcg_at_k, recall_at_k
from ..core.stats import mean_ci, paired
from ..world.oracle import Oracle

K = 10


def rank_episode(learner, episode: Episode, k: int = K) -> list[int]:
    """The learner's top-``k`` toy indices among the episode's candidates."""
    state = learner.adapt(episode.support)
    candidates = torch.from_numpy(episode.candidates)
    scores = learner.score(state, candidates).cpu()
    top = torch.topk(scores, min(k, len(candidates))).indices
    return candidates[top].tolist()


def episode_metrics(learner, episodes: Iterable[Episode], k: int = K) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {f"ndcg@{k}": [], f"recall@{k}": [], f"hr@{k}": []}
    for ep in episodes:
        ranked, relevant = rank_episode(learner, ep, k), set(ep.relevant.tolist())
        out[f"ndcg@{k}"].append(ndcg_at_k(ranked, relevant, k))
        out[f"recall@{k}"].append(recall_at_k(ranked, relevant, k))
        out[f"hr@{k}"].append(hit_at_k(ranked, relevant, k))
    return out


def mean_ndcg(learner, episodes: list[Episode], k: int = K) -> float:
    return float(np.mean(episode_metrics(learner, episodes, k)[f"ndcg@{k}"]))


def evaluate_world(learners: dict, families: list, shots: Iterable[int] = SHOTS,
                   seed: int = 0, progress=None, scores: dict | None = None) -> list[dict]:
    """One row per (learner, shots): mean metrics, their 95% t-interval half-widths, the timing.

    Arguments:
        learners: ``{name: learner}``.
        families: the families (one fixed episode each per number of shots).
        shots: the numbers of liked toys shown.
        seed: with each family's id and k, fixes its episode.
        progress: called with each row as it is done.
        scores: if given, filled with ``{(name, k): per-family nDCG@10}`` (for paired differences).
    """
    rows = []
    for k_shots in shots:
        episodes = evaluation_episodes(families, k_shots, seed=seed)
        for name, learner in learners.items():
            t0 = time.perf_counter()
            m = episode_metrics(learner, episodes)
            row = {"method": name, "shots": int(k_shots), "n_families": len(episodes)}
            for metric, values in m.items():
                mean, half = mean_ci(values)
                row[metric], row[f"{metric}_ci95"] = round(mean, 4), round(half, 4)
            row["ms_per_family"] = round(1000 * (time.perf_counter() - t0) / len(episodes), 2)
            rows.append(row)
            if scores is not None:
                scores[name, int(k_shots)] = m[f"ndcg@{K}"]
            if progress:
                progress(row)
    return rows


def paired_rows(scores: dict, against: str) -> list[dict]:
    """Every learner minus ``against`` on the same families, per k (nDCG@10, 95% t-interval)."""
    out = []
    for (name, k), values in scores.items():
        if name != against and (against, k) in scores:
            out.append({"method": name, "shots": k, "against": against, "metric": f"ndcg@{K}",
                        **paired(values, scores[against, k]).to_json()})
    return out


def gap_closed(rows: list[dict], low: str = "popularity", high: str = "oracle") -> list[dict]:
    """Each learner's share of the way from ``low`` to ``high`` it closes, per k (nDCG@10)."""
    by = {(r["method"], r["shots"]): r[f"ndcg@{K}"] for r in rows}
    out = []
    for (name, k), v in by.items():
        lo, hi = by.get((low, k)), by.get((high, k))
        if lo is not None and hi is not None and hi > lo:
            out.append({"method": name, "shots": k, "share": round((v - lo) / (hi - lo), 3)})
    return out


REFERENCE = "bayes"   # the strong classical reference every learner is paired against


def evaluate_toybox(engine, shots: Iterable[int] = SHOTS, n_families: int | None = None,
                    methods: Iterable[str] | None = None, split: str = "test", seed: int = 0) -> dict:
    """The ``evaluate --world toybox`` result: every learner, and the oracle ceiling, on the
    world's test families, with each learner's paired difference against the empirical-Bayes
    reference and its share of the popularity-to-oracle gap."""
    families = engine.world.families(split)[:n_families]
    learners = {m: engine.learners[m] for m in (methods or engine.learners)}
    if methods is None or "oracle" in methods:
        learners["oracle"] = Oracle(engine.world)
    t0 = time.perf_counter()
    scores: dict = {}
    rows = evaluate_world(learners, families, shots, seed=seed, scores=scores)
    return {"world": "toybox", "split": split, "protocol": __doc__.split("Protocol: ")[1].split("\n\n")[0]
            .replace("\n", " "), "device": engine.device_name, "seconds": round(time.perf_counter() - t0, 1),
            "results": rows, "paired": paired_rows(scores, REFERENCE),
            "gap_closed": gap_closed(rows), "served": engine.default_method}
