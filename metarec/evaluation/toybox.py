"""Evaluation on the simulated toy world: every learner on the same fixed test episodes.

Protocol: for each test family and each number of shots k, one episode (seeded by family and k):
the support set holds k liked toys, k // 2 disliked toys and implicit negatives; the learner ranks
every *other* toy that suits the child's age; the relevant toys are the family's other liked toys.
Reported: nDCG@10, Recall@10, HR@10, each a mean over families with a 95% interval.
"""
from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np
import torch

from ..core.episodes import SHOTS, Episode, evaluation_episodes
from ..core.metrics import hit_at_k, mean_ci95, ndcg_at_k, recall_at_k

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
                   seed: int = 0, progress=None) -> list[dict]:
    """One row per (learner, shots): mean metrics, their 95% half-widths and the timing."""
    rows = []
    for k_shots in shots:
        episodes = evaluation_episodes(families, k_shots, seed=seed)
        for name, learner in learners.items():
            t0 = time.perf_counter()
            m = episode_metrics(learner, episodes)
            row = {"method": name, "shots": int(k_shots), "n_families": len(episodes)}
            for metric, values in m.items():
                mean, half = mean_ci95(values)
                row[metric], row[f"{metric}_ci95"] = round(mean, 4), round(half, 4)
            row["ms_per_family"] = round(1000 * (time.perf_counter() - t0) / len(episodes), 2)
            rows.append(row)
            if progress:
                progress(row)
    return rows


def evaluate_toybox(engine, shots: Iterable[int] = SHOTS, n_families: int | None = None,
                    methods: Iterable[str] | None = None, split: str = "test", seed: int = 0) -> dict:
    """The ``evaluate --world toybox`` result: every learner on the world's test families."""
    families = engine.world.families(split)[:n_families]
    learners = {m: engine.learners[m] for m in (methods or engine.learners)}
    t0 = time.perf_counter()
    rows = evaluate_world(learners, families, shots, seed=seed)
    return {"world": "toybox", "split": split, "protocol": __doc__.split("Protocol: ")[1].split("\n\n")[0]
            .replace("\n", " "), "device": engine.device_name, "seconds": round(time.perf_counter() - t0, 1),
            "results": rows}
