"""Views of the shipped checkpoint that never change: computed when it is trained, shipped beside it.

``assets/checkpoints/curves.json`` (recorded in the manifest with its sha256, verified on load)
holds:

- ``shots_curve``: every learner, the empirical-Bayes reference and the oracle on the nested-support
  protocol (:mod:`metarec.evaluation.shots_curve`), with paired differences against the reference;
- ``demo``: the families the app shows, chosen by one rule fixed on the validation families (below);
- ``adaptation``: the inner loop step by step, averaged over test families, for each starting point,
  with the served learner, the reference and the oracle on the same episodes;
- ``tsne``: the toy map's t-SNE layout.

The demo rule. A family's *gain* is the served learner's nDCG@10 minus popularity's on the same
3-shot nested episode (what the few liked toys add). On the validation families, the quartiles of
the gain are computed once; the demo families are the test families whose gain lies between the
validation quartiles (a typical family, neither the best case nor the worst), in order of closeness
to the validation median. The first is the default family of every page; "another family" takes
the next.

Example:
    >>> data = precompute(Engine.load())      # writes curves.json, ~3 minutes on one core
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..core import paths
from ..core.checkpoint import write_artifact
from ..core.metrics import ndcg_at_k
from ..core.stats import mean_ci
from ..evaluation.shots_curve import nested_episodes, shots_curve
from ..evaluation.toybox import K, REFERENCE, rank_episode
from ..serving.engine import Engine
from ..world.oracle import Oracle
from .adaptation import adaptation_steps, available_starts, trained_settings
from .embedding_map import toy_map

DEMO_SHOTS = 3
AVERAGE_FAMILIES = 100   # test families behind the averaged inner-loop curves


def _ndcg(learner, episode) -> float:
    return ndcg_at_k(rank_episode(learner, episode, K), set(episode.relevant.tolist()), K)


def family_gains(learner, baseline, families, shots: int = DEMO_SHOTS) -> np.ndarray:
    """``learner``'s nDCG@10 minus ``baseline``'s, per family, on its ``shots``-shot nested episode."""
    episodes = [nested_episodes(f, (shots,))[0] for f in families]
    return np.array([_ndcg(learner, ep) - _ndcg(baseline, ep) for ep in episodes])


def demo_pool(engine: Engine, shots: int = DEMO_SHOTS) -> dict:
    """The demo families by the rule in the module docstring."""
    served, popularity = engine.learners[engine.default_method], engine.learners["popularity"]
    val_gain = family_gains(served, popularity, engine.world.families("val"), shots)
    q25, q50, q75 = (float(q) for q in np.percentile(val_gain, [25, 50, 75]))
    test = engine.world.families("test")
    gain = family_gains(served, popularity, test, shots)
    chosen = sorted((i for i in range(len(test)) if q25 <= gain[i] <= q75),
                    key=lambda i: (abs(gain[i] - q50), test[i].id))
    mean, half = mean_ci(gain)
    return {"method": engine.default_method, "shots": shots,
            "validation_quartiles": [round(q, 4) for q in (q25, q50, q75)],
            "test_gain": {"mean": round(mean, 4), "ci95": round(half, 4),
                          "share_gaining": round(float((gain > 0).mean()), 3),
                          "share_losing": round(float((gain < 0).mean()), 3)},
            "families": [{"id": int(test[i].id), "gain": round(float(gain[i]), 4)} for i in chosen]}


def average_adaptation(engine: Engine, families, shots: int = DEMO_SHOTS) -> dict:
    """nDCG@10 after each inner step, averaged over ``families``, per starting point; with the
    served learner, the reference and the oracle on the same episodes (flat lines)."""
    steps, lr = trained_settings(engine)
    episodes = [nested_episodes(f, (shots,))[0] for f in families]
    curves = {}
    for start in available_starts(engine):
        per_step = np.array([[r.ndcg for r in adaptation_steps(
            engine, start, ep.support, ep.candidates, ep.relevant, steps=steps)] for ep in episodes])
        curves[start] = [[round(v, 4) for v in mean_ci(per_step[:, s])] for s in range(steps + 1)]
    flat = {engine.default_method: engine.learners[engine.default_method],
            "oracle": Oracle(engine.world)}
    if REFERENCE in engine.learners:
        flat[REFERENCE] = engine.learners[REFERENCE]
    lines = {name: [round(v, 4) for v in mean_ci([_ndcg(lrn, ep) for ep in episodes])]
             for name, lrn in flat.items()}
    return {"shots": shots, "steps": steps, "lr": lr, "n_families": len(episodes),
            "starts": curves, "references": lines}


def precompute(engine: Engine, path: str | Path = paths.CURVES, progress=None) -> dict:
    """Compute every view above for the engine's checkpoint and write it beside the checkpoint
    (recorded in its manifest). Returns the data."""
    t0 = time.perf_counter()
    test = engine.world.families("test")
    learners = {**engine.learners, "oracle": Oracle(engine.world)}
    data = {"checkpoint_sha256": engine.manifest.get("sha256"),
            "shots_curve": shots_curve(learners, test, reference=REFERENCE, progress=progress),
            "demo": demo_pool(engine),
            "adaptation": average_adaptation(engine, test[:AVERAGE_FAMILIES]),
            "tsne": np.round(toy_map(engine, "tsne").xy, 3).tolist()}
    data["seconds"] = round(time.perf_counter() - t0, 1)
    write_artifact(data, path, "curves", how="python -m metarec precompute (after every "
                   "`python -m metarec train`; deterministic for the checkpoint)")
    return data
